/**
 * add_sign (加签, approval-v4.md §3.6): the assignee of a pending task adds users to its node.
 * - 1 before (前加签): the operator's task closes DONE and the added users decide first; then the operator gets a
 *   new task on the node.
 * - 2 after (后加签): the operator's task is approved and the added users decide next, before the node passes.
 * - 3 parallel (并加签): the added users decide together with the operator: in an OR group any one of them settles
 *   it; beside any other group they form a group of their own in which every one must approve.
 * approval_method says how the users added before or after decide: 1 or-sign, 2 and-sign, 3 one after another.
 */
import { ok, refuse, type Result } from '../errors.js';
import type { AddedGroup } from './approvers.js';
import {
  actionableTask,
  actionEntry,
  currentPass,
  nextVersion,
  nodeOf,
  progressOf,
  signableTask,
  taskChanges,
  type Instance,
  type RouteDefinition,
  type TaskActionArgs,
  type Transition,
} from './instance.js';
import { groupType } from './task-groups.js';
import type { Task } from './task.js';

export type AddSignType = 1 | 2 | 3;
export type ApprovalMethod = 1 | 2 | 3;

export interface AddSignArgs extends TaskActionArgs {
  /** Tenant user_ids, in order, without duplicates. */
  users: string[];
  signType: AddSignType;
  method?: ApprovalMethod | undefined;
}

const KINDS = { 1: 'before', 2: 'after', 3: 'with' } as const;
const TIMELINE_TYPES = { 1: 'ADD_APPROVER_BEFORE', 2: 'ADD_APPROVER_AFTER', 3: 'ADD_APPROVER' } as const;
const METHODS = { 1: 'OR', 2: 'AND', 3: 'SEQUENTIAL' } as const;

const invalid = (reason: string) => refuse(1390001, reason);

export function addSign(instance: Instance, tasks: readonly Task[], definition: RouteDefinition, args: AddSignArgs): Result<Transition> {
  // Adding after approves the operator's task, which a node needing a handwritten signature refuses (1390018).
  const checked = args.signType === 2 ? signableTask(instance, tasks, args) : actionableTask(instance, tasks, args);
  if (!checked.ok) return checked;
  const task = checked.value;
  const { users, signType } = args;
  if (signType !== 3 && args.method === undefined) {
    return invalid('approval_method is required for add_sign_type 1 (before) and 2 (after)');
  }
  if (users.includes(task.userId)) return invalid(`user "${task.userId}" is the operator and cannot be added to their own task`);
  const busy = users.find((user) =>
    tasks.some((t) => t.instanceCode === instance.code && t.nodeId === task.nodeId && t.userId === user && t.status === 'PENDING'),
  );
  if (busy !== undefined) return invalid(`user "${busy}" already has a pending task on this node`);

  const pass = currentPass(instance, tasks, definition);
  const changes = taskChanges(instance, tasks, definition, args);
  const joined = groupType(pass, task.group);
  let added: AddedGroup | undefined;
  if (signType === 3 && joined === 'OR') {
    for (const user of users) changes.open(task, user);
  } else {
    const kind = KINDS[signType];
    const type = signType === 3 ? 'AND' : METHODS[args.method ?? 2];
    if (kind === 'before') changes.close(task, 'DONE');
    if (kind === 'after') {
      changes.close(task, 'APPROVED');
      if (joined === 'OR') changes.closePending(task.group);
    }
    added = { group: changes.ids.next(), of: task.group, kind, type, users, ...(kind === 'before' ? { waiting: task.id } : {}) };
    for (const user of type === 'SEQUENTIAL' ? users.slice(0, 1) : users) changes.open({ ...task, group: added.group, type }, user);
  }

  const plan = added ? { ...pass.plan, added: [...(pass.plan.added ?? []), added] } : pass.plan;
  const route = instance.route.map((planned, i) => (i === instance.currentNode ? plan : planned));
  const entry = {
    ...actionEntry(TIMELINE_TYPES[signType], task, args, nodeOf(definition, task.nodeId)),
    userIdList: users,
    ext: { user_id_list: users },
  };
  return ok(progressOf({ ...nextVersion(instance), route }, changes, [entry], definition, 'stay'));
}
