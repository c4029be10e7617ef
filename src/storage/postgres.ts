import {
  Kysely,
  PostgresDialect,
  sql,
  type DatabaseIntrospector,
  type DatabaseMetadata,
  type SchemaMetadata,
  type TableMetadata,
} from 'kysely';
import pg from 'pg';
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

class ShenpiPostgresDialect extends PostgresDialect {
  override createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new OwnSchemaIntrospector(db);
  }
}

export function openPostgres({ url, poolSize }: PostgresOptions): Kysely<Database> {
  const schema = schemaOf(url);
  const parsed = new URL(url);
  parsed.searchParams.delete('schema');
  const pool = new pg.Pool({
    connectionString: parsed.toString(),
    max: poolSize,
    // A node whose database went away answers 1395001 quickly instead of hanging the request.
    connectionTimeoutMillis: 5_000,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // A connection lost while idle, or while a query runs (the query itself is then rejected and answered
  // 1395001), is reported as an 'error' event; unheard, that would crash the node. The pool replaces it.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return new Kysely<Database>({ dialect: new ShenpiPostgresDialect({ pool }) });
}

/** Creates the `?schema=` schema if it is missing, so migrations can run into it. */
export async function ensureSchema(db: Kysely<Database>, url: string): Promise<void> {
  const schema = schemaOf(url);
  if (schema) await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
}
