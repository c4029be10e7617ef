/**
 * Every Feishu code shenpi answers, declared once: the envelope, the routes and the tests read this table.
 * `msg` is the documented text; `http` the status Feishu answers with.
 */
export const FEISHU_ERRORS = {
  10003: { msg: 'invalid param', http: 200 },
  60012: { msg: 'uuid conflict', http: 400 },
  99991400: { msg: 'request trigger frequency limit', http: 429 },
  99991661: {
    msg: 'Missing access token for authorization. Please make a request with token attached.',
    http: 400,
  },
  99991663: {
    msg: 'Invalid access token for authorization. Please make a request with token attached.',
    http: 400,
  },
  1390001: { msg: 'param is invalid', http: 400 },
  1390002: { msg: 'approval code not found', http: 400 },
  1390003: { msg: 'instance code not found', http: 400 },
  1390004: { msg: 'user_id or open_id not found', http: 400 },
  1390007: { msg: 'subscription existed', http: 400 },
  1390009: { msg: 'no operation permission', http: 403 },
  1390010: { msg: 'task not found', http: 400 },
  1390013: { msg: 'unsupported approval for free process', http: 400 },
  1390014: { msg: 'Do not synchronize the same approval instance for a short period of time!', http: 400 },
  1390015: { msg: 'approval is not active', http: 400 },
  1390016: { msg: 'approval is deleted', http: 400 },
  1390018: { msg: 'not support handwritten signature', http: 400 },
  1395001: { msg: 'There have been some errors. Please try again later', http: 400 },
  1395061: { msg: 'version updated', http: 400 },
} as const satisfies Record<number, { msg: string; http: number }>;

export type FeishuCode = keyof typeof FEISHU_ERRORS;

/** A business refusal: which Feishu code answers, and a plain-English reason for `error.details`. */
export interface Refusal {
  readonly code: FeishuCode;
  readonly reason: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; refusal: Refusal };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const refuse = (code: FeishuCode, reason: string): { ok: false; refusal: Refusal } => ({
  ok: false,
  refusal: { code, reason },
});

type Values<T extends readonly Result<unknown>[]> = { -readonly [K in keyof T]: T[K] extends Result<infer V> ? V : never };

/** The values of these results, or the refusal of the first by position: checks made together refuse in their documented order. */
export function allOk<T extends readonly Result<unknown>[]>(results: T): Result<Values<T>> {
  const values: unknown[] = [];
  for (const result of results) {
    if (!result.ok) return result;
    values.push(result.value);
  }
  return ok(values as Values<T>);
}

/**
 * A refusal thrown where a request cannot be answered with a value: by the hooks that run before any route (the
 * token, the rate limits, the request's shape), and by `unwrap` where a refusal would be a fault. The HTTP
 * layer formats it. Services answer their refusals as values (Result).
 */
export class FeishuError extends Error {
  constructor(
    readonly code: FeishuCode,
    readonly reason: string,
  ) {
    // A refusal is an answer, not a fault: no stack, whose capture cost a refused request more than its checks.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(`${code} ${FEISHU_ERRORS[code].msg}: ${reason}`);
    Error.stackTraceLimit = stackTraceLimit;
    this.name = 'FeishuError';
  }

  static from(refusal: Refusal): FeishuError {
    return new FeishuError(refusal.code, refusal.reason);
  }
}

/** Unwraps a result that cannot be a refusal here (data already checked), turning one into a FeishuError all the same. */
export function unwrap<T>(result: Result<T>): T {
  if (!result.ok) throw FeishuError.from(result.refusal);
  return result.value;
}
