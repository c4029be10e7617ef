/** The SQLite connection under kysely. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { withStatementCache } from './sqlite.js';

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
