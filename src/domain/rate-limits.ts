/**
 * Feishu's per-app, per-endpoint request limits (approval-v4.md §8), and a fixed-window counter: one-minute
 * windows, and one-second ones for the limits Feishu states per second. An endpoint may have both (Feishu's
 * "1000/min, 50/s" tier): a request counts in each, and is refused when either is full. Endpoints the
 * documentation leaves open get 100 per minute.
 */
export type RateWindow = 'minute' | 'second';

export interface RateLimit {
  limit: number;
  window: RateWindow;
}

export const DEFAULT_LIMIT_PER_MINUTE = 100;

const DEFAULT_LIMITS: readonly RateLimit[] = [{ limit: DEFAULT_LIMIT_PER_MINUTE, window: 'minute' }];

/** Feishu's "1000 次/分钟、50 次/秒" tier: both apply. */
const THOUSAND_A_MINUTE: readonly RateLimit[] = [
  { limit: 1000, window: 'minute' },
  { limit: 50, window: 'second' },
];

const LIMITS: Record<string, readonly RateLimit[]> = {
  'POST /open-apis/approval/v4/approvals': THOUSAND_A_MINUTE,
  'GET /open-apis/approval/v4/instances/:instance_id': THOUSAND_A_MINUTE,
  // Feishu's list-comments page states this tier; the other comment endpoints keep the default.
  'GET /open-apis/approval/v4/instances/:instance_id/comments': THOUSAND_A_MINUTE,
  // The third-party definition and instance-sync pages state it.
  'POST /open-apis/approval/v4/external_approvals': THOUSAND_A_MINUTE,
  'GET /open-apis/approval/v4/external_approvals/:approval_code': THOUSAND_A_MINUTE,
  'POST /open-apis/approval/v4/external_instances': THOUSAND_A_MINUTE,
  'POST /open-apis/approval/v4/tasks/search': THOUSAND_A_MINUTE,
  'POST /open-apis/approval/v4/instances/search_cc': THOUSAND_A_MINUTE,
  'POST /open-apis/approval/v4/instances/specified_rollback': THOUSAND_A_MINUTE,
  // 10 a second for the district list; the search, whose page is not found, is taken to share it.
  'GET /open-apis/approval/v4/districts': [{ limit: 10, window: 'second' }],
  'POST /open-apis/approval/v4/districts/search': [{ limit: 10, window: 'second' }],
};

/** The limits an endpoint's requests count against, minute first. */
export const limitsFor = (method: string, route: string): readonly RateLimit[] => LIMITS[`${method} ${route}`] ?? DEFAULT_LIMITS;

export const WINDOW_MS = 60_000;

const WINDOW_LENGTH_MS: Record<RateWindow, number> = { minute: WINDOW_MS, second: 1000 };

/**
 * Refused token requests (a wrong app_secret or an unknown app_id) a minute, per app_id and per client
 * address; beyond them the token endpoint answers 99991400 without checking the secret (shenpi's bound:
 * Feishu documents none). Each check costs a scrypt, so an unbounded stream of them would starve the server.
 */
export const FAILED_TOKEN_REQUESTS_PER_APP = 30;
export const FAILED_TOKEN_REQUESTS_PER_ADDRESS = 60;

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
