/** Every row of every table, read out and written back: what an emulator snapshot holds of the database. */
import type { Kysely, Transaction } from 'kysely';
import type { StoreDump } from '../services/ports.js';
import { PROCESS_TABLES, TABLES_CHILD_FIRST } from './migrations/index.js';
import type { Database } from './schema.js';

type Table = (typeof TABLES_CHILD_FIRST)[number];
type Row = Record<string, unknown>;

type Assert<T extends true> = T;
// A table of the data missing from TABLES_CHILD_FIRST would be left out of snapshots: this fails to compile then.
export type EveryTableDumped = Assert<[Exclude<keyof Database, Table | (typeof PROCESS_TABLES)[number]>] extends [never] ? true : false>;

/** Rows per INSERT, well under both databases' limits on bound parameters. */
const PARAMETERS_PER_INSERT = 5000;

/** Every table's rows, read in one transaction (on PostgreSQL a repeatable read: one consistent moment). */
export function dumpTables(db: Kysely<Database>): Promise<StoreDump> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const tables: Record<string, Row[]> = {};
      for (const table of TABLES_CHILD_FIRST) tables[table] = (await trx.selectFrom(table).selectAll().execute()) as Row[];
      return { tables };
    });
}

/** Replaces every row of every table by the dump's (in the caller's transaction): children deleted first, parents inserted first. */
export async function loadTables(trx: Kysely<Database> | Transaction<Database>, dump: StoreDump): Promise<void> {
  for (const table of TABLES_CHILD_FIRST) await trx.deleteFrom(table).execute();
  for (const table of [...TABLES_CHILD_FIRST].reverse()) {
    const rows = insertOrder(table, dump.tables[table] ?? []);
    const columns = Object.keys(rows[0] ?? {}).length || 1;
    const perInsert = Math.max(1, Math.floor(PARAMETERS_PER_INSERT / columns));
    for (let i = 0; i < rows.length; i += perInsert) {
      await trx
        .insertInto(table)
        .values(rows.slice(i, i + perInsert) as never)
        .execute();
    }
  }
}

/** A reply references its top-level comment in the same table, so top-level comments go in first. */
function insertOrder(table: Table, rows: readonly Row[]): readonly Row[] {
  if (table !== 'instance_comments') return rows;
  return [...rows].sort((a, b) => Number(a.parent_comment_id != null) - Number(b.parent_comment_id != null));
}
