import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { DEFAULT_USER_ID_TYPE } from '../../../../../domain/directory.js';
import type { Services } from '../../../../../services/index.js';
import { CreateApprovalBody, CreateApprovalQuery, GetApprovalQuery } from '../../../../../wire/approval-requests.js';
import { ApprovalDetail, CreatedApproval } from '../../../../../wire/approval-responses.js';
import { answers, Empty } from '../../../../../wire/responses.js';
import { success } from '../../../../feishu-envelope.js';
import { answer } from '../../../../refusal-answer.js';
import { formatApproval } from '../../../../formatters/approval.js';

const CodeParams = Type.Object({ approval_code: Type.String({ minLength: 1 }) });

/** Each route's schema; `operationId` names the Node SDK's method. */
const schemas = {
  create: {
    operationId: 'approval.v4.approval.create',
    summary: "Create a definition, or overwrite one of the tenant's",
    body: CreateApprovalBody,
    querystring: CreateApprovalQuery,
    response: answers(CreatedApproval),
  },
  subscribe: {
    operationId: 'approval.v4.approval.subscribe',
    summary: "Send the definition's events to the calling app",
    params: CodeParams,
    response: answers(Empty),
  },
  unsubscribe: {
    operationId: 'approval.v4.approval.unsubscribe',
    summary: "Stop sending the definition's events to the calling app",
    params: CodeParams,
    response: answers(Empty),
  },
  get: {
    operationId: 'approval.v4.approval.get',
    summary: 'A definition: its form, nodes and viewers',
    params: CodeParams,
    querystring: GetApprovalQuery,
    response: answers(ApprovalDetail),
  },
};

export const approvalRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.post('/approvals', { schema: schemas.create }, async (request, reply) => {
    const created = await services.approvals.create(request.caller, request.body, request.query.user_id_type ?? DEFAULT_USER_ID_TYPE);
    return answer(reply, created, ({ approvalCode, approvalId }) => success({ approval_code: approvalCode, approval_id: approvalId }));
  });

  app.post('/approvals/:approval_code/subscribe', { schema: schemas.subscribe }, async (request, reply) =>
    answer(reply, await services.subscriptions.subscribe(request.caller, request.params.approval_code), () => success({})),
  );

  app.post('/approvals/:approval_code/unsubscribe', { schema: schemas.unsubscribe }, async (request, reply) =>
    answer(reply, await services.subscriptions.unsubscribe(request.caller, request.params.approval_code), () => success({})),
  );

  app.get(
    '/approvals/:approval_code',
    { schema: schemas.get },
    async (request, reply) => {
      const found = await services.approvals.get(request.caller, request.params.approval_code);
      return answer(reply, found, (view) =>
        success(
          formatApproval(view, {
            userIdType: request.query.user_id_type ?? DEFAULT_USER_ID_TYPE,
            locale: request.query.locale,
            withAdminId: request.query.with_admin_id,
          }),
        ),
      );
    },
  );
};
