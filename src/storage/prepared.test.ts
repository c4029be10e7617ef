/** Prepared queries on a real SQLite database: compiled once, each run with its own values. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from './schema.js';
import { prepared, preparedIn, preparedInsert } from './prepared.js';

function open() {
  const connection = new BetterSqlite3(':memory:');
  connection.exec('create table server_state (key text primary key, value text not null)');
  const compiled: string[] = [];
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: connection }),
    log: (event) => {
      compiled.push(event.query.sql);
    },
  });
  return { db, compiled };
}

const insertState = preparedInsert('server_state', ['key', 'value']);
const valueOf = prepared<{ key: string }, { value: string }>((db, p) =>
  db.selectFrom('server_state').select('value').where('key', '=', p('key')),
);
/** A constant in the query beside a parameter: it stays what the query was built with. */
const valueUnlessTouched = prepared<{ key: string }, { value: string }>((db, p) =>
  db.selectFrom('server_state').select('value').where('key', '=', p('key')).where('value', '!=', 'touched'),
);

test('each run binds its own values to the one compiled query', async () => {
  const { db } = open();
  await insertState(db, [
    { key: 'a', value: '1' },
    { key: 'b', value: '2' },
  ]);
  await insertState(db, [{ key: 'c', value: 'touched' }]);
  assert.deepEqual((await valueOf(db, { key: 'a' })).rows, [{ value: '1' }]);
  assert.deepEqual((await valueOf(db, { key: 'b' })).rows, [{ value: '2' }]);
  assert.deepEqual((await valueOf(db, { key: 'c' })).rows, [{ value: 'touched' }]);
  assert.deepEqual((await valueUnlessTouched(db, { key: 'c' })).rows, []);
  assert.deepEqual((await valueUnlessTouched(db, { key: 'b' })).rows, [{ value: '2' }]);
  await db.destroy();
});

test('an insert has one compiled form per number of rows, and none for no rows', async () => {
  const { db, compiled } = open();
  await insertState(db, []);
  assert.deepEqual(compiled, []);
  await insertState(db, [{ key: 'x', value: '1' }]);
  await insertState(db, [{ key: 'y', value: '2' }]);
  await insertState(db, [
    { key: 'z1', value: '3' },
    { key: 'z2', value: '4' },
  ]);
  assert.deepEqual(compiled, [
    'insert into "server_state" ("key", "value") values (?, ?)',
    'insert into "server_state" ("key", "value") values (?, ?)',
    'insert into "server_state" ("key", "value") values (?, ?), (?, ?)',
  ]);
  const rows = await db.selectFrom('server_state').selectAll().orderBy('key').execute();
  assert.deepEqual(rows.map((r) => `${r.key}=${r.value}`), ['x=1', 'y=2', 'z1=3', 'z2=4']);
  await db.destroy();
});

test('a transaction runs the compiled query of its database', async () => {
  const { db } = open();
  await db.transaction().execute(async (trx) => {
    await insertState(trx, [{ key: 'k', value: 'in a transaction' }]);
    assert.deepEqual((await valueOf(trx, { key: 'k' })).rows, [{ value: 'in a transaction' }]);
  });
  assert.deepEqual((await valueOf(db, { key: 'k' })).rows, [{ value: 'in a transaction' }]);
  await db.destroy();
});

const valuesOf = preparedIn<{ not: string }, string, { value: string }>((db, p, keys) =>
  db.selectFrom('server_state').select('value').where('key', 'in', keys).where('value', '!=', p('not')).orderBy('value'),
);

test('a list query binds each list, of any length, and its other values', async () => {
  const { db } = open();
  await insertState(db, ['a', 'b', 'c', 'd'].map((key, i) => ({ key, value: String(i) })));
  assert.deepEqual((await valuesOf(db, { not: '' }, ['a'])).rows, [{ value: '0' }]);
  assert.deepEqual((await valuesOf(db, { not: '' }, ['b', 'd'])).rows, [{ value: '1' }, { value: '3' }]);
  assert.deepEqual((await valuesOf(db, { not: '2' }, ['a', 'c', 'd'])).rows, [{ value: '0' }, { value: '3' }]);
  assert.deepEqual((await valuesOf(db, { not: '' }, ['c'])).rows, [{ value: '2' }]);
  await db.destroy();
});
