import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { DEFAULT_USER_ID_TYPE } from '../../../../../domain/directory.js';
import type { Services } from '../../../../../services/index.js';
import {
  AddSignBody,
  CancelInstanceBody,
  CcInstanceBody,
  CreateInstanceBody,
  GetInstanceQuery,
  PreviewInstanceBody,
  ListInstancesQuery,
  QueryInstancesBody,
  QueryInstancesQuery,
  SearchCcBody,
  SpecifiedRollbackBody,
  UserIdTypeQuery,
} from '../../../../../wire/approval-requests.js';
import {
  CcSearchPage,
  CreatedInstance,
  InstanceCodePage,
  InstanceDetail,
  InstanceQueryPage,
  RoutePreview,
} from '../../../../../wire/approval-responses.js';
import { acknowledges, answers, Empty } from '../../../../../wire/responses.js';
import { acknowledged, success } from '../../../../feishu-envelope.js';
import { answer } from '../../../../refusal-answer.js';
import { formatInstance, formatListedInstance, formatPreview } from '../../../../formatters/instance.js';
import { formatCcSearchItem } from '../../../../formatters/search.js';

const InstanceParams = Type.Object({ instance_id: Type.String({ minLength: 1 }) });

/** Each route's schema; `operationId` names the Node SDK's method. */
const schemas = {
  create: {
    operationId: 'approval.v4.instance.create',
    summary: 'Submit an instance of a definition',
    body: CreateInstanceBody,
    response: answers(CreatedInstance),
  },
  list: {
    operationId: 'approval.v4.instance.list',
    summary: 'The instance codes of a definition, by creation time',
    querystring: ListInstancesQuery,
    response: answers(InstanceCodePage),
  },
  get: {
    operationId: 'approval.v4.instance.get',
    summary: 'An instance: its status, form, tasks, comments and timeline',
    params: InstanceParams,
    querystring: GetInstanceQuery,
    response: answers(InstanceDetail),
  },
  query: {
    operationId: 'approval.v4.instance.query',
    summary: 'The instances matching filters',
    body: QueryInstancesBody,
    querystring: QueryInstancesQuery,
    response: answers(InstanceQueryPage),
  },
  preview: {
    operationId: 'approval.v4.instance.preview',
    summary: 'The nodes an instance goes or would go through, with their approvers',
    body: PreviewInstanceBody,
    querystring: UserIdTypeQuery,
    response: answers(RoutePreview),
  },
  cancel: {
    operationId: 'approval.v4.instance.cancel',
    summary: 'Withdraw an instance (by its submitter)',
    body: CancelInstanceBody,
    querystring: UserIdTypeQuery,
    response: answers(Empty),
  },
  cc: {
    operationId: 'approval.v4.instance.cc',
    summary: 'CC an instance to users',
    body: CcInstanceBody,
    querystring: UserIdTypeQuery,
    response: answers(Empty),
  },
  searchCc: {
    operationId: 'approval.v4.instance.searchCc',
    summary: 'The CCs matching filters, newest first',
    body: SearchCcBody,
    querystring: QueryInstancesQuery,
    response: answers(CcSearchPage),
  },
  addSign: {
    operationId: 'approval.v4.instance.addSign',
    summary: 'Add approvers to the node of a pending task, before, after or beside its assignee (the assignee)',
    body: AddSignBody,
    response: acknowledges(),
  },
  specifiedRollback: {
    operationId: 'approval.v4.instance.specifiedRollback',
    summary: 'Send a request back from a pending task to nodes it has passed, or to its submitter (the assignee)',
    body: SpecifiedRollbackBody,
    querystring: UserIdTypeQuery,
    response: answers(Empty),
  },
};

export const instanceRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.post('/instances', { schema: schemas.create }, async (request, reply) =>
    answer(reply, await services.instances.create(request.caller, request.body), ({ instanceCode }) => {
      // with_link: where the instance can be opened; shenpi's page for an instance is in its console.
      const link = `${request.protocol}://${request.host}/console#instance=${instanceCode}`;
      return success({ instance_code: instanceCode, ...(request.body.with_link ? { instance_link: link } : {}) });
    }),
  );

  app.get('/instances', { schema: schemas.list }, async (request, reply) => {
    const { approval_code, start_time, end_time, page_size, page_token } = request.query;
    const found = await services.instances.listCodes(request.caller, {
      approvalCode: approval_code,
      startTime: Number(start_time),
      endTime: Number(end_time),
      ...(page_size !== undefined ? { pageSize: page_size } : {}),
      ...(page_token ? { pageToken: page_token } : {}),
    });
    return answer(reply, found, (page) => success({ instance_code_list: page.items, page_token: page.pageToken, has_more: page.hasMore }));
  });

  app.get(
    '/instances/:instance_id',
    { schema: schemas.get },
    async (request, reply) => {
      const userIdType = request.query.user_id_type ?? DEFAULT_USER_ID_TYPE;
      // Reading an instance as a user (user_id) is that user opening it: their CCs on it become read.
      const reader = request.query.user_id ? { id: request.query.user_id, type: userIdType } : undefined;
      const view = await services.instances.get(request.caller, request.params.instance_id, reader);
      return answer(reply, view, (found) => success(formatInstance(found, userIdType, request.query.locale)));
    },
  );

  app.post(
    '/instances/query',
    { schema: schemas.query },
    async (request, reply) => {
      const userIdType = request.query.user_id_type ?? DEFAULT_USER_ID_TYPE;
      const found = await services.instances.query(request.caller, request.body, userIdType, {
        ...(request.query.page_size !== undefined ? { pageSize: request.query.page_size } : {}),
        ...(request.query.page_token ? { pageToken: request.query.page_token } : {}),
      });
      return answer(reply, found, (page) =>
        success({
          count: page.count,
          instance_list: page.items.map((item) => formatListedInstance(item, userIdType, request.body.locale)),
          page_token: page.pageToken,
          has_more: page.hasMore,
        }),
      );
    },
  );

  app.post(
    '/instances/preview',
    { schema: schemas.preview },
    async (request, reply) => {
      const userIdType = request.query.user_id_type ?? DEFAULT_USER_ID_TYPE;
      const preview = await services.instances.preview(request.caller, request.body, userIdType);
      return answer(reply, preview, (found) => success(formatPreview(found, userIdType, request.body.locale)));
    },
  );

  app.post(
    '/instances/cancel',
    { schema: schemas.cancel },
    async (request, reply) => {
      const withdrawn = await services.withdrawals.cancel(request.caller, {
        approvalCode: request.body.approval_code,
        instanceCode: request.body.instance_code,
        userId: request.body.user_id,
        userIdType: request.query.user_id_type ?? DEFAULT_USER_ID_TYPE,
      });
      return answer(reply, withdrawn, () => success({}));
    },
  );

  app.post('/instances/cc', { schema: schemas.cc }, async (request, reply) => {
    const sent = await services.instances.cc(request.caller, request.body, request.query.user_id_type ?? DEFAULT_USER_ID_TYPE);
    return answer(reply, sent, () => success({}));
  });

  app.post('/instances/search_cc', { schema: schemas.searchCc }, async (request, reply) => {
    const userIdType = request.query.user_id_type ?? DEFAULT_USER_ID_TYPE;
    const { page_size, page_token } = request.query;
    const found = await services.search.ccs(request.caller, request.body, userIdType, { pageSize: page_size, pageToken: page_token });
    return answer(reply, found, (page) =>
      success({
        count: page.count,
        cc_list: page.items.map((item) => formatCcSearchItem(item, userIdType, request.body.locale)),
        page_token: page.pageToken,
        has_more: page.hasMore,
      }),
    );
  });

  app.post('/instances/add_sign', { schema: schemas.addSign }, async (request, reply) => {
    const { body } = request;
    const signed = await services.tasks.addSign(request.caller, {
      approvalCode: body.approval_code,
      instanceCode: body.instance_code,
      userId: body.user_id,
      taskId: body.task_id,
      comment: body.comment,
      addSignUserIds: body.add_sign_user_ids,
      addSignType: body.add_sign_type,
      approvalMethod: body.approval_method,
    });
    // Feishu's documented answer has no data key.
    return answer(reply, signed, acknowledged);
  });

  app.post('/instances/specified_rollback', { schema: schemas.specifiedRollback }, async (request, reply) => {
    const { body } = request;
    const rolledBack = await services.tasks.rollback(request.caller, {
      userId: body.user_id,
      taskId: body.task_id,
      reason: body.reason,
      taskDefKeys: body.task_def_key_list,
      userIdType: request.query.user_id_type ?? DEFAULT_USER_ID_TYPE,
    });
    return answer(reply, rolledBack, () => success({}));
  });
};
