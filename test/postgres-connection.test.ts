/**
 * How the PostgreSQL adapter uses its connections (src/storage/postgres.ts): statements issued together
 * travel together, a transaction's begin goes with its first statements, and a named statement whose plan a
 * newer migration made stale costs one failure, not a broken node. Counted at the socket: each write to
 * PostgreSQL is a system call and a round trip's worth of waiting.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { Store } from '../src/services/ports.js';
import { openStore } from '../src/storage/open-store.js';
import { openPostgres } from '../src/storage/postgres.js';
import { aliceCancels, approveAs, assertSuccess, createLeave, getInstance } from './helpers/approval.js';
import { tenantToken } from './helpers/http.js';
import { startTestServer } from './helpers/server.js';
import { createTestDatabase, onPostgres, POSTGRES_URL, TEST_STORE, type TestDatabase } from './helpers/stores.js';

const PG_PORT = Number(new URL(POSTGRES_URL).port || 5432);

/** Counts the writes made to PostgreSQL's port while `work` runs. */
async function writesDuring(work: () => Promise<unknown>): Promise<number> {
  const socket = net.Socket.prototype as unknown as Record<'_write' | '_writev', (...args: unknown[]) => unknown>;
  const originals = { _write: socket._write, _writev: socket._writev };
  let writes = 0;
  for (const method of ['_write', '_writev'] as const) {
    socket[method] = function (this: net.Socket, ...args: unknown[]) {
      if (this.remotePort === PG_PORT) writes++;
      return originals[method].apply(this, args);
    };
  }
  try {
    await work();
  } finally {
    Object.assign(socket, originals);
  }
  return writes;
}

describe('PostgreSQL connections', { skip: TEST_STORE !== 'postgres' && 'needs SHENPI_TEST_STORE=postgres' }, () => {
  let database: TestDatabase;
  let store: Store;

  before(async () => {
    database = await createTestDatabase('postgres');
    // One connection: every statement below shares it, as a busy node's requests share theirs.
    store = await openStore(database.url, { poolSize: 1 });
  });

  after(async () => {
    await store.close();
    await database.drop();
  });

  const threeReads = (read: Store) =>
    Promise.all([read.state.get('k'), read.approvals.find('acme', 'NO-SUCH-APPROVAL'), read.instances.find('acme', 'NO-SUCH-INSTANCE')]);

  test('reads issued together in one reading reach PostgreSQL in one write', async () => {
    // The first run prepares the statements (and opens the connection); the count is of a later one.
    await store.reading(threeReads);
    assert.equal(await writesDuring(() => store.reading(threeReads)), 1);
    assert.equal(store.batchesReads, true);
  });

  test('a reading inside a reading shares its connection rather than waiting for a second one', async () => {
    // One connection in the pool: a nested reading that asked for another would wait for the pool's time-out.
    const found = await store.reading((outer) => outer.reading((inner) => inner.state.get('nested')));
    assert.equal(found, undefined);
    assert.equal(await writesDuring(() => store.reading((outer) => outer.reading(threeReads))), 1);
  });

  test("a transaction's begin travels with its first statements, its commit after them", async () => {
    const writes = await writesDuring(() => store.transaction((tx) => Promise.all([tx.state.set('a', '1'), tx.state.set('b', '2')])));
    assert.equal(writes, 2);
    assert.deepEqual(await Promise.all([store.state.get('a'), store.state.get('b')]), ['1', '2']);
  });

  test('a transaction that fails after its statements were sent keeps none of them', async () => {
    await assert.rejects(
      store.transaction(async (tx) => {
        await Promise.all([tx.state.set('c', '1'), tx.state.set('d', '1')]);
        throw new Error('refused after writing');
      }),
      /refused after writing/,
    );
    assert.deepEqual(await Promise.all([store.state.get('c'), store.state.get('d')]), [undefined, undefined]);
  });

  test('a statement made stale by a newer migration fails once on a connection, which then runs unnamed', async () => {
    await store.approvals.find('acme', 'NO-SUCH-APPROVAL');
    // What a newer node's migration may do: the prepared `select *` now has a different result type.
    const schema = new URL(database.url).searchParams.get('schema')!;
    await onPostgres((client) => client.query(`alter table ${schema}.approvals add column added_later text`));
    await assert.rejects(store.approvals.find('acme', 'NO-SUCH-APPROVAL'), { code: '0A000' });
    assert.equal(await store.approvals.find('acme', 'NO-SUCH-APPROVAL'), undefined);
    assert.equal(await store.approvals.find('acme', 'NO-SUCH-APPROVAL'), undefined);
  });

  test('a statement missing from the server (a pooler moved the session) fails once on a connection, which then runs unnamed', async () => {
    const { db } = openPostgres({ url: database.url, poolSize: 1 });
    try {
      const read = () => sql<{ value: string }>`select ${'x'}::text as value`.execute(db);
      await read();
      // What a transaction-mode pooler without prepared-statement support looks like: the next server session
      // has none of the statements this connection prepared.
      await sql`deallocate all`.execute(db);
      await assert.rejects(read(), { code: '26000' });
      assert.deepEqual((await read()).rows, [{ value: 'x' }]);
    } finally {
      await db.destroy();
    }
  });

  test('a node of one connection serves concurrent actions: no request holds a connection while it waits for another', async (t) => {
    const server = await startTestServer({ poolSize: 1 }, { store: 'postgres' });
    t.after(() => server.close());
    const ctx = { server, url: server.url, token: await tenantToken(server.url) };
    const codes = await Promise.all(Array.from({ length: 8 }, () => createLeave(ctx)));
    // Each kind of request, many at once: one that held its connection while asking for a second would wait
    // for itself until the pool's time-out, and answer 1395001.
    await Promise.all([
      ...codes.slice(0, 4).map(async (code) => assertSuccess(await aliceCancels(ctx, code))),
      ...codes.slice(4).map((code) => approveAs(ctx, code, 'ou_bob')),
      ...codes.map((code) => getInstance(ctx, code)),
    ]);
    const statuses = await Promise.all(codes.map(async (code) => (await getInstance(ctx, code)).status));
    assert.deepEqual(statuses, ['CANCELED', 'CANCELED', 'CANCELED', 'CANCELED', 'APPROVED', 'APPROVED', 'APPROVED', 'APPROVED']);
  });
});
