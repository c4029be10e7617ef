/**
 * The request log and request logging (contract.md's `GET /_shenpi/requests` row): any body, however deep
 * or large, is kept safely and never makes the listing fail; secrets are redacted wherever requests are
 * logged or shown: the request log, and pino's request lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { DEMO_APP } from '../src/fixtures/demo.js';
import { admin, call, tenantToken } from './helpers/http.js';
import { startTestServer } from './helpers/server.js';

const TOKEN_PATH = '/open-apis/auth/v3/tenant_access_token/internal';
const CREATE = '/open-apis/approval/v4/instances';

interface Logged {
  path: string;
  query: Record<string, unknown>;
  body: any;
  body_truncated: boolean;
}

async function logged(url: string): Promise<Logged[]> {
  const answer = await admin(url, '/requests');
  assert.equal(answer.status, 200, answer.text.slice(0, 500));
  return answer.body.requests as Logged[];
}

for (const depth of [5_000, 100_000]) {
  test(`a body nested ${depth.toLocaleString('en')} levels deep is logged cut at 32 levels and marked, and the log still lists`, async (t) => {
    const server = await startTestServer();
    t.after(() => server.close());
    const token = await tenantToken(server.url);
    const raw = `{"approval_code":"X","form":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const answer = await call(server.url, CREATE, { token, raw, headers: { 'content-type': 'application/json' } });
    assert.equal(answer.body.code, 1390001, answer.text);

    const entry = (await logged(server.url)).find((r) => r.path === CREATE)!;
    assert.equal(entry.body_truncated, true);
    assert.equal(entry.body.approval_code, 'X');
    let level = 2; // the body is level 1, `form` level 2
    let at = entry.body.form;
    while (Array.isArray(at)) {
      at = at[0];
      level += 1;
    }
    assert.equal(at, '[cut: deeper than 32 levels]');
    assert.equal(level, 33);
  });
}

test('a large body is logged cut to a bounded size, marked, next to whole small ones', async (t) => {
  const server = await startTestServer();
  t.after(() => server.close());
  const token = await tenantToken(server.url);
  const form = JSON.stringify(Array.from({ length: 5_000 }, (_, i) => ({ id: `w${i}`, type: 'input', value: 'x'.repeat(20) })));
  await call(server.url, CREATE, { token, json: { approval_code: 'X', open_id: 'ou_alice', form } });
  const [first, second] = await logged(server.url);
  assert.equal(first?.path, TOKEN_PATH);
  assert.equal(first?.body_truncated, false);
  assert.equal(second?.path, CREATE);
  assert.equal(second?.body_truncated, true);
  assert.match(second?.body.form, /\[cut: \d+ more characters\]$/);
  assert.ok(JSON.stringify(second).length < 20_000);
});

test('the request log redacts the app_secret of token requests and every secret field or query parameter', async (t) => {
  const server = await startTestServer();
  t.after(() => server.close());
  const token = await tenantToken(server.url);
  await call(server.url, '/open-apis/auth/v3/app_access_token/internal', { json: DEMO_APP });
  await call(server.url, `${CREATE}?tenant_access_token=${token}&user_id_type=open_id`, {
    token,
    json: { approval_code: 'X', encrypt_key: 'ek', extra: { verification_token: 'vt', note: `Bearer ${token}` } },
  });
  const requests = await logged(server.url);
  const text = JSON.stringify(requests);
  for (const secret of [DEMO_APP.app_secret, token, 'ek', '"vt"']) assert.ok(!text.includes(secret), `${secret} is not shown`);
  assert.deepEqual(requests[0]?.body, { app_id: DEMO_APP.app_id, app_secret: '[redacted]' });
  assert.deepEqual(requests[1]?.body, { app_id: DEMO_APP.app_id, app_secret: '[redacted]' });
  assert.deepEqual(requests[2]?.query, { tenant_access_token: '[redacted]', user_id_type: 'open_id' });
  assert.deepEqual(requests[2]?.body, {
    approval_code: 'X',
    encrypt_key: '[redacted]',
    extra: { verification_token: '[redacted]', note: '[redacted]' },
  });
  assert.equal(requests[2]?.body_truncated, false);
});

test("pino's request lines carry no secret query parameter, no Authorization header and no app_secret", async (t) => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const server = await startTestServer({}, { logger: pino({ level: 'trace' }, sink) });
  t.after(() => server.close());
  const token = await tenantToken(server.url);
  await call(server.url, `/open-apis/approval/v4/approvals/X?tenant_access_token=${token}&app_secret=${DEMO_APP.app_secret}`, { token });
  const requestLines = lines.filter((line) => line.includes('"incoming request"'));
  assert.ok(requestLines.some((line) => line.includes('/open-apis/approval/v4/approvals/X?')), 'the request is logged');
  const text = lines.join('');
  assert.ok(!text.includes(token), 'no tenant access token');
  assert.ok(!text.includes(DEMO_APP.app_secret), 'no app secret');
  assert.ok(!/authorization/i.test(text), 'no Authorization header');
});
