/**
 * The node number of this process's decimal ids (domain/ids.ts), leased from the database: every process that
 * writes to one database (the nodes on one PostgreSQL, the workers of `--workers`, `shenpi load` beside a
 * server) holds a different number while it runs, so that their ids never meet. Three random digits in its
 * place met about once in a million pairs of one millisecond: under load, within minutes.
 *
 * A lease lasts a minute and is renewed every 15 s (every second after a renewal failed, while the database is
 * away); one that is not renewed (its process died) is taken by the next process to start. Expiry is judged by
 * each process's wall clock, so clocks of nodes may differ by up to the 45 s between a renewal and the lease's end.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { NODE_NUMBERS, type Ids } from '../domain/ids.js';
import type { Store } from './ports.js';

export const LEASE_MS = 60_000;
export const RENEW_MS = 15_000;
/** After a renewal failed: the database is away, and the sooner the lease is renewed once it is back, the better. */
const RETRY_MS = 1_000;

export class NodeNumbersTakenError extends Error {
  override name = 'NodeNumbersTakenError';
}

export interface NodeLeaseOptions {
  /** Hears a renewal that failed or a number lost and replaced. */
  warn?: (message: string) => void;
  /** The wall clock (never the emulator's, which may be moved). */
  now?: () => number;
  /** How often the lease is renewed (RENEW_MS): well within LEASE_MS. */
  renewEveryMs?: number;
}

export class NodeLease {
  private timer: NodeJS.Timeout | undefined;
  private renewing: Promise<void> | undefined;
  private released = false;
  private failing = false;

  private constructor(
    private readonly store: Store,
    private readonly ids: Ids,
    private readonly holder: string,
    private current: number,
    private readonly warn: (message: string) => void,
    private readonly now: () => number,
    private readonly renewEveryMs: number,
  ) {
    ids.useNode(current);
    this.schedule();
  }

  /** Leases the lowest free number for `ids`, and renews it until `release`. */
  static async acquire(store: Store, ids: Ids, options: NodeLeaseOptions = {}): Promise<NodeLease> {
    const now = options.now ?? Date.now;
    const holder = `${hostname()}/${process.pid}/${randomBytes(6).toString('hex')}`;
    const node = await take(store, holder, now);
    return new NodeLease(store, ids, holder, node, options.warn ?? (() => {}), now, options.renewEveryMs ?? RENEW_MS);
  }

  /** The number this process's ids carry now. */
  get node(): number {
    return this.current;
  }

  /** Renews the lease now (the timer does it every RENEW_MS); a lost number is replaced by a free one. */
  renew(): Promise<void> {
    this.renewing ??= this.renewOnce().finally(() => {
      this.renewing = undefined;
    });
    return this.renewing;
  }

  /** Stops renewing and frees the number (a database that is away lets it expire instead). */
  async release(): Promise<void> {
    this.released = true;
    clearTimeout(this.timer);
    await this.renewing;
    await this.store.transaction((tx) => tx.nodeLeases.release(this.current, this.holder)).catch(() => {});
  }

  private schedule(): void {
    const wait = this.failing ? Math.min(RETRY_MS, this.renewEveryMs) : this.renewEveryMs;
    this.timer = setTimeout(() => void this.renew().finally(() => this.released || this.schedule()), wait);
    this.timer.unref();
  }

  private async renewOnce(): Promise<void> {
    try {
      const expiresAt = this.now() + LEASE_MS;
      const kept = await this.store.transaction((tx) => tx.nodeLeases.renew(this.current, this.holder, expiresAt));
      if (!kept && !this.released) {
        const lost = this.current;
        this.current = await take(this.store, this.holder, this.now);
        this.ids.useNode(this.current);
        this.warn(`node number ${lost} was lost (its lease expired unrenewed): this process's ids now carry ${this.current}`);
      }
      if (this.failing) this.warn(`node number ${this.current}: its lease is renewed again`);
      this.failing = false;
    } catch (err) {
      // The database is away: the lease lasts LEASE_MS, and the next try comes within RETRY_MS.
      if (!this.failing) this.warn(`node number ${this.current}: its lease could not be renewed: ${(err as Error).message}`);
      this.failing = true;
    }
  }
}

/** The lowest number no live lease holds, taken for `holder`; a number another process took meanwhile is skipped. */
async function take(store: Store, holder: string, now: () => number): Promise<number> {
  for (;;) {
    const taken = await store.transaction(async (tx) => {
      const at = now();
      const held = new Set(await tx.nodeLeases.held(at));
      let node = 0;
      while (held.has(node)) node++;
      if (node >= NODE_NUMBERS) {
        throw new NodeNumbersTakenError(`all ${NODE_NUMBERS} node numbers are held by live processes on this database`);
      }
      return (await tx.nodeLeases.take(node, holder, at + LEASE_MS)) ? node : undefined;
    });
    if (taken !== undefined) return taken;
  }
}
