/**
 * Definitions, users, departments and event receivers kept in memory on SQLite: served from memory while nothing
 * changed, read again the moment this connection, a rollback or another connection (another process) may have
 * changed them.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { createServices } from '../services/index.js';
import { demoFixture, DEMO_LEAVE_CODE } from '../fixtures/demo.js';
import { openStore } from './open-store.js';
import { RowCache, TableChanges } from './row-cache.js';

/** A TableChanges over a data_version the test moves by hand. */
function changesByHand() {
  const state = { dataVersion: 1 };
  return { state, changes: new TableChanges(/\bwatched\b/, () => state.dataVersion) };
}

test('a row is read once while nothing changes, and again after a change of this connection or of another', async () => {
  const { state, changes } = changesByHand();
  const cache = new RowCache(changes);
  let reads = 0;
  const read = async () => ({ n: ++reads });
  assert.deepEqual(await cache.get('k', read), { n: 1 });
  assert.deepEqual(await cache.get('k', read), { n: 1 });
  changes.touch();
  assert.deepEqual(await cache.get('k', read), { n: 2 });
  state.dataVersion++;
  assert.deepEqual(await cache.get('k', read), { n: 3 });
  assert.deepEqual(await cache.get('k', read), { n: 3 });
});

test('an absent row is kept too, and a value read while a change happened is not kept', async () => {
  const { changes } = changesByHand();
  const cache = new RowCache(changes);
  let reads = 0;
  const absent = async () => {
    reads++;
    return undefined;
  };
  await cache.get('gone', absent);
  await cache.get('gone', absent);
  assert.equal(reads, 1);
  const changedMeanwhile = async () => {
    changes.touch();
    return 'old';
  };
  assert.equal(await cache.get('racy', changedMeanwhile), 'old');
  assert.equal(await cache.get('racy', async () => 'new'), 'new');
});

test('a list is served from memory only when every key is there; otherwise read whole', async () => {
  const { changes } = changesByHand();
  const cache = new RowCache(changes);
  const lists: string[][] = [];
  const read = (keys: string[]) => async () => {
    lists.push(keys);
    return keys.map((k) => (k === 'none' ? undefined : k.toUpperCase()));
  };
  assert.deepEqual(await cache.getMany(['a', 'none'], read(['a', 'none'])), ['A', undefined]);
  assert.deepEqual(await cache.getMany(['none', 'a'], read(['none', 'a'])), [undefined, 'A']);
  assert.deepEqual(await cache.getMany(['a', 'b'], read(['a', 'b'])), ['A', 'B']);
  assert.deepEqual(lists, [['a', 'none'], ['a', 'b']]);
});

test('reads issued together share one data_version read; a read issued later reads it again', async () => {
  const state = { dataVersion: 1, reads: 0 };
  const changes = new TableChanges(/\bwatched\b/, () => {
    state.reads++;
    return state.dataVersion;
  });
  const cache = new RowCache(changes);
  const read = (value: string) => async () => value;
  await cache.get('a', read('A'));
  await cache.getMany(['b'], async () => ['B']);
  state.reads = 0;
  // Served from memory, all three issued in one run of code: one pragma.
  assert.deepEqual(await Promise.all([cache.get('a', read('X')), cache.getMany(['b'], async () => ['X']), cache.get('a', read('X'))]), ['A', ['B'], 'A']);
  assert.equal(state.reads, 1);
  // Another connection commits: the next read, issued after, sees it.
  state.dataVersion++;
  assert.equal(await cache.get('a', read('A2')), 'A2');
  assert.ok(state.reads >= 2);
  // This connection's own change counts at once, in the same run of code too.
  await cache.get('b', read('B2'));
  const first = cache.get('b', read('X'));
  changes.touch();
  assert.deepEqual(await Promise.all([first, cache.get('b', read('B3'))]), ['B2', 'B3']);
});

test('writes to the watched tables and rollbacks count as changes; other statements do not', () => {
  const { changes } = changesByHand();
  assert.equal(changes.changes('update "watched" set x = ?', false), true);
  assert.equal(changes.changes('insert into watched (x) values (?) returning x', false), true);
  assert.equal(changes.changes('select * from "watched"', true), false);
  assert.equal(changes.changes('update "other" set watched_id = ?', false), false);
  assert.equal(changes.changes('rollback', true), true);
  assert.equal(changes.changes('rollback to group_item', true), true);
  assert.equal(changes.changes('release group_item', true), false);
});

async function sqliteStore(t: TestContext) {
  const folder = mkdtempSync(join(tmpdir(), 'shenpi-row-cache-'));
  const path = join(folder, 'shenpi.sqlite');
  const store = await openStore(`sqlite:${path}`);
  t.after(async () => {
    await store.close();
    rmSync(folder, { recursive: true, force: true });
  });
  await createServices(store, { emulator: false }).fixtures.load(demoFixture);
  return { store, path };
}

test('SQLite: a user or a department changed through the store is read anew at once', async (t) => {
  const { store } = await sqliteStore(t);
  const alice = await store.directory.findUser('acme', 'open_id', 'ou_alice');
  assert.equal(alice?.name, 'Alice');
  await store.directory.upsertUser({ ...alice!, name: 'Alice B.' });
  assert.equal((await store.directory.findUser('acme', 'open_id', 'ou_alice'))?.name, 'Alice B.');
  assert.deepEqual((await store.directory.findUsers('acme', ['u_alice'])).map((u) => u.name), ['Alice B.']);
  const eng = (await store.directory.findDepartment('acme', 'eng'))!;
  assert.equal(eng.leaderUserId, 'u_carol');
  await store.directory.upsertDepartment({ ...eng, leaderUserId: 'u_dave' });
  assert.equal((await store.directory.findDepartment('acme', 'eng'))?.leaderUserId, 'u_dave');
});

test('SQLite: users, definitions and departments changed by another connection are read anew at once', async (t) => {
  const { store, path } = await sqliteStore(t);
  assert.equal((await store.directory.findUser('acme', 'user_id', 'u_bob'))?.name, 'Bob');
  assert.deepEqual((await store.directory.findUsers('acme', ['u_bob', 'u_carol'])).map((u) => u.name).sort(), ['Bob', 'Carol']);
  assert.equal((await store.approvals.find('acme', DEMO_LEAVE_CODE))?.status, 'ACTIVE');
  assert.equal((await store.directory.findDepartment('acme', 'eng'))?.name, 'Engineering');
  const other = new BetterSqlite3(path);
  other.prepare("update users set name = 'Robert' where user_id = 'u_bob'").run();
  other.prepare("update approvals set status = 'INACTIVE' where approval_code = ?").run(DEMO_LEAVE_CODE);
  other.prepare("update departments set name = 'R&D' where department_id = 'eng'").run();
  other.close();
  // As the next request would: a read sees another connection's commits from the event after them (sqlite.ts).
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal((await store.directory.findUser('acme', 'user_id', 'u_bob'))?.name, 'Robert');
  assert.deepEqual((await store.directory.findUsers('acme', ['u_bob', 'u_carol'])).map((u) => u.name).sort(), ['Carol', 'Robert']);
  assert.equal((await store.approvals.find('acme', DEMO_LEAVE_CODE))?.status, 'INACTIVE');
  assert.equal((await store.directory.findDepartment('acme', 'eng'))?.name, 'R&D');
});

test('SQLite: a change rolled back is never served', async (t) => {
  const { store } = await sqliteStore(t);
  const alice = (await store.directory.findUser('acme', 'open_id', 'ou_alice'))!;
  await assert.rejects(
    store.transaction(async (tx) => {
      await tx.directory.upsertUser({ ...alice, name: 'Never' });
      assert.equal((await tx.directory.findUser('acme', 'open_id', 'ou_alice'))?.name, 'Never');
      throw new Error('undo');
    }),
    /undo/,
  );
  assert.equal((await store.directory.findUser('acme', 'open_id', 'ou_alice'))?.name, 'Alice');
});

test('SQLite: the users and departments served from memory are frozen, so no request can change another\'s', async (t) => {
  const { store } = await sqliteStore(t);
  const alice = (await store.directory.findUser('acme', 'open_id', 'ou_alice'))!;
  assert.throws(() => {
    (alice as { name: string }).name = 'Mallory';
  }, TypeError);
  assert.throws(() => (alice.departmentIds as string[]).push('fin'), TypeError);
  const eng = (await store.directory.findDepartment('acme', 'eng'))!;
  assert.throws(() => {
    (eng as { leaderUserId: string | null }).leaderUserId = null;
  }, TypeError);
});

test("SQLite: an approval's event receivers, read in transactions, follow every change at once", async (t) => {
  const { store, path } = await sqliteStore(t);
  const receivers = () => store.transaction((tx) => tx.subscriptions.receivers(DEMO_LEAVE_CODE));
  const app = (await store.directory.findApp('cli_acme_demo'))!;
  await store.directory.upsertApp({ ...app, event: { url: 'http://127.0.0.1:9/events', encryptKey: null, verificationToken: null, types: null } });
  assert.deepEqual(await receivers(), []);
  // Subscribed in a transaction that is rolled back: its own reads see it, nobody else ever does.
  await assert.rejects(
    store.transaction(async (tx) => {
      await tx.subscriptions.subscribe('cli_acme_demo', DEMO_LEAVE_CODE, 1);
      assert.deepEqual((await tx.subscriptions.receivers(DEMO_LEAVE_CODE)).map((r) => r.appId), ['cli_acme_demo']);
      throw new Error('undo');
    }),
    /undo/,
  );
  assert.deepEqual(await receivers(), []);
  await store.subscriptions.subscribe('cli_acme_demo', DEMO_LEAVE_CODE, 1);
  assert.deepEqual((await receivers()).map((r) => r.appId), ['cli_acme_demo']);
  // The app's event types changed by another process.
  const other = new BetterSqlite3(path);
  other.prepare(`update apps set event_types = '["approval_instance"]' where app_id = 'cli_acme_demo'`).run();
  other.close();
  assert.deepEqual((await receivers()).map((r) => r.eventTypes), [['approval_instance']]);
  await store.subscriptions.unsubscribe('cli_acme_demo', DEMO_LEAVE_CODE);
  assert.deepEqual(await receivers(), []);
});
