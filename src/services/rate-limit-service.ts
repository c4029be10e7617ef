/**
 * Feishu's per-app, per-endpoint request limits. On a shared database (PostgreSQL, many nodes) the
 * counts live in it, so every node sees every request; on SQLite, one node, they stay in memory.
 */
import type { Clock } from '../domain/clock.js';
import {
  decide,
  FAILED_TOKEN_REQUESTS_PER_ADDRESS,
  FAILED_TOKEN_REQUESTS_PER_APP,
  FixedWindowCounter,
  limitsFor,
  WINDOW_MS,
  windowStart,
  type RateDecision,
  type RateWindow,
} from '../domain/rate-limits.js';
import type { Store } from './ports.js';

export class RateLimitService {
  private readonly local = new FixedWindowCounter();
  private lastPurge = 0;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** Counts the request in each of its endpoint's windows; the refusal of the first that is full, if any. */
  async hit(appId: string, method: string, route: string): Promise<RateDecision | undefined> {
    const now = this.clock.now();
    let refusal: RateDecision | undefined;
    for (const { limit, window } of limitsFor(method, route)) {
      const decision = decide(await this.count(`${appId} ${method} ${route} per ${window}`, now, true, window), limit, now, window);
      if (!decision.allowed) refusal ??= decision;
    }
    return refusal;
  }

  /**
   * Whether a token request from this address for this app may still have its secret checked this minute;
   * a refusal when either has had its fill of failed requests.
   */
  async tokenRequestHeld(appId: string, address: string): Promise<(RateDecision & { by: string }) | undefined> {
    const now = this.clock.now();
    for (const [by, key, limit] of this.failureKeys(appId, address)) {
      const decision = decide((await this.count(key, now, false)) + 1, limit, now);
      if (!decision.allowed) return { ...decision, by };
    }
    return undefined;
  }

  /** Counts a refused token request against its app_id and its address. */
  async tokenRequestFailed(appId: string, address: string): Promise<void> {
    const now = this.clock.now();
    for (const [, key] of this.failureKeys(appId, address)) await this.count(key, now, true);
  }

  private failureKeys(appId: string, address: string) {
    return [
      [`app_id ${appId}`, `token-failures app ${appId}`, FAILED_TOKEN_REQUESTS_PER_APP],
      [`address ${address}`, `token-failures address ${address}`, FAILED_TOKEN_REQUESTS_PER_ADDRESS],
    ] as const;
  }

  /** The count of `key` in the window holding `now`, after adding one hit when `add`. */
  private async count(key: string, now: number, add: boolean, window: RateWindow = 'minute'): Promise<number> {
    if (!this.store.shared) return add ? this.local.hit(key, now, window) : this.local.count(key, now, window);
    const count = add
      ? await this.store.rateWindows.hit(key, windowStart(now, window))
      : await this.store.rateWindows.count(key, windowStart(now, window));
    if (now - this.lastPurge > WINDOW_MS) {
      this.lastPurge = now;
      await this.store.rateWindows.purge(windowStart(now));
    }
    return count;
  }
}
