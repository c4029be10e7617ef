/**
 * Approval definitions end to end (rules.md "Definitions", approval-v4.md §2): POST /approvals creates
 * or overwrites, GET /approvals/:approval_code reads, and the revoke settings' defaults.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  advanceClock,
  aliceCancels,
  approveAs,
  assertRefused,
  assertSuccess,
  createLeave,
  DEMO_CALLER,
  definitionBody,
  getInstance,
  loadFixture,
  revokeRequestOf,
  serve,
  V4,
  type Served,
} from './helpers/approval.js';
import { call, tenantToken } from './helpers/http.js';
import { DEMO_LEAVE_CODE } from '../src/fixtures/demo.js';
import { refusalOf } from './helpers/results.js';

const UPPER_UUID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;

/** A travel definition named in two locales, with two widgets and two nodes. */
const travelBody = (extra: Record<string, unknown> = {}) => ({
  approval_name: '@i18n@travel',
  viewers: [{ viewer_type: 'TENANT' }],
  form: {
    form_content: JSON.stringify([
      { id: 'destination', type: 'input', name: '@i18n@destination', required: true },
      { id: 'budget', type: 'amount', name: '@i18n@budget' },
    ]),
  },
  node_list: [
    { id: 'START' },
    { id: 'lead', name: '@i18n@lead', node_type: 'AND', approver: [{ type: 'Supervisor', level: '1' }] },
    { id: 'money', name: '@i18n@money', node_type: 'OR', approver: [{ type: 'Personal', user_id: 'ou_dave' }] },
    { id: 'END' },
  ],
  i18n_resources: [
    {
      locale: 'en-US',
      is_default: true,
      texts: [
        { key: '@i18n@travel', value: 'Business trip' },
        { key: '@i18n@destination', value: 'Destination' },
        { key: '@i18n@budget', value: 'Budget' },
        { key: '@i18n@lead', value: 'Team lead' },
        { key: '@i18n@money', value: 'Finance' },
      ],
    },
    {
      locale: 'zh-CN',
      is_default: false,
      texts: [
        { key: '@i18n@travel', value: '出差' },
        { key: '@i18n@destination', value: '目的地' },
        { key: '@i18n@budget', value: '预算' },
        { key: '@i18n@lead', value: '组长' },
        { key: '@i18n@money', value: '财务' },
      ],
    },
  ],
  ...extra,
});

const createApproval = (ctx: Served, body: unknown, query = '') =>
  call(ctx.url, `${V4}/approvals${query}`, { token: ctx.token, json: body });

const getApproval = (ctx: Served, code: string, query = '', token = ctx.token) =>
  call(ctx.url, `${V4}/approvals/${code}${query}`, { token });

// ---- create ----

test('creating a definition answers an upper-case UUID approval_code and a decimal approval_id', async (t) => {
  const ctx = await serve(t);
  const data = assertSuccess(await createApproval(ctx, travelBody()));
  assert.match(data.approval_code, UPPER_UUID);
  assert.equal(typeof data.approval_id, 'string');
  assert.match(data.approval_id, /^\d+$/);
});

test('two created definitions get distinct codes and ids', async (t) => {
  const ctx = await serve(t);
  const one = assertSuccess(await createApproval(ctx, travelBody()));
  const two = assertSuccess(await createApproval(ctx, travelBody()));
  assert.notEqual(one.approval_code, two.approval_code);
  assert.notEqual(one.approval_id, two.approval_id);
});

test('approver user ids in a create are open_ids when no user_id_type is given', async (t) => {
  const ctx = await serve(t);
  const approvalCode = assertSuccess(
    await createApproval(ctx, definitionBody({ nodes: [{ id: 'n', approver: [{ type: 'Personal', user_id: 'ou_dave' }] }] })),
  ).approval_code;
  const instance = await getInstance(ctx, await createLeave(ctx, { approvalCode }), 'user_id');
  assert.equal(instance.task_list[0].user_id, 'u_dave');
});

test('a Personal approver unknown to the tenant answers 1390004', async (t) => {
  const ctx = await serve(t);
  const body = definitionBody({ nodes: [{ id: 'n', approver: [{ type: 'Personal', user_id: 'ou_nobody' }] }] });
  assertRefused(await createApproval(ctx, body), 1390004, /ou_nobody/);
});

test('a SEQUENTIAL node with a Personal approver answers 1390001', async (t) => {
  const ctx = await serve(t);
  const body = definitionBody({
    nodes: [{ id: 'chain', node_type: 'SEQUENTIAL', approver: [{ type: 'Personal', user_id: 'u_bob' }] }],
  });
  assertRefused(await createApproval(ctx, body, '?user_id_type=user_id'), 1390001, /SEQUENTIAL|Free/);
});

test('a node_list not framed by START and END answers 1390001', async (t) => {
  const ctx = await serve(t);
  const body = { ...definitionBody({ nodes: [{ id: 'n', approver: [{ type: 'Personal', user_id: 'ou_bob' }] }] }) };
  body.node_list = body.node_list.slice(1);
  assertRefused(await createApproval(ctx, body), 1390001, /START/);
});

test('an i18n key without a text in the default locale answers 1390001', async (t) => {
  const ctx = await serve(t);
  const body = travelBody({ approval_name: '@i18n@missing' });
  assertRefused(await createApproval(ctx, body), 1390001, /@i18n@missing/);
});

// ---- get ----

test('GET resolves approval_name and node names through the default locale', async (t) => {
  const ctx = await serve(t);
  const { approval_code } = assertSuccess(await createApproval(ctx, travelBody()));
  const data = assertSuccess(await getApproval(ctx, approval_code));
  assert.equal(data.approval_name, 'Business trip');
  assert.deepEqual(
    data.node_list.map((n: any) => n.name),
    ['Team lead', 'Finance'],
  );
  assert.equal(data.status, 'ACTIVE');
});

test('GET with locale=zh-CN resolves names in that locale', async (t) => {
  const ctx = await serve(t);
  const { approval_code } = assertSuccess(await createApproval(ctx, travelBody()));
  const data = assertSuccess(await getApproval(ctx, approval_code, '?locale=zh-CN'));
  assert.equal(data.approval_name, '出差');
  assert.deepEqual(JSON.parse(data.form).map((w: any) => w.name), ['目的地', '预算']);
});

test('GET lists the approval nodes with node_id, custom_node_id and node_type', async (t) => {
  const ctx = await serve(t);
  const { approval_code } = assertSuccess(await createApproval(ctx, travelBody()));
  const { node_list } = assertSuccess(await getApproval(ctx, approval_code));
  assert.deepEqual(
    node_list.map((n: any) => [n.custom_node_id, n.node_type, n.need_approver, n.require_signature]),
    [
      ['lead', 'AND', false, false],
      ['money', 'OR', false, false],
    ],
  );
  for (const node of node_list) {
    assert.equal(typeof node.node_id, 'string');
    assert.ok(node.node_id.length > 0);
    assert.notEqual(node.node_id, node.custom_node_id);
  }
  assert.notEqual(node_list[0].node_id, node_list[1].node_id);
});

test('GET answers the form as a JSON string of the widgets', async (t) => {
  const ctx = await serve(t);
  const { approval_code } = assertSuccess(await createApproval(ctx, travelBody()));
  const { form } = assertSuccess(await getApproval(ctx, approval_code));
  assert.equal(typeof form, 'string');
  assert.deepEqual(
    JSON.parse(form).map((w: any) => [w.id, w.type, w.name]),
    [
      ['destination', 'input', 'Destination'],
      ['budget', 'amount', 'Budget'],
    ],
  );
});

test('GET of an unknown approval code answers 1390002', async (t) => {
  const ctx = await serve(t);
  assertRefused(await getApproval(ctx, '00000000-0000-0000-0000-000000000000'), 1390002);
});

test('an approval code longer than 100 characters answers 1390002 in the Feishu envelope', async (t) => {
  const ctx = await serve(t);
  assertRefused(await getApproval(ctx, 'A'.repeat(101)), 1390002);
});

// ---- overwrite ----

test('a create naming an existing approval_code overwrites that definition and keeps its code and id', async (t) => {
  const ctx = await serve(t);
  const created = assertSuccess(await createApproval(ctx, travelBody()));
  const renamed = travelBody({ approval_code: created.approval_code });
  renamed.i18n_resources[0]!.texts[0] = { key: '@i18n@travel', value: 'Trip abroad' };
  const overwritten = assertSuccess(await createApproval(ctx, renamed));
  assert.deepEqual(overwritten, created);
  assert.equal(assertSuccess(await getApproval(ctx, created.approval_code)).approval_name, 'Trip abroad');
});

test('an overwrite keeps the node ids, so a running instance can still be approved', async (t) => {
  const ctx = await serve(t);
  const body = definitionBody({ nodes: [{ id: 'n', approver: [{ type: 'Personal', user_id: 'ou_bob' }] }] });
  const { approval_code } = assertSuccess(await createApproval(ctx, body));
  const nodesBefore = assertSuccess(await getApproval(ctx, approval_code)).node_list;
  const code = await createLeave(ctx, { approvalCode: approval_code });
  assertSuccess(await createApproval(ctx, { ...body, approval_code, settings: { revert_option: 0 } }));
  assert.deepEqual(assertSuccess(await getApproval(ctx, approval_code)).node_list, nodesBefore);
  await approveAs(ctx, code, 'ou_bob', approval_code);
  assert.equal((await getInstance(ctx, code)).status, 'APPROVED');
});

test('a create naming an approval_code the tenant does not have answers 1390002', async (t) => {
  const ctx = await serve(t);
  assertRefused(await createApproval(ctx, travelBody({ approval_code: '11111111-2222-3333-4444-555555555555' })), 1390002);
});

test('the definition and subscription services answer their refusals as values, not rejections', async (t) => {
  const ctx = await serve(t);
  const { approvals, subscriptions } = ctx.server.services;
  const create = async (body: object) => refusalOf(await approvals.create(DEMO_CALLER, body as never, 'open_id'));
  const bob = { type: 'Personal', user_id: 'ou_bob' };
  const nobody = { type: 'Personal', user_id: 'ou_nobody' };
  assert.match(await create(definitionBody({ nodes: [{ id: 'n', approver: [nobody] }] })), /^1390004 node_list\[1\]\.approver\[0\]\.user_id/);
  assert.match(await create(definitionBody({ nodes: [{ id: 'n', approver: [bob], ccer: [nobody] }] })), /^1390004 node_list\[1\]\.ccer\[0\]\.user_id/);
  const body = definitionBody({ nodes: [{ id: 'n', approver: [bob] }] });
  assert.match(await create({ ...body, viewers: [{ viewer_type: 'USER', viewer_user_id: 'ou_nobody' }] }), /^1390004 viewers\[0\]\.viewer_user_id/);
  assert.match(await create({ ...body, process_manager_ids: ['ou_nobody'] }), /^1390004 process_manager_ids/);
  assert.match(await create(definitionBody({ nodes: [{ id: 'n', node_type: 'SEQUENTIAL', approver: [bob] }] })), /^1390001 /);
  assert.match(await create({ ...body, approval_code: '11111111-2222-3333-4444-555555555555' }), /^1390002 /);
  assert.equal(await create(body), 'ok');
  assert.match(refusalOf(await approvals.get(DEMO_CALLER, 'NO-SUCH-DEFINITION')), /^1390002 /);
  assert.equal(refusalOf(await approvals.get(DEMO_CALLER, DEMO_LEAVE_CODE)), 'ok');
  assert.match(refusalOf(await subscriptions.subscribe(DEMO_CALLER, 'NO-SUCH-DEFINITION')), /^1390002 /);
  assert.match(refusalOf(await subscriptions.unsubscribe(DEMO_CALLER, 'NO-SUCH-DEFINITION')), /^1390002 /);
  assert.equal(refusalOf(await subscriptions.subscribe(DEMO_CALLER, DEMO_LEAVE_CODE)), 'ok');
  assert.match(refusalOf(await subscriptions.subscribe(DEMO_CALLER, DEMO_LEAVE_CODE)), /^1390007 .*already subscribed/);
  assert.equal(refusalOf(await subscriptions.unsubscribe(DEMO_CALLER, DEMO_LEAVE_CODE)), 'ok');
  assert.match(refusalOf(await subscriptions.unsubscribe(DEMO_CALLER, DEMO_LEAVE_CODE)), /^1390007 .*not subscribed/);
});

// ---- tenants ----

const OTHER = { app_id: 'cli_initech_approvals', app_secret: 'initech-secret' };

test("another tenant's approval code answers 1390002 to GET and to an overwrite", async (t) => {
  const ctx = await serve(t);
  await loadFixture(ctx, {
    tenants: [{ tenant_key: 'initech', apps: [OTHER], users: [{ user_id: 'u_bob', open_id: 'ou_bob' }] }],
  });
  const { approval_code } = assertSuccess(await createApproval(ctx, travelBody()));
  const otherToken = await tenantToken(ctx.url, OTHER);
  assertRefused(await getApproval(ctx, approval_code, '', otherToken), 1390002);
  const overwrite = await call(ctx.url, `${V4}/approvals`, {
    token: otherToken,
    json: definitionBody({ approval_code, nodes: [{ id: 'n', approver: [{ type: 'Personal', user_id: 'ou_bob' }] }] }),
  });
  assertRefused(overwrite, 1390002);
  assert.equal(assertSuccess(await getApproval(ctx, approval_code)).approval_name, 'Business trip');
});

// ---- settings defaults: revert_option 1, revert_interval 31 days ----

/** A definition created without settings: Bob approves alone. */
const withoutSettings = async (ctx: Served) =>
  assertSuccess(
    await createApproval(ctx, definitionBody({ nodes: [{ id: 'n', approver: [{ type: 'Personal', user_id: 'ou_bob' }] }] })),
  ).approval_code as string;

test('a definition created without settings allows withdrawing a pending instance (revert_option defaults to 1)', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await withoutSettings(ctx);
  const code = await createLeave(ctx, { approvalCode });
  assert.equal((await aliceCancels(ctx, code, approvalCode)).body.code, 0);
  assert.equal((await getInstance(ctx, code)).status, 'CANCELED');
});

test('a definition created without settings allows withdrawing an approved instance late on its 31st day (revert_interval defaults to 2678400)', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await withoutSettings(ctx);
  const code = await createLeave(ctx, { approvalCode });
  await approveAs(ctx, code, 'ou_bob', approvalCode);
  // An hour to spare: the server clock runs on while the test does, and the exact bound is a unit test's.
  await advanceClock(ctx, 2_678_400_000 - 3_600_000);
  assert.equal((await aliceCancels(ctx, code, approvalCode)).body.code, 0);
  assert.equal((await revokeRequestOf(ctx, code, approvalCode)).status, 'PENDING');
});

test('a definition created without settings refuses withdrawing an approved instance after 31 days', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await withoutSettings(ctx);
  const code = await createLeave(ctx, { approvalCode });
  await approveAs(ctx, code, 'ou_bob', approvalCode);
  await advanceClock(ctx, 2_678_400_000 + 1000);
  assertRefused(await aliceCancels(ctx, code, approvalCode), 1390001);
  assert.equal((await getInstance(ctx, code)).status, 'APPROVED');
});

test('settings.revert_option other than 0 or 1 answers 1390001', async (t) => {
  const ctx = await serve(t);
  const body = definitionBody({ nodes: [{ id: 'n', approver: [{ type: 'Personal', user_id: 'ou_bob' }] }], settings: { revert_option: 2 } });
  assertRefused(await createApproval(ctx, body), 1390001, /revert_option/);
});

test('settings.revert_interval given as a string answers 1390001 (types are never coerced)', async (t) => {
  const ctx = await serve(t);
  const body: any = definitionBody({ nodes: [{ id: 'n', approver: [{ type: 'Personal', user_id: 'ou_bob' }] }] });
  body.settings = { revert_interval: '86400' };
  assertRefused(await createApproval(ctx, body), 1390001, /revert_interval/);
});
