/** A small fetch wrapper for the tests: JSON in, status + headers + parsed body out. */
import { request as httpRequest } from 'node:http';
import { DEMO_APP } from '../../src/fixtures/demo.js';
import { TEST_ADMIN_TOKEN } from './server.js';

export interface Answer<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** Query parameters, numbers written as their digits. */
export const queryString = (query: Record<string, string | number>): string =>
  new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString();

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

export interface RawAnswer {
  status: number;
  /** Header names exactly as the server wrote them (fetch lower-cases them). */
  headerNames: string[];
  header(name: string): string | undefined;
  text: string;
  body: any;
}

/**
 * A request over node:http, which sends only the headers given (fetch adds a Content-Type to any string
 * body) and reports the answer's header names as written.
 */
export function rawCall(
  baseUrl: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(baseUrl + path, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const headerNames = res.rawHeaders.filter((_, i) => i % 2 === 0);
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // Not JSON: the text is the body.
        }
        resolve({ status: res.statusCode ?? 0, headerNames, header: (name) => res.headers[name.toLowerCase()] as string, text, body });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
