import type { OffsetClock } from '../domain/clock.js';
import type { Store } from './ports.js';

/** The stored clock: the offset from real time in ms, or `frozen:<epoch ms>` while the clock stands still. */
const OFFSET_KEY = 'clock_offset_ms';
const FROZEN = 'frozen:';

/** `now` sets the time (time flows on from it, or stands still there when `frozen`); `advance_ms` moves it. */
export type ClockChange = { now: number; frozen?: boolean } | { advance_ms: number };

/** The last instant whose log id (a UTC timestamp to the second, `YYYYMMDDhhmmss`) can be written: the end of 9999. */
export const LATEST_CLOCK_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** A clock change to a time before 1970 or after 9999 (answered 400 `{"error": ...}` by the admin API). */
export class ClockOutOfRange extends RangeError {
  readonly statusCode = 400;
  override name = 'ClockOutOfRange';
}

/**
 * Owns the server clock. The offset lives in the database so that every node of a cluster, and a
 * restarted server, agree on the emulated time.
 */
export class ClockService {
  constructor(
    private readonly store: Store,
    readonly clock: OffsetClock,
    private readonly settable: boolean,
  ) {}

  /** Whether the offset was read since the last reload. */
  private loaded = false;

  /** False when refresh() would do nothing: callers on the hot path then skip its promise. */
  needsRefresh(): boolean {
    return this.settable && (!this.loaded || this.store.shared);
  }

  /**
   * Re-reads the shared offset; called before each request in emulator mode. A store of one node (SQLite)
   * has no other writer of it than this service, so there the first read is enough until a reload.
   */
  async refresh(): Promise<void> {
    if (!this.needsRefresh()) return;
    let stored: string | undefined;
    try {
      stored = await this.store.state.get(OFFSET_KEY);
    } catch {
      // Keep the last offset: the request's own database work reports the failure (and /healthz answers 503).
      return;
    }
    if (stored?.startsWith(FROZEN)) this.clock.freeze(Number(stored.slice(FROZEN.length)));
    else this.clock.setOffset(stored === undefined ? 0 : Number(stored));
    this.loaded = true;
  }

  /** Reads the offset again, after the data under it was replaced (reset, snapshot restore). */
  async reload(): Promise<void> {
    this.loaded = false;
    await this.refresh();
  }

  async change(change: ClockChange): Promise<number> {
    await this.refresh();
    const { frozen } = this.clock;
    // A frozen clock stays frozen when advanced: the instant it stands still at moves.
    const freezeAt =
      'now' in change ? (change.frozen ? change.now : undefined) : frozen === undefined ? undefined : frozen + change.advance_ms;
    // Every request's log id is written from the clock: a time it cannot write would fail every request after.
    const target = 'now' in change ? change.now : (frozen ?? this.clock.now()) + change.advance_ms;
    if (!(target >= 0 && target <= LATEST_CLOCK_MS)) {
      throw new ClockOutOfRange(`the clock can be set from 1970 to the end of 9999 (0 to ${LATEST_CLOCK_MS} ms), not to ${target}`);
    }
    if (freezeAt !== undefined) {
      await this.store.state.set(OFFSET_KEY, `${FROZEN}${freezeAt}`);
      this.clock.freeze(freezeAt);
    } else {
      const offset = 'now' in change ? this.clock.offsetFor(change.now) : this.clock.offset + change.advance_ms;
      await this.store.state.set(OFFSET_KEY, String(offset));
      this.clock.setOffset(offset);
    }
    return this.clock.now();
  }
}
