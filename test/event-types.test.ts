/**
 * Event types per app (rules.md "Events"): an app receives only the types it takes (`apps[].event.types`,
 * default every event 1.0 approval type), and approval.approval.updated_v4 in the schema 2.0 envelope when
 * a definition it subscribed to is overwritten, decoded by the official Node SDK's EventDispatcher.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFINITION_UPDATED } from '../src/domain/event-types.js';
import { DEMO_LEAVE_CODE, DEMO_PURCHASE_CODE, demoFixture } from '../src/fixtures/demo.js';
import {
  createLeave,
  deliveries,
  EVENT_APP,
  setUpEvents,
  type ReceivedEvent,
} from './helpers/event-receiver.js';
import { admin, call } from './helpers/http.js';
import type { TestServer } from './helpers/server.js';
import { waitFor } from './helpers/wait.js';

const V4 = '/open-apis/approval/v4';

/** The demo Leave definition as a create-approval body (its ids are user_ids). */
function leaveBody(changes: Record<string, unknown> = {}) {
  const leave = demoFixture.tenants[0]!.approvals!.find((a) => a.approval_code === DEMO_LEAVE_CODE)!;
  return { ...leave, ...changes };
}

async function overwriteLeave(server: TestServer, token: string, changes: Record<string, unknown> = {}) {
  const answer = await call(server.url, `${V4}/approvals?user_id_type=user_id`, { token, json: leaveBody(changes) });
  assert.equal(answer.body.code, 0, answer.text);
  return answer.body.data as { approval_code: string; approval_id: string };
}

const updates = (received: ReceivedEvent[]) => received.filter((e) => e.event_type === DEFINITION_UPDATED);

test('overwriting a subscribed definition pushes approval.approval.updated_v4 in the 2.0 envelope, decoded by the Node SDK', async (t) => {
  const { receiver, server, token } = await setUpEvents(t, { types: [DEFINITION_UPDATED] });
  const before = (await admin(server.url, '/clock')).body.now as number;
  const { approval_id } = await overwriteLeave(server, token, { settings: { revert_option: 0, revert_interval: 0 } });
  const [event] = await waitFor('the update event', () => (updates(receiver.received).length === 1 ? updates(receiver.received) : undefined));
  // The SDK flattens header and event: header fields, then `object`.
  assert.match(event!.event_id, /^[0-9a-f]{32}$/);
  assert.equal(event!.schema, '2.0');
  assert.equal(event!.token, 'event-token');
  assert.equal(event!.app_id, EVENT_APP.app_id);
  assert.equal(event!.tenant_key, 'acme');
  assert.match(event!.create_time, /^\d{13}$/);
  assert.ok(Number(event!.create_time) >= before);
  const object = event!.object;
  assert.deepEqual(Object.keys(object).sort(), [
    'approval_code', 'approval_id', 'extra', 'form_definition_id', 'process_obj', 'timestamp', 'version_id', 'widget_group_type',
  ]);
  assert.equal(object.approval_code, DEMO_LEAVE_CODE);
  assert.equal(object.approval_id, approval_id);
  assert.equal(object.version_id, '2');
  assert.equal(object.widget_group_type, 0);
  assert.equal(typeof object.form_definition_id, 'string');
  assert.equal(object.extra, '');
  assert.equal(object.timestamp, String(Math.floor(Number(event!.create_time) / 1000)));
  const nodes = JSON.parse(object.process_obj) as { custom_node_id: string; node_type: string }[];
  assert.deepEqual(nodes.map((n) => [n.custom_node_id, n.node_type]), [['manager', 'AND']]);
});

test('each API overwrite, even an identical one, is a new version; their events go out in version order', async (t) => {
  const { receiver, server, token } = await setUpEvents(t, { types: [DEFINITION_UPDATED] });
  receiver.script.push(500);
  await overwriteLeave(server, token);
  await overwriteLeave(server, token);
  await waitFor('the failed first push', async () => ((await deliveries(server, `instance_code=${DEMO_LEAVE_CODE}`))[0]?.attempts === 1 ? true : undefined));
  await admin(server.url, '/clock', { json: { advance_ms: 15_000 } });
  const events = await waitFor('two update events', () => (updates(receiver.received).length === 2 ? updates(receiver.received) : undefined));
  assert.deepEqual(events.map((e) => e.object.version_id), ['2', '3']);
  // The receiver has the second event before shenpi has read its answer and marked the delivery delivered.
  const listed = await waitFor('both deliveries settled', async () => {
    const all = await deliveries(server, `approval_code=${DEMO_LEAVE_CODE}`);
    return all.every((d) => d.status !== 'pending') ? all : undefined;
  });
  assert.deepEqual(listed.map((d) => [d.event_type, d.seq, d.status]), [
    [DEFINITION_UPDATED, 2, 'delivered'],
    [DEFINITION_UPDATED, 3, 'delivered'],
  ]);
});

test('an app that names no event types gets the 1.0 approval events and no approval.approval.updated_v4', async (t) => {
  const { receiver, server, token } = await setUpEvents(t);
  await overwriteLeave(server, token);
  const code = await createLeave(server, token);
  await waitFor('two instance events', () => (receiver.received.length === 2 ? true : undefined));
  assert.deepEqual(receiver.received.map((e) => e.instance_code), [code, code]);
  assert.deepEqual(await deliveries(server, `instance_code=${DEMO_LEAVE_CODE}`), []);
});

test('an app that takes only approval.approval.updated_v4 gets no instance or task events', async (t) => {
  const { server, token } = await setUpEvents(t, { types: [DEFINITION_UPDATED] });
  const code = await createLeave(server, token);
  assert.deepEqual(await deliveries(server, `instance_code=${code}`), []);
});

test('an app that takes approval_task only gets the task events', async (t) => {
  const { receiver, server, token } = await setUpEvents(t, { types: ['approval_task'] });
  const code = await createLeave(server, token);
  const listed = await deliveries(server, `instance_code=${code}`);
  assert.deepEqual(listed.map((d) => d.event_type), ['approval_task']);
  await waitFor('the task event', () => (receiver.received.length === 1 ? true : undefined));
  assert.ok(receiver.received[0]?.task_id);
});

test('a definition nobody subscribed to, or a new one, pushes nothing when written', async (t) => {
  const { server, token } = await setUpEvents(t, { types: [DEFINITION_UPDATED] });
  const purchase = demoFixture.tenants[0]!.approvals!.find((a) => a.approval_code === DEMO_PURCHASE_CODE)!;
  assert.equal((await call(server.url, `${V4}/approvals?user_id_type=user_id`, { token, json: purchase })).body.code, 0);
  const { approval_code: _code, ...fresh } = leaveBody();
  const created = await call(server.url, `${V4}/approvals?user_id_type=user_id`, { token, json: fresh });
  assert.equal(created.body.code, 0, created.text);
  assert.deepEqual(await deliveries(server, `app_id=${EVENT_APP.app_id}`), []);
});

test('a fixture reload that changes a definition counts as an overwrite; one that changes nothing does not', async (t) => {
  const { receiver, server } = await setUpEvents(t, { types: [DEFINITION_UPDATED] });
  const reload = async (changes: Record<string, unknown>) => {
    const fixture = { tenants: [{ tenant_key: 'acme', approvals: [leaveBody(changes)] }] };
    const loaded = await admin(server.url, '/fixtures', { json: fixture });
    assert.equal(loaded.status, 200, loaded.text);
  };
  await reload({});
  assert.deepEqual(await deliveries(server, `instance_code=${DEMO_LEAVE_CODE}`), [], 'the same definition again is no change');
  await reload({ settings: { revert_option: 0, revert_interval: 86400 } });
  const [event] = await waitFor('the update event', () => (updates(receiver.received).length === 1 ? updates(receiver.received) : undefined));
  assert.equal(event!.object.version_id, '2');
});

test('changing revoke settings in the console counts as an overwrite; saving them unchanged does not', async (t) => {
  const { receiver, server } = await setUpEvents(t, { types: [DEFINITION_UPDATED] });
  const patch = (body: unknown) => admin(server.url, `/approvals/${DEMO_LEAVE_CODE}`, { method: 'PATCH', json: body });
  assert.equal((await patch({ revert_option: 1 })).status, 200);
  assert.deepEqual(await deliveries(server, `instance_code=${DEMO_LEAVE_CODE}`), []);
  assert.equal((await patch({ revert_option: 0 })).status, 200);
  const [event] = await waitFor('the update event', () => (updates(receiver.received).length === 1 ? updates(receiver.received) : undefined));
  assert.equal(event!.object.version_id, '2');
});

test('unknown event type names are refused: by a fixture naming the JSON path, by the admin API with 400', async (t) => {
  const { server } = await setUpEvents(t, { subscribe: false });
  const event = { url: 'http://127.0.0.1:9/hook', types: ['approval_instance', 'approval.instance.updated'] };
  const fixture = await admin(server.url, '/fixtures', { json: { tenants: [{ tenant_key: 'acme', apps: [{ ...EVENT_APP, event }] }] } });
  assert.equal(fixture.status, 400);
  assert.match(fixture.body.error, /^tenants\[0\]\.apps\[0\]\.event\.types\[1\]: unknown event type "approval\.instance\.updated"/);

  const put = await admin(server.url, `/apps/${EVENT_APP.app_id}/event`, { method: 'PUT', json: event });
  assert.equal(put.status, 400);
  assert.match(put.body.error, /unknown event type "approval\.instance\.updated"/);
  const app = (await admin(server.url, '/tenants')).body.tenants[0].apps.find((a: { app_id: string }) => a.app_id === EVENT_APP.app_id);
  assert.equal(app.event_types, null, 'nothing changed');

  const ok = await admin(server.url, `/apps/${EVENT_APP.app_id}/event`, { method: 'PUT', json: { ...event, types: [DEFINITION_UPDATED] } });
  assert.equal(ok.status, 200, ok.text);
  assert.deepEqual(ok.body.app.event_types, [DEFINITION_UPDATED]);
});
