/**
 * How the tasks of a node decide. In one pass of a node its own approvers form one group, deciding as the node
 * type says: OR one approval, AND every approver, SEQUENTIAL one after another in the planned order. Each add_sign
 * adds a group attached to the group of the operator's task (approvers.ts AddedGroup). A group has decided once
 * none of its tasks is pending, its own rule is met and every group attached to it has decided; the node has
 * decided once its own group has.
 */
import type { AddedGroup, PlannedNode } from './approvers.js';
import type { NodeDefinition, NodeType } from './definition.js';
import { taskEvent, type DomainEvent } from './events.js';
import type { IdSource } from './ids.js';
import { closeTask, openTask, type Task, type TaskStatus } from './task.js';

/** The group of the node's own approvers in the route's current pass of it (the node id in the first pass). */
export const ownGroup = (plan: PlannedNode): string => (plan.pass && plan.pass > 1 ? `${plan.nodeId}#${plan.pass}` : plan.nodeId);

/** The node under approval as its tasks see it: its route entry and its type. */
export interface NodePass {
  plan: PlannedNode;
  type: NodeType;
}

/** The tasks of one instance as a transition changes them, and the approval_task events of the changes, in order. */
export class TaskChanges {
  private readonly current: Map<string, Task>;
  private readonly touched = new Set<string>();
  private readonly made = new Set<string>();
  readonly events: DomainEvent[] = [];

  constructor(
    instanceCode: string,
    tasks: readonly Task[],
    private readonly nodeOf: (nodeId: string) => NodeDefinition | undefined,
    readonly now: number,
    readonly ids: IdSource,
  ) {
    this.current = new Map(tasks.filter((t) => t.instanceCode === instanceCode).map((t) => [t.id, t]));
  }

  get all(): Task[] {
    return [...this.current.values()];
  }

  find(taskId: string | undefined): Task | undefined {
    return taskId === undefined ? undefined : this.current.get(taskId);
  }

  inGroup(group: string): Task[] {
    return this.all.filter((t) => t.group === group);
  }

  /** Existing tasks this transition changed, in the order it first changed them. */
  get changed(): Task[] {
    return [...this.touched].filter((id) => !this.made.has(id)).map((id) => this.current.get(id)!);
  }

  /** Tasks this transition made, as they end up, in the order it made them. */
  get created(): Task[] {
    return [...this.made].map((id) => this.current.get(id)!);
  }

  /** Closes a task; its event reports `event.status` instead of the stored status when given. */
  close(task: Task, status: TaskStatus, event: { status?: 'ROLLBACK'; extra?: string } = {}): Task {
    const closed = closeTask(task, status, this.now);
    this.current.set(closed.id, closed);
    this.touched.add(closed.id);
    this.events.push({ ...taskEvent(closed, this.now, this.nodeOf(closed.nodeId)), ...event });
    return closed;
  }

  /** A new PENDING task like `template` for `userId`. */
  open(template: Parameters<typeof openTask>[0], userId: string): Task {
    const opened = openTask(template, userId, this.now, this.ids);
    this.current.set(opened.id, opened);
    this.touched.add(opened.id);
    this.made.add(opened.id);
    this.events.push(taskEvent(opened, this.now, this.nodeOf(opened.nodeId)));
    return opened;
  }

  /** Closes every pending task of the instance (of `group` only, when given) as DONE. */
  closePending(group?: string): void {
    for (const task of this.all) {
      if (task.status === 'PENDING' && (group === undefined || task.group === group)) this.close(task, 'DONE');
    }
  }
}

interface GroupRule {
  type: NodeType;
  users: readonly string[];
}

const ruleOf = ({ plan, type }: NodePass, group: string): GroupRule =>
  plan.added?.find((a) => a.group === group) ?? { type, users: plan.approvers };

const attachedTo = ({ plan }: NodePass, group: string): AddedGroup[] => (plan.added ?? []).filter((a) => a.of === group);

export const groupType = (pass: NodePass, group: string): NodeType => ruleOf(pass, group).type;

export function hasDecided(changes: TaskChanges, pass: NodePass, group: string): boolean {
  const tasks = changes.inGroup(group);
  if (tasks.some((t) => t.status === 'PENDING')) return false;
  if (attachedTo(pass, group).some((a) => !hasDecided(changes, pass, a.group))) return false;
  const { type, users } = ruleOf(pass, group);
  const approved = tasks.filter((t) => t.status === 'APPROVED').length;
  if (type === 'SEQUENTIAL') return approved >= users.length;
  return type === 'OR' ? approved > 0 : true;
}

/** What an approval does within its group: OR closes the others' tasks unanswered; SEQUENTIAL hands the next user theirs. */
export function approvedInGroup(changes: TaskChanges, pass: NodePass, approved: Task): void {
  const type = groupType(pass, approved.group);
  if (type === 'OR') changes.closePending(approved.group);
  else if (type === 'SEQUENTIAL') openNextSlot(changes, pass, approved.group);
}

/**
 * Each approval of a SEQUENTIAL group fills its next slot (a transferee acts in the slot it took over); the next
 * user gets a task once nobody of the group is pending and no users added after the last one are still deciding.
 */
function openNextSlot(changes: TaskChanges, pass: NodePass, group: string): boolean {
  const tasks = changes.inGroup(group);
  if (tasks.some((t) => t.status === 'PENDING')) return false;
  if (attachedTo(pass, group).some((a) => a.kind === 'after' && !hasDecided(changes, pass, a.group))) return false;
  const next = ruleOf(pass, group).users[tasks.filter((t) => t.status === 'APPROVED').length];
  const template = tasks.at(-1);
  if (next === undefined || template === undefined) return false;
  changes.open(template, next);
  return true;
}

/**
 * After a change in `group`: walks up from it through the groups that have decided, doing what each added group's
 * decision leads to (the operator it was added before gets a task again; a sequence it was added into goes on).
 * True when the node has decided.
 */
export function settle(changes: TaskChanges, pass: NodePass, group: string): boolean {
  for (let current = group; ; ) {
    if (!hasDecided(changes, pass, current)) return false;
    const added = pass.plan.added?.find((a) => a.group === current);
    if (!added) return true;
    if (added.kind === 'before' && resume(changes, pass, added)) return false;
    if (added.kind === 'after' && groupType(pass, added.of) === 'SEQUENTIAL' && openNextSlot(changes, pass, added.of)) return false;
    current = added.of;
  }
}

/** The operator whose task waited for a `before` group acts again, unless their OR group was settled meanwhile. */
function resume(changes: TaskChanges, pass: NodePass, added: AddedGroup): boolean {
  const waiting = changes.find(added.waiting);
  const settled = groupType(pass, added.of) === 'OR' && changes.inGroup(added.of).some((t) => t.status === 'APPROVED');
  if (!waiting || settled) return false;
  changes.open(waiting, waiting.userId);
  return true;
}
