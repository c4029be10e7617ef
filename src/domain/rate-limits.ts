/**
 * Feishu's per-app, per-endpoint request limits (approval-v4.md §8), and a fixed one-minute window
 * counter. Endpoints the documentation leaves open get 100 per minute.
 */
export const DEFAULT_LIMIT_PER_MINUTE = 100;

const LIMITS_PER_MINUTE: Record<string, number> = {
  'POST /open-apis/approval/v4/approvals': 1000,
  'GET /open-apis/approval/v4/instances/:instance_id': 1000,
};

export const WINDOW_MS = 60_000;

export const limitFor = (method: string, route: string): number =>
  LIMITS_PER_MINUTE[`${method} ${route}`] ?? DEFAULT_LIMIT_PER_MINUTE;

export interface RateDecision {
  allowed: boolean;
  limit: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

/** Counts requests per key in fixed windows aligned to the minute. */
export class FixedWindowCounter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  hit(key: string, limit: number, now: number): RateDecision {
    const start = now - (now % WINDOW_MS);
    const current = this.windows.get(key);
    const window = current && current.start === start ? current : { start, count: 0 };
    window.count += 1;
    this.windows.set(key, window);
    if (this.windows.size > 10_000) this.forgetBefore(start);
    return { allowed: window.count <= limit, limit, resetSeconds: Math.ceil((start + WINDOW_MS - now) / 1000) };
  }

  private forgetBefore(start: number): void {
    for (const [key, window] of this.windows) if (window.start < start) this.windows.delete(key);
  }
}
