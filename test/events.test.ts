/**
 * Event delivery (rules.md "Events"): subscribed apps receive approval_instance / approval_task pushes in
 * the event 1.0 shape, proven by url_verification first, encrypted and signed, in commit order, retried
 * on failure, and surviving restarts. The receiver is the official Node SDK's EventDispatcher.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_LEAVE_CODE, DEMO_PURCHASE_CODE } from '../src/fixtures/demo.js';
import { RETRY_DELAYS_MS } from '../src/services/event-dispatcher.js';
import { decryptEvent } from '../src/wire/event-crypto.js';
import {
  createLeave,
  deliveries,
  EVENT_APP,
  setUpEvents as setUp,
  type ReceivedEvent,
} from './helpers/event-receiver.js';
import { admin, call } from './helpers/http.js';
import type { TestServer } from './helpers/server.js';
import { waitFor } from './helpers/wait.js';

const V4 = '/open-apis/approval/v4';

async function createAndWithdraw(server: TestServer, token: string): Promise<string> {
  const code = await createLeave(server, token);
  const cancelled = await call(server.url, `${V4}/instances/cancel`, {
    token,
    json: { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: 'ou_alice' },
  });
  assert.equal(cancelled.body.code, 0, cancelled.text);
  return code;
}

const summary = (events: ReceivedEvent[]) =>
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
  // The SDK would take plaintext too: the bodies themselves must be ciphertext that only the key opens,
  // carrying the app's verification token.
  assert.equal(receiver.raw.length, 5, 'the challenge and four events');
  for (const body of receiver.raw) {
    const sealed = JSON.parse(body) as Record<string, unknown>;
    assert.deepEqual(Object.keys(sealed), ['encrypt']);
    assert.doesNotMatch(body, new RegExp(code));
    const opened = JSON.parse(decryptEvent(String(sealed.encrypt), 'event-key'));
    assert.equal(opened.token, 'event-token');
    assert.throws(() => JSON.parse(decryptEvent(String(sealed.encrypt), 'another-key')));
  }
  const deliveries = await waitFor('settled deliveries', async () => {
    const list = (await admin(server.url, `/deliveries?instance_code=${code}`)).body.deliveries as { status: string }[];
    return list.every((d) => d.status === 'delivered') ? list : undefined;
  });
  assert.equal(deliveries.length, 4);
});

test('/_shenpi/deliveries answers snake_case keys, like every other admin endpoint', async (t) => {
  const { server, token } = await setUp(t);
  const code = await createLeave(server, token);
  const [first] = await waitFor('a delivery', async () => {
    const list = (await admin(server.url, `/deliveries?instance_code=${code}`)).body.deliveries;
    return list.length ? list : undefined;
  });
  assert.deepEqual(Object.keys(first).sort(), [
    'app_id',
    'attempts',
    'delivered_at',
    'event_id',
    'event_type',
    'instance_code',
    'last_attempt_at',
    'last_error',
    'next_attempt_at',
    'seq',
    'status',
  ]);
  assert.equal(first.instance_code, code);
});

test('an app that did not subscribe to the definition receives nothing', async (t) => {
  const { receiver, server, token } = await setUp(t, { subscribe: false });
  const code = await createAndWithdraw(server, token);
  const deliveries = (await admin(server.url, `/deliveries?instance_code=${code}`)).body.deliveries;
  assert.deepEqual(deliveries, []);
  // A control the app did subscribe to: once its event has arrived, the other one's would have too.
  assert.equal((await call(server.url, `${V4}/approvals/${DEMO_PURCHASE_CODE}/subscribe`, { token, method: 'POST' })).body.code, 0);
  const control = await call(server.url, `${V4}/instances`, {
    token,
    json: {
      approval_code: DEMO_PURCHASE_CODE,
      open_id: 'ou_alice',
      form: JSON.stringify([{ id: 'item', type: 'input', value: 'desk' }, { id: 'amount', type: 'amount', value: 120 }]),
    },
  });
  assert.equal(control.body.code, 0, control.text);
  await waitFor('the control event', () => (receiver.received.some((e) => e.instance_code === control.body.data.instance_code) ? true : undefined));
  assert.deepEqual(receiver.received.filter((e) => e.instance_code === code), []);
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
  receiver.script.push(500, 500);
  const code = await createAndWithdraw(server, token);
  // Skip the backoff waits with the emulator clock.
  for (const [i, delay] of RETRY_DELAYS_MS.slice(0, 2).entries()) {
    await waitFor(`failure ${i + 1}`, async () => ((await deliveries(server, `instance_code=${code}`))[0]?.attempts === i + 1 ? true : undefined));
    assert.equal(receiver.received.length, 0, 'nothing overtakes the failed first event');
    await admin(server.url, '/clock', { json: { advance_ms: delay } });
  }
  const events = await waitFor('four events', () => (receiver.received.length >= 4 ? receiver.received : undefined));
  assert.deepEqual(summary(events), ['instance PENDING', 'task PENDING', 'instance CANCELED', 'task DONE']);
  const [first] = await deliveries(server, `instance_code=${code}`);
  assert.equal(first?.status, 'delivered');
  assert.equal(first?.attempts, 3);
});

test('events waiting in the outbox are delivered after a restart', async (t) => {
  const { receiver, server, token } = await setUp(t);
  receiver.script.push(...Array<number>(1_000).fill(500));
  const code = await createAndWithdraw(server, token);
  await waitFor('the first failure', async () => {
    const list = (await admin(server.url, `/deliveries?instance_code=${code}`)).body.deliveries as { attempts: number }[];
    return list.some((d) => d.attempts >= 1) ? true : undefined;
  });
  const restarted = await server.restart();
  t.after(() => restarted.close());
  receiver.script.length = 0;
  await admin(restarted.url, '/clock', { json: { advance_ms: 60_000 } });
  const events = await waitFor('four events', () => (receiver.received.length >= 4 ? receiver.received : undefined));
  assert.deepEqual(summary(events), ['instance PENDING', 'task PENDING', 'instance CANCELED', 'task DONE']);
});
