/** The Feishu response envelope: `{code, msg, data}` on success, `{code, msg, error}` on failure. */
import { FEISHU_ERRORS, type FeishuCode } from '../domain/errors.js';

export interface FeishuErrorBody {
  code: number;
  msg: string;
  error: { log_id: string; details: { key: 'reason'; value: string }[] };
}

export const success = <T extends object>(data: T) => ({ code: 0, msg: 'success', data });

export function errorBody(code: FeishuCode, reason: string, logId: string): FeishuErrorBody {
  return {
    code,
    msg: FEISHU_ERRORS[code].msg,
    error: { log_id: logId, details: [{ key: 'reason', value: reason }] },
  };
}

export const httpStatusOf = (code: FeishuCode): number => FEISHU_ERRORS[code].http;
