/** The one source of time for the whole server: every timestamp, token expiry and revoke window reads it. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

/**
 * Real time shifted by an offset, or stopped at one instant. In emulator mode the offset is set through
 * `/_shenpi/clock`; time keeps flowing from the value set, as tests of windows and expiry expect, unless
 * the clock is frozen there (tests that compare whole answers).
 */
export class OffsetClock implements Clock {
  private frozenAt: number | undefined;

  constructor(
    private offsetMs = 0,
    private readonly realNow: () => number = Date.now,
  ) {}

  now(): number {
    return this.frozenAt ?? this.realNow() + this.offsetMs;
  }

  get offset(): number {
    return this.offsetMs;
  }

  /** The instant the clock stands still at, if it is frozen. */
  get frozen(): number | undefined {
    return this.frozenAt;
  }

  /** Time flows again, `offsetMs` from real time. */
  setOffset(offsetMs: number): void {
    this.offsetMs = offsetMs;
    this.frozenAt = undefined;
  }

  /** The clock answers `epochMs` until it is set again. */
  freeze(epochMs: number): void {
    this.frozenAt = epochMs;
  }

  /** The offset that makes `now()` answer `epochMs` at this instant. */
  offsetFor(epochMs: number): number {
    return epochMs - this.realNow();
  }
}
