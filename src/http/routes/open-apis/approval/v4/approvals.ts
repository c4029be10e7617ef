import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { DEFAULT_USER_ID_TYPE } from '../../../../../domain/directory.js';
import type { Services } from '../../../../../services/index.js';
import { CreateApprovalBody, CreateApprovalQuery, GetApprovalQuery } from '../../../../../wire/approval-requests.js';
import { success } from '../../../../feishu-envelope.js';
import { formatApproval } from '../../../../formatters/approval.js';

const CodeParams = Type.Object({ approval_code: Type.String({ minLength: 1 }) });

export const approvalRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.post('/approvals', { schema: { body: CreateApprovalBody, querystring: CreateApprovalQuery } }, async (request) => {
    const created = await services.approvals.create(
      request.caller,
      request.body,
      request.query.user_id_type ?? DEFAULT_USER_ID_TYPE,
    );
    return success({ approval_code: created.approvalCode, approval_id: created.approvalId });
  });

  app.post('/approvals/:approval_code/subscribe', { schema: { params: CodeParams } }, async (request) => {
    await services.subscriptions.subscribe(request.caller, request.params.approval_code);
    return success({});
  });

  app.post('/approvals/:approval_code/unsubscribe', { schema: { params: CodeParams } }, async (request) => {
    await services.subscriptions.unsubscribe(request.caller, request.params.approval_code);
    return success({});
  });

  app.get(
    '/approvals/:approval_code',
    { schema: { params: CodeParams, querystring: GetApprovalQuery } },
    async (request) => {
      const view = await services.approvals.get(request.caller, request.params.approval_code);
      return success(
        formatApproval(view, {
          userIdType: request.query.user_id_type ?? DEFAULT_USER_ID_TYPE,
          locale: request.query.locale,
          withAdminId: request.query.with_admin_id,
        }),
      );
    },
  );
};
