/**
 * The instance and task state machine (rules.md "Instances and tasks"; withdrawal is in revoke-round.ts). Every action
 * is a pure function from the current state to a Transition: the new instance, the tasks it changes
 * or creates, its timeline entries and its outgoing events, which the services store in one
 * transaction. Inputs are never mutated; refusals are returned, never thrown.
 */
import { ok, refuse, type Result } from '../errors.js';
import type { PlannedNode } from './approvers.js';
import { sendCcs, type CcEntry } from './cc.js';
import type { ApprovalDefinition, I18nResource, NodeDefinition } from './definition.js';
import type { IdSource } from './ids.js';
import { taskEvent, type DomainEvent } from './events.js';
import { ownGroup, approvedInGroup, settle, TaskChanges, type NodePass } from './task-groups.js';
import { closeTask, openTask, type Task } from './task.js';
import type { TimelineEntry, TimelineType } from './timeline.js';

export type { DomainEvent } from './events.js';
export type { Task, TaskStatus, TaskType } from './task.js';
export type { TimelineEntry, TimelineType } from './timeline.js';

export type InstanceStatus = 'PENDING' | 'APPROVED' | 'REJECTED' | 'CANCELED' | 'DELETED';
export interface Instance {
  code: string;
  approvalCode: string;
  submitter: string;
  departmentId: string;
  status: InstanceStatus;
  startTime: number;
  /** 0 while open. */
  endTime: number;
  form: string;
  uuid: string | null;
  forbidRevoke: boolean;
  /** Bit mask of bot notices to suppress; never affects events. */
  cancelBotNotification: number;
  /** An approved instance that was withdrawn afterwards (撤销): its revoke request was approved. */
  reverted: boolean;
  /** On a revoke request: the approved instance it asks to revoke (GET's `reverted_instance_code`). */
  revertedInstanceCode: string | null;
  /** On an approved instance being revoked: its open revoke request. */
  revokeRequestCode: string | null;
  serialNumber: string;
  /** Plain text or an i18n key, resolved by the instance's own texts first, then the definition's. */
  title: string;
  /** The instance's own i18n_resources: texts of its title and text values per locale. */
  i18n: I18nResource[];
  route: PlannedNode[];
  /** Index into route of the node under approval; route.length once every node has approved. */
  currentNode: number;
  /** Bumped on every transition; storage uses it for optimistic locking. */
  version: number;
}

export interface Transition {
  /** The new value, version + 1. */
  instance: Instance;
  changedTasks: Task[];
  newTasks: Task[];
  timeline: TimelineEntry[];
  /** In the order they are to be delivered. */
  events: DomainEvent[];
  /** CC entries made, and CC entries marked read (cc.ts); absent = none. */
  newCcs?: CcEntry[];
  readCcs?: CcEntry[];
}

/** The part of a definition the state machine reads: its nodes. */
export type RouteDefinition = Pick<ApprovalDefinition, 'nodes'>;

export interface StartArgs {
  code: string;
  definition: Pick<ApprovalDefinition, 'code' | 'nodes'>;
  submitter: string;
  departmentId: string;
  /** Already validated (form.ts). */
  form: string;
  /** Already resolved (approvers.ts). */
  route: PlannedNode[];
  uuid: string | null;
  forbidRevoke: boolean;
  cancelBotNotification: number;
  title: string;
  i18n?: I18nResource[];
  serialNumber: string;
  /** Makes the new instance the revoke request of that approved instance. */
  revertedInstanceCode?: string;
  now: number;
  ids: IdSource;
}

export interface TaskActionArgs {
  taskId: string;
  /** The acting user's user_id. */
  by: string;
  comment?: string;
  now: number;
  ids: IdSource;
}

export interface TransferArgs extends TaskActionArgs {
  /** The new assignee's user_id. */
  to: string;
}

const invalid = (reason: string) => refuse(1390001, reason);

/** A new instance: PENDING, timeline START, tasks for the first node. */
export function startInstance(args: StartArgs): Transition {
  const { now, ids, definition, route } = args;
  const base: Instance = {
    code: args.code,
    approvalCode: definition.code,
    submitter: args.submitter,
    departmentId: args.departmentId,
    status: 'PENDING',
    startTime: now,
    endTime: 0,
    form: args.form,
    uuid: args.uuid,
    forbidRevoke: args.forbidRevoke,
    cancelBotNotification: args.cancelBotNotification,
    reverted: false,
    revertedInstanceCode: args.revertedInstanceCode ?? null,
    revokeRequestCode: null,
    serialNumber: args.serialNumber,
    title: args.title,
    i18n: args.i18n ?? [],
    route: route.map((n) => ({ ...n, approvers: [...n.approvers], ...(n.ccers ? { ccers: [...n.ccers] } : {}) })),
    currentNode: -1, // enterNextNode opens node 0
    version: 1,
  };
  const opened = enterNextNode(base, definition, now, ids);
  return {
    instance: opened.instance,
    changedTasks: [],
    newTasks: opened.newTasks,
    timeline: [{ type: 'START', createTime: now, userId: args.submitter }, ...opened.timeline],
    events: [{ kind: 'approval_instance', status: 'PENDING', operateTime: now }, ...opened.events],
    newCcs: opened.newCcs,
  };
}

/** Approve: the task → APPROVED; when its node has decided the route moves on (or the instance is APPROVED). */
export function approveTask(
  instance: Instance,
  tasks: readonly Task[],
  definition: RouteDefinition,
  args: TaskActionArgs,
): Result<Transition> {
  const checked = signableTask(instance, tasks, args);
  if (!checked.ok) return checked;
  const task = checked.value;
  const pass = currentPass(instance, tasks, definition);
  const changes = taskChanges(instance, tasks, definition, args);
  approvedInGroup(changes, pass, changes.close(task, 'APPROVED'));
  const next = settle(changes, pass, task.group) ? 'pass' : 'stay';
  const timeline = [actionEntry('PASS', task, args, nodeOf(definition, task.nodeId))];
  return ok(progressOf(nextVersion(instance), changes, timeline, definition, next));
}

/** Reject: the task → REJECTED, every other pending task → DONE, the instance → REJECTED. */
export function rejectTask(
  instance: Instance,
  tasks: readonly Task[],
  definition: RouteDefinition,
  args: TaskActionArgs,
): Result<Transition> {
  const checked = signableTask(instance, tasks, args);
  if (!checked.ok) return checked;
  const task = checked.value;
  const { now } = args;

  const rejected = closeTask(task, 'REJECTED', now);
  const changedTasks = [rejected];
  const events: DomainEvent[] = [taskEvent(rejected, now, nodeOf(definition, task.nodeId))];
  for (const other of tasks) {
    if (other.instanceCode !== instance.code || other.id === task.id || other.status !== 'PENDING') continue;
    const done = closeTask(other, 'DONE', now);
    changedTasks.push(done);
    events.push(taskEvent(done, now, nodeOf(definition, done.nodeId)));
  }
  events.push({ kind: 'approval_instance', status: 'REJECTED', operateTime: now });
  return ok({
    instance: { ...nextVersion(instance), status: 'REJECTED', endTime: now },
    changedTasks,
    newTasks: [],
    timeline: [actionEntry('REJECT', task, args, nodeOf(definition, task.nodeId))],
    events,
  });
}

/** Transfer: the task → TRANSFERRED, and the new assignee gets a PENDING task on the same node. */
export function transferTask(
  instance: Instance,
  tasks: readonly Task[],
  definition: RouteDefinition,
  args: TransferArgs,
): Result<Transition> {
  const checked = actionableTask(instance, tasks, args);
  if (!checked.ok) return checked;
  const task = checked.value;
  const { to, now, ids } = args;
  if (to === task.userId) return invalid(`task ${task.id} cannot be transferred to its own assignee "${to}"`);
  const busy = tasks.some(
    (t) => t.instanceCode === instance.code && t.nodeId === task.nodeId && t.userId === to && t.status === 'PENDING',
  );
  if (busy) return invalid(`user "${to}" already has a pending task on this node`);
  const node = nodeOf(definition, task.nodeId);

  const transferred = closeTask(task, 'TRANSFERRED', now);
  const handedOver = openTask(task, to, now, ids);
  return ok({
    instance: nextVersion(instance),
    changedTasks: [transferred],
    newTasks: [handedOver],
    timeline: [
      {
        ...actionEntry('TRANSFER', task, args, node),
        userIdList: [to],
        ext: { user_id_list: [to] },
      },
    ],
    events: [taskEvent(transferred, now, node), taskEvent(handedOver, now, node)],
  });
}

// ---- helpers ----

/** A node shenpi adds beside a definition's own: no name, no approver rules, nothing to sign. */
export const systemNode = (nodeId: string, customNodeId: string): NodeDefinition => ({
  nodeId,
  customNodeId,
  name: '',
  nodeType: 'AND',
  approvers: [],
  ccers: [],
  requireSignature: false,
  approverChosenMulti: false,
  needApprover: false,
});

/** Where a request returned to its submitter waits: the submitter's task sits at START (node_list[0]). */
export const START_NODE = systemNode('START', 'START');

/** The checks every task action shares, in rules.md's order: a pending task of a pending instance, and its assignee. */
export function pendingTaskOf(instance: Instance, tasks: readonly Task[], args: Pick<TaskActionArgs, 'taskId' | 'by'>): Result<Task> {
  const task = tasks.find((t) => t.id === args.taskId && t.instanceCode === instance.code);
  if (!task) return refuse(1390010, `task "${args.taskId}" is not a task of instance ${instance.code}`);
  if (instance.status !== 'PENDING') {
    return invalid(`the instance is ${instance.status}; only the tasks of a PENDING instance can be acted on`);
  }
  if (instance.revokeRequestCode) {
    return invalid(`the instance is being revoked (revoke request ${instance.revokeRequestCode}); its tasks can not be acted on`);
  }
  if (task.status !== 'PENDING') return invalid(`task ${task.id} is already ${task.status}`);
  if (task.userId !== args.by) return invalid(`user "${args.by}" is not the assignee of task ${task.id}`);
  return ok(task);
}

/** An approver's task: pendingTaskOf, and not the task of a request returned to its submitter (resubmit's alone). */
export function actionableTask(instance: Instance, tasks: readonly Task[], args: TaskActionArgs): Result<Task> {
  const checked = pendingTaskOf(instance, tasks, args);
  if (checked.ok && checked.value.nodeId === START_NODE.nodeId) {
    return invalid(`task ${checked.value.id} is the submitter's task of a returned request; only /tasks/resubmit acts on it`);
  }
  return checked;
}

/** Approve and reject also need a node without handwritten signature: the API can not sign (1390018). */
export function signableTask(instance: Instance, tasks: readonly Task[], args: TaskActionArgs): Result<Task> {
  const checked = actionableTask(instance, tasks, args);
  if (checked.ok && checked.value.requireSignature) {
    return refuse(1390018, `the node of task ${checked.value.id} requires a handwritten signature; act on it in the Feishu client`);
  }
  return checked;
}

/** The node under approval; its own group decides as its tasks were made (the node type of that time). */
export function currentPass(instance: Instance, tasks: readonly Task[], definition: RouteDefinition): NodePass {
  const plan = instance.route[instance.currentNode] ?? { nodeId: '', approvers: [] };
  const own = tasks.find((t) => t.instanceCode === instance.code && t.group === ownGroup(plan));
  return { plan, type: own && own.type !== 'AUTO_PASS' ? own.type : (nodeOf(definition, plan.nodeId)?.nodeType ?? 'AND') };
}

export const taskChanges = (
  instance: Instance,
  tasks: readonly Task[],
  definition: RouteDefinition,
  args: Pick<TaskActionArgs, 'now' | 'ids'>,
) =>
  new TaskChanges(instance.code, tasks, (nodeId) => nodeOf(definition, nodeId), args.now, args.ids);

/**
 * The transition made of `instance` (already changed), the task changes and `timeline`, then: `pass` the node under
 * approval has decided, so it passes and the route moves on; `enter` the route moves on from the node `instance`
 * points at (before the one to enter); `stay` nothing more.
 */
export function progressOf(
  instance: Instance,
  changes: TaskChanges,
  timeline: TimelineEntry[],
  definition: RouteDefinition,
  next: 'pass' | 'enter' | 'stay',
): Transition {
  const { now, ids } = changes;
  const step: Progress = { instance, newTasks: changes.created, events: [...changes.events], timeline, newCcs: [] };
  if (next === 'pass') {
    const plan = instance.route[instance.currentNode];
    if (plan) nodePassed(step, nodeKeyOf(plan.nodeId, nodeOf(definition, plan.nodeId)), now, ids);
  }
  if (next !== 'stay') moveOn(step, definition, now, ids);
  return { ...step, changedTasks: changes.changed };
}

/** What moving along the route adds to a transition; the helpers below append to it. */
interface Progress {
  instance: Instance;
  newTasks: Task[];
  events: DomainEvent[];
  timeline: TimelineEntry[];
  newCcs: CcEntry[];
}

/** Moves a new instance onto its route. */
function enterNextNode(instance: Instance, definition: RouteDefinition, now: number, ids: IdSource): Progress {
  const progress: Progress = { instance, newTasks: [], events: [], timeline: [], newCcs: [] };
  moveOn(progress, definition, now, ids);
  return progress;
}

/** The node under approval has passed: its CC goes out (preview's end_cc_id_list: "审批结束抄送人"). */
function nodePassed(progress: Progress, nodeKey: string, now: number, ids: IdSource): void {
  const { instance } = progress;
  const planned = instance.route[instance.currentNode];
  if (!planned) return;
  const cc = sendCcs({ instanceCode: instance.code, users: planned.ccers ?? [], from: '', nodeId: planned.nodeId, nodeKey, now, ids });
  if (!cc) return;
  progress.newCcs.push(...cc.ccs);
  progress.timeline.push(cc.timeline);
  progress.events.push(...cc.events);
}

/**
 * Opens the next route node's tasks, or approves the instance after the last node. A node named in
 * node_auto_approval_list passes by itself on the way: an AUTO_PASS task with nobody on it, a timeline
 * AUTO_PASS entry, its CC.
 */
function moveOn(progress: Progress, definition: RouteDefinition, now: number, ids: IdSource): void {
  for (;;) {
    const index = progress.instance.currentNode + 1;
    const planned = progress.instance.route[index];
    if (planned === undefined) {
      progress.instance = { ...progress.instance, currentNode: progress.instance.route.length, status: 'APPROVED', endTime: now };
      progress.events.push({ kind: 'approval_instance', status: 'APPROVED', operateTime: now });
      return;
    }
    progress.instance = { ...progress.instance, currentNode: index };
    const node = nodeOf(definition, planned.nodeId);
    const template = {
      instanceCode: progress.instance.code,
      nodeId: planned.nodeId,
      group: ownGroup(planned),
      requireSignature: node?.requireSignature ?? false,
    };
    if (!planned.autoPass) {
      const type = node?.nodeType ?? 'AND';
      // A SEQUENTIAL node hands its approvers their tasks one at a time.
      const assignees = type === 'SEQUENTIAL' ? planned.approvers.slice(0, 1) : planned.approvers;
      const opened = assignees.map((userId) => openTask({ ...template, type }, userId, now, ids));
      progress.newTasks.push(...opened);
      progress.events.push(...opened.map((t) => taskEvent(t, now, node)));
      return;
    }
    const passed = closeTask(openTask({ ...template, type: 'AUTO_PASS', requireSignature: false }, '', now, ids), 'APPROVED', now);
    const nodeKey = nodeKeyOf(planned.nodeId, node);
    progress.newTasks.push(passed);
    progress.events.push(taskEvent(passed, now, node));
    progress.timeline.push({ type: 'AUTO_PASS', createTime: now, taskId: passed.id, nodeKey });
    nodePassed(progress, nodeKey, now, ids);
  }
}

export { closeTask } from './task.js';

export const nextVersion = (instance: Instance): Instance => ({ ...instance, version: instance.version + 1 });

export const nodeOf = (definition: RouteDefinition, nodeId: string): NodeDefinition | undefined =>
  nodeId === START_NODE.nodeId ? START_NODE : definition.nodes.find((n) => n.nodeId === nodeId);

export function actionEntry(
  type: TimelineType,
  task: Task,
  args: TaskActionArgs,
  node: NodeDefinition | undefined,
): TimelineEntry {
  return {
    type,
    createTime: args.now,
    userId: args.by,
    taskId: task.id,
    ...(args.comment !== undefined ? { comment: args.comment } : {}),
    nodeKey: nodeKeyOf(task.nodeId, node),
  };
}

/** The key that specified_rollback later names: the client's node id when there is one. */
export const nodeKeyOf = (nodeId: string, node: NodeDefinition | undefined): string => node?.customNodeId || nodeId;
