/**
 * Writing a state-machine Transition: the instance, its tasks, timeline entries and outbox events, in
 * the caller's transaction, guarded by the instance version so that of two concurrent actions exactly
 * one lands.
 */
import type { ApprovalDefinition } from '../domain/approval/definition.js';
import type { DomainEvent, Instance, Transition } from '../domain/approval/instance.js';
import { settleRevokeRound } from '../domain/approval/revoke-round.js';
import { FeishuError } from '../domain/errors.js';
import type { Ids } from '../domain/ids.js';
import { allInOrder } from '../util/in-order.js';
import type { OutboxEvent, Store } from './ports.js';

/** Another writer changed the instance between our read and our write. */
export class VersionConflict extends Error {
  override name = 'VersionConflict';
}

/** Room for the entries of one transition: seq = version * SEQ_STRIDE + position. */
const SEQ_STRIDE = 1000;
const MAX_ATTEMPTS = 5;

/** What a decision made on a read comes to: writes to make in one transaction, or an answer with nothing to write. */
export type Decision<T> = { write: (tx: Store) => Promise<T> } | { done: T };

/**
 * Decides on a read of the current state (its reads issued together share a round trip: Store.reading),
 * then makes the decision's writes in one transaction, where each
 * instance update is guarded by the version read (applyTransition). A refusal costs no transaction. A decision
 * overtaken by another writer is made again from a new read, which then sees the winner's state and answers
 * accordingly; a race lost every time answers 1395001, never a 5xx.
 */
export async function withRetry<T>(store: Store, decide: (read: Store) => Promise<Decision<T>>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const decision = await store.reading(decide);
    if ('done' in decision) return decision.done;
    try {
      return await store.transaction(decision.write);
    } catch (err) {
      if (!(err instanceof VersionConflict)) throw err;
      if (attempt >= MAX_ATTEMPTS) {
        throw new FeishuError(1395001, 'the instance is being changed by other requests; try again');
      }
    }
  }
}

function eventPayload(event: DomainEvent, instance: Instance, definition: ApprovalDefinition): Record<string, unknown> {
  const common = { approval_code: instance.approvalCode, instance_code: instance.code };
  if (event.kind === 'approval_instance') {
    const time = String(event.operateTime);
    return {
      type: 'approval_instance',
      ...common,
      status: event.status,
      // Feishu sends REVERTED with a numeric operate_time, every other status with a string.
      operate_time: event.status === 'REVERTED' ? event.operateTime : time,
      instance_operate_time: time,
      uuid: instance.uuid ?? '',
    };
  }
  if (event.kind === 'approval_cc') {
    // Feishu names both users by user_id here (no open_id), and create_time is a number.
    return {
      type: 'approval_cc',
      ...common,
      id: event.ccId,
      user_id: event.userId,
      create_time: event.createTime,
      operate: event.operate,
      from: event.from,
    };
  }
  const node = definition.nodes.find((n) => n.nodeId === event.nodeId);
  return {
    type: 'approval_task',
    ...common,
    task_id: event.taskId,
    // A tenant user_id; the delivery turns it into the receiving app's ids.
    user_id: event.userId,
    status: event.status,
    operate_time: String(event.operateTime),
    custom_key: node?.customNodeId ?? event.customNodeId,
    def_key: event.nodeId,
    ...(event.extra !== undefined ? { extra: event.extra } : {}),
  };
}

/** Stores a transition. `before` is the instance as read in this transaction (absent on create). */
export async function applyTransition(
  tx: Store,
  tenantKey: string,
  definition: ApprovalDefinition,
  before: Instance | undefined,
  transition: Transition,
  now: number,
  ids: Ids,
): Promise<void> {
  const { instance } = transition;
  // Issued together, not one after another: on PostgreSQL they travel in one pipeline. They run in the order
  // issued, the instance first, so that its row lock is always the first one taken.
  const stored = before
    ? tx.instances.update(tenantKey, instance, before.version, now).then((landed) => {
        if (!landed) throw new VersionConflict();
      })
    : tx.instances.insert(tenantKey, instance, now, ids.decimal(now));
  const firstSeq = instance.version * SEQ_STRIDE;
  const events: OutboxEvent[] = transition.events.map((event, i) => ({
    eventId: ids.decimal(now),
    tenantKey,
    approvalCode: instance.approvalCode,
    instanceCode: instance.code,
    seq: firstSeq + i,
    eventType: event.kind,
    payload: eventPayload(event, instance, definition),
    createdAt: now,
  }));
  const writes = [
    tx.tasks.update(transition.changedTasks),
    tx.tasks.insert(tenantKey, transition.newTasks),
    tx.ccs.insert(tenantKey, transition.newCcs ?? []),
    tx.ccs.markRead(transition.readCcs ?? []),
    tx.timeline.append(instance.code, firstSeq, transition.timeline),
    tx.outbox.append(events),
  ];
  // The subscribed apps at commit time receive these events; the dispatcher sends them after the commit.
  const receivers = tx.subscriptions.receivers(instance.approvalCode);
  // Every statement settles before the outcome is judged: the rollback a failure leads to must come after all
  // of them, or one still in flight would land outside it. A lost race shows first as the guard's miss; what
  // failed after it (the winner's timeline seq, say) is its echo.
  const [, , subscribed] = await allInOrder([stored, allInOrder(writes), receivers] as const);
  await tx.deliveries.enqueue(events, subscribed, now);
}

/**
 * Stores a transition and, when it ended a revoke request (approved, rejected or withdrawn), the
 * original's side of the round too, in the same transaction: both instances change, or neither.
 */
export async function applyWithRevokeRound(
  tx: Store,
  tenantKey: string,
  definition: ApprovalDefinition,
  before: Instance,
  transition: Transition,
  now: number,
  ids: Ids,
): Promise<void> {
  await applyTransition(tx, tenantKey, definition, before, transition, now, ids);
  const request = transition.instance;
  if (request.revertedInstanceCode === null) return;
  const original = await tx.instances.find(tenantKey, request.revertedInstanceCode);
  const settled = original && settleRevokeRound(original, request, now);
  if (settled) await applyTransition(tx, tenantKey, definition, original, settled, now, ids);
}
