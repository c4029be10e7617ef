/**
 * Which store the behaviour suite runs against: SQLite (a temp file per server) or PostgreSQL (a schema
 * of its own per server, dropped afterwards), chosen by SHENPI_TEST_STORE. The same tests run on both.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { connect, migrate } from '../../src/storage/open-store.js';

export type TestStore = 'sqlite' | 'postgres';

export const TEST_STORE: TestStore = process.env.SHENPI_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';

export const POSTGRES_URL = process.env.DATABASE_URL_PG || 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  url: string;
  /** Removes everything the database held (the temp folder, or the schema). */
  drop(): Promise<void>;
}

let migratedSqlite: Promise<string> | undefined;

/**
 * A SQLite file with every migration applied, made once per test process: each test database starts as a copy,
 * which saves the migrations (a fifth of a second each time) at every server start of the suite. Its tables
 * are empty, as a new database's are once migrated.
 */
function migratedSqliteTemplate(): Promise<string> {
  migratedSqlite ??= (async () => {
    const folder = mkdtempSync(join(tmpdir(), 'shenpi-template-'));
    process.once('exit', () => rmSync(folder, { recursive: true, force: true }));
    const url = `sqlite:${join(folder, 'template.sqlite')}`;
    const db = await connect(url);
    try {
      await migrate(db, url);
    } finally {
      // Closing the last connection folds the WAL into the file: the copy is then that file alone.
      await db.destroy();
    }
    return url.slice('sqlite:'.length);
  })();
  return migratedSqlite;
}

export async function createTestDatabase(store: TestStore = TEST_STORE): Promise<TestDatabase> {
  if (store === 'sqlite') {
    const folder = mkdtempSync(join(tmpdir(), 'shenpi-test-'));
    copyFileSync(await migratedSqliteTemplate(), join(folder, 'shenpi.sqlite'));
    return {
      url: `sqlite:${join(folder, 'shenpi.sqlite')}`,
      drop: async () => rmSync(folder, { recursive: true, force: true }),
    };
  }
  const schema = `shenpi_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const separator = POSTGRES_URL.includes('?') ? '&' : '?';
  return {
    url: `${POSTGRES_URL}${separator}schema=${schema}`,
    async drop() {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        await client.query(`drop schema if exists ${schema} cascade`);
      } finally {
        await client.end();
      }
    },
  };
}
