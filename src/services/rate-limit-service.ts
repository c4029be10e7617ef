/**
 * Feishu's per-app, per-endpoint request limits. On a shared database (PostgreSQL, many nodes) the
 * counts live in it, so every node sees every request; on SQLite, one node, they stay in memory.
 */
import type { Clock } from '../domain/clock.js';
import { decide, FixedWindowCounter, limitFor, WINDOW_MS, windowStart, type RateDecision } from '../domain/rate-limits.js';
import type { Store } from './ports.js';

export class RateLimitService {
  private readonly local = new FixedWindowCounter();
  private lastPurge = 0;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async hit(appId: string, method: string, route: string): Promise<RateDecision> {
    const now = this.clock.now();
    const key = `${appId} ${method} ${route}`;
    const count = this.store.shared
      ? await this.store.rateWindows.hit(key, windowStart(now))
      : this.local.hit(key, now);
    if (this.store.shared && now - this.lastPurge > WINDOW_MS) {
      this.lastPurge = now;
      await this.store.rateWindows.purge(windowStart(now));
    }
    return decide(count, limitFor(method, route), now);
  }
}
