import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from './helpers/server.js';
import { admin, call, tenantToken } from './helpers/http.js';

const CANCEL = '/open-apis/approval/v4/instances/cancel';
const body = { approval_code: 'NO-SUCH-CODE', instance_code: 'NO-SUCH-INSTANCE', user_id: 'ou_alice' };

test('the 101st withdrawal request of an app within a minute answers HTTP 429 99991400 with the limit headers', async (t) => {
  const server = await startTestServer({ rateLimit: true });
  t.after(() => server.close());
  // Windows are whole minutes: start at the beginning of one so that all requests fall into it.
  const now = Date.now();
  await admin(server.url, '/clock', { json: { now: now - (now % 60_000) + 60_000 } });
  const token = await tenantToken(server.url);
  for (let i = 0; i < 100; i++) {
    const answer = await call(server.url, CANCEL, { token, json: body });
    assert.equal(answer.body.code, 1390002);
  }
  const limited = await call(server.url, CANCEL, { token, json: body });
  assert.equal(limited.status, 429);
  assert.equal(limited.body.code, 99991400);
  assert.equal(limited.body.msg, 'request trigger frequency limit');
  assert.equal(limited.headers.get('x-ogw-ratelimit-limit'), '100');
  assert.ok(Number(limited.headers.get('x-ogw-ratelimit-reset')) > 0);
});

test('rate limits are off by default in emulator mode', async (t) => {
  const server = await startTestServer();
  t.after(() => server.close());
  const token = await tenantToken(server.url);
  for (let i = 0; i < 101; i++) {
    const answer = await call(server.url, CANCEL, { token, json: body });
    assert.equal(answer.body.code, 1390002);
  }
});
