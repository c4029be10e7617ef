/**
 * Group commit for SQLite's single connection: the transactions that arrive while one is running share the
 * next commit (and its fsync under synchronous FULL) instead of paying one each. Each keeps its own
 * all-or-nothing: it runs inside a savepoint of the shared transaction, a failure rolls back its savepoint
 * alone and is answered at once, and a success is answered only after the shared commit is done, so an
 * acknowledged change is as durable as with a transaction of its own.
 */
import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import { execute } from './prepared.js';

interface Queued<DB> {
  work: (trx: Transaction<DB>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

/** Transactions per commit at most, so that the first of a long queue is not kept waiting for the last. */
const MAX_BATCH = 64;

const SAVEPOINT = CompiledQuery.raw('savepoint group_item');
const RELEASE = CompiledQuery.raw('release group_item');
const ROLLBACK = CompiledQuery.raw('rollback to group_item');

export class GroupCommit<DB> {
  private readonly queue: Queued<DB>[] = [];
  private draining = false;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly maxBatch = MAX_BATCH,
  ) {}

  run<T>(work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (this.draining) return;
      this.draining = true;
      // After the requests already read from their sockets have queued their work too: the database calls
      // of a batch settle as microtasks, so a batch started now would hold this request alone.
      setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.commitBatch();
    } finally {
      this.draining = false;
    }
  }

  /** One shared transaction over the queue's head; work queued while it runs joins it, up to maxBatch. */
  private async commitBatch(): Promise<void> {
    // Taken from the queue and not yet answered: answered after the commit, or all refused if it fails.
    const open = new Map<Queued<DB>, unknown>();
    try {
      await this.db.transaction().execute(async (trx) => {
        for (let taken = 0; taken < this.maxBatch && this.queue.length > 0; taken++) {
          const item = this.queue.shift()!;
          open.set(item, undefined);
          await execute(trx, SAVEPOINT);
          try {
            open.set(item, await item.work(trx));
            await execute(trx, RELEASE);
          } catch (err) {
            await execute(trx, ROLLBACK);
            await execute(trx, RELEASE);
            open.delete(item);
            item.reject(err);
          }
        }
      });
    } catch (err) {
      // The shared commit failed (or a savepoint did): none of the batch's changes landed. A transaction that
      // could not even begin (the write lock not had in time, a closed database) took nothing from the queue:
      // its head is refused, or it would wait for a begin that fails again.
      const refused = open.size > 0 ? [...open.keys()] : this.queue.splice(0, this.maxBatch);
      for (const item of refused) item.reject(err);
      return;
    }
    for (const [item, value] of open) item.resolve(value);
  }
}
