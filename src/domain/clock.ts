/** The one source of time for the whole server: every timestamp, token expiry and revoke window reads it. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

/**
 * Real time shifted by an offset. In emulator mode the offset is set through `/_shenpi/clock`;
 * time keeps flowing from the value set, as tests of windows and expiry expect.
 */
export class OffsetClock implements Clock {
  constructor(
    private offsetMs = 0,
    private readonly realNow: () => number = Date.now,
  ) {}

  now(): number {
    return this.realNow() + this.offsetMs;
  }

  get offset(): number {
    return this.offsetMs;
  }

  setOffset(offsetMs: number): void {
    this.offsetMs = offsetMs;
  }

  /** The offset that makes `now()` answer `epochMs` at this instant. */
  offsetFor(epochMs: number): number {
    return epochMs - this.realNow();
  }
}
