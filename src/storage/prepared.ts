/**
 * Queries of a fixed shape, built and compiled by kysely once per database dialect and run with each call's
 * values. Building and compiling a query cost more than SQLite took to run most of ours, and the hot paths
 * (an action's reads and writes) ran a dozen of them per request.
 */
import type { Compilable, CompiledQuery, Insertable, Kysely, QueryResult, Transaction } from 'kysely';
import type { Database } from './schema.js';

type Executor = Kysely<Database> | Transaction<Database>;

/** Stands in for a value while the query is built; at each run, `pick` takes the value from the call's input. */
class Slot {
  constructor(readonly pick: (input: never) => unknown) {}
}

interface Compiled<O> {
  query: CompiledQuery<O>;
  /** Per parameter: where a run takes its value, or undefined for a constant of the query. */
  picks: (((input: never) => unknown) | undefined)[];
}

/** One compiled form per dialect (a transaction shares its database's adapter) and per shape key. */
class Templates<O> {
  private readonly byAdapter = new WeakMap<object, Map<number, Compiled<O>>>();

  get(db: Executor, key: number, build: () => Compilable<O>): Compiled<O> {
    const adapter = db.getExecutor().adapter;
    let shapes = this.byAdapter.get(adapter);
    if (!shapes) this.byAdapter.set(adapter, (shapes = new Map()));
    let compiled = shapes.get(key);
    if (!compiled) {
      const query = build().compile();
      compiled = { query, picks: query.parameters.map((p) => (p instanceof Slot ? p.pick : undefined)) };
      shapes.set(key, compiled);
    }
    return compiled;
  }
}

/**
 * Runs a statement at once where the connection allows it, else answers undefined: SQLite's driver, whose one
 * connection runs a statement synchronously, when nothing else holds it or `inTransaction` holds it.
 */
export type RunNow = (query: CompiledQuery, inTransaction: boolean) => Promise<QueryResult<unknown>> | undefined;

const runsNow = new WeakMap<object, RunNow>();

/** Lets the queries of `db` (and of its transactions, which share its adapter) skip kysely's executor when they can. */
export function registerRunNow(db: Kysely<Database>, runNow: RunNow): void {
  runsNow.set(db.getExecutor().adapter, runNow);
}

/**
 * Runs a compiled query. Kysely's executor takes a dozen promise turns to lend a connection and give it back,
 * which cost more than SQLite took to run most of ours; a driver that can run the query at once does so.
 */
export function execute<O, DB = Database>(db: Kysely<DB> | Transaction<DB>, query: CompiledQuery<O>): Promise<QueryResult<O>> {
  const now = runsNow.get(db.getExecutor().adapter)?.(query, db.isTransaction);
  return (now as Promise<QueryResult<O>> | undefined) ?? db.executeQuery(query);
}

function run<O, I>(db: Executor, { query, picks }: Compiled<O>, input: I): Promise<QueryResult<O>> {
  const parameters = picks.map((pick, i) => (pick ? (pick as (input: I) => unknown)(input) : query.parameters[i]));
  return execute(db, { ...query, parameters });
}

/**
 * `build` makes the query with `param(name)` in the place of each value that changes; the answer runs it with
 * `params`. The shape must not depend on the values (no IN lists, no optional clauses).
 */
export function prepared<P extends Record<string, unknown>, O>(
  build: (db: Executor, param: <K extends keyof P>(name: K) => P[K]) => Compilable<O>,
): (db: Executor, params: P) => Promise<QueryResult<O>> {
  const templates = new Templates<O>();
  const param = <K extends keyof P>(name: K) => new Slot((params: P) => params[name]) as P[K];
  return (db, params) => run(db, templates.get(db, 0, () => build(db, param)), params);
}

/** `prepared` with a list of values (an IN list), one compiled form per length of the list. */
export function preparedIn<P extends Record<string, unknown>, V, O>(
  build: (db: Executor, param: <K extends keyof P>(name: K) => P[K], list: readonly V[]) => Compilable<O>,
): (db: Executor, params: P, list: readonly V[]) => Promise<QueryResult<O>> {
  type Input = { params: P; list: readonly V[] };
  const templates = new Templates<O>();
  const param = <K extends keyof P>(name: K) => new Slot((input: Input) => input.params[name]) as P[K];
  return (db, params, list) => {
    const slots = list.map((_, i) => new Slot((input: Input) => input.list[i]) as V);
    return run(db, templates.get(db, list.length, () => build(db, param, slots)), { params, list });
  };
}

/** An insert of rows into `table`, one compiled form per number of rows. */
export function preparedInsert<T extends keyof Database & string, R extends Insertable<Database[T]>>(
  table: T,
  columns: readonly (keyof R & string)[],
): (db: Executor, rows: readonly R[]) => Promise<void> {
  const templates = new Templates<unknown>();
  return async (db, rows) => {
    if (rows.length === 0) return;
    const build = () =>
      db.insertInto(table).values(
        rows.map((_, i) => {
          const row = Object.fromEntries(columns.map((column) => [column, new Slot((input: readonly R[]) => input[i]![column])]));
          return row as Insertable<Database[T]>;
        }),
      );
    await run(db, templates.get(db, rows.length, build), rows);
  };
}
