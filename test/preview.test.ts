/** POST /open-apis/approval/v4/instances/preview: the route a request would take, or still has ahead. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_LEAVE_CODE, DEMO_PURCHASE_CODE } from '../src/fixtures/demo.js';
import { createLeave, DEMO_CALLER, serve as serveApproval } from './helpers/approval.js';
import { admin, call, tenantToken } from './helpers/http.js';
import { startTestServer } from './helpers/server.js';
import { codeOf } from './helpers/results.js';

const V4 = '/open-apis/approval/v4';

async function serve(t: { after: (fn: () => Promise<void>) => void }) {
  const server = await startTestServer();
  t.after(() => server.close());
  return { url: server.url, token: await tenantToken(server.url) };
}

const nodesOf = (answer: { body: any; text: string }) => {
  assert.equal(answer.body.code, 0, answer.text);
  return answer.body.data.preview_nodes as any[];
};

test("previewing a new request shows each node with the approvers the rules find for the submitter", async (t) => {
  const { url, token } = await serve(t);
  const leave = nodesOf(await call(url, `${V4}/instances/preview`, { token, json: { approval_code: DEMO_LEAVE_CODE, user_id: 'ou_alice' } }));
  assert.equal(leave.length, 1);
  assert.equal(leave[0].custom_node_id, 'manager');
  assert.equal(leave[0].node_name, 'Manager');
  assert.equal(leave[0].node_type, 'AND');
  assert.deepEqual(leave[0].user_id_list, ['ou_bob']);
  assert.equal(leave[0].is_empty_logic, false);
  assert.equal(leave[0].is_approver_type_free, false);

  const purchase = nodesOf(
    await call(url, `${V4}/instances/preview?user_id_type=user_id`, { token, json: { approval_code: DEMO_PURCHASE_CODE, user_id: 'u_alice' } }),
  );
  assert.deepEqual(purchase.map((n) => [n.custom_node_id, n.user_id_list]), [
    ['dept', ['u_carol']],
    ['finance', ['u_dave']],
  ]);
});

test('previewing a Free node shows it as the submitter\'s pick, with nobody yet', async (t) => {
  const { url, token } = await serve(t);
  const fixture = {
    tenants: [{
      tenant_key: 'acme',
      approvals: [{
        approval_code: 'F4EE0000-0000-4000-8000-000000000001',
        approval_name: 'Pick',
        viewers: [{ viewer_type: 'TENANT' }],
        form: { form_content: '[]' },
        node_list: [{ id: 'START' }, { id: 'chosen', node_type: 'AND', approver: [{ type: 'Free' }] }, { id: 'END' }],
        i18n_resources: [{ locale: 'en-US', is_default: true, texts: [] }],
      }],
    }],
  };
  assert.equal((await admin(url, '/fixtures', { json: fixture })).status, 200);
  const [node] = nodesOf(await call(url, `${V4}/instances/preview`, { token, json: { approval_code: 'F4EE0000-0000-4000-8000-000000000001', user_id: 'ou_alice' } }));
  assert.deepEqual(node.user_id_list, []);
  assert.equal(node.is_approver_type_free, true);
  assert.equal(node.is_empty_logic, false);
});

test('previewing an instance shows only the nodes it has not passed yet', async (t) => {
  const { url, token } = await serve(t);
  const created = await call(url, `${V4}/instances`, {
    token,
    json: { approval_code: DEMO_PURCHASE_CODE, open_id: 'ou_alice', form: JSON.stringify([{ id: 'item', type: 'input', value: 'desk' }, { id: 'amount', type: 'amount', value: 100 }]) },
  });
  const code = created.body.data.instance_code;
  const before = nodesOf(await call(url, `${V4}/instances/preview`, { token, json: { instance_code: code, user_id: 'ou_alice' } }));
  assert.deepEqual(before.map((n) => n.custom_node_id), ['dept', 'finance']);

  const taskId = (await call(url, `${V4}/instances/${code}`, { token })).body.data.task_list[0].id;
  const approved = await call(url, `${V4}/tasks/approve`, {
    token,
    json: { approval_code: DEMO_PURCHASE_CODE, instance_code: code, user_id: 'ou_carol', task_id: taskId },
  });
  assert.equal(approved.body.code, 0, approved.text);
  const after = nodesOf(await call(url, `${V4}/instances/preview`, { token, json: { instance_code: code, user_id: 'ou_alice' } }));
  assert.deepEqual(after.map((n) => [n.custom_node_id, n.user_id_list]), [['finance', ['ou_dave']]]);
});

test('a preview without approval_code or instance_code, or of unknown ones, is refused', async (t) => {
  const { url, token } = await serve(t);
  const preview = (json: object) => call(url, `${V4}/instances/preview`, { token, json });
  assert.equal((await preview({ user_id: 'ou_alice' })).body.code, 1390001);
  assert.equal((await preview({ approval_code: 'NOPE', user_id: 'ou_alice' })).body.code, 1390002);
  assert.equal((await preview({ instance_code: 'NOPE', user_id: 'ou_alice' })).body.code, 1390003);
  assert.equal((await preview({ approval_code: DEMO_LEAVE_CODE, user_id: 'ou_nobody' })).body.code, 1390001);
  assert.equal((await preview({ approval_code: DEMO_LEAVE_CODE })).body.code, 1390001);
});

test('the instance service answers a preview\'s refusals as values, not rejections, the user first', async (t) => {
  const ctx = await serveApproval(t);
  const { instances } = ctx.server.services;
  const preview = (body: { approval_code?: string; instance_code?: string; user_id: string; department_id?: string }) =>
    instances.preview(DEMO_CALLER, body, 'open_id');
  assert.equal(codeOf(await preview({ approval_code: 'NOPE', user_id: 'ou_nobody' })), 1390001);
  assert.equal(codeOf(await preview({ user_id: 'ou_alice' })), 1390001);
  assert.equal(codeOf(await preview({ approval_code: 'NOPE', user_id: 'ou_alice' })), 1390002);
  assert.equal(codeOf(await preview({ approval_code: DEMO_LEAVE_CODE, user_id: 'ou_alice', department_id: 'fin' })), 1390001);
  assert.equal(codeOf(await preview({ instance_code: 'NOPE', user_id: 'ou_alice' })), 1390003);
  const code = await createLeave(ctx);
  assert.equal(codeOf(await preview({ instance_code: code, approval_code: DEMO_PURCHASE_CODE, user_id: 'ou_alice' })), 1390003);
  assert.equal(codeOf(await preview({ instance_code: code, user_id: 'ou_alice' })), 'ok');
  assert.equal(codeOf(await preview({ approval_code: DEMO_LEAVE_CODE, user_id: 'ou_alice' })), 'ok');
});
