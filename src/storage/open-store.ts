import type { Kysely } from 'kysely';
import type { Store } from '../services/ports.js';
import { kyselyStore, migrateToLatest } from './kysely-store.js';
import type { Database } from './schema.js';
import { openSqlite, type SqliteSynchronous } from './sqlite.js';

export interface StoreOptions {
  sqliteSynchronous?: SqliteSynchronous;
}

export class DatabaseUrlError extends Error {
  override name = 'DatabaseUrlError';
}

/** `sqlite:PATH` or `sqlite::memory:` (PostgreSQL URLs are the next backend to land). */
export function openDatabase(url: string, options: StoreOptions = {}): Kysely<Database> {
  if (url.startsWith('sqlite:')) {
    return openSqlite({ path: url.slice('sqlite:'.length), synchronous: options.sqliteSynchronous ?? 'FULL' });
  }
  throw new DatabaseUrlError(`unsupported DATABASE_URL "${url}": use sqlite:PATH or sqlite::memory:`);
}

/** Opens the database named by the URL and brings its schema up to date. */
export async function openStore(url: string, options: StoreOptions = {}): Promise<Store> {
  const db = openDatabase(url, options);
  try {
    await migrateToLatest(db);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return kyselyStore(db);
}
