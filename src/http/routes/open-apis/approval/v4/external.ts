import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { DEFAULT_USER_ID_TYPE } from '../../../../../domain/directory.js';
import type { Services } from '../../../../../services/index.js';
import { UserIdTypeQuery } from '../../../../../wire/approval-requests.js';
import {
  CheckExternalInstancesBody,
  CreateExternalApprovalBody,
  CreateExternalApprovalQuery,
  ListExternalTasksBody,
  ListExternalTasksQuery,
  SyncExternalInstanceBody,
} from '../../../../../wire/external-requests.js';
import {
  CreatedExternalApproval,
  ExternalApprovalDetail,
  ExternalInstanceDiffs,
  ExternalTaskPage,
  SyncedExternalInstance,
} from '../../../../../wire/external-responses.js';
import { answers } from '../../../../../wire/responses.js';
import { success } from '../../../../feishu-envelope.js';
import { answer } from '../../../../refusal-answer.js';
import { formatExternalApproval, formatSyncedInstance, formatTaskStates } from '../../../../formatters/external.js';

/** Each route's schema; `operationId` names the Node SDK's method. */
const schemas = {
  createApproval: {
    operationId: 'approval.v4.externalApproval.create',
    summary: 'Create a third-party definition, or update the one either of whose codes is approval_code',
    body: CreateExternalApprovalBody,
    querystring: CreateExternalApprovalQuery,
    response: answers(CreatedExternalApproval),
  },
  getApproval: {
    operationId: 'approval.v4.externalApproval.get',
    summary: 'A third-party definition, by the code the app gave or the one create answered',
    params: Type.Object({ approval_code: Type.String({ minLength: 1 }) }),
    querystring: UserIdTypeQuery,
    response: answers(ExternalApprovalDetail),
  },
  syncInstance: {
    operationId: 'approval.v4.externalInstance.create',
    summary: 'Sync a third-party instance with its tasks and CCs (update_mode REPLACE or UPDATE)',
    body: SyncExternalInstanceBody,
    response: answers(SyncedExternalInstance),
  },
  checkInstances: {
    operationId: 'approval.v4.externalInstance.check',
    summary: 'The synced instances and tasks whose update_time differs from the ones given',
    body: CheckExternalInstancesBody,
    response: answers(ExternalInstanceDiffs),
  },
  listTasks: {
    operationId: 'approval.v4.externalTask.list',
    summary: 'Third-party instances with their task states; the filters are in a JSON body',
    querystring: ListExternalTasksQuery,
    body: ListExternalTasksBody,
    response: answers(ExternalTaskPage),
  },
};

export const externalRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.post('/external_approvals', { schema: schemas.createApproval }, async (request, reply) => {
    const userIdType = request.query.user_id_type ?? DEFAULT_USER_ID_TYPE;
    const created = await services.externalDefinitions.create(request.caller, request.body, userIdType);
    return answer(reply, created, ({ approvalCode }) => success({ approval_code: approvalCode }));
  });

  app.get('/external_approvals/:approval_code', { schema: schemas.getApproval }, async (request, reply) => {
    const found = await services.externalDefinitions.get(request.caller, request.params.approval_code);
    return answer(reply, found, (view) => success(formatExternalApproval(view, request.query.user_id_type ?? DEFAULT_USER_ID_TYPE)));
  });

  app.post('/external_instances', { schema: schemas.syncInstance }, async (request, reply) => {
    const synced = await services.externalInstances.sync(request.caller, request.body);
    return answer(reply, synced, ({ state, record }) => success(formatSyncedInstance(state, record)));
  });

  app.post('/external_instances/check', { schema: schemas.checkInstances }, async (request) => {
    return success({ diff_instances: await services.externalInstances.check(request.caller, request.body.instances) });
  });

  app.get(
    '/external_tasks',
    {
      schema: schemas.listTasks,
      // No HEAD twin: fastify takes no body schema on a HEAD route.
      exposeHeadRoute: false,
      // A GET without a body (curl's, say) lists with no filter.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) => {
      const { page_size = 50, page_token } = request.query;
      const { approval_codes, instance_ids, user_ids, status } = request.body;
      const found = await services.externalInstances.listTaskStates(
        request.caller,
        { approvalCodes: approval_codes, instanceIds: instance_ids, userIds: user_ids, status },
        page_size,
        page_token || undefined,
      );
      return answer(reply, found, (page) =>
        success({
          data: page.items.map(formatTaskStates),
          ...(page.hasMore ? { page_token: page.pageToken } : {}),
          has_more: page.hasMore,
        }),
      );
    },
  );
};
