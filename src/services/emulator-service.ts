/**
 * The emulator's data controls, behind both `/_shenpi/*` and `startShenpi()`: reset, and snapshots. A snapshot
 * holds every table's rows (data, tokens, the clock offset, deliveries, ...) and, on a seeded server, where
 * its id streams stood, so that a restore brings all of it back and the same calls then make the same ids.
 * Snapshots live in this process's memory; on a shared PostgreSQL, one node takes them and a restore
 * rewrites the database every node reads.
 */
import type { IdState, Ids } from '../domain/ids.js';
import type { ClockService } from './clock-service.js';
import type { Store, StoreDump } from './ports.js';

interface Snapshot {
  dump: StoreDump;
  ids: IdState | undefined;
}

export class EmulatorService {
  private readonly snapshots = new Map<string, Snapshot>();
  private taken = 0;

  constructor(
    private readonly store: Store,
    private readonly clock: ClockService,
    private readonly ids: Ids,
  ) {}

  /** Deletes all data (the clock offset too) and starts the ids over from the seed. */
  async reset(): Promise<void> {
    await this.store.deleteAll();
    this.ids.reset();
    await this.clock.reload();
  }

  /** Answers the new snapshot's id. */
  async snapshot(): Promise<string> {
    const ids = this.ids.state();
    const dump = await this.store.dump();
    this.taken += 1;
    const id = String(this.taken);
    this.snapshots.set(id, { dump, ids });
    return id;
  }

  /** Brings the snapshot back, in one transaction; false when no snapshot has that id. */
  async restore(id: string): Promise<boolean> {
    const snapshot = this.snapshots.get(id);
    if (!snapshot) return false;
    await this.store.load(snapshot.dump);
    this.ids.restore(snapshot.ids);
    await this.clock.reload();
    return true;
  }
}
