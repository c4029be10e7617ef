/**
 * Event delivery (rules.md "Events"): subscribed apps receive approval_instance / approval_task pushes in
 * the event 1.0 shape, proven by url_verification first, encrypted and signed, in commit order, retried
 * on failure, and surviving restarts. The receiver is the official Node SDK's EventDispatcher.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as lark from '@larksuiteoapi/node-sdk';
import { DEMO_LEAVE_CODE } from '../src/fixtures/demo.js';
import { admin, call, tenantToken } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const V4 = '/open-apis/approval/v4';
const EVENT_APP = { app_id: 'cli_acme_events', app_secret: 'events-secret' };

interface Received {
  type: string;
  status: string;
  instance_code: string;
  task_id?: string;
  user_id?: string;
  open_id?: string;
  app_id: string;
  tenant_key: string;
}

/** An event endpoint built on the SDK's EventDispatcher; `failing` makes it answer 500 to that many events. */
async function startReceiver(encryptKey: string, verificationToken: string) {
  const received: Received[] = [];
  let challenges = 0;
  const state = { failing: 0 };
  const dispatcher = new lark.EventDispatcher({ encryptKey, verificationToken, loggerLevel: lark.LoggerLevel.error });
  const record = async (data: Received) => void received.push(data);
  dispatcher.register({ approval_instance: record, approval_task: record } as never);
  // What lark.adaptDefault does with a request, with room to fail on purpose before the SDK sees it.
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', async () => {
      const data = Object.assign(Object.create({ headers: req.headers }), JSON.parse(raw));
      const { isChallenge, challenge } = lark.generateChallenge(data, { encryptKey });
      if (isChallenge) {
        challenges += 1;
        res.end(JSON.stringify(challenge));
        return;
      }
      if (state.failing > 0) {
        state.failing -= 1;
        res.statusCode = 500;
        res.end('down');
        return;
      }
      res.end(JSON.stringify(await dispatcher.invoke(data)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url,
    received,
    state,
    challenges: () => challenges,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function setUp(t: { after: (fn: () => Promise<void>) => void }, options: { subscribe?: boolean } = {}) {
  const receiver = await startReceiver('event-key', 'event-token');
  t.after(() => receiver.close());
  const server = await startTestServer();
  t.after(() => server.close());
  const fixture = {
    tenants: [
      {
        tenant_key: 'acme',
        apps: [{ ...EVENT_APP, event: { url: receiver.url, encrypt_key: 'event-key', verification_token: 'event-token' } }],
      },
    ],
  };
  assert.equal((await admin(server.url, '/fixtures', { json: fixture })).status, 200);
  const token = await tenantToken(server.url, EVENT_APP);
  if (options.subscribe !== false) {
    const subscribed = await call(server.url, `${V4}/approvals/${DEMO_LEAVE_CODE}/subscribe`, { token, method: 'POST' });
    assert.deepEqual(subscribed.body, { code: 0, msg: 'success', data: {} });
  }
  return { receiver, server, token };
}

async function createAndWithdraw(server: TestServer, token: string): Promise<string> {
  const created = await call(server.url, `${V4}/instances`, {
    token,
    json: { approval_code: DEMO_LEAVE_CODE, open_id: 'ou_alice', form: JSON.stringify([{ id: 'reason', type: 'input', value: 'x' }]) },
  });
  const code = created.body.data.instance_code as string;
  const cancelled = await call(server.url, `${V4}/instances/cancel`, {
    token,
    json: { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: 'ou_alice' },
  });
  assert.equal(cancelled.body.code, 0, cancelled.text);
  return code;
}

const summary = (events: Received[]) =>
  events.map((e) => `${e.task_id ? 'task' : 'instance'} ${e.status}`);

test('a subscribed app receives the instance and task events of a withdrawal, encrypted, signed and in order', async (t) => {
  const { receiver, server, token } = await setUp(t);
  const code = await createAndWithdraw(server, token);
  const events = await waitFor('four events', () => (receiver.received.length >= 4 ? receiver.received : undefined));
  assert.deepEqual(summary(events), ['instance PENDING', 'task PENDING', 'instance CANCELED', 'task DONE']);
  assert.equal(receiver.challenges(), 1, 'the URL is proven once, before the first event');
  for (const event of events) {
    assert.equal(event.instance_code, code);
    assert.equal(event.app_id, EVENT_APP.app_id);
    assert.equal(event.tenant_key, 'acme');
  }
  const done = events[3]!;
  assert.equal(done.user_id, 'u_bob');
  assert.equal(done.open_id, 'ou_bob');
  const deliveries = await waitFor('settled deliveries', async () => {
    const list = (await admin(server.url, `/deliveries?instance_code=${code}`)).body.deliveries as { status: string }[];
    return list.every((d) => d.status === 'delivered') ? list : undefined;
  });
  assert.equal(deliveries.length, 4);
});

test('an app that did not subscribe to the definition receives nothing', async (t) => {
  const { receiver, server, token } = await setUp(t, { subscribe: false });
  const code = await createAndWithdraw(server, token);
  const deliveries = (await admin(server.url, `/deliveries?instance_code=${code}`)).body.deliveries;
  assert.deepEqual(deliveries, []);
  assert.equal(receiver.received.length, 0);
});

test('after unsubscribing, new events are no longer delivered', async (t) => {
  const { server, token } = await setUp(t);
  const unsubscribed = await call(server.url, `${V4}/approvals/${DEMO_LEAVE_CODE}/unsubscribe`, { token, method: 'POST' });
  assert.equal(unsubscribed.body.code, 0);
  const code = await createAndWithdraw(server, token);
  assert.deepEqual((await admin(server.url, `/deliveries?instance_code=${code}`)).body.deliveries, []);
});

test('subscribing to a definition of no tenant of the app answers 1390002', async (t) => {
  const { server, token } = await setUp(t, { subscribe: false });
  const answer = await call(server.url, `${V4}/approvals/NO-SUCH-CODE/subscribe`, { token, method: 'POST' });
  assert.equal(answer.status, 400);
  assert.equal(answer.body.code, 1390002);
});

test('a failed push is retried with backoff, and later events of the instance wait for it', async (t) => {
  const { receiver, server, token } = await setUp(t);
  receiver.state.failing = 2;
  const code = await createAndWithdraw(server, token);
  await waitFor('the first failure', async () => {
    const list = (await admin(server.url, `/deliveries?instance_code=${code}`)).body.deliveries as { attempts: number }[];
    return list.some((d) => d.attempts >= 1) ? true : undefined;
  });
  assert.equal(receiver.received.length, 0, 'nothing overtakes the failed first event');
  // Skip the backoff waits with the emulator clock.
  for (let i = 0; i < 3 && receiver.received.length < 4; i++) {
    await admin(server.url, '/clock', { json: { advance_ms: 60_000 } });
    await waitFor('a retry', () => (receiver.state.failing === 0 || receiver.received.length > 0 ? true : undefined));
  }
  const events = await waitFor('four events', () => (receiver.received.length >= 4 ? receiver.received : undefined));
  assert.deepEqual(summary(events), ['instance PENDING', 'task PENDING', 'instance CANCELED', 'task DONE']);
  const first = ((await admin(server.url, `/deliveries?instance_code=${code}`)).body.deliveries as { attempts: number; status: string }[])[0];
  assert.equal(first?.status, 'delivered');
  assert.equal(first?.attempts, 3);
});

test('events waiting in the outbox are delivered after a restart', async (t) => {
  const { receiver, server, token } = await setUp(t);
  receiver.state.failing = 1_000;
  const code = await createAndWithdraw(server, token);
  await waitFor('the first failure', async () => {
    const list = (await admin(server.url, `/deliveries?instance_code=${code}`)).body.deliveries as { attempts: number }[];
    return list.some((d) => d.attempts >= 1) ? true : undefined;
  });
  const restarted = await server.restart();
  t.after(() => restarted.close());
  receiver.state.failing = 0;
  await admin(restarted.url, '/clock', { json: { advance_ms: 60_000 } });
  const events = await waitFor('four events', () => (receiver.received.length >= 4 ? receiver.received : undefined));
  assert.deepEqual(summary(events), ['instance PENDING', 'task PENDING', 'instance CANCELED', 'task DONE']);
});
