/**
 * Reads a test server's database directly, beside the server, to compare what is stored: the SQLite file
 * or the PostgreSQL schema that `server.databaseUrl` names.
 */
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { PROCESS_TABLES } from '../../src/storage/migrations/index.js';

type Row = Record<string, unknown>;

interface Reader {
  tables(): Promise<string[]>;
  columns(table: string): Promise<string[]>;
  query(text: string, params: unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

/** A read connection to the database a test server's URL names: its SQLite file, or its PostgreSQL schema. */
export type Connection = { sqlite: BetterSqlite3.Database } | { postgres: pg.Client; schema: string };

export async function connect(databaseUrl: string): Promise<Connection> {
  if (databaseUrl.startsWith('sqlite:')) {
    return { sqlite: new BetterSqlite3(databaseUrl.slice('sqlite:'.length), { readonly: true, fileMustExist: true }) };
  }
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get('schema') ?? 'public';
  url.searchParams.delete('schema');
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  await client.query(`set search_path to "${schema}"`);
  return { postgres: client, schema };
}

/** The database's tables, by name. */
export async function tableNames(connection: Connection): Promise<string[]> {
  if ('sqlite' in connection) {
    return connection.sqlite
      .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name")
      .pluck()
      .all() as string[];
  }
  // pg_catalog, filtered to our schema: the information_schema views evaluate privilege functions on every
  // schema's rows, which fails when another test drops its schema at that moment.
  const { rows } = await connection.postgres.query<{ relname: string }>(
    `select c.relname from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
     where n.nspname = $1 and c.relkind = 'r' order by c.relname`,
    [connection.schema],
  );
  return rows.map((r) => r.relname);
}

async function open(databaseUrl: string): Promise<Reader> {
  const connection = await connect(databaseUrl);
  const tables = () => tableNames(connection);
  if ('sqlite' in connection) {
    const db = connection.sqlite;
    return {
      tables,
      columns: async (table) => db.prepare('select name from pragma_table_info(?)').pluck().all(table) as string[],
      query: async (text, params) => db.prepare(text.replace(/\$\d+/g, '?')).all(...params) as Row[],
      close: async () => void db.close(),
    };
  }
  const { postgres: client, schema } = connection;
  return {
    tables,
    columns: async (table) =>
      (
        await client.query<{ column_name: string }>(
          `select a.attname as column_name from pg_catalog.pg_attribute a
           join pg_catalog.pg_class c on c.oid = a.attrelid
           join pg_catalog.pg_namespace n on n.oid = c.relnamespace
           where n.nspname = $1 and c.relname = $2 and a.attnum > 0 and not a.attisdropped order by a.attnum`,
          [schema, table],
        )
      ).rows.map((r) => r.column_name),
    query: async (text, params) => (await client.query(text, params)).rows as Row[],
    close: () => client.end(),
  };
}

/**
 * Every row of every table of the data, in a stable order: equal snapshots mean nothing was written. The node
 * leases of the running servers are left out: their renewals come on a timer.
 */
export async function snapshot(databaseUrl: string): Promise<Record<string, Row[]>> {
  const reader = await open(databaseUrl);
  try {
    const result: Record<string, Row[]> = {};
    const processTables: readonly string[] = PROCESS_TABLES;
    for (const table of (await reader.tables()).filter((t) => !processTables.includes(t))) {
      const order = (await reader.columns(table)).map((c) => `"${c}"`).join(', ');
      result[table] = await reader.query(`select * from "${table}" order by ${order}`, []);
    }
    return result;
  } finally {
    await reader.close();
  }
}

/** The rows of one table whose columns equal the given values. */
export async function rows(databaseUrl: string, table: string, where: Record<string, string> = {}): Promise<Row[]> {
  const reader = await open(databaseUrl);
  try {
    const keys = Object.keys(where);
    const clause = keys.length ? ` where ${keys.map((k, i) => `"${k}" = $${i + 1}`).join(' and ')}` : '';
    return await reader.query(`select * from "${table}"${clause}`, keys.map((k) => where[k]));
  } finally {
    await reader.close();
  }
}
