/**
 * Feishu's delivery policy (rules.md "Events", approval-v4.md §5.1): a push counts only when answered HTTP
 * 200 within 3 s; otherwise it is retried 15 s, 5 min, 1 h and 6 h later (by the server clock, which the
 * emulator moves), and after the 5th failed attempt it is dead until re-driven from the admin API.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_LEAVE_CODE } from '../src/fixtures/demo.js';
import { RETRY_DELAYS_MS } from '../src/services/event-dispatcher.js';
import {
  advance,
  createLeave,
  deliveries,
  EVENT_APP,
  exhaust,
  setUpEvents,
  type ListedDelivery,
} from './helpers/event-receiver.js';
import { admin } from './helpers/http.js';
import type { TestServer } from './helpers/server.js';
import { waitFor } from './helpers/wait.js';

/** The instance's first delivery once it has been tried `attempts` times. */
async function afterAttempt(server: TestServer, code: string, attempts: number): Promise<ListedDelivery> {
  return waitFor(`attempt ${attempts}`, async () => {
    const [first] = await deliveries(server, `instance_code=${code}`);
    return first?.attempts === attempts ? first : undefined;
  });
}

test('a push answered HTTP 201 is not received: it is retried 15 s later, and delivered when answered 200', async (t) => {
  const { receiver, server, token } = await setUpEvents(t);
  receiver.script.push(201);
  const code = await createLeave(server, token);
  const failed = await afterAttempt(server, code, 1);
  assert.equal(failed.status, 'pending');
  assert.equal(failed.last_error, 'the event URL answered HTTP 201');
  assert.equal(failed.next_attempt_at - failed.last_attempt_at!, 15_000);
  assert.equal(receiver.received.length, 0);

  await advance(server, 15_000);
  await waitFor('both events', () => (receiver.received.length === 2 ? true : undefined));
  const [delivered] = await deliveries(server, `instance_code=${code}`);
  assert.equal(delivered?.status, 'delivered');
  assert.equal(delivered?.attempts, 2);
});

test('a push answered only after 3 s has failed and is retried 15 s later', async (t) => {
  const { receiver, server, token } = await setUpEvents(t);
  receiver.script.push('late');
  const code = await createLeave(server, token);
  const failed = await afterAttempt(server, code, 1);
  assert.equal(failed.status, 'pending');
  assert.equal(failed.next_attempt_at - failed.last_attempt_at!, 15_000);
  assert.equal(receiver.received.length, 0, 'the late answer is not taken as received');

  await advance(server, 15_000);
  await waitFor('both events', () => (receiver.received.length === 2 ? true : undefined));
});

test('a push answered 500 is retried after 15 s, 5 min, 1 h and 6 h; the 5th failure makes it dead', async (t) => {
  const { receiver, server, token } = await setUpEvents(t);
  receiver.script.push(500, 500, 500, 500, 500);
  const code = await createLeave(server, token);
  assert.deepEqual(RETRY_DELAYS_MS, [15_000, 300_000, 3_600_000, 21_600_000]);
  for (const [i, delay] of RETRY_DELAYS_MS.entries()) {
    const failed = await afterAttempt(server, code, i + 1);
    assert.equal(failed.status, 'pending');
    assert.equal(failed.next_attempt_at - failed.last_attempt_at!, delay, `retry ${i + 1} comes ${delay} ms after attempt ${i + 1}`);
    assert.equal(receiver.received.length, 0, 'the later event waits behind the failing one');
    await advance(server, delay);
  }
  const dead = await waitFor('the dead delivery', async () => {
    const [first] = await deliveries(server, `instance_code=${code}`);
    return first?.status === 'dead' ? first : undefined;
  });
  assert.equal(dead.attempts, 5);
  assert.equal(dead.last_error, 'the event URL answered HTTP 500');
  // A dead delivery no longer holds back the instance's later events.
  await waitFor('the task event', () => (receiver.received.length === 1 ? true : undefined));
  assert.ok(receiver.received[0]?.task_id, 'the approval_task event');
});

test('a dead delivery re-driven by event_id and app_id is pending again with no attempts, and is delivered', async (t) => {
  const { receiver, server, token } = await setUpEvents(t);
  receiver.script.push(500, 500, 500, 500, 500);
  const code = await createLeave(server, token);
  const [dead] = await exhaust(server, code);
  assert.equal(dead?.status, 'dead');
  await waitFor('the task event', () => (receiver.received.length === 1 ? true : undefined));

  const redriven = await admin(server.url, '/deliveries/redrive', { json: { event_id: dead!.event_id, app_id: EVENT_APP.app_id } });
  assert.equal(redriven.status, 200, redriven.text);
  assert.deepEqual(
    redriven.body.deliveries.map((d: ListedDelivery) => [d.event_id, d.status, d.attempts]),
    [[dead!.event_id, 'pending', 0]],
  );
  await waitFor('the instance event', () => (receiver.received.length === 2 ? true : undefined));
  assert.equal(receiver.received[1]?.task_id, undefined, 'the approval_instance event');
  const [delivered] = await deliveries(server, `instance_code=${code}`);
  assert.equal(delivered?.status, 'delivered');
  assert.equal(delivered?.attempts, 1);

  const again = await admin(server.url, '/deliveries/redrive', { json: { event_id: dead!.event_id, app_id: EVENT_APP.app_id } });
  assert.equal(again.status, 400, 'only a dead delivery is re-driven');
  assert.match(again.body.error, /delivered/);
  const unknown = await admin(server.url, '/deliveries/redrive', { json: { event_id: 'nope', app_id: EVENT_APP.app_id } });
  assert.equal(unknown.status, 404);
  assert.equal((await admin(server.url, '/deliveries/redrive', { json: {} })).status, 400);
});

test("re-driving an instance's dead deliveries sends them again in the instance's order", async (t) => {
  const { receiver, server, token } = await setUpEvents(t);
  receiver.script.push(...Array<number>(10).fill(500));
  const code = await createLeave(server, token);
  // Both events die, one after the other: five attempts each.
  const dead = await exhaust(server, code);
  assert.deepEqual(dead.map((d) => [d.event_type, d.status, d.attempts]), [
    ['approval_instance', 'dead', 5],
    ['approval_task', 'dead', 5],
  ]);

  const redriven = await admin(server.url, '/deliveries/redrive', { json: { instance_code: code } });
  assert.equal(redriven.body.deliveries.length, 2, redriven.text);
  await waitFor('both events', () => (receiver.received.length === 2 ? true : undefined));
  assert.deepEqual(receiver.received.map((e) => (e.task_id ? 'task' : 'instance')), ['instance', 'task']);
  assert.equal((await admin(server.url, '/deliveries/redrive', { json: { approval_code: DEMO_LEAVE_CODE } })).body.deliveries.length, 0);
});
