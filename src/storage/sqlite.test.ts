/**
 * The SQLite connection under kysely: rows as objects, statements that need not wait run at once, reads issued
 * together share one read, and transactions that take the write lock as they begin, waiting for another
 * process's without blocking.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, type Kysely } from 'kysely';
import { GroupCommit } from './group-commit.js';
import { execute } from './prepared.js';
import type { Database } from './schema.js';
import { openSqlite, withStatementCache } from './sqlite.js';

/** A store's connection on a new file, and a second connection to the same file, to look from outside. */
function open(t: TestContext) {
  const folder = mkdtempSync(join(tmpdir(), 'shenpi-sqlite-'));
  const path = join(folder, 'db.sqlite');
  const { db } = openSqlite({ path, synchronous: 'NORMAL' });
  // Another process's connection, which never waits for a lock: it fails at once with SQLITE_BUSY.
  const outside = new BetterSqlite3(path, { timeout: 0 });
  outside.exec('create table server_state (key text primary key, value text not null)');
  t.after(async () => {
    outside.close();
    await db.destroy().catch(() => undefined);
    rmSync(folder, { recursive: true, force: true });
  });
  const stored = () => (outside.prepare('select key from server_state order by key').pluck().all() as string[]).join(',');
  return { db, stored, outside };
}

const insert = (key: string) => CompiledQuery.raw('insert into server_state (key, value) values (?, ?)', [key, 'v']);
const keys = CompiledQuery.raw('select key from server_state order by key');
/** The same read, built by kysely (a select: statements of that kind outside a transaction share one read). */
const selectKeys = (db: Kysely<Database>) => db.selectFrom('server_state').select('key').orderBy('key').compile();

test('rows come back as objects of their columns, in order, a later column of the same name winning', () => {
  const database = withStatementCache(new BetterSqlite3(':memory:'));
  const statement = database.prepare("select 1 as a, 'x' as b, null as c, 2 as a");
  assert.deepEqual(statement.all([]), [{ a: 2, b: 'x', c: null }]);
  assert.deepEqual(Object.keys((statement.all([]) as object[])[0]!), ['a', 'b', 'c']);
  assert.deepEqual([...statement.iterate([])], [{ a: 2, b: 'x', c: null }]);
  const values = database.prepare('select value as v from (select 1 as value union all select 2) order by v');
  assert.deepEqual(values.all([]), [{ v: 1 }, { v: 2 }]);
  database.close();
});

test('a write that returns rows answers objects too, and its listeners still hear it', () => {
  const connection = new BetterSqlite3(':memory:');
  connection.exec('create table t (id integer primary key, name text)');
  let writes = 0;
  const database = withStatementCache(connection, { wrote: () => writes++ });
  assert.deepEqual(database.prepare('insert into t (name) values (?) returning id, name').all(['a']), [{ id: 1, name: 'a' }]);
  assert.equal(writes, 1);
  database.close();
});

test('a statement on the free connection has run when execute returns, before its promise settles', async (t) => {
  const { db, stored } = open(t);
  await execute(db, insert('first'));
  const pending = execute(db, insert('second'));
  assert.equal(stored(), 'first,second');
  assert.equal((await pending).numAffectedRows, 1n);
});

const nextEvent = () => new Promise((resolve) => setImmediate(resolve));

test('reads outside a transaction share one read (one snapshot) with the reads chained to them; the next event reads anew', async (t) => {
  const { db, outside } = open(t);
  await execute(db, insert('first'));
  await nextEvent();
  const before = execute(db, selectKeys(db));
  // Another process commits between two reads of one run of code: the second still reads the first's snapshot,
  // whether issued with it or once it was answered (a request's second wave of reads).
  outside.prepare('insert into server_state (key, value) values (?, ?)').run('theirs', 'v');
  const after = execute(db, selectKeys(db));
  assert.deepEqual((await before).rows, [{ key: 'first' }]);
  assert.deepEqual((await after).rows, [{ key: 'first' }]);
  assert.deepEqual((await execute(db, selectKeys(db))).rows, [{ key: 'first' }]);
  await nextEvent();
  assert.deepEqual((await execute(db, selectKeys(db))).rows, [{ key: 'first' }, { key: 'theirs' }]);
});

test('a write or a transaction right after reads of the same run of code ends their read first, and lands', async (t) => {
  const { db, stored } = open(t);
  await execute(db, insert('first'));
  const read = execute(db, selectKeys(db));
  const written = execute(db, insert('second'));
  const transaction = db.transaction().execute((trx) => execute(trx, insert('third')));
  assert.deepEqual((await read).rows, [{ key: 'first' }]);
  await Promise.all([written, transaction]);
  assert.equal(stored(), 'first,second,third');
  assert.deepEqual((await execute(db, selectKeys(db))).rows, [{ key: 'first' }, { key: 'second' }, { key: 'third' }]);
});

test("a statement outside a transaction never runs inside it: it waits for the transaction's end", async (t) => {
  const { db } = open(t);
  let outsideRead: ReturnType<typeof execute> | undefined;
  await assert.rejects(
    db.transaction().execute(async (trx) => {
      await execute(trx, insert('rolled-back'));
      // Run at once, it would read the transaction's uncommitted row.
      outsideRead = execute(db, keys);
      throw new Error('roll back');
    }),
    /roll back/,
  );
  assert.deepEqual((await outsideRead!).rows, []);
});

test("a transaction's statements run at once on its connection, and land with it", async (t) => {
  const { db, stored } = open(t);
  await db.transaction().execute(async (trx) => {
    const first = execute(trx, insert('a'));
    const second = execute(trx, insert('b'));
    assert.deepEqual((await execute(trx, keys)).rows, [{ key: 'a' }, { key: 'b' }]);
    await Promise.all([first, second]);
    assert.equal(stored(), '', 'not committed yet');
  });
  assert.equal(stored(), 'a,b');
});

test('a failing statement run at once rejects its promise instead of throwing, and a closed store refuses', async (t) => {
  const { db } = open(t);
  await execute(db, insert('twice'));
  const failing = execute(db, insert('twice'));
  await assert.rejects(failing, /UNIQUE constraint failed/);
  await db.destroy();
  await assert.rejects(execute(db, keys));
});

test('a transaction holds the write lock from its begin, before its first write', async (t) => {
  const { db, outside } = open(t);
  await db.transaction().execute(async (trx) => {
    await execute(trx, keys);
    // Deferred, the transaction would take the lock only at its first write, and fail then (SQLITE_BUSY,
    // whatever the busy timeout) had another process committed since its read.
    assert.throws(() => outside.exec('begin immediate'), { code: 'SQLITE_BUSY' });
    await execute(trx, insert('mine'));
  });
  outside.exec('begin immediate');
  outside.exec('rollback');
});

test("while another process holds the write lock, a transaction waits without blocking and reads go on; then it lands", async (t) => {
  const { db, stored, outside } = open(t);
  outside.exec('begin immediate');
  outside.prepare('insert into server_state (key, value) values (?, ?)').run('theirs', 'v');
  let landed = false;
  const mine = db.transaction().execute(async (trx) => {
    await execute(trx, insert('mine'));
    landed = true;
  });
  // Several turns of the event loop and a timer go by, and a read outside the transaction is answered.
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual((await execute(db, keys)).rows, []);
  assert.equal(landed, false);
  outside.exec('commit');
  await mine;
  assert.equal(stored(), 'mine,theirs');
});

test('a transaction that cannot take the write lock within 5 s is refused as locked, and the next one lands once it is free', async (t) => {
  const { db, stored, outside } = open(t);
  const group = new GroupCommit(db);
  outside.exec('begin immediate');
  await assert.rejects(group.run((trx) => execute(trx, insert('late'))), { code: 'SQLITE_BUSY' });
  outside.exec('rollback');
  await group.run((trx) => execute(trx, insert('next')));
  assert.equal(stored(), 'next');
});

test('group commits on a closed store are refused, not kept waiting for a begin that fails again', async (t) => {
  const { db } = open(t);
  const group = new GroupCommit(db);
  await group.run((trx) => execute(trx, insert('before')));
  await db.destroy();
  await assert.rejects(Promise.all([group.run((trx) => execute(trx, insert('a'))), group.run((trx) => execute(trx, insert('b')))]));
  await assert.rejects(group.run((trx) => execute(trx, insert('c'))), 'a later one is refused too, not left queued');
});
