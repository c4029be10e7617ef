import {
  Kysely,
  PostgresDialect,
  sql,
  Transaction,
  type DatabaseIntrospector,
  type DatabaseMetadata,
  type SchemaMetadata,
  type TableMetadata,
} from 'kysely';
import pg from 'pg';
import type { Transact } from './kysely-store.js';
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

/** feature_not_supported: what "cached plan must not change result type" is raised as. */
const CACHED_PLAN_INVALID = '0A000';

/**
 * A client that runs each parameterised query as a named prepared statement, so that PostgreSQL parses and
 * plans a text once per connection rather than at every run: shenpi's queries are a fixed set of shapes (see
 * prepared.ts), and an action runs a dozen of them. A statement whose plan PostgreSQL can no longer use (a
 * table's columns changed under it, by a newer node's migration) fails once; the connection then runs
 * everything unnamed.
 */
function preparingClient(names: Map<string, string>): typeof pg.Client {
  return class PreparingClient extends pg.Client {
    private named = true;

    // pg's query() has many overloads; kysely calls only (text, values), the form named here.
    override query(...args: unknown[]): any {
      const [text, values] = args;
      if (!this.named || args.length !== 2 || typeof text !== 'string' || !Array.isArray(values) || values.length === 0) {
        return (super.query as (...a: unknown[]) => unknown)(...args);
      }
      let name = names.get(text);
      if (name === undefined && names.size < MAX_NAMED_STATEMENTS) names.set(text, (name = `shenpi_${names.size}`));
      if (name === undefined) return super.query(text, values);
      return super.query({ name, text, values }).catch((err: { code?: string }) => {
        if (err.code === CACHED_PLAN_INVALID) this.named = false;
        throw err;
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
}

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
    // Statements issued without waiting for the one before go out at once (see transact below).
    pipeline: true,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // A connection lost while idle, or while a query runs (the query itself is then rejected and answered
  // 1395001), is reported as an 'error' event; unheard, that would crash the node. The pool replaces it.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const dialect = new ShenpiPostgresDialect({ pool });
  const db = new Kysely<Database>({ dialect });
  // A Transaction's props must name a driver; the transaction below never uses it (kysely's begins and ends it).
  const driver = dialect.createDriver();
  /**
   * kysely runs a transaction's statements one after another, each waiting for the previous answer. Here its
   * transaction's connection takes every statement as it is issued: the writes of a transition, issued
   * together, travel in one pipeline and cost one round trip instead of one each. PostgreSQL still runs them
   * in the order they were issued, on that one connection, inside that transaction.
   */
  const transact: Transact = (work) =>
    db.transaction().execute((trx) =>
      trx.getExecutor().provideConnection((connection) => {
        const executor = trx.getExecutor().withConnectionProvider({ provideConnection: (consume) => consume(connection) });
        return work(new Transaction<Database>({ config: { dialect }, dialect, driver, executor }));
      }),
    );
  return { db, transact };
}

/** Creates the `?schema=` schema if it is missing, so migrations can run into it. */
export async function ensureSchema(db: Kysely<Database>, url: string): Promise<void> {
  const schema = schemaOf(url);
  if (schema) await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
}
