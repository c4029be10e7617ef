/**
 * Bulk data for the load benchmark: a database holding `count` PENDING instances of the demo Leave definition,
 * each with the rows the server writes for one (the instance, its task, its timeline entry, its outbox events).
 * One real create through the services writes the template; SQL then clones its rows `count - 1` times
 * (INSERT … SELECT over a number series), changing only codes and ids, so that a million takes seconds rather
 * than the hours the HTTP API would.
 */
import { closeSync, fsyncSync, openSync } from 'node:fs';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { unwrap } from '../src/domain/errors.js';
import { DEMO_APP, DEMO_LEAVE_CODE, demoFixture } from '../src/fixtures/demo.js';
import { createServices } from '../src/services/index.js';
import { kyselyStore } from '../src/storage/kysely-store.js';
import { TABLES_CHILD_FIRST } from '../src/storage/migrations/index.js';
import { connect, isPostgresUrl, migrate } from '../src/storage/open-store.js';
import type { Database } from '../src/storage/schema.js';

export const BENCH_TENANT = 'acme';
export const BENCH_SUBMITTER = 'ou_alice';
export const BENCH_FORM = JSON.stringify([{ id: 'reason', type: 'input', value: 'bench' }]);

/**
 * Clone i's code begins with the 8 hex digits of (i × SCATTER) mod 2^32 and ends with i's 12: spread over the
 * whole key space in a scattered order, as the server's random codes are. Codes sharing a prefix (as before the
 * fourteenth session) sat in one corner of every index keyed by them, so the codes of instances created under
 * load landed beside each other on a few cached pages instead of on any page of a large index; and codes
 * inserted in key order fill those indexes page after full page, where random ones leave room (about a third).
 * SCATTER is odd (a different prefix for every i below 2^32); i × SCATTER stays below 2^63.
 */
const SCATTER = 0x9e3779b1;
const PREFIX_SPAN = 2 ** 32;
const MIDDLE = '-0000-4000-8000-';

const hexDigits = (value: bigint | number, width: number) => value.toString(16).toUpperCase().padStart(width, '0');

/** The code of clone `i` (1-based): upper-case UUID form like the server's. */
export const cloneCode = (i: number) =>
  `${hexDigits((BigInt(i) * BigInt(SCATTER)) % BigInt(PREFIX_SPAN), 8)}${MIDDLE}${hexDigits(i, 12)}`;

/** Tables that may hold an instance's rows besides the cloned ones (tasks, timeline, outbox): a template with any is refused. */
const NOT_CLONED = ['deliveries', 'instance_ccs', 'instance_comments'] as const;

/** SQL that differs between the two databases: the number series and the formatting of a number. */
interface Dialect {
  /** A `WITH` prefix, if the series needs one. */
  series(count: number): { with: RawBuilder<unknown>; from: RawBuilder<unknown> };
  /** `value` as `width` decimal (or upper-case hex) digits. */
  digits(value: RawBuilder<unknown>, width: number): RawBuilder<string>;
  hex(value: RawBuilder<unknown>, width: number): RawBuilder<string>;
  columns(db: Kysely<Database>, table: string): Promise<string[]>;
}

const sqlite: Dialect = {
  series: (count) => ({
    with: sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < ${count})`,
    from: sql`n`,
  }),
  digits: (value, width) => sql`printf(${`%0${width}d`}, ${value})`,
  hex: (value, width) => sql`printf(${`%0${width}X`}, ${value})`,
  async columns(db, table) {
    const { rows } = await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(db);
    return rows.map((r) => r.name);
  },
};

const postgres: Dialect = {
  series: (count) => ({ with: sql``, from: sql`generate_series(1, ${count}::int) as n(i)` }),
  digits: (value, width) => sql`lpad(${value}::text, ${width}::int, '0')`,
  hex: (value, width) => sql`lpad(upper(to_hex(${value})), ${width}::int, '0')`,
  async columns(db, table) {
    const { rows } = await sql<{ name: string }>`
      select column_name as name from information_schema.columns
      where table_schema = current_schema() and table_name = ${table} order by ordinal_position`.execute(db);
    return rows.map((r) => r.name);
  },
};

/**
 * Copies the template rows of `table` once per number of the series, each column copied as it is unless
 * `changed` gives its new value (an expression over `n.i`).
 */
async function cloneRows(
  db: Kysely<Database>,
  dialect: Dialect,
  table: string,
  where: RawBuilder<unknown>,
  count: number,
  changed: Record<string, RawBuilder<unknown>>,
): Promise<void> {
  const columns = await dialect.columns(db, table);
  const values = columns.map((c) => changed[c] ?? sql`t.${sql.id(c)}`);
  const series = dialect.series(count);
  await sql`${series.with} insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.id(c)))})
    select ${sql.join(values)} from ${sql.table(table)} as t cross join ${series.from} where ${where}`.execute(db);
}

export interface Filled {
  /** Instances stored, the template included (the spare ones not counted). */
  instances: number;
  /** The codes of the clones, in a random order: the pool the withdrawal scenarios draw from. */
  pool: string[];
  /** Clones beyond `instances`, for a new server's warm-up: removeInstances takes them away before measuring. */
  spare: string[];
  seconds: number;
}

/**
 * Migrates the database at `url`, loads the demo data, creates one instance through the services and clones it
 * so that `count` instances are stored, and `spare` more after them. The database must be new (the demo data
 * loads into it). Everything is on disk when this returns (the fill writes without syncs), so that no write-back
 * of it runs under the measured load, whatever the machine's write-back settings.
 */
export async function fillInstances(url: string, count: number, spare = 0): Promise<Filled> {
  const started = performance.now();
  const db = await connect(url);
  try {
    await migrate(db, url);
    const dialect = isPostgresUrl(url) ? postgres : sqlite;
    const store = kyselyStore(db, { shared: isPostgresUrl(url) });
    const services = createServices(store, { emulator: false });
    await services.fixtures.load(demoFixture);
    const { instanceCode: template } = unwrap(
      await services.instances.create(
        { tenantKey: BENCH_TENANT, appId: DEMO_APP.app_id },
        { approval_code: DEMO_LEAVE_CODE, open_id: BENCH_SUBMITTER, form: BENCH_FORM },
      ),
    );
    for (const table of NOT_CLONED) {
      const { rows } = await sql<{ n: number | string }>`
        select count(*) as n from ${sql.table(table)} where instance_code = ${template}`.execute(db);
      if (Number(rows[0]?.n) > 0) throw new Error(`the template instance has ${table} rows, which the fill does not clone`);
    }
    const clones = count - 1 + spare;
    const onSqlite = !isPostgresUrl(url);
    if (onSqlite) {
      // Nothing to keep if the fill dies half-way, so no syncs; and a rollback journal, which copies only the
      // few pages the clones change, where WAL would write each of the million new pages twice.
      await sql`pragma synchronous = off`.execute(db);
      await sql`pragma cache_size = -262144`.execute(db);
      await sql`pragma journal_mode = delete`.execute(db);
    }
    const i = sql`n.i`;
    const prefix = dialect.hex(sql`(${i} * ${sql.lit(SCATTER)}) % ${sql.lit(PREFIX_SPAN)}`, 8);
    const code = sql`${prefix} || ${MIDDLE} || ${dialect.hex(i, 12)}`;
    /** A decimal id no server makes (theirs start with the epoch milliseconds): a 0, clone i, then which row. */
    const decimal = (row: number) => sql`'0' || ${dialect.digits(i, 15)} || ${dialect.digits(sql.lit(row), 3)}`;
    const tasks = await db.selectFrom('tasks').select('task_id').where('instance_code', '=', template).orderBy('task_id').execute();
    /** Text that names the template's code or its tasks' ids names the clone's. */
    const renamed = (column: string) =>
      tasks.reduce<RawBuilder<unknown>>(
        (text, task, row) => sql`replace(${text}, ${task.task_id}, ${decimal(row)})`,
        sql`replace(t.${sql.id(column)}, ${template}, ${code})`,
      );

    await db.transaction().execute(async (trx) => {
      const ofTemplate = sql`t.instance_code = ${template}`;
      await cloneRows(trx, dialect, 'instances', ofTemplate, clones, {
        instance_code: code,
        serial_number: sql`'0' || ${dialect.digits(i, 15)}`,
        created_seq: decimal(0),
      });
      for (const [row, task] of tasks.entries()) {
        await cloneRows(trx, dialect, 'tasks', sql`t.task_id = ${task.task_id}`, clones, { task_id: decimal(row), instance_code: code });
      }
      await cloneRows(trx, dialect, 'timeline', ofTemplate, clones, { instance_code: code, entry: renamed('entry') });
      const events = await trx.selectFrom('outbox').select('event_id').where('instance_code', '=', template).orderBy('seq').execute();
      for (const [row, event] of events.entries()) {
        await cloneRows(trx, dialect, 'outbox', sql`t.event_id = ${event.event_id}`, clones, {
          event_id: decimal(row),
          instance_code: code,
          payload: renamed('payload'),
        });
      }
    });
    if (onSqlite) await sql`pragma journal_mode = wal`.execute(db);
    await flushToDisk(db, url);
    // The spare clones are the last rows of each table, so that removing them leaves what `count` alone fills.
    const pool = Array.from({ length: count - 1 }, (_, k) => cloneCode(k + 1));
    shuffle(pool);
    const spareCodes = Array.from({ length: spare }, (_, k) => cloneCode(count + k));
    return { instances: count, pool, spare: spareCodes, seconds: (performance.now() - started) / 1000 };
  } finally {
    await db.destroy();
  }
}

/** Writes what the database has in memory out to disk: SQLite's file (written unsynced), PostgreSQL's buffers. */
async function flushToDisk(db: Kysely<Database>, url: string): Promise<void> {
  if (isPostgresUrl(url)) {
    await sql`checkpoint`.execute(db);
    return;
  }
  const fd = openSync(url.slice('sqlite:'.length), 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Deletes these instances and every row naming them, children first, and puts the database on disk again: what
 * a warm-up withdrew from the spare instances leaves the stored count as filled.
 */
export async function removeInstances(url: string, codes: readonly string[]): Promise<void> {
  if (codes.length === 0) return;
  const db = await connect(url);
  try {
    const dialect = isPostgresUrl(url) ? postgres : sqlite;
    const tables: string[] = [];
    for (const table of TABLES_CHILD_FIRST) if ((await dialect.columns(db, table)).includes('instance_code')) tables.push(table);
    await db.transaction().execute(async (trx) => {
      for (const table of tables) {
        for (let at = 0; at < codes.length; at += REMOVE_CHUNK) {
          const chunk = codes.slice(at, at + REMOVE_CHUNK);
          await sql`delete from ${sql.table(table)} where instance_code in (${sql.join(chunk)})`.execute(trx);
        }
      }
    });
    // The deletes' pages are in the WAL; copied into the database now, they are not left to the server's
    // checkpoints (nor its reads to look up in a long WAL) while it is measured.
    if (!isPostgresUrl(url)) await sql`pragma wal_checkpoint(TRUNCATE)`.execute(db);
    await flushToDisk(db, url);
  } finally {
    await db.destroy();
  }
}

/** Codes per delete statement: well under SQLite's limit of bound values. */
const REMOVE_CHUNK = 5_000;

/** Fisher–Yates: the scenarios withdraw in random order, touching the whole table rather than its end. */
function shuffle<T>(items: T[]): void {
  for (let k = items.length - 1; k > 0; k--) {
    const j = Math.floor(Math.random() * (k + 1));
    [items[k], items[j]] = [items[j]!, items[k]!];
  }
}
