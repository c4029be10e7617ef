/** Paths and checks shared by the Open API tests. */
import assert from 'node:assert/strict';
import type { Answer } from './http.js';

export const TENANT_TOKEN_PATH = '/open-apis/auth/v3/tenant_access_token/internal';
export const APP_TOKEN_PATH = '/open-apis/auth/v3/app_access_token/internal';

/** A route that needs a tenant_access_token (the approval of contract.md's example). */
export const PROTECTED_PATH = '/open-apis/approval/v4/approvals/7C468A54-8745-2245-9675-08B7C63E7A85';

export const AUTH_CODES = [99991661, 99991663];

export const MISSING_TOKEN_MSG = 'Missing access token for authorization. Please make a request with token attached.';
export const INVALID_TOKEN_MSG = 'Invalid access token for authorization. Please make a request with token attached.';

/** The route exists and let the token through: whatever it answered next, it was not an auth error. */
export function assertTokenAccepted(answer: Answer): void {
  assert.notEqual(answer.status, 404, `${PROTECTED_PATH} is not routed: ${answer.text}`);
  assert.equal(typeof answer.body?.code, 'number', `not a Feishu envelope: ${answer.text}`);
  assert.ok(!AUTH_CODES.includes(answer.body.code), `token refused: ${answer.text}`);
}

/** An Open API error envelope with the given code, as rules.md "Every Open API request" 5 fixes it. */
export function assertFeishuError(answer: Answer, code: number, msg: string, status: number): void {
  assert.equal(answer.status, status, answer.text);
  assert.equal(answer.body?.code, code, answer.text);
  assert.equal(answer.body.msg, msg);
  const logId = answer.headers.get('x-tt-logid');
  assert.ok(logId, 'X-Tt-Logid header');
  assert.equal(answer.body.error?.log_id, logId);
  assert.equal(answer.body.error.details?.[0]?.key, 'reason');
  assert.ok(typeof answer.body.error.details[0].value === 'string' && answer.body.error.details[0].value.length > 0);
}
