/**
 * Feishu's per-app, per-endpoint request limits (approval-v4.md §8), and a fixed-window counter: one-minute
 * windows, one-second ones for the endpoints Feishu limits per second. Endpoints the documentation leaves
 * open get 100 per minute.
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
  // Feishu's two search pages state 1000/min; their 50/s, like that of the other 1000/min endpoints, is not applied.
  'POST /open-apis/approval/v4/tasks/search': 1000,
  'POST /open-apis/approval/v4/instances/search_cc': 1000,
  // Feishu's specified_rollback page states 1000/min (and 50/s, not applied either).
  'POST /open-apis/approval/v4/instances/specified_rollback': 1000,
};

/**
 * Limits Feishu states per second: 10 for the district list; the search, whose page is not found, is taken
 * to share it.
 */
const LIMITS_PER_SECOND: Record<string, number> = {
  'GET /open-apis/approval/v4/districts': 10,
  'POST /open-apis/approval/v4/districts/search': 10,
};

export const WINDOW_MS = 60_000;

export type RateWindow = 'minute' | 'second';

const WINDOW_LENGTH_MS: Record<RateWindow, number> = { minute: WINDOW_MS, second: 1000 };

/**
 * Refused token requests (a wrong app_secret or an unknown app_id) a minute, per app_id and per client
 * address; beyond them the token endpoint answers 99991400 without checking the secret (shenpi's bound:
 * Feishu documents none). Each check costs a scrypt, so an unbounded stream of them would starve the server.
 */
export const FAILED_TOKEN_REQUESTS_PER_APP = 30;
export const FAILED_TOKEN_REQUESTS_PER_ADDRESS = 60;

export const limitFor = (method: string, route: string): number =>
  LIMITS_PER_SECOND[`${method} ${route}`] ?? LIMITS_PER_MINUTE[`${method} ${route}`] ?? DEFAULT_LIMIT_PER_MINUTE;

/** The window an endpoint's requests are counted in. */
export const windowFor = (method: string, route: string): RateWindow =>
  `${method} ${route}` in LIMITS_PER_SECOND ? 'second' : 'minute';

export interface RateDecision {
  allowed: boolean;
  limit: number;
  window: RateWindow;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

/** The start of the window holding `now`. */
export const windowStart = (now: number, window: RateWindow = 'minute'): number => now - (now % WINDOW_LENGTH_MS[window]);

/** The verdict on the `count`th request of the window holding `now`. */
export function decide(count: number, limit: number, now: number, window: RateWindow = 'minute'): RateDecision {
  const resetSeconds = Math.ceil((windowStart(now, window) + WINDOW_LENGTH_MS[window] - now) / 1000);
  return { allowed: count <= limit, limit, window, resetSeconds };
}

/** Counts requests per key in fixed windows aligned to the minute, in this process. */
export class FixedWindowCounter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  /** The number of hits on `key` so far in the window holding `now`. */
  count(key: string, now: number, length: RateWindow = 'minute'): number {
    const current = this.windows.get(key);
    return current && current.start === windowStart(now, length) ? current.count : 0;
  }

  /** The number of hits on `key` in the window holding `now`, this one included. */
  hit(key: string, now: number, length: RateWindow = 'minute'): number {
    const start = windowStart(now, length);
    const current = this.windows.get(key);
    const window = current && current.start === start ? current : { start, count: 0 };
    window.count += 1;
    this.windows.set(key, window);
    // From the minute's start, which no current window (second or minute) precedes.
    if (this.windows.size > 10_000) this.forgetBefore(windowStart(now));
    return window.count;
  }

  private forgetBefore(start: number): void {
    for (const [key, window] of this.windows) if (window.start < start) this.windows.delete(key);
  }
}
