/** `/instances/:instance_id/comments`: the Node SDK's `instanceComment` create, list, delete and remove. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { DEFAULT_USER_ID_TYPE } from '../../../../../domain/directory.js';
import type { Services } from '../../../../../services/index.js';
import {
  CommentUserQuery,
  CreateCommentBody,
  ListCommentsQuery,
  RemoveCommentsQuery,
} from '../../../../../wire/approval-requests.js';
import { CommentId, CommentPage, RemovedComments } from '../../../../../wire/approval-responses.js';
import { answers } from '../../../../../wire/responses.js';
import { success } from '../../../../feishu-envelope.js';
import { formatCommentPage } from '../../../../formatters/comment.js';
import { answer } from '../../../../refusal-answer.js';

const InstanceParams = Type.Object({ instance_id: Type.String({ minLength: 1 }) });
const CommentParams = Type.Object({ instance_id: Type.String({ minLength: 1 }), comment_id: Type.String({ minLength: 1 }) });

/** Each route's schema; `operationId` names the Node SDK's method. */
const schemas = {
  create: {
    operationId: 'approval.v4.instanceComment.create',
    summary: 'Comment on an instance, reply to a comment, or edit one',
    params: InstanceParams,
    querystring: CommentUserQuery,
    body: CreateCommentBody,
    response: answers(CommentId),
  },
  list: {
    operationId: 'approval.v4.instanceComment.list',
    summary: "An instance's comments with their replies, oldest first",
    params: InstanceParams,
    querystring: ListCommentsQuery,
    response: answers(CommentPage),
  },
  delete: {
    operationId: 'approval.v4.instanceComment.delete',
    summary: 'Delete one of your comments',
    params: CommentParams,
    querystring: CommentUserQuery,
    response: answers(CommentId),
  },
  remove: {
    operationId: 'approval.v4.instanceComment.remove',
    summary: "Delete every comment and reply of an instance",
    params: InstanceParams,
    querystring: RemoveCommentsQuery,
    response: answers(RemovedComments),
  },
};

export const commentRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.post(
    '/instances/:instance_id/comments',
    { schema: schemas.create },
    async (request, reply) => {
      const { user_id, user_id_type = DEFAULT_USER_ID_TYPE } = request.query;
      const created = await services.comments.create(
        request.caller,
        request.params.instance_id,
        { userId: user_id, userIdType: user_id_type },
        request.body,
      );
      return answer(reply, created, ({ commentId }) => success({ comment_id: commentId }));
    },
  );

  app.get(
    '/instances/:instance_id/comments',
    { schema: schemas.list },
    async (request, reply) => {
      const { user_id, user_id_type = DEFAULT_USER_ID_TYPE, page_size, page_token } = request.query;
      const page = await services.comments.list(
        request.caller,
        request.params.instance_id,
        { userId: user_id, userIdType: user_id_type },
        { ...(page_size !== undefined ? { pageSize: page_size } : {}), ...(page_token ? { pageToken: page_token } : {}) },
      );
      return answer(reply, page, (found) => success(formatCommentPage(found, user_id_type)));
    },
  );

  app.delete(
    '/instances/:instance_id/comments/:comment_id',
    { schema: schemas.delete },
    async (request, reply) => {
      const { user_id, user_id_type = DEFAULT_USER_ID_TYPE } = request.query;
      const deleted = await services.comments.delete(request.caller, request.params.instance_id, request.params.comment_id, {
        userId: user_id,
        userIdType: user_id_type,
      });
      return answer(reply, deleted, ({ commentId }) => success({ comment_id: commentId }));
    },
  );

  app.post(
    '/instances/:instance_id/comments/remove',
    { schema: schemas.remove },
    async (request, reply) => {
      const { user_id, user_id_type = DEFAULT_USER_ID_TYPE } = request.query;
      const removed = await services.comments.remove(request.caller, request.params.instance_id, {
        userIdType: user_id_type,
        ...(user_id !== undefined ? { userId: user_id } : {}),
      });
      return answer(reply, removed, ({ instanceCode, externalId }) => success({ instance_id: instanceCode, external_id: externalId }));
    },
  );
};
