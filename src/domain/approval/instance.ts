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
import type { Task, TaskStatus, TaskType } from './task.js';
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

/** Approve: the task → APPROVED; when its node is complete the route moves on (or the instance is APPROVED). */
export function approveTask(
  instance: Instance,
  tasks: readonly Task[],
  definition: RouteDefinition,
  args: TaskActionArgs,
): Result<Transition> {
  const checked = signableTask(instance, tasks, args);
  if (!checked.ok) return checked;
  const task = checked.value;
  const { now, ids } = args;
  const node = nodeOf(definition, task.nodeId);

  const approved = closeTask(task, 'APPROVED', now);
  const changedTasks = [approved];
  const newTasks: Task[] = [];
  const events: DomainEvent[] = [taskEvent(approved, now, node)];
  const siblings = tasks
    .filter((t) => t.instanceCode === instance.code && t.nodeId === task.nodeId)
    .map((t) => (t.id === task.id ? approved : t));

  let complete: boolean;
  if (task.type === 'OR') {
    // One approval settles an OR node; the others' tasks are closed unanswered.
    for (const other of siblings.filter((t) => t.status === 'PENDING')) {
      const done = closeTask(other, 'DONE', now);
      changedTasks.push(done);
      events.push(taskEvent(done, now, node));
    }
    complete = true;
  } else if (task.type === 'SEQUENTIAL') {
    // Each approval fills the next slot of the planned order; a transferee acts in the slot it took over.
    const filled = siblings.filter((t) => t.status === 'APPROVED').length;
    const nextUser = instance.route[instance.currentNode]?.approvers[filled];
    complete = nextUser === undefined;
    if (nextUser !== undefined) {
      const next = openTask(instance.code, task.nodeId, nextUser, task.type, task.requireSignature, now, ids);
      newTasks.push(next);
      events.push(taskEvent(next, now, node));
    }
  } else {
    complete = !siblings.some((t) => t.status === 'PENDING');
  }

  const step: Progress = {
    instance: nextVersion(instance),
    newTasks,
    events,
    timeline: [actionEntry('PASS', task, args, node)],
    newCcs: [],
  };
  if (complete) {
    nodePassed(step, nodeKeyOf(task.nodeId, node), now, ids);
    moveOn(step, definition, now, ids);
  }
  return ok({ ...step, changedTasks });
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
  const handedOver = openTask(instance.code, task.nodeId, to, task.type, task.requireSignature, now, ids);
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

/** The checks every task action shares, in rules.md's order. */
function actionableTask(instance: Instance, tasks: readonly Task[], args: TaskActionArgs): Result<Task> {
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

/** Approve and reject also need a node without handwritten signature: the API can not sign (1390018). */
function signableTask(instance: Instance, tasks: readonly Task[], args: TaskActionArgs): Result<Task> {
  const checked = actionableTask(instance, tasks, args);
  if (checked.ok && checked.value.requireSignature) {
    return refuse(1390018, `the node of task ${checked.value.id} requires a handwritten signature; act on it in the Feishu client`);
  }
  return checked;
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
    if (!planned.autoPass) {
      const type = node?.nodeType ?? 'AND';
      // A SEQUENTIAL node hands its approvers their tasks one at a time.
      const assignees = type === 'SEQUENTIAL' ? planned.approvers.slice(0, 1) : planned.approvers;
      const opened = assignees.map((userId) =>
        openTask(progress.instance.code, planned.nodeId, userId, type, node?.requireSignature ?? false, now, ids),
      );
      progress.newTasks.push(...opened);
      progress.events.push(...opened.map((t) => taskEvent(t, now, node)));
      return;
    }
    const passed = closeTask(openTask(progress.instance.code, planned.nodeId, '', 'AUTO_PASS', false, now, ids), 'APPROVED', now);
    const nodeKey = nodeKeyOf(planned.nodeId, node);
    progress.newTasks.push(passed);
    progress.events.push(taskEvent(passed, now, node));
    progress.timeline.push({ type: 'AUTO_PASS', createTime: now, taskId: passed.id, nodeKey });
    nodePassed(progress, nodeKey, now, ids);
  }
}

function openTask(
  instanceCode: string,
  nodeId: string,
  userId: string,
  type: TaskType,
  requireSignature: boolean,
  now: number,
  ids: IdSource,
): Task {
  return {
    id: ids.next(),
    instanceCode,
    nodeId,
    userId,
    status: 'PENDING',
    type,
    startTime: now,
    endTime: 0,
    requireSignature,
  };
}

export const closeTask = (task: Task, status: TaskStatus, now: number): Task => ({ ...task, status, endTime: now });

export const nextVersion = (instance: Instance): Instance => ({ ...instance, version: instance.version + 1 });

export const nodeOf = (definition: RouteDefinition, nodeId: string): NodeDefinition | undefined =>
  definition.nodes.find((n) => n.nodeId === nodeId);

function actionEntry(
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
const nodeKeyOf = (nodeId: string, node: NodeDefinition | undefined): string => node?.customNodeId || nodeId;
