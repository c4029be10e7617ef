/**
 * Writing a state-machine Transition: the instance, its tasks, timeline entries and outbox events, in
 * the caller's transaction, guarded by the instance version so that of two concurrent actions exactly
 * one lands.
 */
import type { ApprovalDefinition } from '../domain/approval/definition.js';
import type { DomainEvent, Instance, Transition } from '../domain/approval/instance.js';
import { settleRevokeRound } from '../domain/approval/revoke-round.js';
import { ok, refuse, type Refusal, type Result } from '../domain/errors.js';
import type { Ids } from '../domain/ids.js';
import type { OutboxEvent, Store } from './ports.js';

/** Another writer changed the instance between our read and our write. */
export class VersionConflict extends Error {
  override name = 'VersionConflict';
}

/** Room for the entries of one transition: seq = version * SEQ_STRIDE + position. */
const SEQ_STRIDE = 1000;
const MAX_ATTEMPTS = 5;

/**
 * What a decision made on a read comes to: writes to make in one transaction (`issue`: statements issued at
 * once, Store.transactionAtOnce, then `answer`), an answer with nothing to write, or a refusal (a value, not a
 * throw: in a busy server a throw cost a refused withdrawal about a tenth of its CPU).
 */
export type Decision<T> =
  | { write: (tx: Store) => Promise<T> }
  | { issue: (tx: Store) => readonly Promise<unknown>[]; answer: T }
  | { done: T }
  | { refused: Refusal };

/**
 * Decides on a read of the current state (its reads issued together share a round trip: Store.reading),
 * then makes the decision's writes in one transaction, where each
 * instance update is guarded by the version read (issueTransition). A refusal costs no transaction. A decision
 * overtaken by another writer is made again from a new read, which then sees the winner's state and answers
 * accordingly; a race lost every time answers 1395001, never a 5xx.
 */
export async function withRetry<T>(store: Store, decide: (read: Store) => Promise<Decision<T>>): Promise<Result<T>> {
  for (let attempt = 1; ; attempt++) {
    const decision = await store.reading(decide);
    if ('refused' in decision) return { ok: false, refusal: decision.refused };
    if ('done' in decision) return ok(decision.done);
    try {
      if ('write' in decision) return ok(await store.transaction(decision.write));
      await store.transactionAtOnce(decision.issue);
      return ok(decision.answer);
    } catch (err) {
      if (!(err instanceof VersionConflict)) throw err;
      if (attempt >= MAX_ATTEMPTS) return refuse(1395001, 'the instance is being changed by other requests; try again');
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

/**
 * Issues a transition's writes in the caller's transaction without waiting for any, and answers their promises,
 * the instance's first (Store.transactionAtOnce). `before` is the instance as read when deciding (absent on
 * create): its update lands only while the instance is still at that version.
 */
export function issueTransition(
  tx: Store,
  tenantKey: string,
  definition: ApprovalDefinition,
  before: Instance | undefined,
  transition: Transition,
  now: number,
  ids: Ids,
): Promise<unknown>[] {
  const { instance } = transition;
  // They run in the order issued, the instance first, so that its row lock is always the first one taken.
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
  // Every statement settles before the outcome is judged (allInOrder, transactionAtOnce): the rollback a failure
  // leads to must come after all of them, or one still in flight would land outside it. A lost race shows first
  // as the guard's miss; what failed after it (the winner's timeline seq, say) is its echo.
  return [
    stored,
    tx.tasks.update(transition.changedTasks),
    tx.tasks.insert(tenantKey, transition.newTasks),
    tx.ccs.insert(tenantKey, transition.newCcs ?? []),
    tx.ccs.markRead(transition.readCcs ?? []),
    tx.timeline.append(instance.code, firstSeq, transition.timeline),
    tx.outbox.append(events),
    // The apps subscribed at commit time receive these events; the dispatcher sends them after the commit.
    tx.deliveries.enqueue(events, now),
  ];
}

/**
 * The original of `instance` when it is a revoke request, read when deciding on an action of it: an action that
 * ends the request settles the original in the same transaction (issueWithRevokeRound), guarded by this read.
 */
export async function revokeRoundOriginal(read: Store, tenantKey: string, instance: Instance): Promise<Instance | undefined> {
  return instance.revertedInstanceCode === null ? undefined : read.instances.find(tenantKey, instance.revertedInstanceCode);
}

/**
 * Issues a transition and, when it ended a revoke request (approved, rejected or withdrawn), the original's side
 * of the round too (`original`, from revokeRoundOriginal): both instances change, or neither.
 */
export function issueWithRevokeRound(
  tx: Store,
  tenantKey: string,
  definition: ApprovalDefinition,
  before: Instance,
  transition: Transition,
  original: Instance | undefined,
  now: number,
  ids: Ids,
): Promise<unknown>[] {
  const settled = original && settleRevokeRound(original, transition.instance, now);
  return [
    ...issueTransition(tx, tenantKey, definition, before, transition, now, ids),
    ...(settled ? issueTransition(tx, tenantKey, definition, original, settled, now, ids) : []),
  ];
}
