/**
 * Statements issued at once (Store.transactionAtOnce): on PostgreSQL the commit leaves in the same write as the
 * statements, before any of their answers, so what would have stopped it after an answer must stop it before:
 * a statement that fails before it is sent, a version guard that misses, a statement issued too late. And the
 * deliveries of a transition's events, chosen by one statement where no receivers are read first.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { DEMO_LEAVE_CODE } from '../src/fixtures/demo.js';
import type { OutboxEvent, Store } from '../src/services/ports.js';
import { kyselyStore } from '../src/storage/kysely-store.js';
import { connect, openStore } from '../src/storage/open-store.js';
import { StatementAfterCommit } from '../src/storage/postgres.js';
import { createLeaveThrough, demoServices } from './helpers/approval.js';
import { rows } from './helpers/db-snapshot.js';
import { createTestDatabase, TEST_STORE } from './helpers/stores.js';

const opened: { close(): Promise<void> }[] = [];
const databases: { drop(): Promise<void> }[] = [];

after(async () => {
  for (const store of opened.reverse()) await store.close();
  await Promise.all(databases.map((database) => database.drop()));
});

/** A new database with the demo data and one PENDING Leave instance of Alice's. */
async function withInstance(): Promise<{ url: string; store: Store; code: string }> {
  const database = await createTestDatabase();
  databases.push(database);
  const store = await openStore(database.url);
  opened.push(store);
  return { url: database.url, store, code: await createLeaveThrough(await demoServices(store)) };
}

const entry = (userId: string) => ({ type: 'PASS' as const, createTime: Date.now(), userId });

const timelineSeqs = async (url: string, code: string) =>
  (await rows(url, 'timeline')).filter((r) => r.instance_code === code).map((r) => Number(r.seq));

test('statements issued at once land together; one that fails before it is sent leaves nothing of the others', async () => {
  const { url, store, code } = await withInstance();
  const [before] = await timelineSeqs(url, code);
  const event = (eventId: string, payload: Record<string, unknown>): OutboxEvent => ({
    eventId,
    tenantKey: 'acme',
    approvalCode: DEMO_LEAVE_CODE,
    instanceCode: code,
    seq: 90_000,
    eventType: 'approval_instance',
    payload,
    createdAt: Date.now(),
  });
  // A payload JSON cannot hold: the outbox write fails in JavaScript, after the timeline's was issued.
  await assert.rejects(
    store.transactionAtOnce((tx) => [tx.timeline.append(code, 90_000, [entry('u_alice')]), tx.outbox.append([event('e-bad', { n: 1n })])]),
    /BigInt/,
  );
  assert.deepEqual(await timelineSeqs(url, code), [before]);
  assert.equal((await rows(url, 'outbox')).some((r) => r.event_id === 'e-bad'), false);

  await store.transactionAtOnce((tx) => [tx.timeline.append(code, 90_000, [entry('u_alice')]), tx.outbox.append([event('e-good', {})])]);
  assert.deepEqual(await timelineSeqs(url, code), [before, 90_000]);
  assert.equal((await rows(url, 'outbox')).some((r) => r.event_id === 'e-good'), true);
});

test('an instance update whose version guard misses rolls back what was issued with it', async () => {
  const { url, store, code } = await withInstance();
  const instance = (await store.instances.find('acme', code))!;
  const [before] = await timelineSeqs(url, code);
  const stale = instance.version - 1;
  let landed: boolean | undefined;
  const outcome = store.transactionAtOnce((tx) => [
    tx.instances.update('acme', { ...instance, version: instance.version + 1, status: 'CANCELED' }, stale, Date.now()).then((l) => {
      landed = l;
    }),
    tx.timeline.append(code, 91_000, [entry('u_alice')]),
  ]);
  if (TEST_STORE === 'postgres') {
    // The commit was on its way before the miss was known: the miss itself aborted the transaction.
    await assert.rejects(outcome, /current transaction is aborted/);
    assert.deepEqual(await timelineSeqs(url, code), [before]);
  } else {
    // SQLite commits after the answers: the caller (issueTransition) turns the miss into a rollback.
    await outcome;
  }
  assert.equal(landed, false);
  assert.equal((await store.instances.find('acme', code))!.status, 'PENDING');
});

test('a statement issued after the commit was sent is refused, not run outside the transaction', { skip: TEST_STORE !== 'postgres' }, async () => {
  const { url, store, code } = await withInstance();
  const [before] = await timelineSeqs(url, code);
  await assert.rejects(
    store.transactionAtOnce((tx) => [
      tx.timeline.append(code, 92_000, [entry('u_alice')]).then(() => tx.timeline.append(code, 93_000, [entry('u_alice')])),
    ]),
    StatementAfterCommit,
  );
  assert.deepEqual(await timelineSeqs(url, code), [before, 92_000]);
});

test("a transition's events go to the subscribed apps with an event URL that take their types, chosen in the transaction", async () => {
  const { url, store, code } = await withInstance();
  const app = (appId: string, event: { url: string; types: string[] | null } | null) =>
    store.directory.upsertApp({
      appId,
      tenantKey: 'acme',
      secretHash: 'x',
      event: event && { url: event.url, encryptKey: null, verificationToken: null, types: event.types },
    });
  await app('cli_default', { url: 'http://127.0.0.1:9/a', types: null });
  await app('cli_tasks', { url: 'http://127.0.0.1:9/b', types: ['approval_task'] });
  await app('cli_updates', { url: 'http://127.0.0.1:9/c', types: ['approval.approval.updated_v4'] });
  await app('cli_no_url', null);
  await app('cli_not_subscribed', { url: 'http://127.0.0.1:9/d', types: null });
  for (const appId of ['cli_default', 'cli_tasks', 'cli_updates', 'cli_no_url']) {
    await store.subscriptions.subscribe(appId, DEMO_LEAVE_CODE, Date.now());
  }
  // Both ways of choosing the apps: the store's own (on SQLite from memory), and one statement (PostgreSQL's way).
  const stores: Store[] = [store];
  if (TEST_STORE === 'sqlite') {
    const plain = kyselyStore(await connect(url), { shared: false });
    opened.push(plain);
    stores.push(plain);
  }
  for (const [n, chooser] of stores.entries()) {
    const events: OutboxEvent[] = (['approval_instance', 'approval_task'] as const).map((eventType, i) => ({
      eventId: `e-${n}-${i}`,
      tenantKey: 'acme',
      approvalCode: DEMO_LEAVE_CODE,
      instanceCode: code,
      seq: 94_000 + n * 10 + i,
      eventType,
      payload: {},
      createdAt: Date.now(),
    }));
    await chooser.transactionAtOnce((tx) => [tx.outbox.append(events), tx.deliveries.enqueue(events, Date.now())]);
    const delivered = (await rows(url, 'deliveries'))
      .filter((r) => String(r.event_id).startsWith(`e-${n}-`))
      .map((r) => `${r.event_id} ${r.app_id} ${r.status} ${Number(r.seq)}`)
      .sort();
    assert.deepEqual(delivered, [
      `e-${n}-0 cli_default pending ${94_000 + n * 10}`,
      `e-${n}-1 cli_default pending ${94_001 + n * 10}`,
      `e-${n}-1 cli_tasks pending ${94_001 + n * 10}`,
    ]);
  }
});
