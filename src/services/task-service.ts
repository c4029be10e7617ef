/** Task actions (approve, reject, transfer) and the per-user task list (`GET /tasks/query`). */
import { approveTask, rejectTask, transferTask, type Instance, type Task, type Transition } from '../domain/approval/instance.js';
import type { ApprovalDefinition } from '../domain/approval/definition.js';
import type { Clock } from '../domain/clock.js';
import type { User, UserIdType } from '../domain/directory.js';
import { unwrap, type Result } from '../domain/errors.js';
import { decimalIds } from '../domain/ids.js';
import { requireDefinition } from './approval-lookup.js';
import type { Caller } from './auth-service.js';
import { requireUser, UserDirectory } from './directory-lookup.js';
import { decodeInstanceCursor, type InstanceService } from './instance-service.js';
import { decodeCursor, pageOf, type Page } from './paging.js';
import type { Store, TaskCursor } from './ports.js';
import { applyWithRevokeRound, withRetry } from './transitions.js';

export interface TaskActionRequest {
  approvalCode: string;
  instanceCode: string;
  /** The acting approver, as an id of `userIdType`. */
  userId: string;
  taskId: string;
  comment?: string | undefined;
  userIdType: UserIdType;
}

/** topic of `GET /tasks/query` → the task statuses it lists (3 = initiated lists instances instead). */
const TOPIC_STATUSES: Record<string, Task['status'][]> = {
  '1': ['PENDING'],
  '2': ['APPROVED', 'REJECTED', 'TRANSFERRED'],
  // CC read state is not modelled yet: both CC topics list nothing.
  '17': [],
  '18': [],
};

export interface TaskListItem {
  task: Task | undefined;
  instance: Instance;
  definition: ApprovalDefinition | undefined;
}

type Action = (
  tx: Store,
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
    private readonly instances: InstanceService,
  ) {}

  approve(caller: Caller, request: TaskActionRequest): Promise<void> {
    return this.act(caller, request, (_tx, instance, tasks, definition, by, now) =>
      approveTask(instance, tasks, definition, this.actionArgs(request, by, now)),
    );
  }

  reject(caller: Caller, request: TaskActionRequest): Promise<void> {
    return this.act(caller, request, (_tx, instance, tasks, definition, by, now) =>
      rejectTask(instance, tasks, definition, this.actionArgs(request, by, now)),
    );
  }

  transfer(caller: Caller, request: TaskActionRequest & { transferUserId: string }): Promise<void> {
    return this.act(caller, request, async (tx, instance, tasks, definition, by, now) => {
      const to = await requireUser(tx, caller.tenantKey, request.userIdType, request.transferUserId, 'transfer_user_id');
      return transferTask(instance, tasks, definition, { ...this.actionArgs(request, by, now), to: to.userId });
    });
  }

  /** `GET /tasks/query`: the user's tasks by topic, oldest first. */
  async query(
    caller: Caller,
    request: { userId: string; topic: string; userIdType: UserIdType; pageSize?: number | undefined; pageToken?: string | undefined },
  ): Promise<Page<TaskListItem> & { users: UserDirectory; total: number }> {
    const { tenantKey } = caller;
    const user = await requireUser(this.store, tenantKey, request.userIdType, request.userId, 'user_id');
    const pageSize = request.pageSize ?? 100;
    const definitions = new Map<string, ApprovalDefinition | undefined>();
    const definitionOf = async (code: string) => {
      if (!definitions.has(code)) definitions.set(code, await this.store.approvals.find(tenantKey, code));
      return definitions.get(code);
    };

    let page: Page<TaskListItem>;
    let total: number;
    if (request.topic === '3') {
      // "Initiated" lists the user's own instances, paged like the instance lists.
      total = await this.store.instances.count(tenantKey, { submitter: user.userId });
      const after = request.pageToken ? decodeInstanceCursor(request.pageToken) : undefined;
      const rows = await this.store.instances.list(tenantKey, { submitter: user.userId }, after, pageSize + 1);
      const instances = pageOf(rows, pageSize, (last) => last.cursor);
      const items: TaskListItem[] = [];
      for (const { instance } of instances.items) {
        items.push({ task: undefined, instance, definition: await definitionOf(instance.approvalCode) });
      }
      page = { ...instances, items };
    } else {
      const after = request.pageToken
        ? decodeCursor<TaskCursor>(request.pageToken, { startTime: 'number', id: 'string' })
        : undefined;
      const statuses = TOPIC_STATUSES[request.topic] ?? [];
      total = await this.store.tasks.countByUser(tenantKey, user.userId, statuses);
      const rows = statuses.length
        ? await this.store.tasks.listByUser(tenantKey, user.userId, statuses, after, pageSize + 1)
        : [];
      const tasks = pageOf(rows, pageSize, (last): TaskCursor => ({ startTime: last.startTime, id: last.id }));
      const items: TaskListItem[] = [];
      for (const task of tasks.items) {
        const instance = await this.store.instances.find(tenantKey, task.instanceCode);
        if (instance) items.push({ task, instance, definition: await definitionOf(instance.approvalCode) });
      }
      page = { ...tasks, items };
    }
    const users = await UserDirectory.load(this.store, tenantKey, [
      user.userId,
      ...page.items.map((i) => i.instance.submitter),
    ]);
    return { ...page, users, total };
  }

  private actionArgs(request: TaskActionRequest, by: User, now: number) {
    return {
      taskId: request.taskId,
      by: by.userId,
      ...(request.comment ? { comment: request.comment } : {}),
      now,
      ids: decimalIds(now),
    };
  }

  /** The checks every task action shares, in rules.md's order, then the domain action, in one transaction. */
  private async act(caller: Caller, request: TaskActionRequest, action: Action): Promise<void> {
    const { tenantKey } = caller;
    await withRetry(this.store, async (tx) => {
      const definition = await requireDefinition(tx, tenantKey, request.approvalCode);
      const instance = await this.instances.requireInstance(tx, tenantKey, request.approvalCode, request.instanceCode);
      const by = await requireUser(tx, tenantKey, request.userIdType, request.userId, 'user_id');
      const tasks = await tx.tasks.listByInstance(instance.code);
      const now = this.clock.now();
      const transition = unwrap(await action(tx, instance, tasks, definition, by, now));
      // Approving or rejecting a revoke request settles its original in the same transaction.
      await applyWithRevokeRound(tx, tenantKey, definition, instance, transition, now);
    });
  }
}
