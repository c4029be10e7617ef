/**
 * Rows that nearly every request reads and almost nothing writes (definitions, users, departments, the apps
 * subscribed to a definition's events), kept in memory on SQLite and dropped the moment the database may hold
 * something newer. A read costs SQLite 10 to 30 µs in a busy server, as much as the rest of a refusal's checks;
 * this costs a pragma.
 */

/**
 * A generation that moves whenever the watched tables may have changed: at every commit by another connection
 * or process (`PRAGMA data_version`, which SQLite moves for those alone) and at every write to them through
 * this connection, or rollback (which may undo one), counted by the statement cache as each runs.
 */
export class TableChanges {
  private generation = 0;
  private dataVersion: number | undefined;
  /** Whether data_version was read in the code running now (until its microtasks run; see current). */
  private versionRead = false;

  /** `watched` names the tables in SQL text; `dataVersion` reads `PRAGMA data_version` of the connection. */
  constructor(
    private readonly watched: RegExp,
    private readonly readDataVersion: () => number,
  ) {}

  /** Whether running this statement counts as a change: a write naming a watched table, or a rollback. */
  changes(sqlText: string, readonly: boolean): boolean {
    return (!readonly && this.watched.test(sqlText)) || /^\s*rollback\b/i.test(sqlText);
  }

  /** Counts one of this connection's changes (called as the statement runs). */
  touch(): void {
    this.generation++;
  }

  current(): number {
    // One pragma serves every read issued in the same run of code (a request's checks are issued together): a
    // commit elsewhere between two of them could as well have come after both. Each costs SQLite a read lock,
    // two fcntl calls and an fstat. This connection's own writes still count at once (touch).
    if (!this.versionRead) {
      this.versionRead = true;
      queueMicrotask(() => {
        this.versionRead = false;
      });
      const version = this.readDataVersion();
      if (version !== this.dataVersion) {
        this.dataVersion = version;
        this.generation++;
      }
    }
    return this.generation;
  }
}

/** Entries at most; past it the cache starts again (a flood of unknown codes must not grow the process). */
const CACHE_SIZE = 10_000;

export class RowCache {
  private generation = -1;
  private readonly entries = new Map<string, unknown>();

  constructor(private readonly changes: TableChanges) {}

  /** The entries of the current generation, emptied first if the tables may have changed. */
  private fresh(): number {
    const generation = this.changes.current();
    if (generation !== this.generation) {
      this.entries.clear();
      this.generation = generation;
    }
    return generation;
  }

  /** Keeps what was read under `generation` only if nothing changed while it was read. */
  private keep(generation: number, keys: readonly string[], values: readonly unknown[]): void {
    if (this.changes.current() !== generation) return;
    if (this.entries.size + keys.length > CACHE_SIZE) this.entries.clear();
    keys.forEach((key, i) => this.entries.set(key, values[i]));
  }

  /** The value under `key` (an absent row, `undefined`, is kept too), or what `read` answers. */
  async get<T>(key: string, read: () => Promise<T>): Promise<T> {
    const generation = this.fresh();
    if (this.entries.has(key)) return this.entries.get(key) as T;
    const value = await read();
    this.keep(generation, [key], [value]);
    return value;
  }

  /**
   * The values under `keys`, in their order; when any is missing, `read` answers the whole list again (one
   * query), each item in place of its key or `undefined` for an absent row.
   */
  async getMany<T>(keys: readonly string[], read: () => Promise<(T | undefined)[]>): Promise<(T | undefined)[]> {
    const generation = this.fresh();
    if (keys.every((key) => this.entries.has(key))) return keys.map((key) => this.entries.get(key) as T | undefined);
    const values = await read();
    this.keep(generation, keys, values);
    return values;
  }
}
