/** A task: one approver's part in one node of an instance (approval-v4.md §4.3 task statuses and types). */
import type { NodeType } from './definition.js';
import type { IdSource } from './ids.js';

export type TaskStatus = 'PENDING' | 'APPROVED' | 'REJECTED' | 'TRANSFERRED' | 'DONE';
/** A task is of its node's type, or AUTO_PASS for a node that passed by itself (nobody on the task). */
export type TaskType = NodeType | 'AUTO_PASS';

export interface Task {
  id: string;
  instanceCode: string;
  /** System node id. */
  nodeId: string;
  /**
   * The tasks that decide together (task-groups.ts): the node's own approvers in one pass of the node, or the
   * users one add_sign added.
   */
  group: string;
  userId: string;
  status: TaskStatus;
  type: TaskType;
  startTime: number;
  /** 0 while pending. */
  endTime: number;
  /** Copied from the node when the task is made, so that a later definition overwrite cannot change it. */
  requireSignature: boolean;
}

/** When a task last changed (tasks/search's `update_time`): its end once it has ended, else its start. */
export const taskUpdateTime = (task: Pick<Task, 'startTime' | 'endTime'>): number => task.endTime || task.startTime;

/** What a new task takes over from the task or node it is made for. */
export type TaskTemplate = Pick<Task, 'instanceCode' | 'nodeId' | 'group' | 'type' | 'requireSignature'>;

export const openTask = (template: TaskTemplate, userId: string, now: number, ids: IdSource): Task => ({
  id: ids.next(),
  instanceCode: template.instanceCode,
  nodeId: template.nodeId,
  group: template.group,
  userId,
  status: 'PENDING',
  type: template.type,
  startTime: now,
  endTime: 0,
  requireSignature: template.requireSignature,
});

export const closeTask = (task: Task, status: TaskStatus, now: number): Task => ({ ...task, status, endTime: now });
