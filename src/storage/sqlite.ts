import BetterSqlite3 from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from './schema.js';

export type SqliteSynchronous = 'FULL' | 'NORMAL';

export interface SqliteOptions {
  /** A file path, or `:memory:`. */
  path: string;
  /** FULL survives power loss; NORMAL in WAL mode survives process crashes only, and is faster. */
  synchronous: SqliteSynchronous;
}

export function openSqlite({ path, synchronous }: SqliteOptions): Kysely<Database> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const connection = new BetterSqlite3(path);
  connection.pragma('journal_mode = WAL');
  connection.pragma(`synchronous = ${synchronous}`);
  connection.pragma('foreign_keys = ON');
  // Another process (e.g. `shenpi load` beside a running server) may hold the write lock briefly.
  connection.pragma('busy_timeout = 5000');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: connection }) });
}
