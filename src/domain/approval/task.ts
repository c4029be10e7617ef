/** A task: one approver's part in one node of an instance (approval-v4.md §4.3 task statuses and types). */
import type { NodeType } from './definition.js';

export type TaskStatus = 'PENDING' | 'APPROVED' | 'REJECTED' | 'TRANSFERRED' | 'DONE';
/** A task is of its node's type, or AUTO_PASS for a node that passed by itself (nobody on the task). */
export type TaskType = NodeType | 'AUTO_PASS';

export interface Task {
  id: string;
  instanceCode: string;
  /** System node id. */
  nodeId: string;
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
