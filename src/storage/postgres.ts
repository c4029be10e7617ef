import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  sql,
  Transaction,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type DatabaseMetadata,
  type SchemaMetadata,
  type QueryExecutor,
  type TableMetadata,
} from 'kysely';
import pg from 'pg';
import type { Pin, Transact, TransactAtOnce } from './kysely-store.js';
import type { Database } from './schema.js';

export interface PostgresOptions {
  /** `postgres://user@host:port/db`, optionally with `?schema=NAME` to keep shenpi's tables in one schema. */
  url: string;
  poolSize: number;
}

// int8 (our epoch-millisecond columns) would otherwise arrive as strings; every value fits a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** The schema named by `?schema=`, if any; it must be a plain identifier. */
export function schemaOf(url: string): string | undefined {
  const schema = new URL(url).searchParams.get('schema') ?? undefined;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`?schema=${schema} must be a lower-case identifier`);
  }
  return schema;
}

/**
 * Table look-ups confined to shenpi's own schema. Kysely's own introspector (used by its migrator) reads
 * the catalogue of every schema and calls functions on each row, which fails when another schema is
 * dropped at that moment; reading only our schema's rows has no such race.
 */
class OwnSchemaIntrospector implements DatabaseIntrospector {
  constructor(private readonly db: Kysely<unknown>) {}

  async getSchemas(): Promise<SchemaMetadata[]> {
    const { rows } = await sql<SchemaMetadata>`select nspname as name from pg_catalog.pg_namespace`.execute(this.db);
    return rows;
  }

  async getTables(): Promise<TableMetadata[]> {
    const { rows } = await sql<{ name: string; schema: string; kind: string }>`
      select c.relname as name, n.nspname as schema, c.relkind as kind
      from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relkind in ('r', 'p', 'v')`.execute(this.db);
    return rows.map((r) => ({ name: r.name, schema: r.schema, isView: r.kind === 'v', columns: [] }));
  }

  async getMetadata(): Promise<DatabaseMetadata> {
    return { tables: await this.getTables() };
  }
}

/** Past this many distinct texts (IN lists of many lengths), queries run unnamed: each connection keeps what it parsed. */
const MAX_NAMED_STATEMENTS = 500;

/**
 * Errors after which a connection stops naming statements: 0A000, "cached plan must not change result type" (a
 * newer node's migration changed a table under a prepared statement); 26000 and 42P05, a statement missing or
 * already there (a pooler in transaction mode without prepared-statement support moved the session).
 */
const NAMED_STATEMENT_FAILURES = new Set(['0A000', '26000', '42P05']);

/**
 * A client that runs each parameterised query as a named prepared statement, so that PostgreSQL parses and
 * plans a text once per connection rather than at every run: shenpi's queries are a fixed set of shapes (see
 * prepared.ts), and an action runs a dozen of them. A statement that the server can no longer run by its name
 * fails once; the connection then runs everything unnamed.
 */
function preparingClient(names: Map<string, string>): typeof pg.Client {
  return class PreparingClient extends pg.Client {
    private named = true;
    private corked = false;

    /**
     * Holds this tick's messages back and sends them in one write when it ends. pg writes each statement on
     * its own; statements issued together (a pipeline) would cost a system call each, which on loopback TCP
     * costs more CPU than the rest of the statement's handling.
     */
    private coalesce(): void {
      if (this.corked) return;
      const { stream } = this.connection;
      stream.cork();
      this.corked = true;
      process.nextTick(() => {
        this.corked = false;
        stream.uncork();
      });
    }

    // pg's query() has many overloads; kysely calls only (text, values), the form named here.
    override query(...args: unknown[]): any {
      this.coalesce();
      const [text, values] = args;
      if (!this.named || args.length !== 2 || typeof text !== 'string' || !Array.isArray(values) || values.length === 0) {
        return (super.query as (...a: unknown[]) => unknown)(...args);
      }
      let name = names.get(text);
      if (name === undefined && names.size < MAX_NAMED_STATEMENTS) names.set(text, (name = `shenpi_${names.size}`));
      if (name === undefined) return super.query(text, values);
      // A Query built from the text and named afterwards: pg copies every config object it is given,
      // property descriptors and all, which costs more than the rest of the call.
      return new Promise((resolve, reject) => {
        const query = new pg.Query(text, values, (err: (Error & { code?: string }) | undefined, result: unknown) => {
          if (!err) return resolve(result);
          if (err.code !== undefined && NAMED_STATEMENT_FAILURES.has(err.code)) this.named = false;
          reject(err);
        });
        (query as { name?: string }).name = name;
        super.query(query);
      });
    }
  };
}

class ShenpiPostgresDialect extends PostgresDialect {
  override createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new OwnSchemaIntrospector(db);
  }
}

export interface OpenedPostgres {
  db: Kysely<Database>;
  /** Runs `work` in a transaction whose statements issued together reach PostgreSQL together. */
  transact: Transact;
  /** Runs statements issued at once in a transaction whose commit travels with them. */
  transactAtOnce: TransactAtOnce;
  /** Lends `work` one connection that takes statements as they are issued. */
  pin: Pin;
}

const BEGIN = CompiledQuery.raw('begin');
const COMMIT = CompiledQuery.raw('commit');
const ROLLBACK = CompiledQuery.raw('rollback');

export function openPostgres({ url, poolSize }: PostgresOptions): OpenedPostgres {
  const schema = schemaOf(url);
  const parsed = new URL(url);
  parsed.searchParams.delete('schema');
  const pool = new pg.Pool({
    Client: preparingClient(new Map()),
    connectionString: parsed.toString(),
    max: poolSize,
    // A node whose database went away answers 1395001 quickly instead of hanging the request.
    connectionTimeoutMillis: 5_000,
    // Statements issued without waiting for the one before go out at once (see onOneConnection below).
    pipeline: true,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // A connection lost while idle, or while a query runs (the query itself is then rejected and answered
  // 1395001), is reported as an 'error' event; unheard, that would crash the node. The pool replaces it.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const dialect = new ShenpiPostgresDialect({ pool });
  const db = new Kysely<Database>({ dialect });
  // Kysely's props must name a driver; the executors below never use it (the pool lends and takes back).
  const driver = dialect.createDriver();

  /**
   * kysely runs the statements of a connection it holds one after another, each waiting for the previous
   * answer. Here the connection takes every statement as it is issued: statements issued together travel in
   * one pipeline and cost one round trip instead of one each. PostgreSQL still runs them in the order
   * issued, on that one connection.
   */
  const onOneConnection = <T>(
    work: (connection: DatabaseConnection, executor: QueryExecutor) => Promise<T>,
    open: () => boolean = () => true,
  ): Promise<T> =>
    db.getExecutor().provideConnection((connection) =>
      work(
        connection,
        db.getExecutor().withConnectionProvider({
          provideConnection: (consume) => (open() ? consume(connection) : Promise.reject(new StatementAfterCommit())),
        }),
      ),
    );

  const pin: Pin = (work) =>
    onOneConnection((_, executor) => work(new Kysely<Database>({ config: { dialect }, dialect, driver, executor })));

  /** Its begin travels with the first statements of `work`: a transaction costs the round trip of its commit alone. */
  const transact: Transact = (work) =>
    onOneConnection(async (connection, executor) => {
      const begun = connection.executeQuery(BEGIN);
      // Awaited below; a failed begin also fails every statement after it, which `work` reports first.
      begun.catch(() => undefined);
      try {
        const result = await work(new Transaction<Database>({ config: { dialect }, dialect, driver, executor }));
        await begun;
        await connection.executeQuery(COMMIT);
        return result;
      } catch (err) {
        await connection.executeQuery(ROLLBACK).catch(() => undefined);
        throw err;
      }
    });

  /**
   * `begin`, the statements `issue` issues and `commit` leave in one socket write (the client's tick, see
   * preparingClient), so that the transaction costs one round trip. The end is chosen at the last moment before
   * that write: by then every statement that failed without reaching the database (its parameters would not
   * serialise, say) has failed, as such failures come in microtasks and the choice comes after them (a
   * nextTick queued from a microtask), and nothing has left; with such a failure the end is `rollback`. A
   * statement the database refuses aborts the transaction, and PostgreSQL then answers `commit` by rolling it
   * back. A statement issued later finds the transaction closed and fails.
   */
  const transactAtOnce: TransactAtOnce = (issue) => {
    let open = true;
    return onOneConnection(async (connection, executor) => {
      // Runs the rest in a microtask (see above).
      await undefined;
      let unsent = false;
      const ended = new Promise<unknown>((resolve) =>
        process.nextTick(() => {
          open = false;
          resolve(connection.executeQuery(unsent ? ROLLBACK : COMMIT));
        }),
      );
      const begun = connection.executeQuery(BEGIN);
      let statements: readonly Promise<unknown>[];
      try {
        statements = issue(new Transaction<Database>({ config: { dialect }, dialect, driver, executor }));
      } catch (err) {
        unsent = true;
        statements = [Promise.reject(err)];
      }
      for (const statement of statements) {
        statement.catch(() => {
          if (open) unsent = true;
        });
      }
      const outcomes = await Promise.allSettled([begun, ...statements, ended]);
      const failed = outcomes.find((outcome) => outcome.status === 'rejected');
      if (failed) throw failed.reason;
    }, () => open);
  };
  return { db, transact, transactAtOnce, pin };
}

/** A statement issued in a transaction whose commit was already sent (Store.transactionAtOnce's contract broken). */
export class StatementAfterCommit extends Error {
  override name = 'StatementAfterCommit';
  constructor() {
    super('a statement was issued after its transaction\'s commit had been sent');
  }
}

/** Creates the `?schema=` schema if it is missing, so migrations can run into it. */
export async function ensureSchema(db: Kysely<Database>, url: string): Promise<void> {
  const schema = schemaOf(url);
  if (schema) await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
}
