/** A small fetch wrapper for the tests: JSON in, status + headers + parsed body out. */
import { DEMO_APP } from '../../src/fixtures/demo.js';
import { TEST_ADMIN_TOKEN } from './server.js';

export interface Answer<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface CallOptions {
  method?: string;
  token?: string;
  /** A raw body sent as is (for malformed-JSON tests); otherwise `json` is serialised. */
  raw?: string;
  json?: unknown;
  headers?: Record<string, string>;
}

export async function call<T = any>(baseUrl: string, path: string, options: CallOptions = {}): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.raw;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(baseUrl + path, { method: options.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON (e.g. the plain-text 404): the text is the body.
  }
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

export async function tenantToken(baseUrl: string, app: { app_id: string; app_secret: string } = DEMO_APP): Promise<string> {
  const answer = await call(baseUrl, '/open-apis/auth/v3/tenant_access_token/internal', { json: app });
  if (answer.body.code !== 0) throw new Error(`token request failed: ${answer.text}`);
  return answer.body.tenant_access_token as string;
}

export const admin = (baseUrl: string, path: string, options: Omit<CallOptions, 'token'> = {}) =>
  call(baseUrl, `/_shenpi${path}`, { ...options, token: TEST_ADMIN_TOKEN });
