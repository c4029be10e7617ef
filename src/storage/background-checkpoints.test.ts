/**
 * WAL checkpoints on a worker thread: the pages a server's connection commits reach the database file without
 * that connection checkpointing them, the worker is closed before the connection (which, last, folds the WAL
 * away), a process that never closes it still exits, a worker that fails hands checkpoints back to SQLite's own,
 * and a plain connection has no worker.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, openSync, readSync, closeSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { assertFreshBuild, ROOT } from '../../test/helpers/process.js';
import { waitFor } from '../../test/helpers/wait.js';
import { BackgroundCheckpoints } from './background-checkpoints.js';
import { connect, migrate, openStore } from './open-store.js';

function tempFile(t: TestContext): string {
  const folder = mkdtempSync(join(tmpdir(), 'shenpi-checkpoints-'));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  return join(folder, 'db.sqlite');
}

/** A WAL-mode connection with a table, as the server's connection is. */
function walConnection(path: string): BetterSqlite3.Database {
  const connection = new BetterSqlite3(path);
  connection.pragma('journal_mode = WAL');
  connection.exec('create table rows (n integer primary key, text text not null)');
  return connection;
}

/** The page count in the database file's own header: what checkpoints have copied there, the WAL aside. */
function pagesInFile(path: string): number {
  const header = Buffer.alloc(4);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, header, 0, 4, 28);
  } finally {
    closeSync(fd);
  }
  return header.readUInt32BE(0);
}

/** About a hundred pages in ten commits: far below the 1,000 at which SQLite's connection checkpoints by itself. */
function writeRows(connection: BetterSqlite3.Database, checkpoints: BackgroundCheckpoints): void {
  const insert = connection.prepare('insert into rows (text) values (?)');
  for (let commit = 0; commit < 10; commit++) {
    connection.transaction(() => {
      for (let row = 0; row < 20; row++) insert.run('x'.repeat(2_000));
    })();
    checkpoints.wrote();
  }
}

test("the worker copies the connection's commits into the database file; the connection checkpoints only past 4,000 pages", async (t) => {
  const path = tempFile(t);
  const connection = walConnection(path);
  const checkpoints = new BackgroundCheckpoints(connection, path);
  t.after(async () => {
    await checkpoints.close();
    connection.close();
  });
  const before = pagesInFile(path);
  writeRows(connection, checkpoints);
  assert.equal(connection.pragma('wal_autocheckpoint', { simple: true }), 4_000);
  const pages = connection.pragma('page_count', { simple: true }) as number;
  assert.ok(pages > before + 50, `the rows take pages (${before} -> ${pages})`);
  await waitFor('the pages in the database file', () => (pagesInFile(path) === pages ? true : undefined));
  // Written after the first pass was asked for: they are copied by a second.
  writeRows(connection, checkpoints);
  const more = connection.pragma('page_count', { simple: true }) as number;
  await waitFor('the later pages in the database file', () => (pagesInFile(path) === more ? true : undefined));
});

test('close waits for the worker to close its connection, so that the last one, closing, folds the WAL away', async (t) => {
  const path = tempFile(t);
  const connection = walConnection(path);
  const checkpoints = new BackgroundCheckpoints(connection, path);
  writeRows(connection, checkpoints);
  await waitFor('a checkpoint', () => (pagesInFile(path) > 2 ? true : undefined));
  await checkpoints.close();
  connection.close();
  assert.equal(existsSync(`${path}-wal`), false);
  // Closed: a write after it starts no worker (whose start would set a pragma on the closed connection, and throw).
  checkpoints.wrote();
});

test('a process that writes and never closes the connection still exits: the worker does not keep it alive', (t) => {
  assertFreshBuild();
  const script = `
    import BetterSqlite3 from 'better-sqlite3';
    import { BackgroundCheckpoints } from './dist/storage/background-checkpoints.js';
    const connection = new BetterSqlite3(process.env.DB_PATH);
    connection.pragma('journal_mode = WAL');
    connection.exec('create table rows (n integer primary key)');
    new BackgroundCheckpoints(connection, process.env.DB_PATH).wrote();`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    env: { ...process.env, DB_PATH: tempFile(t) },
    // Generous: a healthy run takes a fraction of a second; one the worker keeps alive never ends.
    timeout: 60_000,
    encoding: 'utf8',
  });
  assert.equal(child.error, undefined, 'the process exited by itself');
  assert.equal(child.status, 0, child.stderr);
});

test("a worker that fails hands checkpoints back to SQLite's own on the connection, and says why", async (t) => {
  const path = tempFile(t);
  const connection = walConnection(path);
  const warnings: string[] = [];
  // The worker opens the path it is given, which does not exist: it fails at once.
  const checkpoints = new BackgroundCheckpoints(connection, join(path, 'missing', 'db.sqlite'), (message) => warnings.push(message));
  t.after(async () => {
    await checkpoints.close();
    connection.close();
  });
  checkpoints.wrote();
  await waitFor('the warning', () => warnings[0]);
  assert.match(warnings[0]!, /checkpoint thread failed: .*; the server's connection checkpoints the WAL itself from now on/);
  assert.equal(connection.pragma('wal_autocheckpoint', { simple: true }), 1_000);
  // For good: a later write neither starts another worker nor warns again.
  checkpoints.wrote();
  assert.equal(warnings.length, 1);
});

test("a server's store checkpoints on the worker; a plain connection has none, and may change the journal mode", async (t) => {
  const path = tempFile(t);
  const url = `sqlite:${path}`;
  const db = await connect(url);
  await migrate(db, url);
  // The bench's fill does this: a worker's connection would make it fail with SQLITE_BUSY.
  await sql`pragma journal_mode = delete`.execute(db);
  await sql`pragma journal_mode = wal`.execute(db);
  await db.destroy();

  const warnings: string[] = [];
  const store = await openStore(url, { warn: (message) => warnings.push(message) });
  const before = pagesInFile(path);
  await store.transaction(async (tx) => {
    for (let n = 0; n < 50; n++) await tx.directory.upsertTenant({ tenantKey: `tenant-${n}-${'x'.repeat(1_000)}`, name: 'T' });
  });
  await waitFor('the tenants in the database file', () => (pagesInFile(path) > before ? true : undefined));
  await store.close();
  assert.equal(existsSync(`${path}-wal`), false);
  assert.deepEqual(warnings, []);
});
