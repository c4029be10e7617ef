/**
 * Node numbers leased from the database (services/node-lease.ts): every process writing to one database holds a
 * different one while it runs, and its decimal ids carry it. Several stores on one database stand for processes.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Ids } from '../src/domain/ids.js';
import { LEASE_MS, NodeLease, NodeNumbersTakenError } from '../src/services/node-lease.js';
import type { Store } from '../src/services/ports.js';
import { openStore } from '../src/storage/open-store.js';
import { rows } from './helpers/db-snapshot.js';
import { createTestDatabase, TEST_STORE } from './helpers/stores.js';
import { proxiedPostgres } from './helpers/tcp-proxy.js';
import { waitFor } from './helpers/wait.js';

const databases: { drop(): Promise<void> }[] = [];
const stores: Store[] = [];

after(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await Promise.all(databases.map((database) => database.drop()));
});

/** A new database, and `count` stores on it, as separate processes would have. */
async function processesOn(count: number): Promise<{ url: string; stores: Store[] }> {
  const database = await createTestDatabase();
  databases.push(database);
  const opened: Store[] = [];
  // One after the other: each migrates (the first does the work) before the next opens.
  for (let i = 0; i < count; i++) opened.push(await openStore(database.url));
  stores.push(...opened);
  return { url: database.url, stores: opened };
}

const nodeOf = (ids: Ids) => ids.decimal(Date.now()).slice(16);

test('processes on one database lease different node numbers, and their ids carry them; a released number is taken again', async () => {
  const { url, stores: [a, b, c] } = await processesOn(3);
  const ids = [Ids.random(), Ids.random(), Ids.random()];
  const first = await NodeLease.acquire(a!, ids[0]!);
  const second = await NodeLease.acquire(b!, ids[1]!);
  assert.deepEqual([first.node, second.node], [0, 1]);
  assert.deepEqual([nodeOf(ids[0]!), nodeOf(ids[1]!)], ['000', '001']);
  assert.equal((await rows(url, 'node_leases')).length, 2);

  await first.release();
  assert.deepEqual((await rows(url, 'node_leases')).map((r) => Number(r.node)), [1]);
  const third = await NodeLease.acquire(c!, ids[2]!);
  assert.equal(third.node, 0);
  assert.equal(nodeOf(ids[2]!), '000');
  await Promise.all([second.release(), third.release()]);
  assert.deepEqual(await rows(url, 'node_leases'), []);
});

test('processes starting at once each get a number of their own', async () => {
  const { stores: opened } = await processesOn(6);
  const leases = await Promise.all(opened.map((store) => NodeLease.acquire(store, Ids.random())));
  try {
    assert.deepEqual(leases.map((l) => l.node).sort((x, y) => x - y), [0, 1, 2, 3, 4, 5]);
  } finally {
    await Promise.all(leases.map((l) => l.release()));
  }
});

test('a lease left unrenewed expires: a new process takes its number, and the old holder moves to a free one and says so', async () => {
  const { stores: [a, b] } = await processesOn(2);
  let clock = 1_800_000_000_000;
  const now = () => clock;
  const warnings: string[] = [];
  const stalled = Ids.random();
  const old = await NodeLease.acquire(a!, stalled, { now, warn: (m) => warnings.push(m) });
  assert.equal(old.node, 0);

  clock += LEASE_MS - 1;
  const early = await NodeLease.acquire(b!, Ids.random(), { now });
  assert.equal(early.node, 1, 'a lease within its minute is kept');
  await early.release();

  clock += 2;
  const newcomer = Ids.random();
  const next = await NodeLease.acquire(b!, newcomer, { now });
  assert.equal(next.node, 0, 'the expired number is free again');

  await old.renew();
  assert.equal(old.node, 1);
  assert.equal(nodeOf(stalled), '001');
  assert.equal(nodeOf(newcomer), '000');
  assert.match(warnings.join('\n'), /node number 0 was lost .*now carry 1/);
  await Promise.all([old.release(), next.release()]);
});

test('a lease is renewed on its timer, so that it never expires while its process runs', async () => {
  const { url, stores: [a] } = await processesOn(1);
  const lease = await NodeLease.acquire(a!, Ids.random(), { renewEveryMs: 20 });
  try {
    const [row] = await rows(url, 'node_leases');
    const first = Number(row!.expires_at);
    await waitFor('a renewal', async () => Number((await rows(url, 'node_leases'))[0]!.expires_at) > first || undefined);
  } finally {
    await lease.release();
  }
});

test('a renewal that fails while the database is away is said once, and the lease is renewed again once it is back', { skip: TEST_STORE !== 'postgres' && 'needs SHENPI_TEST_STORE=postgres' }, async (t) => {
  const { url, directUrl, proxy } = await proxiedPostgres(t);
  const store = await openStore(url);
  stores.push(store);
  const warnings: string[] = [];
  const lease = await NodeLease.acquire(store, Ids.random(), { renewEveryMs: 50, warn: (m) => warnings.push(m) });
  await proxy.cut();
  await waitFor('a failed renewal', () => (warnings.length > 0 ? true : undefined));
  await proxy.restore();
  await waitFor('the renewal after the outage', () => (warnings.length > 1 ? true : undefined));
  assert.equal(warnings.length, 2, warnings.join('\n'));
  assert.match(warnings[0]!, /^node number 0: its lease could not be renewed: /);
  assert.equal(warnings[1], 'node number 0: its lease is renewed again');
  assert.equal(lease.node, 0);
  await lease.release();
  assert.deepEqual(await rows(directUrl, 'node_leases'), []);
});

test('with every number held, a process is refused with a reason', async () => {
  const { stores: [a] } = await processesOn(1);
  const until = Date.now() + LEASE_MS;
  await a!.transaction(async (tx) => {
    for (let node = 0; node < 1000; node++) assert.ok(await tx.nodeLeases.take(node, `other-${node}`, until));
  });
  await assert.rejects(NodeLease.acquire(a!, Ids.random()), (err: Error) => {
    assert.ok(err instanceof NodeNumbersTakenError);
    assert.match(err.message, /all 1000 node numbers are held/);
    return true;
  });
});

test('a reset of the data keeps the leases of the running processes', async () => {
  const { url, stores: [a] } = await processesOn(1);
  const lease = await NodeLease.acquire(a!, Ids.random());
  await a!.deleteAll();
  await a!.load(await a!.dump());
  assert.deepEqual((await rows(url, 'node_leases')).map((r) => Number(r.node)), [lease.node]);
  await lease.release();
});
