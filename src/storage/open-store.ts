import type { Kysely } from 'kysely';
import type { Store } from '../services/ports.js';
import { kyselyStore, migrateToLatest } from './kysely-store.js';
import type { Database } from './schema.js';
import type { SqliteSynchronous } from './sqlite.js';

export interface StoreOptions {
  sqliteSynchronous?: SqliteSynchronous;
  /** Connections per node (PostgreSQL). */
  poolSize?: number;
}

export const isPostgresUrl = (url: string): boolean => /^postgres(ql)?:\/\//.test(url);

export class DatabaseUrlError extends Error {
  override name = 'DatabaseUrlError';
}

/**
 * `sqlite:PATH`, `sqlite::memory:` or `postgres://...`. Each driver is loaded only for its own URLs: on Node 20
 * loading pg costs a SQLite start a tenth of its time.
 */
export async function openDatabase(url: string, options: StoreOptions = {}): Promise<Kysely<Database>> {
  if (url.startsWith('sqlite:')) {
    const { openSqlite } = await import('./sqlite.js');
    return openSqlite({ path: url.slice('sqlite:'.length), synchronous: options.sqliteSynchronous ?? 'FULL' });
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

/** Opens the database named by the URL and brings its schema up to date. */
export async function openStore(url: string, options: StoreOptions = {}): Promise<Store> {
  const db = await openDatabase(url, options);
  try {
    await migrate(db, url);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return kyselyStore(db, { shared: isPostgresUrl(url) });
}
