import { sql, type Kysely } from 'kysely';
import type { Store } from '../services/ports.js';
import { kyselyStore, migrateToLatest, type Pin, type Transact, type TransactAtOnce } from './kysely-store.js';
import type { TableChanges } from './row-cache.js';
import type { Database } from './schema.js';
import type { SqliteSynchronous } from './sqlite.js';

export interface StoreOptions {
  sqliteSynchronous?: SqliteSynchronous;
  /** Connections per node (PostgreSQL). */
  poolSize?: number;
  /** Hears a problem the store works around (SQLite's checkpoint thread failing). */
  warn?: (message: string) => void;
}

export const isPostgresUrl = (url: string): boolean => /^postgres(ql)?:\/\//.test(url);

export class DatabaseUrlError extends Error {
  override name = 'DatabaseUrlError';
}

/** The database named by the URL could not be reached or opened; the message says which database, never a password. */
export class DatabaseUnreachableError extends Error {
  override name = 'DatabaseUnreachableError';
}

/** Where a database URL points, for messages: `PostgreSQL at host:port/db` or `the SQLite database at PATH`. */
export function describeDatabase(url: string): string {
  if (!isPostgresUrl(url)) return `the SQLite database at ${url.slice('sqlite:'.length)}`;
  const { hostname, port, pathname } = new URL(url);
  return `PostgreSQL at ${hostname || 'localhost'}:${port || '5432'}${pathname}`;
}

const unreachable = (url: string, err: unknown) =>
  new DatabaseUnreachableError(`cannot ${isPostgresUrl(url) ? 'connect to' : 'open'} ${describeDatabase(url)}: ${(err as Error).message}`);

interface Opened {
  db: Kysely<Database>;
  /** SQLite's: when the rows the store keeps in memory may have changed. */
  changes?: TableChanges;
  /** PostgreSQL's: transactions whose statements are pipelined (and their commit, for statements issued at once), and reads that share a connection. */
  transact?: Transact;
  transactAtOnce?: TransactAtOnce;
  pin?: Pin;
}

/**
 * `sqlite:PATH`, `sqlite::memory:` or `postgres://...`. Each driver is loaded only for its own URLs: on Node 20
 * loading pg costs a SQLite start a tenth of its time.
 */
async function openDatabase(url: string, options: StoreOptions, forServer: boolean): Promise<Opened> {
  if (url.startsWith('sqlite:')) {
    const { openSqlite } = await import('./sqlite.js');
    return openSqlite({
      path: url.slice('sqlite:'.length),
      synchronous: options.sqliteSynchronous ?? 'FULL',
      backgroundCheckpoints: forServer,
      ...(options.warn ? { warn: options.warn } : {}),
    });
  }
  if (isPostgresUrl(url)) {
    const { openPostgres } = await import('./postgres.js');
    return openPostgres({ url, poolSize: options.poolSize ?? 10 });
  }
  throw new DatabaseUrlError(`unsupported DATABASE_URL "${url}": use sqlite:PATH, sqlite::memory: or postgres://...`);
}

/** Creates what migrations need first (the PostgreSQL schema), then applies them. */
export async function migrate(db: Kysely<Database>, url: string): Promise<string[]> {
  if (isPostgresUrl(url)) await (await import('./postgres.js')).ensureSchema(db, url);
  return migrateToLatest(db);
}

async function openAnswering(url: string, options: StoreOptions, forServer = false): Promise<Opened> {
  let opened: Opened;
  try {
    opened = await openDatabase(url, options, forServer);
  } catch (err) {
    throw err instanceof DatabaseUrlError ? err : unreachable(url, err);
  }
  try {
    await sql`select 1`.execute(opened.db);
  } catch (err) {
    await opened.db.destroy();
    throw unreachable(url, err);
  }
  return opened;
}

/**
 * Opens the database named by the URL and checks that it answers; else DatabaseUnreachableError, naming it.
 * On SQLite without a server store's checkpoint thread, so that it may change the journal mode (the bench's fill).
 */
export async function connect(url: string, options: StoreOptions = {}): Promise<Kysely<Database>> {
  return (await openAnswering(url, options)).db;
}

/** Connects to the database named by the URL and brings its schema up to date. */
export async function openStore(url: string, options: StoreOptions = {}): Promise<Store> {
  const { db, changes, transact, transactAtOnce, pin } = await openAnswering(url, options, true);
  try {
    await migrate(db, url);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  if (transact) return kyselyStore(db, { shared: true, transact, ...(transactAtOnce ? { transactAtOnce } : {}), ...(pin ? { pin } : {}) });
  return kyselyStore(db, { shared: false, groupCommit: true, ...(changes ? { changes } : {}) });
}
