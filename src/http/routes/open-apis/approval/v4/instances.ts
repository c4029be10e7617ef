import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { DEFAULT_USER_ID_TYPE } from '../../../../../domain/directory.js';
import type { Services } from '../../../../../services/index.js';
import {
  CancelInstanceBody,
  CcInstanceBody,
  CreateInstanceBody,
  GetInstanceQuery,
  PreviewInstanceBody,
  ListInstancesQuery,
  QueryInstancesBody,
  QueryInstancesQuery,
  UserIdTypeQuery,
} from '../../../../../wire/approval-requests.js';
import { success } from '../../../../feishu-envelope.js';
import { formatInstance, formatInstanceListItem, formatPreview } from '../../../../formatters/instance.js';

const InstanceParams = Type.Object({ instance_id: Type.String({ minLength: 1 }) });

export const instanceRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.post('/instances', { schema: { body: CreateInstanceBody } }, async (request) => {
    const created = await services.instances.create(request.caller, request.body);
    // with_link: where the instance can be opened; shenpi's page for an instance is in its console.
    const link = `${request.protocol}://${request.host}/console#instance=${created.instanceCode}`;
    return success({ instance_code: created.instanceCode, ...(request.body.with_link ? { instance_link: link } : {}) });
  });

  app.get('/instances', { schema: { querystring: ListInstancesQuery } }, async (request) => {
    const { approval_code, start_time, end_time, page_size, page_token } = request.query;
    const page = await services.instances.listCodes(request.caller, {
      approvalCode: approval_code,
      startTime: Number(start_time),
      endTime: Number(end_time),
      ...(page_size !== undefined ? { pageSize: page_size } : {}),
      ...(page_token ? { pageToken: page_token } : {}),
    });
    return success({ instance_code_list: page.items, page_token: page.pageToken, has_more: page.hasMore });
  });

  app.get(
    '/instances/:instance_id',
    { schema: { params: InstanceParams, querystring: GetInstanceQuery } },
    async (request) => {
      const userIdType = request.query.user_id_type ?? DEFAULT_USER_ID_TYPE;
      // Reading an instance as a user (user_id) is that user opening it: their CCs on it become read.
      const reader = request.query.user_id ? { id: request.query.user_id, type: userIdType } : undefined;
      const view = await services.instances.get(request.caller, request.params.instance_id, reader);
      return success(formatInstance(view, userIdType, request.query.locale));
    },
  );

  app.post(
    '/instances/query',
    { schema: { body: QueryInstancesBody, querystring: QueryInstancesQuery } },
    async (request) => {
      const userIdType = request.query.user_id_type ?? DEFAULT_USER_ID_TYPE;
      const page = await services.instances.query(request.caller, request.body, userIdType, {
        ...(request.query.page_size !== undefined ? { pageSize: request.query.page_size } : {}),
        ...(request.query.page_token ? { pageToken: request.query.page_token } : {}),
      });
      return success({
        count: page.count,
        instance_list: page.items.map((item) => formatInstanceListItem(item, userIdType, request.body.locale)),
        page_token: page.pageToken,
        has_more: page.hasMore,
      });
    },
  );

  app.post(
    '/instances/preview',
    { schema: { body: PreviewInstanceBody, querystring: UserIdTypeQuery } },
    async (request) => {
      const userIdType = request.query.user_id_type ?? DEFAULT_USER_ID_TYPE;
      const preview = await services.instances.preview(request.caller, request.body, userIdType);
      return success(formatPreview(preview, userIdType, request.body.locale));
    },
  );

  app.post(
    '/instances/cancel',
    { schema: { body: CancelInstanceBody, querystring: UserIdTypeQuery } },
    async (request) => {
      await services.withdrawals.cancel(request.caller, {
        approvalCode: request.body.approval_code,
        instanceCode: request.body.instance_code,
        userId: request.body.user_id,
        userIdType: request.query.user_id_type ?? DEFAULT_USER_ID_TYPE,
      });
      return success({});
    },
  );

  app.post('/instances/cc', { schema: { body: CcInstanceBody, querystring: UserIdTypeQuery } }, async (request) => {
    await services.instances.cc(request.caller, request.body, request.query.user_id_type ?? DEFAULT_USER_ID_TYPE);
    return success({});
  });
};
