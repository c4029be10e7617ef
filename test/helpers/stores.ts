/**
 * Which store the behaviour suite runs against: SQLite (a temp file per server) or PostgreSQL (a schema
 * of its own per server, dropped afterwards), chosen by SHENPI_TEST_STORE. The same tests run on both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export type TestStore = 'sqlite' | 'postgres';

export const TEST_STORE: TestStore = process.env.SHENPI_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';

export const POSTGRES_URL = process.env.DATABASE_URL_PG || 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  url: string;
  /** Removes everything the database held (the temp folder, or the schema). */
  drop(): Promise<void>;
}

export async function createTestDatabase(store: TestStore = TEST_STORE): Promise<TestDatabase> {
  if (store === 'sqlite') {
    const folder = mkdtempSync(join(tmpdir(), 'shenpi-test-'));
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
