import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from './helpers/server.js';
import { admin, call, tenantToken, type Answer } from './helpers/http.js';

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
  const reset = Number(limited.headers.get('x-ogw-ratelimit-reset'));
  assert.ok(reset >= 1 && reset <= 60, `seconds to the next minute window, got ${reset}`);
});

test("GET instance is in Feishu's 1000-a-minute, 50-a-second tier: the 51st request within one second answers 429, the next second serves again", async (t) => {
  const server = await startTestServer({ rateLimit: true });
  t.after(() => server.close());
  // A frozen clock at the start of a minute: every request falls into one second window, however slowly they run.
  const now = Date.now();
  await admin(server.url, '/clock', { json: { now: now - (now % 60_000) + 60_000, frozen: true } });
  const token = await tenantToken(server.url);
  const get = () => call(server.url, '/open-apis/approval/v4/instances/NO-SUCH-INSTANCE', { token });
  for (let i = 0; i < 50; i++) assert.equal((await get()).body.code, 1390003);
  const limited = await get();
  assert.equal(limited.status, 429);
  assert.equal(limited.body.code, 99991400);
  assert.equal(limited.headers.get('x-ogw-ratelimit-limit'), '50');
  assert.equal(limited.headers.get('x-ogw-ratelimit-reset'), '1');
  assert.match(limited.body.error.details[0].value, /more than 50 requests a second/);
  await admin(server.url, '/clock', { json: { advance_ms: 1000 } });
  assert.equal((await get()).body.code, 1390003);
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

const TOKEN = '/open-apis/auth/v3/tenant_access_token/internal';
const DEMO = { app_id: 'cli_acme_demo', app_secret: 'acme-secret' };

/** A server with the limits on, its clock at the start of a minute window. */
async function limitedServer(t: { after: (fn: () => Promise<void>) => void }) {
  const server = await startTestServer({ rateLimit: true });
  t.after(() => server.close());
  const now = Date.now();
  await admin(server.url, '/clock', { json: { now: now - (now % 60_000) + 60_000 } });
  return server;
}

function assertHeldOff(answer: Answer, limit: number, by: RegExp): void {
  assert.equal(answer.status, 429, answer.text);
  assert.equal(answer.body.code, 99991400);
  assert.equal(answer.body.msg, 'request trigger frequency limit');
  assert.equal(answer.headers.get('x-ogw-ratelimit-limit'), String(limit));
  assert.match(answer.body.error.details[0].value, by);
}

test('after 30 refused token requests for one app_id in a minute its token requests answer 429 99991400, the right secret too, until the next minute', async (t) => {
  const server = await limitedServer(t);
  for (let i = 0; i < 30; i++) {
    const refused = await call(server.url, TOKEN, { json: { ...DEMO, app_secret: `wrong-${i}` } });
    assert.equal(refused.body.code, 10003, refused.text);
  }
  assertHeldOff(await call(server.url, TOKEN, { json: DEMO }), 30, /app_id cli_acme_demo/);
  await admin(server.url, '/clock', { json: { advance_ms: 60_000 } });
  assert.equal((await call(server.url, TOKEN, { json: DEMO })).body.code, 0);
});

test('after 60 refused token requests from one address in a minute (unknown app_ids too) that address is held off', async (t) => {
  const server = await limitedServer(t);
  for (let i = 0; i < 60; i++) {
    const refused = await call(server.url, TOKEN, { json: { app_id: `cli_guess_${i}`, app_secret: 'x' } });
    assert.equal(refused.body.code, 10003, refused.text);
  }
  assertHeldOff(await call(server.url, TOKEN, { json: DEMO }), 60, /address/);
});

test('token requests that succeed, or are malformed, do not count toward the refused ones', async (t) => {
  const server = await limitedServer(t);
  for (let i = 0; i < 70; i++) {
    const answer = await call(server.url, TOKEN, { json: i % 2 ? DEMO : { app_id: 'cli_acme_demo' } });
    assert.equal(answer.body.code, i % 2 ? 0 : 10003, answer.text);
  }
});

test('refused token requests are never held off in emulator mode (rate limits off)', async (t) => {
  const server = await startTestServer();
  t.after(() => server.close());
  for (let i = 0; i < 31; i++) {
    assert.equal((await call(server.url, TOKEN, { json: { ...DEMO, app_secret: 'wrong' } })).body.code, 10003);
  }
  assert.equal((await call(server.url, TOKEN, { json: DEMO })).body.code, 0);
});
