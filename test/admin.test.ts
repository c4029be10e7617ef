/** `/_shenpi/*` and `/healthz` (contract.md "Admin and test endpoints"). */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { DEMO_APP } from '../src/fixtures/demo.js';
import { GLOBEX_APP, globexFixture } from './helpers/fixtures.js';
import { admin, call, tenantToken } from './helpers/http.js';
import { assertFeishuError, INVALID_TOKEN_MSG, PROTECTED_PATH, TENANT_TOKEN_PATH } from './helpers/open-api.js';
import { startTestServer } from './helpers/server.js';
import type { ServeConfig } from '../src/config.js';

/** Generous bounds for "about now": the server clock flows on between the request and the check. */
const SLACK_MS = 60_000;

async function serve(t: TestContext, overrides: Partial<ServeConfig> = {}) {
  const server = await startTestServer(overrides);
  t.after(() => server.close());
  return server;
}

function fixtureFile(t: TestContext, document: unknown): string {
  const folder = mkdtempSync(join(tmpdir(), 'shenpi-fixture-'));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  const file = join(folder, 'fixture.json');
  writeFileSync(file, JSON.stringify(document));
  return file;
}

describe('admin authentication', () => {
  test('an admin request without a token answers 401 {"error"}', async (t) => {
    const server = await serve(t);
    const answer = await call(server.url, '/_shenpi/clock');
    assert.equal(answer.status, 401);
    assert.equal(typeof answer.body.error, 'string');
  });

  test('an admin request with a wrong token answers 401 {"error"}', async (t) => {
    const server = await serve(t);
    const answer = await call(server.url, '/_shenpi/clock', { token: 'not-the-admin-token' });
    assert.equal(answer.status, 401);
    assert.equal(typeof answer.body.error, 'string');
  });

  test('a tenant_access_token does not open the admin endpoints', async (t) => {
    const server = await serve(t);
    const answer = await call(server.url, '/_shenpi/fixtures', { token: await tenantToken(server.url), json: globexFixture() });
    assert.equal(answer.status, 401);
    assert.equal((await call(server.url, TENANT_TOKEN_PATH, { json: GLOBEX_APP })).body.code, 10003);
  });

  test('a fixture posted without the admin token is not loaded', async (t) => {
    const server = await serve(t);
    const answer = await call(server.url, '/_shenpi/fixtures', { json: globexFixture() });
    assert.equal(answer.status, 401);
    assert.equal((await call(server.url, TENANT_TOKEN_PATH, { json: GLOBEX_APP })).body.code, 10003);
  });
});

describe('GET /healthz', () => {
  test('answers 200 {"status":"ok"} without any token', async (t) => {
    const server = await serve(t);
    const answer = await call(server.url, '/healthz');
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { status: 'ok' });
  });
});

describe('GET /healthz when the database does not answer', () => {
  test('answers 503', async (t) => {
    const server = await serve(t);
    await server.services.store.close();
    const answer = await call(server.url, '/healthz');
    assert.equal(answer.status, 503);
    assert.notEqual(answer.body.status, 'ok');
  });
});

describe('the server clock', () => {
  test('GET /_shenpi/clock answers {now} close to real time', async (t) => {
    const server = await serve(t);
    const answer = await admin(server.url, '/clock');
    assert.equal(answer.status, 200);
    assert.deepEqual(Object.keys(answer.body), ['now']);
    assert.ok(Math.abs(answer.body.now - Date.now()) < SLACK_MS, `now ${answer.body.now}`);
  });

  test('POST {"now": X} sets the clock to X', async (t) => {
    const server = await serve(t);
    const target = Date.UTC(2030, 0, 1);
    const set = await admin(server.url, '/clock', { json: { now: target } });
    assert.equal(set.status, 200, set.text);
    const read = await admin(server.url, '/clock');
    assert.ok(read.body.now >= target && read.body.now < target + SLACK_MS, `now ${read.body.now}`);
  });

  test('POST {"now": X} answers the new time', async (t) => {
    const server = await serve(t);
    const target = Date.UTC(2030, 0, 1);
    const set = await admin(server.url, '/clock', { json: { now: target } });
    assert.ok(set.body.now >= target && set.body.now < target + SLACK_MS, `now ${set.body.now}`);
  });

  test('POST {"advance_ms": N} moves the clock N milliseconds ahead', async (t) => {
    const server = await serve(t);
    const before = (await admin(server.url, '/clock')).body.now as number;
    const day = 24 * 3600 * 1000;
    await admin(server.url, '/clock', { json: { advance_ms: day } });
    const after = (await admin(server.url, '/clock')).body.now as number;
    assert.ok(after >= before + day && after < before + day + SLACK_MS, `moved ${after - before} ms`);
  });

  test('two advances add up', async (t) => {
    const server = await serve(t);
    const before = (await admin(server.url, '/clock')).body.now as number;
    await admin(server.url, '/clock', { json: { advance_ms: 3_600_000 } });
    await admin(server.url, '/clock', { json: { advance_ms: 3_600_000 } });
    const after = (await admin(server.url, '/clock')).body.now as number;
    assert.ok(after >= before + 7_200_000 && after < before + 7_200_000 + SLACK_MS, `moved ${after - before} ms`);
  });

  for (const [label, body] of [
    ['an empty object', {}],
    ['now as a string', { now: 'x' }],
    ['advance_ms as a string', { advance_ms: '1000' }],
    ['both now and advance_ms', { now: Date.now(), advance_ms: 1000 }],
    ['an unknown key', { later: 1000 }],
    ['a fractional advance_ms', { advance_ms: 1.5 }],
    // Past what a log id can write: every later request would fail (the server process crashed on the next one).
    ['now past the year 9999', { now: 8.64e15 }],
    ['advance_ms past the year 9999', { advance_ms: 8.64e15 }],
    ['advance_ms back before 1970', { advance_ms: -Date.now() - 86_400_000 }],
  ] as const) {
    test(`POST /_shenpi/clock with ${label} answers 400 {"error"} and leaves the clock alone`, async (t) => {
      const server = await serve(t);
      const answer = await admin(server.url, '/clock', { json: body });
      assert.equal(answer.status, 400, answer.text);
      assert.equal(typeof answer.body.error, 'string');
      const now = (await admin(server.url, '/clock')).body.now as number;
      assert.ok(Math.abs(now - Date.now()) < SLACK_MS);
    });
  }
});

describe('without emulator mode', () => {
  test('POST /_shenpi/clock answers 404', async (t) => {
    const server = await serve(t, { emulator: false });
    const answer = await admin(server.url, '/clock', { json: { advance_ms: 1000 } });
    assert.equal(answer.status, 404);
  });

  test('POST /_shenpi/reset answers 404 and deletes nothing', async (t) => {
    const server = await serve(t, { emulator: false });
    const answer = await admin(server.url, '/reset', { method: 'POST' });
    assert.equal(answer.status, 404);
    assert.equal((await call(server.url, TENANT_TOKEN_PATH, { json: DEMO_APP })).body.code, 0);
  });

  test('GET /_shenpi/clock still answers the real time', async (t) => {
    const server = await serve(t, { emulator: false });
    const answer = await admin(server.url, '/clock');
    assert.equal(answer.status, 200);
    assert.ok(Math.abs(answer.body.now - Date.now()) < SLACK_MS);
  });

  test('POST /_shenpi/fixtures still loads', async (t) => {
    const server = await serve(t, { emulator: false });
    const answer = await admin(server.url, '/fixtures', { json: globexFixture() });
    assert.equal(answer.status, 200, answer.text);
    assert.equal((await call(server.url, TENANT_TOKEN_PATH, { json: GLOBEX_APP })).body.code, 0);
  });
});

describe('POST /_shenpi/reset', () => {
  test('deletes every tenant: the demo app is unknown afterwards', async (t) => {
    const server = await serve(t);
    const answer = await admin(server.url, '/reset', { method: 'POST' });
    assert.equal(answer.status, 200, answer.text);
    const token = await call(server.url, TENANT_TOKEN_PATH, { json: DEMO_APP });
    assert.equal(token.status, 200);
    assert.equal(token.body.code, 10003);
  });

  test('a token issued before the reset is refused after it with 99991663', async (t) => {
    const server = await serve(t);
    const token = await tenantToken(server.url);
    await admin(server.url, '/reset', { method: 'POST' });
    assertFeishuError(await call(server.url, PROTECTED_PATH, { token }), 99991663, INVALID_TOKEN_MSG, 400);
  });

  test('loads the start fixture again after deleting everything', async (t) => {
    const server = await serve(t, { fixture: fixtureFile(t, globexFixture()) });
    assert.equal((await call(server.url, TENANT_TOKEN_PATH, { json: GLOBEX_APP })).body.code, 0);
    const answer = await admin(server.url, '/reset', { method: 'POST' });
    assert.equal(answer.status, 200, answer.text);
    assert.equal((await call(server.url, TENANT_TOKEN_PATH, { json: GLOBEX_APP })).body.code, 0);
    assert.equal((await call(server.url, TENANT_TOKEN_PATH, { json: DEMO_APP })).body.code, 10003);
  });

  test('data loaded after start is gone after a reset even when a start fixture is reloaded', async (t) => {
    const server = await serve(t, { fixture: fixtureFile(t, globexFixture()), noDemo: true });
    const extra = { tenants: [{ tenant_key: 'initech', apps: [{ app_id: 'cli_initech', app_secret: 's' }] }] };
    assert.equal((await admin(server.url, '/fixtures', { json: extra })).status, 200);
    await admin(server.url, '/reset', { method: 'POST' });
    assert.equal((await call(server.url, TENANT_TOKEN_PATH, { json: { app_id: 'cli_initech', app_secret: 's' } })).body.code, 10003);
  });

  test('puts the clock back to real time', async (t) => {
    const server = await serve(t);
    await admin(server.url, '/clock', { json: { advance_ms: 30 * 24 * 3600 * 1000 } });
    await admin(server.url, '/reset', { method: 'POST' });
    const now = (await admin(server.url, '/clock')).body.now as number;
    assert.ok(Math.abs(now - Date.now()) < SLACK_MS, `clock ${now - Date.now()} ms off`);
  });
});
