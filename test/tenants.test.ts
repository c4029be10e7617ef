/** Tokens belong to one tenant (rules.md "Every Open API request" 2: the token decides the tenant). */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { DEMO_APP } from '../src/fixtures/demo.js';
import { GLOBEX_APP, globexFixture } from './helpers/fixtures.js';
import { admin, call, tenantToken } from './helpers/http.js';
import { assertTokenAccepted, PROTECTED_PATH, TENANT_TOKEN_PATH } from './helpers/open-api.js';
import { startTestServer } from './helpers/server.js';
import { rows } from './helpers/db-snapshot.js';

async function serveTwoTenants(t: TestContext) {
  const server = await startTestServer();
  t.after(() => server.close());
  const loaded = await admin(server.url, '/fixtures', { json: globexFixture() });
  assert.equal(loaded.status, 200, loaded.text);
  return server;
}

test('a second tenant may reuse the user_id, open_id and union_id strings of the first', async (t) => {
  const server = await startTestServer();
  t.after(() => server.close());
  const loaded = await admin(server.url, '/fixtures', { json: globexFixture() });
  assert.equal(loaded.status, 200, loaded.text);
  assert.deepEqual(loaded.body.loaded, { tenants: 1, apps: 1, departments: 1, users: 2, approvals: [] });
});

test('the apps of two tenants get distinct tokens', async (t) => {
  const server = await serveTwoTenants(t);
  const acme = await tenantToken(server.url, DEMO_APP);
  const globex = await tenantToken(server.url, GLOBEX_APP);
  assert.match(globex, /^t-/);
  assert.notEqual(acme, globex);
});

test('the tokens of two tenants are each accepted', async (t) => {
  const server = await serveTwoTenants(t);
  assertTokenAccepted(await call(server.url, PROTECTED_PATH, { token: await tenantToken(server.url, DEMO_APP) }));
  assertTokenAccepted(await call(server.url, PROTECTED_PATH, { token: await tenantToken(server.url, GLOBEX_APP) }));
});

test("one tenant's app secret does not open another tenant's app", async (t) => {
  const server = await serveTwoTenants(t);
  const crossed = await call(server.url, TENANT_TOKEN_PATH, {
    json: { app_id: DEMO_APP.app_id, app_secret: GLOBEX_APP.app_secret },
  });
  assert.equal(crossed.status, 200);
  assert.equal(crossed.body.code, 10003);
  const reversed = await call(server.url, TENANT_TOKEN_PATH, {
    json: { app_id: GLOBEX_APP.app_id, app_secret: DEMO_APP.app_secret },
  });
  assert.equal(reversed.body.code, 10003);
});

test("each token is stored against its own app's tenant", async (t) => {
  const server = await serveTwoTenants(t);
  const acme = await tenantToken(server.url, DEMO_APP);
  const globex = await tenantToken(server.url, GLOBEX_APP);
  assert.deepEqual(
    (await rows(server.databaseUrl, 'access_tokens', { token: acme })).map((r: any) => [r.app_id, r.tenant_key, r.kind]),
    [[DEMO_APP.app_id, 'acme', 'tenant']],
  );
  assert.deepEqual(
    (await rows(server.databaseUrl, 'access_tokens', { token: globex })).map((r: any) => [r.app_id, r.tenant_key, r.kind]),
    [[GLOBEX_APP.app_id, 'globex', 'tenant']],
  );
});
