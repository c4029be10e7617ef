/**
 * Outgoing domain events, the content of the approval_instance / approval_task / approval_cc events of
 * approval-v4.md §5.5-5.6. They are written to the outbox with the change that caused them.
 */
import type { CcEvent } from './cc.js';
import type { NodeDefinition } from './definition.js';
import type { Task, TaskStatus } from './task.js';

export type DomainEvent =
  | {
      kind: 'approval_instance';
      status: 'PENDING' | 'APPROVED' | 'REJECTED' | 'CANCELED' | 'REVERTED';
      operateTime: number;
    }
  | {
      kind: 'approval_task';
      taskId: string;
      userId: string;
      /** The task's new status; ROLLBACK for the task a send-back was made from (stored DONE). */
      status: TaskStatus | 'ROLLBACK';
      operateTime: number;
      nodeId: string;
      /** '' when the node is no longer in the definition. */
      customNodeId: string;
      /** ROLLBACK only: `{"rollback_node_ids":[...],"rollback_custom_node_ids":[...]}`. */
      extra?: string;
    }
  | CcEvent;

export type TaskEvent = Extract<DomainEvent, { kind: 'approval_task' }>;

/** The approval_task event reporting a task's (new) status. */
export function taskEvent(task: Task, now: number, node: NodeDefinition | undefined): TaskEvent {
  return {
    kind: 'approval_task',
    taskId: task.id,
    userId: task.userId,
    status: task.status,
    operateTime: now,
    nodeId: task.nodeId,
    customNodeId: node?.customNodeId ?? '',
  };
}
