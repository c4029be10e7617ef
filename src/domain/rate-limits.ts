/**
 * Feishu's per-app, per-endpoint request limits (approval-v4.md §8), and a fixed one-minute window
 * counter. Endpoints the documentation leaves open get 100 per minute.
 */
export const DEFAULT_LIMIT_PER_MINUTE = 100;

const LIMITS_PER_MINUTE: Record<string, number> = {
  'POST /open-apis/approval/v4/approvals': 1000,
  'GET /open-apis/approval/v4/instances/:instance_id': 1000,
  // Feishu's list-comments page states 1000/min; the other comment endpoints keep the default.
  'GET /open-apis/approval/v4/instances/:instance_id/comments': 1000,
  // The third-party definition and instance-sync pages state 1000/min.
  'POST /open-apis/approval/v4/external_approvals': 1000,
  'GET /open-apis/approval/v4/external_approvals/:approval_code': 1000,
  'POST /open-apis/approval/v4/external_instances': 1000,
};

export const WINDOW_MS = 60_000;

/**
 * Refused token requests (a wrong app_secret or an unknown app_id) a minute, per app_id and per client
 * address; beyond them the token endpoint answers 99991400 without checking the secret (shenpi's bound:
 * Feishu documents none). Each check costs a scrypt, so an unbounded stream of them would starve the server.
 */
export const FAILED_TOKEN_REQUESTS_PER_APP = 30;
export const FAILED_TOKEN_REQUESTS_PER_ADDRESS = 60;

export const limitFor = (method: string, route: string): number =>
  LIMITS_PER_MINUTE[`${method} ${route}`] ?? DEFAULT_LIMIT_PER_MINUTE;

export interface RateDecision {
  allowed: boolean;
  limit: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

/** The start of the one-minute window holding `now`. */
export const windowStart = (now: number): number => now - (now % WINDOW_MS);

/** The verdict on the `count`th request of the window holding `now`. */
export function decide(count: number, limit: number, now: number): RateDecision {
  return { allowed: count <= limit, limit, resetSeconds: Math.ceil((windowStart(now) + WINDOW_MS - now) / 1000) };
}

/** Counts requests per key in fixed windows aligned to the minute, in this process. */
export class FixedWindowCounter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  /** The number of hits on `key` so far in the window holding `now`. */
  count(key: string, now: number): number {
    const current = this.windows.get(key);
    return current && current.start === windowStart(now) ? current.count : 0;
  }

  /** The number of hits on `key` in the window holding `now`, this one included. */
  hit(key: string, now: number): number {
    const start = windowStart(now);
    const current = this.windows.get(key);
    const window = current && current.start === start ? current : { start, count: 0 };
    window.count += 1;
    this.windows.set(key, window);
    if (this.windows.size > 10_000) this.forgetBefore(start);
    return window.count;
  }

  private forgetBefore(start: number): void {
    for (const [key, window] of this.windows) if (window.start < start) this.windows.delete(key);
  }
}
