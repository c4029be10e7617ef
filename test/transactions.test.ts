/**
 * The guarantees behind "exactly one wins" and "never a half-applied change" (rules.md "Instances and
 * tasks"), at the store level, so that they are tested on SQLite as well as PostgreSQL: on SQLite requests
 * never overlap in time, so only a writer holding a stale read, or a failure in the middle of a change,
 * can show them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { approveTask } from '../src/domain/approval/instance.js';
import { DEMO_LEAVE_CODE } from '../src/fixtures/demo.js';
import type { Store } from '../src/services/ports.js';
import { issueTransition, VersionConflict } from '../src/services/transitions.js';
import { WithdrawalService } from '../src/services/withdrawal-service.js';
import { aliceCancels, createLeave, getInstance, instanceEvents, serve } from './helpers/approval.js';

test('a writer holding a read from before another writer changed the instance is refused and writes nothing', async (t) => {
  const ctx = await serve(t);
  const { services } = ctx.server;
  const { store } = services;
  const code = await createLeave(ctx);
  // Writer A reads the instance and its tasks, and decides to approve.
  const staleInstance = (await store.instances.find('acme', code))!;
  const staleTasks = await store.tasks.listByInstance(code);
  const definition = (await store.approvals.find('acme', DEMO_LEAVE_CODE))!;
  // Writer B withdraws it in between.
  assert.equal((await aliceCancels(ctx, code)).body.code, 0);
  // Writer A's approval, from its stale read, must not land.
  const now = Date.now();
  const approval = approveTask(staleInstance, staleTasks, definition, {
    taskId: staleTasks[0]!.id,
    by: 'u_bob',
    now,
    ids: services.ids.decimals(now),
  });
  assert.ok(approval.ok);
  await assert.rejects(
    store.transactionAtOnce((tx) => issueTransition(tx, 'acme', definition, staleInstance, approval.value, now, services.ids)),
    VersionConflict,
  );
  const instance = await getInstance(ctx, code);
  assert.equal(instance.status, 'CANCELED');
  assert.deepEqual(instance.task_list.map((task: { status: string }) => task.status), ['DONE']);
  assert.deepEqual(instance.timeline.map((e: { type: string }) => e.type), ['START', 'CANCEL']);
  assert.deepEqual(await instanceEvents(ctx, code), ['PENDING', 'CANCELED']);
});

test('a withdrawal that fails after the instance is written, at its outbox, leaves nothing of the change', async (t) => {
  const ctx = await serve(t);
  const { services } = ctx.server;
  const code = await createLeave(ctx);
  const before = await getInstance(ctx, code);
  // The real store, whose transactions fail at the outbox write: after the instance, tasks and timeline.
  const failingOutbox = (tx: Store): Store => ({
    ...tx,
    outbox: {
      ...tx.outbox,
      append: async () => {
        throw new Error('the disk is full');
      },
    },
  });
  const store: Store = { ...services.store, transactionAtOnce: (issue) => services.store.transactionAtOnce((tx) => issue(failingOutbox(tx))) };
  const withdrawals = new WithdrawalService(store, services.clock.clock, services.ids, services.instances);
  await assert.rejects(
    withdrawals.cancel({ tenantKey: 'acme', appId: 'cli_acme_demo' }, {
      approvalCode: DEMO_LEAVE_CODE,
      instanceCode: code,
      userId: 'ou_alice',
      userIdType: 'open_id',
    }),
    /the disk is full/,
  );
  assert.deepEqual(await getInstance(ctx, code), before);
  assert.deepEqual(await instanceEvents(ctx, code), ['PENDING']);
  // And the instance is still whole: the real withdrawal goes through.
  assert.equal((await aliceCancels(ctx, code)).body.code, 0);
});
