import BetterSqlite3, { SqliteError } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, SqliteDialect, SqliteDriver, type CompiledQuery, type DatabaseConnection, type QueryResult, type Driver, type SqliteDatabase, type SqliteDialectConfig, type SqliteStatement } from 'kysely';
import { BackgroundCheckpoints } from './background-checkpoints.js';
import { registerRunNow } from './prepared.js';
import { TableChanges } from './row-cache.js';
import type { Database } from './schema.js';

export type SqliteSynchronous = 'FULL' | 'NORMAL';

export interface SqliteOptions {
  /** A file path, or `:memory:`. */
  path: string;
  /** FULL survives power loss; NORMAL in WAL mode survives process crashes only, and is faster. */
  synchronous: SqliteSynchronous;
  /**
   * WAL checkpoints on a thread of their own (background-checkpoints.ts): for a server's store. Off for a
   * connection that may change the journal mode, which needs the file to itself.
   */
  backgroundCheckpoints?: boolean;
  /** Hears a problem the connection works around (the checkpoint thread failing). */
  warn?: (message: string) => void;
}

/** Distinct SQL texts kept prepared; the queries are a fixed set, so this bound is only reached by IN lists. */
const STATEMENT_CACHE_SIZE = 500;

/** The tables whose rows the server keeps in memory (row-cache.ts): definitions, users, departments, event receivers. */
const CACHED_TABLES = /\b(approvals|users|departments|subscriptions|apps)\b/i;

/** A statement that runs `noted` each time it runs (a write the row cache or the checkpoints must hear of). */
function noting(statement: SqliteStatement, noted: () => void): SqliteStatement {
  return {
    reader: statement.reader,
    all(parameters) {
      noted();
      return statement.all(parameters);
    },
    run(parameters) {
      noted();
      return statement.run(parameters);
    },
    iterate(parameters) {
      noted();
      return statement.iterate(parameters);
    },
  };
}

/** Makes a row object of a statement's raw values: one object literal per column list, compiled once. */
type RowFactory = (values: unknown[]) => Record<string, unknown>;
const rowFactories = new Map<string, RowFactory>();

function rowFactory(columns: readonly string[]): RowFactory {
  const key = columns.join('\0');
  let factory = rowFactories.get(key);
  if (!factory) {
    // Later duplicates win, as when better-sqlite3 builds the object itself.
    const fields = columns.map((name, i) => `${JSON.stringify(name)}: values[${i}]`);
    factory = new Function('values', `return { ${fields.join(', ')} };`) as RowFactory;
    rowFactories.set(key, factory);
  }
  return factory;
}

/**
 * A statement that returns rows, built as objects here rather than by better-sqlite3, which sets a wide row's
 * columns one by one through V8's API (about half the cost of reading an instance row). Every row of a column
 * list also gets the same object shape, which the code reading them handles faster.
 */
function objectRows(statement: BetterSqlite3.Statement): SqliteStatement {
  statement.raw(true);
  const toRow = rowFactory(statement.columns().map((column) => column.name));
  return {
    reader: true,
    all: (parameters) => (statement.all(parameters) as unknown[][]).map(toRow),
    run: (parameters) => statement.run(parameters),
    *iterate(parameters) {
      for (const values of statement.iterate(parameters) as IterableIterator<unknown[]>) yield toRow(values);
    },
  };
}

/** Who hears of this connection's writes as they run. */
export interface WriteListeners {
  /** Told of writes to the cached tables, and of rollbacks. */
  changes?: TableChanges;
  /** Told of every statement that is not read-only. */
  wrote?: () => void;
}

/**
 * kysely asks for a new prepared statement at every query; preparing costs SQLite more than running most of
 * ours. The same SQL text gets the same statement (better-sqlite3 statements are reusable; nothing here
 * iterates one while another call uses it, as every call runs to completion synchronously). Statements that
 * write tell `listeners` as they run.
 */
export function withStatementCache(connection: BetterSqlite3.Database, listeners: WriteListeners = {}, size = STATEMENT_CACHE_SIZE): SqliteDatabase {
  const { changes, wrote } = listeners;
  const statements = new Map<string, SqliteStatement>();
  return {
    prepare(sql) {
      let statement = statements.get(sql);
      if (!statement) {
        // Clearing everything is simpler than LRU, and with ~100 SQL texts in use it practically never happens.
        if (statements.size >= size) statements.clear();
        const prepared = connection.prepare(sql);
        const touches = changes?.changes(sql, prepared.readonly) ? () => changes.touch() : undefined;
        const writes = prepared.readonly ? undefined : wrote;
        const noted = touches && writes ? () => (touches(), writes()) : (touches ?? writes);
        const rows = prepared.reader ? objectRows(prepared) : prepared;
        statement = noted ? noting(rows, noted) : rows;
        statements.set(sql, statement);
      }
      return statement;
    },
    close: () => connection.close(),
  };
}

/** How long a transaction waits for another process to release SQLite's write lock, as the busy timeout. */
const WRITE_LOCK_TIMEOUT_MS = 5000;
/** Retries of the write lock at each turn of the event loop before retrying every millisecond. */
const SPIN_TRIES = 20;

/** A lock that hands itself to the longest waiter, and to that one only. */
class FifoLock {
  private locked = false;
  private readonly waiters: (() => void)[] = [];

  /** Whether it is held: from a lock() to the unlock() that has no waiter to hand it to. */
  get held(): boolean {
    return this.locked;
  }

  async lock(): Promise<void> {
    if (!this.locked) {
      this.locked = true;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  unlock(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.locked = false;
  }
}

/**
 * kysely's SQLite driver guards its one connection with a lock that wakes every waiter at each release, all
 * but one of which go back to waiting: with many requests in flight, most of the time went there. This
 * queue lets them in one at a time, in order, so the driver's own lock is always free when asked.
 */
class QueuedSqliteDriver extends SqliteDriver implements Driver {
  private readonly queue = new FifoLock();
  /** kysely's connection, once lent the first time: statements that need not wait run on it at once (runNow). */
  private connection: DatabaseConnection | undefined;
  private destroyed = false;
  /** While a transaction waits for another process's write lock: it holds the connection but has not begun. */
  private lending = false;
  /** Whether a read transaction is open for the reads of the code running now (readTogether). */
  private reading = false;

  constructor(
    config: SqliteDialectConfig,
    private readonly beforeDestroy: () => Promise<void>,
    private readonly tryBeginWrite: () => boolean,
    private readonly readTransaction: { begin(): void; end(): void },
  ) {
    super(config);
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    await this.queue.lock();
    this.endReading();
    return (this.connection = await super.acquireConnection());
  }

  /**
   * Opens one read transaction for the reads of the code running now and of the promises chained to it (a
   * request's later waves of reads), ended before the event loop takes its next event: each statement outside
   * a transaction would otherwise be a read transaction of its own, and beginning and ending one costs SQLite
   * system calls (two fcntl and an fstat), as much as running most of our reads. A GET made twelve fcntl calls,
   * then six with one read per wave, now two. Only while nothing holds the connection (or a transaction waiting
   * for another process's write lock lends it); anything that takes the connection ends it first. A commit of
   * another process is seen from the next event on: whatever follows that commit (its answer, a request sent
   * after it) reaches this process as a later event.
   */
  readTogether(): void {
    if (this.reading || !this.connection || this.destroyed || (this.queue.held && !this.lending)) return;
    this.readTransaction.begin();
    this.reading = true;
    // A microtask queued now runs in the current drain of the microtask queue, and a tick it queues runs once
    // that drain is over: after every promise chained to these reads, before the event loop takes the next event.
    queueMicrotask(() => process.nextTick(() => this.endReading()));
  }

  private endReading(): void {
    if (!this.reading) return;
    this.reading = false;
    this.readTransaction.end();
  }

  /**
   * Runs a statement now when nothing else can be using the connection: none holds it (or the transaction that
   * holds it has not begun: it waits for another process's write lock), or the transaction issuing the
   * statement does (a transaction runs while it holds the connection). A statement runs to its end
   * synchronously, so no other can start meanwhile. Else undefined: the statement waits its turn as usual.
   */
  runNow(query: CompiledQuery, inTransaction: boolean): Promise<QueryResult<unknown>> | undefined {
    if (!this.connection || this.destroyed || (this.queue.held && !this.lending) !== inTransaction) return undefined;
    try {
      if (!inTransaction) {
        if (query.query.kind === 'SelectQueryNode') this.readTogether();
        else this.endReading();
      }
      // kysely's SQLite connection runs the statement before it returns its promise.
      return this.connection.executeQuery(query);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Takes the write lock as the transaction begins, not at its first write: a transaction that read first and
   * then found another process's commit newer than its reads would fail at once (SQLITE_BUSY), whatever the
   * busy timeout. While another process holds the lock, this waits without blocking the thread, and lends
   * the connection meanwhile to the statements that can run at once (runNow), so reads go on.
   */
  override async beginTransaction(): Promise<void> {
    const deadline = Date.now() + WRITE_LOCK_TIMEOUT_MS;
    for (let tries = 1; (this.endReading(), !this.tryBeginWrite()); tries++) {
      if (Date.now() > deadline) throw new SqliteError('database is locked', 'SQLITE_BUSY');
      this.lending = true;
      try {
        // The first retries at the next turn of the event loop; after that every millisecond, so that a
        // wait for a long lock does not keep a core busy.
        await new Promise((resolve) => (tries < SPIN_TRIES ? setImmediate(resolve) : setTimeout(resolve, 1)));
      } finally {
        this.lending = false;
      }
    }
  }

  override async releaseConnection(): Promise<void> {
    await super.releaseConnection();
    this.queue.unlock();
  }

  override async destroy(): Promise<void> {
    this.endReading();
    this.destroyed = true;
    await this.beforeDestroy();
    await super.destroy();
  }
}

class QueuedSqliteDialect extends SqliteDialect {
  /** The driver of the Kysely instance made with this dialect (one each). */
  driver: QueuedSqliteDriver | undefined;

  constructor(
    private readonly config: SqliteDialectConfig,
    private readonly beforeDestroy: () => Promise<void>,
    private readonly tryBeginWrite: () => boolean,
    private readonly readTransaction: { begin(): void; end(): void },
  ) {
    super(config);
  }

  override createDriver(): Driver {
    return (this.driver = new QueuedSqliteDriver(this.config, this.beforeDestroy, this.tryBeginWrite, this.readTransaction));
  }
}

/**
 * `begin immediate` that answers false at once, instead of sleeping in SQLite's busy handler, while another
 * process holds the write lock: the handler's sleeps would stop this whole server.
 */
function beginWrite(connection: BetterSqlite3.Database): () => boolean {
  const begin = connection.prepare('begin immediate');
  // Not prepared once: SQLite sets the busy timeout as it prepares the pragma, not as it runs it.
  const waitFor = (ms: number) => connection.exec(`pragma busy_timeout = ${ms}`);
  return () => {
    waitFor(0);
    try {
      begin.run();
      return true;
    } catch (err) {
      if (err instanceof SqliteError && err.code.startsWith('SQLITE_BUSY')) return false;
      throw err;
    } finally {
      waitFor(WRITE_LOCK_TIMEOUT_MS);
    }
  };
}

export interface OpenedSqlite {
  db: Kysely<Database>;
  /** When the cached tables may have changed, for the store's row cache. */
  changes: TableChanges;
}

export function openSqlite({ path, synchronous, backgroundCheckpoints = false, warn }: SqliteOptions): OpenedSqlite {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const connection = new BetterSqlite3(path);
  connection.pragma('journal_mode = WAL');
  connection.pragma(`synchronous = ${synchronous}`);
  connection.pragma('foreign_keys = ON');
  // Another process (e.g. `shenpi load` beside a running server) may hold the write lock briefly.
  connection.pragma(`busy_timeout = ${WRITE_LOCK_TIMEOUT_MS}`);
  const dataVersion = connection.prepare('pragma data_version').pluck();
  const beginRead = connection.prepare('begin');
  const endRead = connection.prepare('commit');
  const readTransaction = { begin: () => beginRead.run(), end: () => endRead.run() };
  // The pragma joins the reads it is read with (readTogether).
  const changes = new TableChanges(CACHED_TABLES, () => (dialect.driver?.readTogether(), dataVersion.get() as number));
  // An in-memory database has no WAL.
  const checkpoints = backgroundCheckpoints && path !== ':memory:' ? new BackgroundCheckpoints(connection, path, warn) : undefined;
  const database = withStatementCache(connection, { changes, ...(checkpoints ? { wrote: () => checkpoints.wrote() } : {}) });
  const dialect = new QueuedSqliteDialect({ database }, async () => checkpoints?.close(), beginWrite(connection), readTransaction);
  const db = new Kysely<Database>({ dialect });
  const driver = dialect.driver!;
  registerRunNow(db, (query, inTransaction) => driver.runNow(query, inTransaction));
  return { db, changes };
}
