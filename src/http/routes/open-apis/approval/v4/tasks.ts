import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DEFAULT_USER_ID_TYPE } from '../../../../../domain/directory.js';
import type { Services } from '../../../../../services/index.js';
import type { TaskActionRequest } from '../../../../../services/task-service.js';
import {
  QueryInstancesQuery,
  QueryTasksQuery,
  ResubmitTaskBody,
  SearchTasksBody,
  TaskActionBody,
  TransferTaskBody,
  UserIdTypeQuery,
} from '../../../../../wire/approval-requests.js';
import { TaskPage, TaskSearchPage } from '../../../../../wire/approval-responses.js';
import { answers, Empty } from '../../../../../wire/responses.js';
import { success } from '../../../../feishu-envelope.js';
import { answer } from '../../../../refusal-answer.js';
import { formatTaskSearchItem } from '../../../../formatters/search.js';
import { formatTaskListItem } from '../../../../formatters/task.js';

type ActionBody = { approval_code: string; instance_code: string; user_id: string; task_id: string; comment?: string };

const actionRequest = (body: ActionBody, query: { user_id_type?: TaskActionRequest['userIdType'] }): TaskActionRequest => ({
  approvalCode: body.approval_code,
  instanceCode: body.instance_code,
  userId: body.user_id,
  taskId: body.task_id,
  comment: body.comment,
  userIdType: query.user_id_type ?? DEFAULT_USER_ID_TYPE,
});

/** Each route's schema; `operationId` names the Node SDK's method. */
const action = (name: string, summary: string) => ({
  operationId: `approval.v4.task.${name}`,
  summary,
  body: TaskActionBody,
  querystring: UserIdTypeQuery,
  response: answers(Empty),
});
const schemas = {
  approve: action('approve', 'Approve a pending task (its assignee)'),
  reject: action('reject', 'Reject a pending task (its assignee)'),
  transfer: {
    operationId: 'approval.v4.task.transfer',
    summary: 'Hand a pending task to another user (its assignee)',
    body: TransferTaskBody,
    querystring: UserIdTypeQuery,
    response: answers(Empty),
  },
  resubmit: {
    operationId: 'approval.v4.task.resubmit',
    summary: 'Send a request returned to its submitter again, with a new form (the submitter)',
    body: ResubmitTaskBody,
    querystring: UserIdTypeQuery,
    response: answers(Empty),
  },
  query: {
    operationId: 'approval.v4.task.query',
    summary: "A user's tasks, initiated instances or CCs, by topic",
    querystring: QueryTasksQuery,
    response: answers(TaskPage),
  },
  search: {
    operationId: 'approval.v4.task.search',
    summary: 'The tasks matching filters',
    body: SearchTasksBody,
    querystring: QueryInstancesQuery,
    response: answers(TaskSearchPage),
  },
};

export const taskRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const done = () => success({});
  app.post('/tasks/approve', { schema: schemas.approve }, async (request, reply) =>
    answer(reply, await services.tasks.approve(request.caller, actionRequest(request.body, request.query)), done),
  );

  app.post('/tasks/reject', { schema: schemas.reject }, async (request, reply) =>
    answer(reply, await services.tasks.reject(request.caller, actionRequest(request.body, request.query)), done),
  );

  app.post('/tasks/transfer', { schema: schemas.transfer }, async (request, reply) => {
    const transferred = await services.tasks.transfer(request.caller, {
      ...actionRequest(request.body, request.query),
      transferUserId: request.body.transfer_user_id,
    });
    return answer(reply, transferred, done);
  });

  app.post('/tasks/resubmit', { schema: schemas.resubmit }, async (request, reply) => {
    const resubmitted = await services.tasks.resubmit(request.caller, { ...actionRequest(request.body, request.query), form: request.body.form });
    return answer(reply, resubmitted, done);
  });

  app.get('/tasks/query', { schema: schemas.query }, async (request, reply) => {
    const { user_id, topic, page_size, page_token } = request.query;
    const userIdType = request.query.user_id_type ?? DEFAULT_USER_ID_TYPE;
    const found = await services.tasks.query(request.caller, {
      userId: user_id,
      topic,
      userIdType,
      pageSize: page_size,
      pageToken: page_token || undefined,
    });
    return answer(reply, found, (page) =>
      success({
        tasks: page.items.map((item) => formatTaskListItem(item, topic, user_id, page.users, userIdType)),
        page_token: page.pageToken,
        has_more: page.hasMore,
        // Feishu reports 999 for "1000 or more".
        count: { total: Math.min(page.total, 999), has_more: page.total > 999 },
      }),
    );
  });

  app.post('/tasks/search', { schema: schemas.search }, async (request, reply) => {
    const userIdType = request.query.user_id_type ?? DEFAULT_USER_ID_TYPE;
    const { page_size, page_token } = request.query;
    const found = await services.search.tasks(request.caller, request.body, userIdType, { pageSize: page_size, pageToken: page_token });
    return answer(reply, found, (page) =>
      success({
        count: page.count,
        task_list: page.items.map((item) => formatTaskSearchItem(item, userIdType, request.body.locale)),
        page_token: page.pageToken,
        has_more: page.hasMore,
      }),
    );
  });
};
