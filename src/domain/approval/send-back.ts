/**
 * Sending a request back: specified_rollback (退回) to nodes already passed, a reject under reject_option 1 that
 * returns the request to its submitter, and the submitter's resubmit. The instance stays PENDING throughout.
 * A request back at its submitter waits at START: the submitter has a PENDING task there, which only resubmit acts
 * on; resubmitting starts the route again from its first node. Every node entered again gets a new pass: new tasks
 * in a new group, without the users add_sign had added in the pass before.
 */
import { ok, refuse, type Result } from '../errors.js';
import type { PlannedNode } from './approvers.js';
import type { DefinitionSettings } from './definition.js';
import {
  actionableTask,
  actionEntry,
  nextVersion,
  nodeOf,
  pendingTaskOf,
  progressOf,
  rejectTask,
  signableTask,
  START_NODE,
  taskChanges,
  type Instance,
  type RouteDefinition,
  type TaskActionArgs,
  type TimelineEntry,
  type Transition,
} from './instance.js';
import type { TaskChanges } from './task-groups.js';
import type { Task } from './task.js';
import { isRecord } from './widgets.js';

/** The most nodes one specified_rollback may name (task_def_key_list). */
export const MAX_ROLLBACK_KEYS = 100;

export interface RollbackArgs extends TaskActionArgs {
  /** Node keys (a node's client id or system id) or START; `comment` is the reason. */
  keys: string[];
}

export interface ResubmitArgs extends TaskActionArgs {
  /** Already validated against the definition's widgets (form.ts). */
  form: string;
}

const invalid = (reason: string) => refuse(1390001, reason);

/** The route entry entered again: a new pass, without the users add_sign added in the last. */
const reentered = ({ added: _added, ...planned }: PlannedNode): PlannedNode => ({ ...planned, pass: (planned.pass ?? 1) + 1 });

/** The route with its entries from `from` to the current node entered again. */
const routeBackTo = (instance: Instance, from: number): PlannedNode[] =>
  instance.route.map((planned, i) => (i >= from && i <= instance.currentNode ? reentered(planned) : planned));

/** The submitter's task at START, and the instance waiting there. */
function backToSubmitter(instance: Instance, changes: TaskChanges): Instance {
  changes.open(
    { instanceCode: instance.code, nodeId: START_NODE.nodeId, group: START_NODE.nodeId, type: 'AND', requireSignature: false },
    instance.submitter,
  );
  return { ...nextVersion(instance), route: routeBackTo(instance, 0), currentNode: -1 };
}

/**
 * Reject, as the definition's reject_option says: 0 ends the request REJECTED; 1 returns it to its submitter
 * (the task REJECTED, the others DONE, timeline REJECT). A revoke request always ends: it has nothing to resubmit.
 */
export function rejectUnderOption(
  instance: Instance,
  tasks: readonly Task[],
  definition: RouteDefinition & { settings?: Pick<DefinitionSettings, 'rejectOption'> },
  args: TaskActionArgs,
): Result<Transition> {
  if (definition.settings?.rejectOption !== 1 || instance.revertedInstanceCode !== null) {
    return rejectTask(instance, tasks, definition, args);
  }
  const checked = signableTask(instance, tasks, args);
  if (!checked.ok) return checked;
  const task = checked.value;
  const changes = taskChanges(instance, tasks, definition, args);
  changes.close(task, 'REJECTED');
  changes.closePending();
  const returned = backToSubmitter(instance, changes);
  return ok(progressOf(returned, changes, [actionEntry('REJECT', task, args, nodeOf(definition, task.nodeId))], definition, 'stay'));
}

/** A target of a send-back: a route index (-1 for START) and how the ROLLBACK event names it. */
interface Target {
  index: number;
  nodeId: string;
  customNodeId: string;
}

function targetOf(instance: Instance, definition: RouteDefinition, key: string): Result<Target> {
  if (key === START_NODE.nodeId) return ok({ index: -1, nodeId: START_NODE.nodeId, customNodeId: START_NODE.customNodeId });
  const index = instance.route.findIndex((p) => p.nodeId === key || nodeOf(definition, p.nodeId)?.customNodeId === key);
  const planned = instance.route[index];
  if (!planned) return invalid(`task_def_key_list: "${key}" names no node of this instance`);
  if (index >= instance.currentNode) return invalid(`task_def_key_list: node "${key}" has not been passed yet`);
  if (planned.autoPass) return invalid(`task_def_key_list: node "${key}" passed by itself; nobody approved it`);
  return ok({ index, nodeId: planned.nodeId, customNodeId: nodeOf(definition, planned.nodeId)?.customNodeId ?? '' });
}

/**
 * specified_rollback: from a pending task back to nodes already passed (or START, the submitter). The task closes
 * (its event says ROLLBACK), every other pending task DONE; the route goes back to the earliest node named, whose
 * tasks are made again with new ids, and on from there as usual.
 */
export function rollBack(instance: Instance, tasks: readonly Task[], definition: RouteDefinition, args: RollbackArgs): Result<Transition> {
  const checked = actionableTask(instance, tasks, args);
  if (!checked.ok) return checked;
  const task = checked.value;
  if (instance.revertedInstanceCode !== null) return invalid('a revoke request cannot be sent back; reject it instead');
  const targets: Target[] = [];
  for (const key of args.keys) {
    const target = targetOf(instance, definition, key);
    if (!target.ok) return target;
    if (!targets.some((t) => t.index === target.value.index)) targets.push(target.value);
  }
  const changes = taskChanges(instance, tasks, definition, args);
  const extra = JSON.stringify({
    rollback_node_ids: targets.map((t) => t.nodeId),
    rollback_custom_node_ids: targets.map((t) => t.customNodeId),
  });
  changes.close(task, 'DONE', { status: 'ROLLBACK', extra });
  changes.closePending();
  const entry = actionEntry('ROLLBACK_SELECTED', task, args, nodeOf(definition, task.nodeId));
  const earliest = Math.min(...targets.map((t) => t.index));
  if (earliest === -1) return ok(progressOf(backToSubmitter(instance, changes), changes, [entry], definition, 'stay'));
  const back = { ...nextVersion(instance), route: routeBackTo(instance, earliest), currentNode: earliest - 1 };
  return ok(progressOf(back, changes, [entry], definition, 'enter'));
}

/**
 * resubmit: the submitter sends their returned request again with a new form; its task at START is APPROVED, the
 * timeline gets a second START, and the route starts again from its first node.
 */
export function resubmit(instance: Instance, tasks: readonly Task[], definition: RouteDefinition, args: ResubmitArgs): Result<Transition> {
  const checked = pendingTaskOf(instance, tasks, args);
  if (!checked.ok) return checked;
  const task = checked.value;
  if (task.nodeId !== START_NODE.nodeId) {
    return invalid(`task ${task.id} is an approval task; only the submitter's task of a returned request can be resubmitted`);
  }
  const changes = taskChanges(instance, tasks, definition, args);
  changes.close(task, 'APPROVED');
  const entry: TimelineEntry = {
    type: 'START',
    createTime: args.now,
    userId: args.by,
    taskId: task.id,
    ...(args.comment ? { comment: args.comment } : {}),
  };
  return ok(progressOf({ ...nextVersion(instance), form: args.form, currentNode: -1 }, changes, [entry], definition, 'enter'));
}

/** resubmit's `comment`: a JSON object string `{text, files}` (approval-v4.md §4.1); its text goes on the timeline. */
export function resubmitComment(comment: string): Result<string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(comment);
  } catch {
    return invalid('comment must be a JSON object string {"text": ..., "files": [...]}');
  }
  if (!isRecord(parsed)) return invalid('comment must be a JSON object string {"text": ..., "files": [...]}');
  const text = parsed['text'] ?? '';
  if (typeof text !== 'string') return invalid('comment.text must be a string');
  return ok(text);
}
