/**
 * Which store the behaviour suite runs against: SQLite (a temp file per server) or PostgreSQL (a schema
 * of its own per server, emptied or dropped afterwards), chosen by SHENPI_TEST_STORE. The same tests run on both.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PROCESS_TABLES, TABLES_CHILD_FIRST } from '../../src/storage/migrations/index.js';
import { connect, migrate } from '../../src/storage/open-store.js';

export type TestStore = 'sqlite' | 'postgres';

export const TEST_STORE: TestStore = process.env.SHENPI_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';

export const POSTGRES_URL = process.env.DATABASE_URL_PG || 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  url: string;
  /** Removes everything the database held (the temp folder, or the schema). */
  drop(): Promise<void>;
}

let migratedSqlite: Promise<string> | undefined;

/**
 * A SQLite file with every migration applied, made once per test process: each test database starts as a copy,
 * which saves the migrations (a fifth of a second each time) at every server start of the suite. Its tables
 * are empty, as a new database's are once migrated.
 */
function migratedSqliteTemplate(): Promise<string> {
  migratedSqlite ??= (async () => {
    const folder = mkdtempSync(join(tmpdir(), 'shenpi-template-'));
    process.once('exit', () => rmSync(folder, { recursive: true, force: true }));
    const url = `sqlite:${join(folder, 'template.sqlite')}`;
    const db = await connect(url);
    try {
      await migrate(db, url);
    } finally {
      // Closing the last connection folds the WAL into the file: the copy is then that file alone.
      await db.destroy();
    }
    return url.slice('sqlite:'.length);
  })();
  return migratedSqlite;
}

/** Runs `work` on a connection of its own to the suite's PostgreSQL, closed afterwards. */
export async function onPostgres<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * The suite (and the bench) create and drop PostgreSQL schemas by the hundred, and each leaves dead rows in the
 * system catalogue; where autovacuum is off, as on the project's machines, they pile up run after run and every
 * catalogue read slows down (the migration check of a server start took 180 ms instead of 13, and the bench's
 * PostgreSQL withdrawals ran at half their rate). VACUUM FULL rewrites the tables that DDL touches without
 * them, in about a second; a role not allowed to is only warned.
 */
export async function vacuumCatalogue(): Promise<void> {
  await onPostgres((client) =>
    client.query(
      'vacuum full pg_catalog.pg_class, pg_catalog.pg_attribute, pg_catalog.pg_attrdef, pg_catalog.pg_constraint, ' +
        'pg_catalog.pg_depend, pg_catalog.pg_index, pg_catalog.pg_type, pg_catalog.pg_namespace, pg_catalog.pg_trigger',
    ),
  );
}

const newSchema = () => `shenpi_test_${process.pid}_${randomBytes(4).toString('hex')}`;

/** `?schema=NAME` appended to the suite's PostgreSQL URL. */
const schemaUrl = (schema: string) => `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}schema=${schema}`;

async function dropSchemas(schemas: string[]): Promise<void> {
  await onPostgres((client) => client.query(`drop schema if exists ${schemas.join(', ')} cascade`));
}

/**
 * PostgreSQL schemas of this process that a test server came up on (so every migration is applied) and that
 * were emptied when it closed: as a freshly migrated schema is (the schema has no sequences). The next server
 * takes one rather than creating every table and index anew and dropping them after, which costs a start about
 * a tenth of a second and leaves dead rows in the system catalogue. Dropped when the process ends.
 */
const emptiedSchemas: string[] = [];

process.on('beforeExit', () => {
  // beforeExit comes again once the drop is done, with nothing left to drop.
  const schemas = emptiedSchemas.splice(0);
  if (schemas.length) void dropSchemas(schemas);
});

export interface ServerTestDatabase extends TestDatabase {
  /** After a server came up on it and closed: empties it for the next server of this process (SQLite: drops it). */
  release(): Promise<void>;
}

/** The database of startTestServer: on PostgreSQL an emptied schema when this process has one, else a new one. */
export async function createServerTestDatabase(store: TestStore = TEST_STORE): Promise<ServerTestDatabase> {
  if (store !== 'postgres') {
    const database = await createTestDatabase(store);
    return { ...database, release: database.drop };
  }
  const schema = emptiedSchemas.pop() ?? newSchema();
  return {
    url: schemaUrl(schema),
    drop: () => dropSchemas([schema]),
    async release() {
      // One query, so one transaction: children first, as the foreign keys want; the leases of servers killed on it.
      const tables = [...TABLES_CHILD_FIRST, ...PROCESS_TABLES];
      await onPostgres((client) => client.query(tables.map((table) => `delete from ${schema}.${table}`).join('; ')));
      emptiedSchemas.push(schema);
    },
  };
}

export async function createTestDatabase(store: TestStore = TEST_STORE): Promise<TestDatabase> {
  if (store === 'sqlite') {
    const folder = mkdtempSync(join(tmpdir(), 'shenpi-test-'));
    copyFileSync(await migratedSqliteTemplate(), join(folder, 'shenpi.sqlite'));
    return {
      url: `sqlite:${join(folder, 'shenpi.sqlite')}`,
      drop: async () => rmSync(folder, { recursive: true, force: true }),
    };
  }
  const schema = newSchema();
  return { url: schemaUrl(schema), drop: () => dropSchemas([schema]) };
}
