/** The console's admin endpoints over HTTP: what they list, and how changes to a definition take effect. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_LEAVE_CODE } from '../src/fixtures/demo.js';
import { admin, call, tenantToken } from './helpers/http.js';
import { startTestServer } from './helpers/server.js';

const V4 = '/open-apis/approval/v4';

async function serve(t: { after: (fn: () => Promise<void>) => void }) {
  const server = await startTestServer();
  t.after(() => server.close());
  return { server, token: await tenantToken(server.url) };
}

const leaveNode = async (url: string) =>
  (await admin(url, '/tenants/acme/approvals')).body.approvals.find(
    (a: { approval_code: string }) => a.approval_code === DEMO_LEAVE_CODE,
  );

test('the console endpoints need the admin token', async (t) => {
  const { server } = await serve(t);
  const answer = await call(server.url, '/_shenpi/tenants');
  assert.equal(answer.status, 401);
  assert.equal(typeof answer.body.error, 'string');
});

test('tenants are listed with their apps and users', async (t) => {
  const { server } = await serve(t);
  const { tenants } = (await admin(server.url, '/tenants')).body;
  assert.deepEqual(tenants.map((x: { tenant_key: string }) => x.tenant_key), ['acme']);
  assert.deepEqual(tenants[0].apps, [
    { app_id: 'cli_acme_demo', event_url: null, encrypt_key: null, verification_token: null, event_types: null },
  ]);
  assert.ok(tenants[0].users.some((u: { open_id: string }) => u.open_id === 'ou_alice'));
});

test('marking a node as requiring a signature makes approving its new tasks answer 1390018', async (t) => {
  const { server, token } = await serve(t);
  const node = (await leaveNode(server.url)).nodes[0];
  const patched = await admin(server.url, `/approvals/${DEMO_LEAVE_CODE}`, {
    method: 'PATCH',
    json: { require_signature: { [node.node_id]: true } },
  });
  assert.equal(patched.status, 200, patched.text);
  assert.equal(patched.body.approval.nodes[0].require_signature, true);
  const created = await call(server.url, `${V4}/instances`, {
    token,
    json: { approval_code: DEMO_LEAVE_CODE, open_id: 'ou_alice', form: JSON.stringify([{ id: 'reason', type: 'input', value: 'x' }]) },
  });
  const code = created.body.data.instance_code;
  const taskId = (await call(server.url, `${V4}/instances/${code}`, { token })).body.data.task_list[0].id;
  const approved = await call(server.url, `${V4}/tasks/approve`, {
    token,
    json: { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: 'ou_bob', task_id: taskId },
  });
  assert.equal(approved.status, 400);
  assert.equal(approved.body.code, 1390018);
});

test('an approved instance can no longer be withdrawn once revert_interval is set to 0', async (t) => {
  const { server, token } = await serve(t);
  const created = await call(server.url, `${V4}/instances`, {
    token,
    json: { approval_code: DEMO_LEAVE_CODE, open_id: 'ou_alice', form: JSON.stringify([{ id: 'reason', type: 'input', value: 'x' }]) },
  });
  const code = created.body.data.instance_code;
  const taskId = (await call(server.url, `${V4}/instances/${code}`, { token })).body.data.task_list[0].id;
  await call(server.url, `${V4}/tasks/approve`, {
    token,
    json: { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: 'ou_bob', task_id: taskId },
  });
  await admin(server.url, `/approvals/${DEMO_LEAVE_CODE}`, { method: 'PATCH', json: { revert_interval: 0 } });
  const refused = await call(server.url, `${V4}/instances/cancel`, {
    token,
    json: { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: 'ou_alice' },
  });
  assert.equal(refused.body.code, 1390001);
  assert.match(refused.body.error.details[0].value, /revert_interval is 0/);
});

test('a change with a wrong value, an unknown definition or an unknown node is refused and changes nothing', async (t) => {
  const { server } = await serve(t);
  const before = await leaveNode(server.url);
  const bad = await admin(server.url, `/approvals/${DEMO_LEAVE_CODE}`, { method: 'PATCH', json: { revert_option: 2 } });
  assert.equal(bad.status, 400);
  const negative = await admin(server.url, `/approvals/${DEMO_LEAVE_CODE}`, { method: 'PATCH', json: { revert_interval: -1 } });
  assert.equal(negative.status, 400);
  const unknown = await admin(server.url, '/approvals/NOPE', { method: 'PATCH', json: { revert_option: 0 } });
  assert.equal(unknown.status, 404);
  const node = await admin(server.url, `/approvals/${DEMO_LEAVE_CODE}`, {
    method: 'PATCH',
    json: { revert_option: 0, require_signature: { 'no-such-node': true } },
  });
  assert.equal(node.status, 404);
  assert.deepEqual(await leaveNode(server.url), before);
});

test('an instance is shown with its timeline, ids as user_id, whatever its tenant', async (t) => {
  const { server, token } = await serve(t);
  const created = await call(server.url, `${V4}/instances`, {
    token,
    json: { approval_code: DEMO_LEAVE_CODE, open_id: 'ou_alice', form: JSON.stringify([{ id: 'reason', type: 'input', value: 'x' }]) },
  });
  const code = created.body.data.instance_code;
  const listed = (await admin(server.url, `/approvals/${DEMO_LEAVE_CODE}/instances`)).body.instances;
  assert.deepEqual(listed.map((i: { instance_code: string }) => i.instance_code), [code]);
  const shown = (await admin(server.url, `/instances/${code}`)).body.instance;
  assert.equal(shown.user_id, 'u_alice');
  assert.deepEqual(shown.timeline.map((e: { type: string }) => e.type), ['START']);
  assert.equal((await admin(server.url, '/instances/NOPE')).status, 404);
});

test("an app's event settings are set, listed and cleared; unknown apps and non-URLs are refused", async (t) => {
  const { server } = await serve(t);
  const event = { url: 'http://127.0.0.1:9/hook', encrypt_key: 'k', verification_token: 'v' };
  const set = await admin(server.url, '/apps/cli_acme_demo/event', { method: 'PUT', json: event });
  assert.equal(set.status, 200, set.text);
  const listed = (await admin(server.url, '/tenants')).body.tenants[0].apps[0];
  assert.deepEqual(listed, { app_id: 'cli_acme_demo', event_url: event.url, encrypt_key: 'k', verification_token: 'v', event_types: null });

  assert.equal((await admin(server.url, '/apps/cli_nobody/event', { method: 'PUT', json: event })).status, 404);
  assert.equal((await admin(server.url, '/apps/cli_acme_demo/event', { method: 'PUT', json: { url: 'ftp://x' } })).status, 400);

  const cleared = await admin(server.url, '/apps/cli_acme_demo/event', { method: 'PUT', raw: 'null', headers: { 'content-type': 'application/json' } });
  assert.equal(cleared.status, 200, cleared.text);
  assert.equal((await admin(server.url, '/tenants')).body.tenants[0].apps[0].event_url, null);
});
