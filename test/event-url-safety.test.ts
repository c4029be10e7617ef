/**
 * Event URLs cannot make shenpi reach its own network: only http(s); outside emulator mode no loopback,
 * private or link-local address (the cloud metadata address among them) unless SHENPI_ALLOW_PRIVATE_EVENT_URLS;
 * checked when a URL is set and again at every send; redirects are never followed.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import { DEMO_LEAVE_CODE } from '../src/fixtures/demo.js';
import { createLeave, deliveries, EVENT_APP } from './helpers/event-receiver.js';
import { admin, call, tenantToken } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { waitFor } from './helpers/wait.js';

const V4 = '/open-apis/approval/v4';

async function serve(t: TestContext, overrides: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const server = await startTestServer(overrides);
  t.after(() => server.close());
  return server;
}

const setEvent = (server: TestServer, url: string) =>
  admin(server.url, '/apps/cli_acme_demo/event', { method: 'PUT', json: { url, verification_token: 'v' } });

const fixtureWithEventUrl = (url: string) => ({ tenants: [{ tenant_key: 'acme', apps: [{ ...EVENT_APP, event: { url } }] }] });

/** A plain HTTP server that answers every request with `answer`, counting what it got. */
async function listen(t: TestContext, answer: (res: http.ServerResponse) => void) {
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits += 1;
    req.resume();
    req.on('end', () => answer(res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, hits: () => hits };
}

/** The instance's first delivery, once it has been attempted. */
const firstAttempt = (server: TestServer, code: string) =>
  waitFor('a failed attempt', async () => {
    const [first] = await deliveries(server, `instance_code=${code}`);
    return first?.attempts ? first : undefined;
  });

test('an event URL on the cloud metadata address is refused by the admin API and by a fixture, even in emulator mode', async (t) => {
  const server = await serve(t);
  const answer = await setEvent(server, 'http://169.254.169.254/latest/meta-data/');
  assert.equal(answer.status, 400, answer.text);
  assert.match(answer.body.error, /169\.254\.169\.254 is a private, link-local or reserved address/);
  const loaded = await admin(server.url, '/fixtures', { json: fixtureWithEventUrl('http://10.0.0.5/hook') });
  assert.equal(loaded.status, 400, loaded.text);
  assert.match(loaded.body.error, /^tenants\[0\]\.apps\[0\]\.event\.url: .*10\.0\.0\.5/);
  assert.equal((await admin(server.url, '/tenants')).body.tenants[0].apps.some((a: { app_id: string }) => a.app_id === EVENT_APP.app_id), false);
});

test('a file: event URL is refused by a fixture, naming the JSON path', async (t) => {
  const server = await serve(t);
  const loaded = await admin(server.url, '/fixtures', { json: fixtureWithEventUrl('file:///etc/passwd') });
  assert.equal(loaded.status, 400, loaded.text);
  assert.match(loaded.body.error, /^tenants\[0\]\.apps\[0\]\.event\.url: the event URL must be http or https, not file:/);
});

test('outside emulator mode a loopback event URL is refused; SHENPI_ALLOW_PRIVATE_EVENT_URLS allows it', async (t) => {
  const strict = await serve(t, { emulator: false });
  const refused = await setEvent(strict, 'http://127.0.0.1:9000/hook');
  assert.equal(refused.status, 400, refused.text);
  assert.match(refused.body.error, /127\.0\.0\.1 is a loopback address/);
  const byName = await setEvent(strict, 'http://localhost:9000/hook');
  assert.equal(byName.status, 400, byName.text);

  const allowing = await serve(t, { emulator: false, allowPrivateEventUrls: true });
  assert.equal((await setEvent(allowing, 'http://127.0.0.1:9000/hook')).status, 200);
  assert.equal((await setEvent(allowing, 'http://10.0.0.5/hook')).status, 200);
});

test('a push is never sent to a refused address, even to a URL that got into the store some other way', async (t) => {
  const server = await serve(t);
  const store = server.services.store;
  const app = (await store.directory.findApp('cli_acme_demo'))!;
  await store.directory.upsertApp({ ...app, event: { url: 'http://10.255.255.1:9/hook', encryptKey: null, verificationToken: 'v', types: null } });
  const token = await tenantToken(server.url);
  assert.equal((await call(server.url, `${V4}/approvals/${DEMO_LEAVE_CODE}/subscribe`, { token, method: 'POST' })).body.code, 0);
  const code = await createLeave(server, token);
  const first = await firstAttempt(server, code);
  assert.match(first.last_error ?? '', /10\.255\.255\.1 is a private, link-local or reserved address/);
});

test('a redirect from the event URL is not followed: the push counts as failed and the target gets nothing', async (t) => {
  const target = await listen(t, (res) => res.writeHead(200).end('{"challenge":"x"}'));
  const redirecting = await listen(t, (res) => res.writeHead(302, { Location: target.url }).end());
  const server = await serve(t);
  assert.equal((await setEvent(server, redirecting.url)).status, 200);
  const token = await tenantToken(server.url);
  assert.equal((await call(server.url, `${V4}/approvals/${DEMO_LEAVE_CODE}/subscribe`, { token, method: 'POST' })).body.code, 0);
  const code = await createLeave(server, token);
  const first = await firstAttempt(server, code);
  assert.match(first.last_error ?? '', /HTTP 302/);
  assert.ok(redirecting.hits() >= 1);
  assert.equal(target.hits(), 0);
});
