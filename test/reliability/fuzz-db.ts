/**
 * Every table's rows, read straight from a test server's database as test/helpers/db-snapshot.ts reads them,
 * but over one connection kept open and in one round trip: db-snapshot.ts connects and lists the tables
 * and their columns on every call (about 0.1 s on PostgreSQL), too slow for one snapshot per fuzz case.
 * And read only when something was written since the last read: SQLite's data_version changes when another
 * connection commits, PostgreSQL's WAL position moves with any write (other tests' too: then it reads).
 */
import { connect, tableNames } from '../helpers/db-snapshot.js';

/**
 * Columns written in the background: by the event dispatcher (src/services/event-dispatcher.ts: it claims,
 * sends and retries deliveries, and records a URL that answered the challenge) and by the node lease's renewals,
 * whatever request is being answered at that moment. Left out of the comparison: a change there is never the refused request's.
 * Nothing else is written outside a request: rate-limit windows (rate_windows) are counted only with rate
 * limits on, and the fuzz servers run with them off; the clock (server_state) moves only by POST /_shenpi/clock.
 */
const BACKGROUND_COLUMNS: Record<string, readonly string[]> = {
  deliveries: ['status', 'attempts', 'next_attempt_at', 'locked_until', 'last_attempt_at', 'last_error', 'delivered_at'],
  apps: ['event_verified_url'],
  // Each server renews its node number's lease on a timer (src/services/node-lease.ts).
  node_leases: ['expires_at'],
};

/** Each table's rows as JSON text, sorted: equal states mean nothing was written. */
export type DbState = Record<string, string[]>;

type Row = Record<string, unknown>;

export interface DbReader {
  /** The state now: the same object as the last read when nothing was written since. */
  read(): Promise<DbState>;
  close(): Promise<void>;
}

/** A reader that reads the rows only when `mark` (read first, so a write in between is seen next time) has moved. */
function unlessUnchanged(mark: () => Promise<unknown>, rows: () => Promise<Record<string, Row[]>>): () => Promise<DbState> {
  let last: { mark: unknown; state: DbState } | undefined;
  return async () => {
    const now = await mark();
    if (last?.mark !== now || !last) last = { mark: now, state: normalise(await rows()) };
    return last.state;
  };
}

function normalise(tables: Record<string, Row[]>): DbState {
  const state: DbState = {};
  for (const [table, rows] of Object.entries(tables)) {
    const left = BACKGROUND_COLUMNS[table] ?? [];
    state[table] = rows
      .map((row) => JSON.stringify(Object.fromEntries(Object.entries(row).filter(([column]) => !left.includes(column)))))
      .sort();
  }
  return state;
}

export async function openDbReader(databaseUrl: string): Promise<DbReader> {
  const connection = await connect(databaseUrl);
  const tables = await tableNames(connection);
  if ('sqlite' in connection) {
    const db = connection.sqlite;
    const selects = tables.map((table) => [table, db.prepare(`select * from "${table}"`)] as const);
    return {
      read: unlessUnchanged(
        async () => db.pragma('data_version', { simple: true }),
        async () => Object.fromEntries(selects.map(([table, select]) => [table, select.all() as Row[]])),
      ),
      close: async () => void db.close(),
    };
  }
  const client = connection.postgres;
  // One statement: every table as a JSON array, the rows exactly as stored.
  const everything = `select json_build_object(${tables
    .map((table) => `'${table}', (select coalesce(json_agg(t), '[]') from "${table}" t)`)
    .join(', ')}) as tables`;
  return {
    read: unlessUnchanged(
      async () => (await client.query<{ lsn: string }>('select pg_current_wal_insert_lsn() as lsn')).rows[0]!.lsn,
      async () => (await client.query<{ tables: Record<string, Row[]> }>(everything)).rows[0]!.tables,
    ),
    close: () => client.end(),
  };
}

/** What differs between two states, briefly: the tables, and a few rows gone and come. */
export function describeChange(before: DbState, after: DbState): string | undefined {
  const lines: string[] = [];
  for (const table of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const was = new Set(before[table] ?? []);
    const is = new Set(after[table] ?? []);
    const gone = [...was].filter((row) => !is.has(row));
    const came = [...is].filter((row) => !was.has(row));
    if (!gone.length && !came.length) continue;
    lines.push(`table ${table}:`);
    for (const row of gone.slice(0, 3)) lines.push(`  - ${row.slice(0, 400)}`);
    for (const row of came.slice(0, 3)) lines.push(`  + ${row.slice(0, 400)}`);
  }
  return lines.length ? lines.join('\n') : undefined;
}
