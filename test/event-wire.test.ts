/**
 * The wire of event subscriptions and pushes as Feishu writes it (rules.md "Events"): 1390007 for a
 * subscribe or unsubscribe that changes nothing.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { DEMO_LEAVE_CODE } from '../src/fixtures/demo.js';
import { admin, call, tenantToken } from './helpers/http.js';
import { startTestServer } from './helpers/server.js';

const V4 = '/open-apis/approval/v4';
const EVENT_APP = { app_id: 'cli_acme_wire', app_secret: 'wire-secret' };
const SUBSCRIBE = `${V4}/approvals/${DEMO_LEAVE_CODE}/subscribe`;
const UNSUBSCRIBE = `${V4}/approvals/${DEMO_LEAVE_CODE}/unsubscribe`;

/** A server whose app `cli_acme_wire` sends its events to `url` (no encrypt key: the bodies stay readable). */
async function serveWithEventApp(t: TestContext, url = 'http://127.0.0.1:9/unused') {
  const server = await startTestServer();
  t.after(() => server.close());
  const fixture = { tenants: [{ tenant_key: 'acme', apps: [{ ...EVENT_APP, event: { url, verification_token: 'wire-token' } }] }] };
  assert.equal((await admin(server.url, '/fixtures', { json: fixture })).status, 200);
  return { server, token: await tenantToken(server.url, EVENT_APP) };
}

test('subscribing a definition twice answers 1390007 subscription existed, and the subscription stays', async (t) => {
  const { server, token } = await serveWithEventApp(t);
  assert.deepEqual((await call(server.url, SUBSCRIBE, { token, method: 'POST' })).body, { code: 0, msg: 'success', data: {} });
  const again = await call(server.url, SUBSCRIBE, { token, method: 'POST' });
  assert.equal(again.status, 400, again.text);
  assert.equal(again.body.code, 1390007, again.text);
  assert.equal(again.body.msg, 'subscription existed');
  assert.match(again.body.error.details[0].value, /already subscribed/);
  assert.equal((await call(server.url, UNSUBSCRIBE, { token, method: 'POST' })).body.code, 0, 'still subscribed');
});

test('unsubscribing a definition that is not subscribed answers 1390007 subscription existed', async (t) => {
  const { server, token } = await serveWithEventApp(t);
  const answer = await call(server.url, UNSUBSCRIBE, { token, method: 'POST' });
  assert.equal(answer.status, 400, answer.text);
  assert.equal(answer.body.code, 1390007, answer.text);
  assert.equal(answer.body.msg, 'subscription existed');
  assert.match(answer.body.error.details[0].value, /not subscribed/);
  assert.equal((await call(server.url, SUBSCRIBE, { token, method: 'POST' })).body.code, 0, 'nothing was changed');
});

test('an unsubscribe after a subscribe succeeds once, then answers 1390007', async (t) => {
  const { server, token } = await serveWithEventApp(t);
  assert.equal((await call(server.url, SUBSCRIBE, { token, method: 'POST' })).body.code, 0);
  assert.equal((await call(server.url, UNSUBSCRIBE, { token, method: 'POST' })).body.code, 0);
  assert.equal((await call(server.url, UNSUBSCRIBE, { token, method: 'POST' })).body.code, 1390007);
});
