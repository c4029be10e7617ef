/** The Feishu response envelope: `{code, msg, data}` on success, `{code, msg, error}` on failure. */
import { FEISHU_ERRORS, type FeishuCode } from '../domain/errors.js';

export interface FeishuErrorBody {
  code: number;
  msg: string;
  error: { log_id: string; troubleshooter: string; details: { key: 'reason'; value: string }[] };
}

export const success = <T extends object>(data: T) => ({ code: 0 as const, msg: 'success' as const, data });

/** Success without a `data` key, as Feishu answers add_sign. */
export const acknowledged = () => ({ code: 0 as const, msg: 'success' as const });

/**
 * Feishu's `error.troubleshooter`: a sentence and its search page for this log id and code. It is text for
 * people and tools that print it (the Python SDK's `get_troubleshooter()`); shenpi never fetches it.
 */
export const troubleshooter = (logId: string, code: number): string =>
  '排查建议查看(Troubleshooting suggestions): ' +
  `https://open.feishu.cn/search?from=openapi&log_id=${encodeURIComponent(logId)}&code=${code}`;

/** An error body with any code and msg (the emulator's fault rules answer codes shenpi never would). */
export function errorEnvelope(code: number, msg: string, reason: string, logId: string): FeishuErrorBody {
  return {
    code,
    msg,
    error: { log_id: logId, troubleshooter: troubleshooter(logId, code), details: [{ key: 'reason', value: reason }] },
  };
}

export const errorBody = (code: FeishuCode, reason: string, logId: string): FeishuErrorBody =>
  errorEnvelope(code, FEISHU_ERRORS[code].msg, reason, logId);

export const httpStatusOf = (code: FeishuCode): number => FEISHU_ERRORS[code].http;
