/** Group commit on a real SQLite file: shared commits, separate outcomes, answers only after the commit. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, sql, SqliteDialect } from 'kysely';
import { GroupCommit } from './group-commit.js';

interface Db {
  items: { id: number; parent: number | null };
}

/** A database file, a kysely over it that notes every commit in `log`, and a second connection to read it. */
function open(t: TestContext) {
  const folder = mkdtempSync(join(tmpdir(), 'shenpi-group-commit-'));
  const path = join(folder, 'db.sqlite');
  const connection = new BetterSqlite3(path);
  connection.pragma('journal_mode = WAL');
  connection.pragma('synchronous = FULL');
  connection.pragma('foreign_keys = ON');
  connection.exec('create table items (id integer primary key, parent integer references items(id))');
  const log: string[] = [];
  const db = new Kysely<Db>({
    dialect: new SqliteDialect({ database: connection }),
    log: (event) => {
      if (event.level === 'query' && event.query.sql === 'commit') log.push('commit');
    },
  });
  const reader = new BetterSqlite3(path, { readonly: true });
  t.after(async () => {
    reader.close();
    await db.destroy();
    rmSync(folder, { recursive: true, force: true });
  });
  const committedIds = () => (reader.prepare('select id from items order by id').all() as { id: number }[]).map((r) => r.id);
  return { db, log, committedIds, group: new GroupCommit(db) };
}

const insert = (id: number, parent: number | null = null) => async (trx: Kysely<Db>) => {
  await trx.insertInto('items').values({ id, parent }).execute();
  return id;
};

test('transactions that arrive together share one commit, and each success is answered after it', async (t) => {
  const { log, committedIds, group } = open(t);
  const seenAtAnswer: number[][] = [];
  const answers = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      group.run(insert(i + 1)).then((id) => {
        seenAtAnswer.push(committedIds());
        return id;
      }),
    ),
  );
  assert.deepEqual(answers, Array.from({ length: 20 }, (_, i) => i + 1));
  assert.deepEqual(log, ['commit']);
  // Another connection already sees every row when the first answer arrives: answered after the commit.
  for (const seen of seenAtAnswer) assert.equal(seen.length, 20);
});

test("one transaction's failure undoes only its own writes, and is answered before the others' commit", async (t) => {
  const { log, committedIds, group } = open(t);
  const failing = group
    .run(async (trx) => {
      await insert(100)(trx);
      throw new Error('refused');
    })
    .catch((err: Error) => {
      log.push(`rejected: ${err.message}`);
      return 'rejected';
    });
  const results = await Promise.all([group.run(insert(1)), failing, group.run(insert(2))]);
  assert.deepEqual(results, [1, 'rejected', 2]);
  assert.deepEqual(committedIds(), [1, 2]);
  assert.deepEqual(log, ['rejected: refused', 'commit']);
});

test('when the shared commit fails, every transaction of the batch is refused and nothing lands', async (t) => {
  const { committedIds, group } = open(t);
  // A foreign key checked at commit: the second transaction names a parent that nobody inserts.
  const deferred = (trx: Kysely<Db>) => sql`pragma defer_foreign_keys = on`.execute(trx);
  const outcomes = await Promise.allSettled([
    group.run(insert(1)),
    group.run(async (trx) => {
      await deferred(trx);
      return insert(2, 999)(trx);
    }),
  ]);
  assert.deepEqual(
    outcomes.map((o) => o.status),
    ['rejected', 'rejected'],
  );
  assert.deepEqual(committedIds(), []);
  // The queue goes on after a failed batch.
  assert.equal(await group.run(insert(3)), 3);
  assert.deepEqual(committedIds(), [3]);
});

test('work queued while a batch runs joins a later one; a batch holds at most its limit', async (t) => {
  const { db, log, committedIds } = open(t);
  const group = new GroupCommit(db, 3);
  await Promise.all(Array.from({ length: 7 }, (_, i) => group.run(insert(i + 1))));
  assert.deepEqual(committedIds(), [1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(log, ['commit', 'commit', 'commit']);
});
