/** What survives a restart on the same database (contract.md "Ids the server makes"; sdk.md §1.3). */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { DEMO_APP } from '../src/fixtures/demo.js';
import { GLOBEX_APP, globexFixture } from './helpers/fixtures.js';
import { admin, call, tenantToken } from './helpers/http.js';
import { assertTokenAccepted, PROTECTED_PATH, TENANT_TOKEN_PATH } from './helpers/open-api.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/** A server whose latest incarnation is closed after the test, however often it restarted. */
async function serve(t: TestContext) {
  const holder: { server: TestServer } = { server: await startTestServer() };
  t.after(() => holder.server.close());
  return holder;
}

test('a token issued before a restart is accepted after it', async (t) => {
  const running = await serve(t);
  const token = await tenantToken(running.server.url);
  running.server = await running.server.restart();
  assertTokenAccepted(await call(running.server.url, PROTECTED_PATH, { token }));
});

test('after a restart the token endpoint hands out the token issued before it', async (t) => {
  const running = await serve(t);
  const token = await tenantToken(running.server.url);
  running.server = await running.server.restart();
  assert.equal(await tenantToken(running.server.url), token);
});

test('the clock set in emulator mode keeps its setting across a restart', async (t) => {
  const running = await serve(t);
  const year = 365 * 24 * 3600 * 1000;
  await admin(running.server.url, '/clock', { json: { advance_ms: year } });
  running.server = await running.server.restart();
  const now = (await admin(running.server.url, '/clock')).body.now as number;
  assert.ok(now >= Date.now() + year - 60_000, `clock ${now - Date.now()} ms ahead`);
});

test('a fixture loaded before a restart is there after it, and the demo data is not loaded again over it', async (t) => {
  const running = await serve(t);
  await admin(running.server.url, '/fixtures', { json: globexFixture() });
  running.server = await running.server.restart();
  assert.equal((await call(running.server.url, TENANT_TOKEN_PATH, { json: GLOBEX_APP })).body.code, 0);
  assert.equal((await call(running.server.url, TENANT_TOKEN_PATH, { json: DEMO_APP })).body.code, 0);
});
