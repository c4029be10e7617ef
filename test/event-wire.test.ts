/**
 * The wire of event subscriptions and pushes as Feishu writes it (rules.md "Events", "Every Open API
 * request" 5): 1390007 for a subscribe that changes nothing, and push headers spelt exactly
 * `X-Lark-Request-Timestamp`, `X-Lark-Request-Nonce`, `X-Lark-Signature`.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import { DEMO_LEAVE_CODE } from '../src/fixtures/demo.js';
import { admin, call, tenantToken } from './helpers/http.js';
import { startTestServer } from './helpers/server.js';
import { waitFor } from './helpers/wait.js';

const V4 = '/open-apis/approval/v4';
const EVENT_APP = { app_id: 'cli_acme_wire', app_secret: 'wire-secret' };
const SUBSCRIBE = `${V4}/approvals/${DEMO_LEAVE_CODE}/subscribe`;
const UNSUBSCRIBE = `${V4}/approvals/${DEMO_LEAVE_CODE}/unsubscribe`;

interface Push {
  headerNames: string[];
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** An event URL that records every push as it arrived, and answers the url_verification challenge. */
async function startRecorder(t: TestContext) {
  const pushes: Push[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      pushes.push({ headerNames: req.rawHeaders.filter((_, i) => i % 2 === 0), headers: req.headers, body });
      const parsed = JSON.parse(body) as { type?: string; challenge?: string };
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(parsed.type === 'url_verification' ? { challenge: parsed.challenge } : { msg: 'success' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, pushes };
}

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

test('event pushes write the headers exactly X-Lark-Request-Timestamp, X-Lark-Request-Nonce and X-Lark-Signature', async (t) => {
  const recorder = await startRecorder(t);
  const { server, token } = await serveWithEventApp(t, recorder.url);
  assert.equal((await call(server.url, SUBSCRIBE, { token, method: 'POST' })).body.code, 0);
  const created = await call(server.url, `${V4}/instances`, {
    token,
    json: { approval_code: DEMO_LEAVE_CODE, open_id: 'ou_alice', form: JSON.stringify([{ id: 'reason', type: 'input', value: 'x' }]) },
  });
  assert.equal(created.body.code, 0, created.text);
  // The url_verification challenge, then the instance's PENDING event.
  const pushes = await waitFor('two pushes', () => (recorder.pushes.length >= 2 ? recorder.pushes : undefined));
  for (const push of pushes) {
    for (const name of ['X-Lark-Request-Timestamp', 'X-Lark-Request-Nonce', 'X-Lark-Signature', 'Content-Type']) {
      assert.ok(push.headerNames.includes(name), `${name} in ${push.headerNames.join()}`);
    }
    const { 'x-lark-request-timestamp': timestamp, 'x-lark-request-nonce': nonce } = push.headers;
    const expected = createHash('sha256').update(`${timestamp}${nonce}${push.body}`).digest('hex');
    assert.equal(push.headers['x-lark-signature'], expected);
  }
  assert.equal(JSON.parse(pushes[1]!.body).event.instance_code, created.body.data.instance_code);
});
