/** Task actions (approve, reject, transfer, add_sign, specified_rollback, resubmit) and the per-user task list (`GET /tasks/query`). */
import { addSign, type AddSignType, type ApprovalMethod } from '../domain/approval/add-sign.js';
import type { CcEntry } from '../domain/approval/cc.js';
import { validateForm } from '../domain/approval/form.js';
import { rejectUnderOption, resubmit, resubmitComment, rollBack } from '../domain/approval/send-back.js';
import { approveTask, transferTask, type Instance, type Task, type Transition } from '../domain/approval/instance.js';
import type { ApprovalDefinition } from '../domain/approval/definition.js';
import { SHOWN_EXTERNAL_STATUSES, type ExternalInstance, type ExternalPart } from '../domain/approval/external-instance.js';
import type { Clock } from '../domain/clock.js';
import type { User, UserIdType } from '../domain/directory.js';
import { allOk, ok, refuse, type Result } from '../domain/errors.js';
import type { Ids } from '../domain/ids.js';
import { allInOrder } from '../util/in-order.js';
import { externalOwners, lookUpDefinition, type ExternalOwner } from './approval-lookup.js';
import type { Caller } from './auth-service.js';
import { lookUpUser, lookUpUserIds, UserDirectory } from './directory-lookup.js';
import { readExternalCursor } from './external-instance-service.js';
import { readInstanceCursor, type InstanceService } from './instance-service.js';
import { mergedPage, readOptionalCursor, type Page } from './paging.js';
import type { CcCursor, Store, TaskCursor } from './ports.js';
import { issueWithRevokeRound, revokeRoundOriginal, withRetry } from './transitions.js';

export interface TaskActionRequest {
  approvalCode: string;
  instanceCode: string;
  /** The acting approver, as an id of `userIdType`. */
  userId: string;
  taskId: string;
  comment?: string | undefined;
  userIdType: UserIdType;
}

/** `POST /instances/add_sign`: every id is a user_id (the SDK sends no user_id_type). */
export interface AddSignRequest extends Omit<TaskActionRequest, 'userIdType'> {
  addSignUserIds: string[];
  addSignType: AddSignType;
  approvalMethod?: ApprovalMethod | undefined;
}

/** `POST /instances/specified_rollback`: the task alone names the instance. */
export interface RollbackRequest {
  userId: string;
  taskId: string;
  reason?: string | undefined;
  taskDefKeys: string[];
  userIdType: UserIdType;
}

/** Topics 1 and 2 of `GET /tasks/query` → the task statuses they list (3 lists instances, 17 and 18 CCs). */
const TOPIC_STATUSES: Record<string, Task['status'][]> = {
  '1': ['PENDING'],
  '2': ['APPROVED', 'REJECTED', 'TRANSFERRED'],
};

/** Topics 17 (unread CC, 未读知会) and 18 (read CC, 已读知会) → the CC read state they list. */
const TOPIC_CC_STATUS: Record<string, CcEntry['status']> = { '17': 'UNREAD', '18': 'READ' };

/** One item of the list: a task (topics 1, 2), a CC entry (17, 18), or neither for an initiated instance (3). */
export interface TaskListItem {
  task?: Task;
  cc?: CcEntry;
  instance: Instance;
  definition: ApprovalDefinition | undefined;
}

/** The same of a third-party instance: Feishu's approval centre lists them beside its own. */
export interface ExternalTaskListItem {
  external: ExternalOwner & { task?: ExternalPart; cc?: ExternalPart };
}

export type TaskQueryItem = TaskListItem | ExternalTaskListItem;

/** A row of a topic before its instance is looked up: its time orders it, its cursor is where a next page starts. */
type TopicRow = Pick<TaskListItem, 'task' | 'cc'> & { instanceCode: string; instance?: Instance; time: number; cursor: object };

/** A third-party row of a topic, its item complete. */
type ExternalTopicRow = { part: true; time: number; cursor: object; item: ExternalTaskListItem['external'] };

type Action = (
  read: Store,
  instance: Instance,
  tasks: Task[],
  definition: ApprovalDefinition,
  by: User,
  now: number,
) => Promise<Result<Transition>> | Result<Transition>;

export class TaskService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly ids: Ids,
    private readonly instances: InstanceService,
  ) {}

  approve(caller: Caller, request: TaskActionRequest): Promise<Result<void>> {
    return this.act(caller, request, (_tx, instance, tasks, definition, by, now) =>
      approveTask(instance, tasks, definition, this.actionArgs(request, by, now)),
    );
  }

  /** Under reject_option 1 the request goes back to its submitter instead of ending (send-back.ts). */
  reject(caller: Caller, request: TaskActionRequest): Promise<Result<void>> {
    return this.act(caller, request, (_tx, instance, tasks, definition, by, now) =>
      rejectUnderOption(instance, tasks, definition, this.actionArgs(request, by, now)),
    );
  }

  /** `POST /tasks/resubmit`: the submitter sends a returned request again, with a new form. */
  resubmit(caller: Caller, request: TaskActionRequest & { form: string }): Promise<Result<void>> {
    return this.act(caller, request, (_tx, instance, tasks, definition, by, now) => {
      const form = validateForm(definition.form, request.form);
      if (!form.ok) return form;
      const comment = request.comment === undefined ? undefined : resubmitComment(request.comment);
      if (comment && !comment.ok) return comment;
      return resubmit(instance, tasks, definition, {
        ...this.actionArgs({ taskId: request.taskId, comment: comment?.value }, by, now),
        form: JSON.stringify(form.value),
      });
    });
  }

  transfer(caller: Caller, request: TaskActionRequest & { transferUserId: string }): Promise<Result<void>> {
    return this.act(caller, request, async (read, instance, tasks, definition, by, now) => {
      const to = await lookUpUser(read, caller.tenantKey, request.userIdType, request.transferUserId, 'transfer_user_id');
      if (!to.ok) return to;
      return transferTask(instance, tasks, definition, { ...this.actionArgs(request, by, now), to: to.value.userId });
    });
  }

  addSign(caller: Caller, request: AddSignRequest): Promise<Result<void>> {
    const userIdType = 'user_id';
    return this.act(caller, { ...request, userIdType }, async (read, instance, tasks, definition, by, now) => {
      const ids = [...new Set(request.addSignUserIds)];
      const users = await lookUpUserIds(read, caller.tenantKey, userIdType, ids, 'add_sign_user_ids');
      if (!users.ok) return users;
      return addSign(instance, tasks, definition, {
        ...this.actionArgs(request, by, now),
        users: users.value,
        signType: request.addSignType,
        method: request.approvalMethod,
      });
    });
  }

  rollback(caller: Caller, request: RollbackRequest): Promise<Result<void>> {
    const { tenantKey } = caller;
    const located = async (read: Store) => {
      const task = await read.tasks.find(tenantKey, request.taskId);
      const instance = task && (await read.instances.find(tenantKey, task.instanceCode));
      if (!instance) return refuse(1390010, `task "${request.taskId}" is not a task of this tenant`);
      const definition = await lookUpDefinition(read, tenantKey, instance.approvalCode);
      return definition.ok ? ok({ definition: definition.value, instance }) : definition;
    };
    return this.actOn(caller, request, located, (_read, instance, tasks, definition, by, now) =>
      rollBack(instance, tasks, definition, {
        ...this.actionArgs({ taskId: request.taskId, comment: request.reason }, by, now),
        keys: request.taskDefKeys,
      }),
    );
  }

  /**
   * `GET /tasks/query`: the user's tasks, initiated instances or CCs by topic, oldest first, shenpi's own and
   * third-party ones merged by time; the page token holds a position in each.
   */
  async query(
    caller: Caller,
    request: { userId: string; topic: string; userIdType: UserIdType; pageSize?: number | undefined; pageToken?: string | undefined },
  ): Promise<Result<Page<TaskQueryItem> & { users: UserDirectory; total: number }>> {
    const { tenantKey } = caller;
    const found = await lookUpUser(this.store, tenantKey, request.userIdType, request.userId, 'user_id');
    if (!found.ok) return found;
    const user = found.value;
    const page = await mergedPage(
      request.pageToken,
      request.pageSize ?? 100,
      (token, limit) => this.listTopic(tenantKey, user.userId, request.topic, token, limit),
      (token, limit) => this.listExternalTopic(tenantKey, user.userId, request.topic, token, limit),
    );
    if (!page.ok) return page;
    const merged = page.value;
    const definitions = new Map<string, ApprovalDefinition | undefined>();
    const items: TaskQueryItem[] = [];
    for (const row of merged.items) {
      if ('part' in row) {
        items.push({ external: row.item });
        continue;
      }
      const instance = row.instance ?? (await this.store.instances.find(tenantKey, row.instanceCode));
      if (!instance) continue;
      if (!definitions.has(instance.approvalCode)) {
        definitions.set(instance.approvalCode, await this.store.approvals.find(tenantKey, instance.approvalCode));
      }
      items.push({ task: row.task, cc: row.cc, instance, definition: definitions.get(instance.approvalCode) });
    }
    const submitters = items.map((i) => ('external' in i ? i.external.instance.userId : i.instance.submitter));
    const users = await UserDirectory.load(this.store, tenantKey, [user.userId, ...submitters]);
    return ok({ items, hasMore: merged.hasMore, pageToken: merged.pageToken, users, total: merged.total });
  }

  /** The third-party rows of a topic (tasks, CCs or initiated instances of shown instances), with their definitions. */
  private async listExternalTopic(
    tenantKey: string,
    userId: string,
    topic: string,
    pageToken: string | undefined,
    limit: number,
  ): Promise<Result<{ rows: ExternalTopicRow[]; total: number }>> {
    const { externals } = this.store;
    const after = readExternalCursor(pageToken);
    if (!after.ok) return after;
    let listed: { instance: ExternalInstance; part?: ExternalPart; cursor: object; time: number; kind: 'task' | 'cc' | 'instance' }[];
    let total: number;
    if (topic === '3') {
      const filter = { userIds: [userId], states: SHOWN_EXTERNAL_STATUSES };
      const rows = await externals.listInstances(tenantKey, filter, after.value, limit);
      listed = rows.map((r) => ({ ...r, time: r.instance.startTime, kind: 'instance' }));
      total = await externals.countInstances(tenantKey, filter);
    } else {
      const ccStatus = TOPIC_CC_STATUS[topic];
      const filter = { userIds: [userId], states: ccStatus ? [ccStatus] : (TOPIC_STATUSES[topic] ?? []), instanceStatuses: SHOWN_EXTERNAL_STATUSES };
      const rows = await (ccStatus ? externals.listCcs : externals.listTasks)(tenantKey, filter, after.value, limit);
      listed = rows.map((r) => ({ ...r, time: r.part.createTime, kind: ccStatus ? 'cc' : 'task' }));
      total = await (ccStatus ? externals.countCcs : externals.countTasks)(tenantKey, filter);
    }
    const ownerOf = await externalOwners(this.store, tenantKey, listed.map((r) => r.instance));
    const rows = listed.map(({ instance, part, cursor, time, kind }): ExternalTopicRow => ({
      part: true,
      time,
      cursor,
      item: { ...ownerOf(instance), ...(part ? { [kind]: part } : {}) },
    }));
    return ok({ rows, total });
  }

  /** Up to `limit` rows of the topic after the page token, and how many the topic holds in all. */
  private async listTopic(
    tenantKey: string,
    userId: string,
    topic: string,
    pageToken: string | undefined,
    limit: number,
  ): Promise<Result<{ rows: TopicRow[]; total: number }>> {
    if (topic === '3') {
      // "Initiated" lists the user's own instances, paged like the instance lists.
      const filter = { submitter: userId };
      const after = readInstanceCursor(pageToken);
      if (!after.ok) return after;
      const listed = await this.store.instances.list(tenantKey, filter, after.value, limit);
      return ok({
        rows: listed.map(({ instance, cursor }) => ({ instanceCode: instance.code, instance, time: instance.startTime, cursor })),
        total: await this.store.instances.count(tenantKey, filter),
      });
    }
    const ccStatus = TOPIC_CC_STATUS[topic];
    if (ccStatus) {
      const after = readOptionalCursor<CcCursor>(pageToken, { createTime: 'number', id: 'string' });
      if (!after.ok) return after;
      const listed = await this.store.ccs.listByUser(tenantKey, userId, ccStatus, after.value, limit);
      return ok({
        rows: listed.map((cc) => ({ instanceCode: cc.instanceCode, cc, time: cc.createTime, cursor: { createTime: cc.createTime, id: cc.id } })),
        total: await this.store.ccs.countByUser(tenantKey, userId, ccStatus),
      });
    }
    const statuses = TOPIC_STATUSES[topic];
    if (!statuses) return refuse(1390001, `topic "${topic}" is not 1, 2, 3, 17 or 18`);
    const after = readOptionalCursor<TaskCursor>(pageToken, { startTime: 'number', id: 'string' });
    if (!after.ok) return after;
    const listed = await this.store.tasks.listByUser(tenantKey, userId, statuses, after.value, limit);
    return ok({
      rows: listed.map((task) => ({
        instanceCode: task.instanceCode,
        task,
        time: task.startTime,
        cursor: { startTime: task.startTime, id: task.id },
      })),
      total: await this.store.tasks.countByUser(tenantKey, userId, statuses),
    });
  }

  private actionArgs(request: Pick<TaskActionRequest, 'taskId' | 'comment'>, by: User, now: number) {
    return {
      taskId: request.taskId,
      by: by.userId,
      ...(request.comment ? { comment: request.comment } : {}),
      now,
      ids: this.ids.decimals(now),
    };
  }

  /** The checks every task action shares, in rules.md's order, then the domain action, written in one transaction. */
  private act(caller: Caller, request: TaskActionRequest, action: Action): Promise<Result<void>> {
    const { tenantKey } = caller;
    return this.actOn(
      caller,
      request,
      (read) => this.instances.lookUpWithDefinition(read, tenantKey, request.approvalCode, request.instanceCode),
      action,
    );
  }

  /**
   * A task action on the instance `locate` finds (or refuses), by the request's user. Refusals are answered as
   * values, as a withdrawal's are (withdrawal-service.ts).
   */
  private async actOn(
    caller: Caller,
    request: Pick<TaskActionRequest, 'userId' | 'userIdType'>,
    locate: (read: Store) => Promise<Result<{ definition: ApprovalDefinition; instance: Instance }>>,
    action: Action,
  ): Promise<Result<void>> {
    const { tenantKey } = caller;
    return withRetry(this.store, async (read) => {
      // The user is read with the instance; a refusal of the instance still comes first.
      const found = allOk(
        await allInOrder([locate(read), lookUpUser(read, tenantKey, request.userIdType, request.userId, 'user_id')] as const),
      );
      if (!found.ok) return { refused: found.refusal };
      const [{ definition, instance }, by] = found.value;
      const tasks = await read.tasks.listByInstance(instance.code);
      const now = this.clock.now();
      const transition = await action(read, instance, tasks, definition, by, now);
      if (!transition.ok) return { refused: transition.refusal };
      // Approving or rejecting a revoke request settles its original in the same transaction.
      const original = await revokeRoundOriginal(read, tenantKey, instance);
      return {
        issue: (tx) => issueWithRevokeRound(tx, tenantKey, definition, instance, transition.value, original, now, this.ids),
        answer: undefined,
      };
    });
  }
}
