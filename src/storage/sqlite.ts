import BetterSqlite3 from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDatabase, type SqliteDialectConfig, type SqliteStatement } from 'kysely';
import { TableChanges } from './row-cache.js';
import type { Database } from './schema.js';

export type SqliteSynchronous = 'FULL' | 'NORMAL';

export interface SqliteOptions {
  /** A file path, or `:memory:`. */
  path: string;
  /** FULL survives power loss; NORMAL in WAL mode survives process crashes only, and is faster. */
  synchronous: SqliteSynchronous;
}

/** Distinct SQL texts kept prepared; the queries are a fixed set, so this bound is only reached by IN lists. */
const STATEMENT_CACHE_SIZE = 500;

/** The tables whose rows the server keeps in memory (row-cache.ts): definitions, users, departments, event receivers. */
const CACHED_TABLES = /\b(approvals|users|departments|subscriptions|apps)\b/i;

/** A statement that counts as a change of the cached tables each time it runs. */
function counted(statement: BetterSqlite3.Statement, changes: TableChanges): SqliteStatement {
  return {
    reader: statement.reader,
    all(parameters) {
      changes.touch();
      return statement.all(parameters);
    },
    run(parameters) {
      changes.touch();
      return statement.run(parameters);
    },
    iterate(parameters) {
      changes.touch();
      return statement.iterate(parameters);
    },
  };
}

/**
 * kysely asks for a new prepared statement at every query; preparing costs SQLite more than running most of
 * ours. The same SQL text gets the same statement (better-sqlite3 statements are reusable; nothing here
 * iterates one while another call uses it, as every call runs to completion synchronously). Statements that
 * change the cached tables tell `changes` as they run.
 */
export function withStatementCache(connection: BetterSqlite3.Database, changes?: TableChanges, size = STATEMENT_CACHE_SIZE): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    prepare(sql) {
      let statement = statements.get(sql);
      if (!statement) {
        // Clearing everything is simpler than LRU, and with ~100 SQL texts in use it practically never happens.
        if (statements.size >= size) statements.clear();
        const prepared = connection.prepare(sql);
        statement = changes?.changes(sql, prepared.readonly) ? counted(prepared, changes) : prepared;
        statements.set(sql, statement);
      }
      return statement;
    },
    close: () => connection.close(),
  };
}

/** A lock that hands itself to the longest waiter, and to that one only. */
class FifoLock {
  private held = false;
  private readonly waiters: (() => void)[] = [];

  async lock(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  unlock(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.held = false;
  }
}

/**
 * kysely's SQLite driver guards its one connection with a lock that wakes every waiter at each release, all
 * but one of which go back to waiting: with many requests in flight, most of the time went there. This
 * queue lets them in one at a time, in order, so the driver's own lock is always free when asked.
 */
class QueuedSqliteDriver extends SqliteDriver implements Driver {
  private readonly queue = new FifoLock();

  override async acquireConnection(): Promise<DatabaseConnection> {
    await this.queue.lock();
    return super.acquireConnection();
  }

  override async releaseConnection(): Promise<void> {
    await super.releaseConnection();
    this.queue.unlock();
  }
}

class QueuedSqliteDialect extends SqliteDialect {
  constructor(private readonly config: SqliteDialectConfig) {
    super(config);
  }

  override createDriver(): Driver {
    return new QueuedSqliteDriver(this.config);
  }
}

export interface OpenedSqlite {
  db: Kysely<Database>;
  /** When the cached tables may have changed, for the store's row cache. */
  changes: TableChanges;
}

export function openSqlite({ path, synchronous }: SqliteOptions): OpenedSqlite {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const connection = new BetterSqlite3(path);
  connection.pragma('journal_mode = WAL');
  connection.pragma(`synchronous = ${synchronous}`);
  connection.pragma('foreign_keys = ON');
  // Another process (e.g. `shenpi load` beside a running server) may hold the write lock briefly.
  connection.pragma('busy_timeout = 5000');
  const dataVersion = connection.prepare('pragma data_version').pluck();
  const changes = new TableChanges(CACHED_TABLES, () => dataVersion.get() as number);
  return { db: new Kysely<Database>({ dialect: new QueuedSqliteDialect({ database: withStatementCache(connection, changes) }) }), changes };
}
