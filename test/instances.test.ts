/**
 * Instances end to end (rules.md "Instances and tasks", approval-v4.md §3): create, read, list, query, CC.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEMO_LEAVE_CODE } from '../src/fixtures/demo.js';
import {
  advanceClock,
  aliceCancels,
  approveAs,
  assertRefused,
  assertSuccess,
  bobOnly,
  createInstance,
  createLeave,
  customDefinition,
  getInstance,
  getInstanceAnswer,
  loadFixture,
  reasonForm,
  serve,
  DEMO_CALLER,
  V4,
  type Served,
} from './helpers/approval.js';
import type { Result } from '../src/domain/errors.js';
import { AT, externalApproval, freezeClock, instanceBody, pastWindow, synced } from './helpers/external.js';
import { GLOBEX_APP, globexFixture } from './helpers/fixtures.js';
import { call, tenantToken, type Answer } from './helpers/http.js';
import { codeOf } from './helpers/results.js';

const leaveBody = (form: unknown[]) => ({ approval_code: DEMO_LEAVE_CODE, open_id: 'ou_alice', form: JSON.stringify(form) });

// ---- create: the form ----

test('creating an instance with a widget id the definition does not have answers 1390001 naming it', async (t) => {
  const ctx = await serve(t);
  const answer = await createInstance(
    ctx,
    leaveBody([
      { id: 'reason', type: 'input', value: 'rest' },
      { id: 'mood', type: 'input', value: 'tired' },
    ]),
  );
  assertRefused(answer, 1390001, /mood/);
});

test('creating an instance with a widget of another type than defined answers 1390001 naming it', async (t) => {
  const ctx = await serve(t);
  const answer = await createInstance(ctx, leaveBody([{ id: 'reason', type: 'textarea', value: 'rest' }]));
  assertRefused(answer, 1390001, /reason/);
});

test('creating an instance with a value that does not fit its widget answers 1390001 naming it', async (t) => {
  const ctx = await serve(t);
  const answer = await createInstance(
    ctx,
    leaveBody([
      { id: 'reason', type: 'input', value: 'rest' },
      { id: 'days', type: 'number', value: 'many' },
    ]),
  );
  assertRefused(answer, 1390001, /days/);
});

test('creating an instance without a required widget answers 1390001 naming it', async (t) => {
  const ctx = await serve(t);
  const answer = await createInstance(ctx, leaveBody([{ id: 'days', type: 'number', value: 2 }]));
  assertRefused(answer, 1390001, /reason/);
});

test('creating an instance whose form is not JSON answers 1390001', async (t) => {
  const ctx = await serve(t);
  const answer = await createInstance(ctx, { approval_code: DEMO_LEAVE_CODE, open_id: 'ou_alice', form: '[{"id":' });
  assertRefused(answer, 1390001, /form/);
});

test('forbid_revoke given as the string "true" answers 1390001 (types are never coerced)', async (t) => {
  const ctx = await serve(t);
  const answer = await createInstance(ctx, { ...leaveBody([{ id: 'reason', type: 'input', value: 'x' }]), forbid_revoke: 'true' });
  assertRefused(answer, 1390001, /forbid_revoke/);
});

test('a refused create stores no instance', async (t) => {
  const ctx = await serve(t);
  assertRefused(await createInstance(ctx, leaveBody([])), 1390001);
  const list = await call(ctx.url, `${V4}/instances?approval_code=${DEMO_LEAVE_CODE}&start_time=0&end_time=9999999999999`, {
    token: ctx.token,
  });
  assert.deepEqual(assertSuccess(list).instance_code_list, []);
});

test('creating an instance of an unknown approval code answers 1390002', async (t) => {
  const ctx = await serve(t);
  const answer = await createInstance(ctx, { ...leaveBody([{ id: 'reason', type: 'input', value: 'x' }]), approval_code: 'NO-SUCH-CODE' });
  assertRefused(answer, 1390002);
});

test('a created instance is PENDING with a START timeline entry and the first node task', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  const instance = await getInstance(ctx, code);
  assert.equal(instance.status, 'PENDING');
  assert.equal(instance.end_time, '0');
  assert.equal(instance.instance_code, code);
  assert.equal(instance.approval_code, DEMO_LEAVE_CODE);
  assert.equal(instance.approval_name, 'Leave');
  assert.deepEqual(
    instance.timeline.map((e: any) => [e.type, e.open_id]),
    [['START', 'ou_alice']],
  );
  assert.deepEqual(
    instance.task_list.map((task: any) => [task.open_id, task.status, task.custom_node_id, task.type]),
    [['ou_bob', 'PENDING', 'manager', 'AND']],
  );
  assert.deepEqual(JSON.parse(instance.form).map((v: any) => [v.id, v.type, v.value]), [['reason', 'input', 'a day off']]);
});

// ---- create: every documented field is type-checked (approval-v4.md §3.1) ----

const okBody = () => leaveBody([{ id: 'reason', type: 'input', value: 'x' }]);

test('cancel_bot_notification is taken as the integer 4 (Python SDK) and as the string "4" (Node SDK)', async (t) => {
  const ctx = await serve(t);
  for (const value of [4, '4', 0, '7']) {
    assertSuccess(await createInstance(ctx, { ...okBody(), cancel_bot_notification: value }));
  }
});

for (const value of [8, '8', -1, 1.5, true, 'yes', ['4']]) {
  test(`cancel_bot_notification ${JSON.stringify(value)} answers 1390001 (a bitmask of 1, 2 and 4)`, async (t) => {
    const ctx = await serve(t);
    assertRefused(await createInstance(ctx, { ...okBody(), cancel_bot_notification: value }), 1390001, /cancel_bot_notification/);
  });
}

test('a create with every documented optional field, well typed, is accepted', async (t) => {
  const ctx = await serve(t);
  const answer = await createInstance(ctx, {
    ...okBody(),
    allow_resubmit: true,
    allow_submit_again: false,
    forbid_revoke: false,
    i18n_resources: [{ locale: 'en-US', is_default: true, texts: [{ key: '@i18n@title', value: 'My leave' }] }],
    title: '@i18n@title',
    title_display_method: 1,
    node_auto_approval_list: [{ node_id_type: 'CUSTOM', node_id: 'manager' }],
    byte_extra: 'opaque',
    with_link: true,
  });
  assertSuccess(answer);
});

for (const [field, value, reason] of [
  ['i18n_resources', { locale: 'en-US' }, /i18n_resources/],
  ['i18n_resources', [{ locale: 'en-US', texts: [{ key: '@i18n@t', value: 'x' }] }], /is_default/],
  ['i18n_resources', [{ locale: 'xx-XX', is_default: true, texts: [] }], /locale/],
  ['i18n_resources', [{ locale: 'en-US', is_default: 'true', texts: [] }], /is_default/],
  ['i18n_resources', [{ locale: 'en-US', is_default: true, texts: [{ key: '@i18n@t', value: 1 }] }], /value/],
  ['node_auto_approval_list', [{ node_id_type: 'SYSTEM', node_id: 'manager' }], /node_id_type/],
  ['node_auto_approval_list', [{ node_id_type: 'CUSTOM', node_id: 7 }], /node_id/],
  ['node_auto_approval_list', Array.from({ length: 11 }, () => ({ node_id_type: 'CUSTOM', node_id: 'manager' })), /node_auto_approval_list/],
  ['with_link', 'true', /with_link/],
  ['byte_extra', {}, /byte_extra/],
  ['title_display_method', '1', /title_display_method/],
  ['title_display_method', 2, /title_display_method/],
  ['allow_resubmit', 1, /allow_resubmit/],
] as const) {
  test(`${field} ${JSON.stringify(value).slice(0, 60)} answers 1390001 naming the field`, async (t) => {
    const ctx = await serve(t);
    assertRefused(await createInstance(ctx, { ...okBody(), [field]: value }), 1390001, reason);
  });
}

// ---- create: the submitter and uuid ----

/** Feishu's uuid conflict: HTTP 400 60012, the reason naming the uuid's instance. */
function assertUuidConflict(answer: Answer, existing: string): void {
  assert.equal(answer.status, 400, answer.text);
  assert.equal(answer.body.code, 60012, answer.text);
  assert.equal(answer.body.error.details[0].key, 'reason');
  assert.match(answer.body.error.details[0].value, new RegExp(`uuid .*${existing}`));
}

test('user_id wins over open_id when a create names both', async (t) => {
  const ctx = await serve(t);
  const answer = await createInstance(ctx, {
    approval_code: DEMO_LEAVE_CODE,
    user_id: 'u_alice',
    open_id: 'ou_bob',
    form: reasonForm(),
  });
  const instance = await getInstance(ctx, assertSuccess(answer).instance_code, 'user_id');
  assert.equal(instance.user_id, 'u_alice');
  assert.equal(instance.open_id, 'ou_alice');
  // Alice's supervisor, not Bob's.
  assert.equal(instance.task_list[0].user_id, 'u_bob');
});

test('a create with an unknown submitter answers 1390001', async (t) => {
  const ctx = await serve(t);
  assertRefused(await createInstance(ctx, { approval_code: DEMO_LEAVE_CODE, open_id: 'ou_nobody', form: reasonForm() }), 1390001, /ou_nobody/);
});

test('the instance service answers a create\'s refusals as values, not rejections, in the checks\' order', async (t) => {
  const ctx = await serve(t);
  const { instances } = ctx.server.services;
  const body = { approval_code: DEMO_LEAVE_CODE, open_id: 'ou_alice', form: reasonForm(), uuid: 'as-values-1' };
  assert.equal(codeOf(await instances.create(DEMO_CALLER, body)), 'ok');
  // The used uuid is checked before the definition and the submitter.
  assert.equal(codeOf(await instances.create(DEMO_CALLER, { ...body, approval_code: 'NO-SUCH-APPROVAL', open_id: 'ou_nobody' })), 60012);
  const fresh = { ...body, uuid: 'as-values-2' };
  assert.equal(codeOf(await instances.create(DEMO_CALLER, { ...fresh, approval_code: 'NO-SUCH-APPROVAL', open_id: 'ou_nobody' })), 1390002);
  assert.equal(codeOf(await instances.create(DEMO_CALLER, { ...fresh, open_id: 'ou_nobody' })), 1390001);
  assert.equal(codeOf(await instances.create(DEMO_CALLER, { approval_code: DEMO_LEAVE_CODE, form: reasonForm() })), 1390001);
  assert.equal(codeOf(await instances.create(DEMO_CALLER, { ...fresh, department_id: 'fin' })), 1390001);
  assert.equal(codeOf(await instances.create(DEMO_CALLER, { ...fresh, form: JSON.stringify([{ id: 'nope', type: 'input', value: 'x' }]) })), 1390001);
  // A chosen approver or CC user who is not in the directory, named in the refusal; the approvers' lists first.
  const reasonOf = (answer: Result<unknown>) => (answer.ok ? 'ok' : answer.refusal.reason);
  const unknownApprover = { ...fresh, node_approver_user_id_list: [{ key: 'any', value: ['u_carol', 'u_nobody'] }] };
  assert.match(reasonOf(await instances.create(DEMO_CALLER, unknownApprover)), /node_approver_user_id_list\[0\]\.value "u_nobody"/);
  const unknownCc = { ...fresh, node_cc_open_id_list: [{ key: 'any', value: ['ou_nobody_cc'] }] };
  assert.match(reasonOf(await instances.create(DEMO_CALLER, unknownCc)), /node_cc_open_id_list\[0\]\.value "ou_nobody_cc"/);
  assert.match(reasonOf(await instances.create(DEMO_CALLER, { ...unknownApprover, ...unknownCc })), /u_nobody"/);
  assert.equal(codeOf(await instances.create(DEMO_CALLER, unknownCc)), 1390001);
  assert.equal(codeOf(await instances.create(DEMO_CALLER, fresh)), 'ok');
});

test('a create repeated with the same uuid and the same body answers 60012 naming the existing instance, and creates nothing', async (t) => {
  const ctx = await serve(t);
  const body = { approval_code: DEMO_LEAVE_CODE, open_id: 'ou_alice', form: reasonForm(), uuid: 'leave-2024-001' };
  const first = assertSuccess(await createInstance(ctx, body)).instance_code;
  const again = await createInstance(ctx, body);
  assertUuidConflict(again, first);
  const list = await call(ctx.url, `${V4}/instances?approval_code=${DEMO_LEAVE_CODE}&start_time=0&end_time=9999999999999`, {
    token: ctx.token,
  });
  assert.deepEqual(assertSuccess(list).instance_code_list, [first]);
});

test('a uuid is compared without case: the same uuid in upper case answers 60012', async (t) => {
  const ctx = await serve(t);
  const body = { approval_code: DEMO_LEAVE_CODE, open_id: 'ou_alice', form: reasonForm(), uuid: 'Leave-Case-1' };
  const first = assertSuccess(await createInstance(ctx, body)).instance_code;
  assertUuidConflict(await createInstance(ctx, { ...body, uuid: 'LEAVE-CASE-1' }), first);
});

test('a reused uuid with a body that fails validation answers 1390001, not 60012 (the body is checked first)', async (t) => {
  const ctx = await serve(t);
  const body = { approval_code: DEMO_LEAVE_CODE, open_id: 'ou_alice', form: reasonForm(), uuid: 'leave-2024-003' };
  assertSuccess(await createInstance(ctx, body));
  assertRefused(await createInstance(ctx, { ...body, forbid_revoke: 'yes' }), 1390001, /forbid_revoke/);
});

test('a create repeated with the same uuid and another body answers 60012', async (t) => {
  const ctx = await serve(t);
  const body = { approval_code: DEMO_LEAVE_CODE, open_id: 'ou_alice', form: reasonForm('first'), uuid: 'leave-2024-002' };
  const first = assertSuccess(await createInstance(ctx, body)).instance_code;
  assertUuidConflict(await createInstance(ctx, { ...body, form: reasonForm('second') }), first);
  assert.equal(JSON.parse((await getInstance(ctx, first)).form)[0].value, 'first');
});

// ---- GET /instances/:instance_id ----

test('an instance reads the same by its instance code and by its create uuid', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx, { uuid: 'by-uuid-7' });
  const byCode = await getInstance(ctx, code);
  const byUuid = await getInstance(ctx, 'by-uuid-7');
  assert.equal(byCode.uuid, 'by-uuid-7');
  assert.deepEqual(byUuid, byCode);
});

test('every timeline entry carries files, [] when it has none, and an unmodified instance has no modified_instance_code', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  await approveAs(ctx, code, 'ou_bob');
  const instance = await getInstance(ctx, code);
  assert.deepEqual(
    instance.timeline.map((e: any) => [e.type, e.files]),
    [
      ['START', []],
      ['PASS', []],
    ],
  );
  assert.equal('modified_instance_code' in instance, false);
});

for (const path of ['detail', 'initiated']) {
  test(`GET /instances/${path} (a user-token operation shenpi has not built) answers the plain 404, not 1390003`, async (t) => {
    const ctx = await serve(t);
    for (const token of [ctx.token, undefined]) {
      const answer = await call(ctx.url, `${V4}/instances/${path}?instance_code=X&user_id_type=open_id`, { token });
      assert.equal(answer.status, 404, answer.text);
      assert.equal(answer.text, '404 page not found');
    }
  });
}

test('reading an unknown instance answers 1390003', async (t) => {
  const ctx = await serve(t);
  assertRefused(await getInstanceAnswer(ctx, '81D31358-93AF-92D6-7425-01A5D67C4E71'), 1390003);
});

test('the instance service answers an unknown instance and an unknown reader as values, not rejections', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  const { instances } = ctx.server.services;
  assert.equal(codeOf(await instances.get(DEMO_CALLER, 'NO-SUCH-INSTANCE', { id: 'ou_nobody', type: 'open_id' })), 1390003);
  assert.equal(codeOf(await instances.get(DEMO_CALLER, code, { id: 'ou_nobody', type: 'open_id' })), 1390004);
  assert.equal(codeOf(await instances.get(DEMO_CALLER, code, { id: 'ou_bob', type: 'open_id' })), 'ok');
});

test('an instance id that is not valid percent-encoding answers 1390001 in the Feishu envelope', async (t) => {
  const ctx = await serve(t);
  assertRefused(await call(ctx.url, `${V4}/instances/%E0%A4%A`, { token: ctx.token }), 1390001);
});

test('an instance id longer than 100 characters answers 1390003 in the Feishu envelope', async (t) => {
  const ctx = await serve(t);
  assertRefused(await getInstanceAnswer(ctx, 'A'.repeat(101)), 1390003);
});

for (const [type, alice, bob] of [
  ['open_id', 'ou_alice', 'ou_bob'],
  ['union_id', 'on_alice', 'on_bob'],
  ['user_id', 'u_alice', 'u_bob'],
] as const) {
  test(`GET with user_id_type=${type} names the submitter, the task and the timeline by ${type}, open_id always by open_id`, async (t) => {
    const ctx = await serve(t);
    const code = await createLeave(ctx);
    await approveAs(ctx, code, 'ou_bob');
    const instance = await getInstance(ctx, code, type);
    assert.equal(instance.user_id, alice);
    assert.equal(instance.open_id, 'ou_alice');
    assert.deepEqual(
      instance.task_list.map((task: any) => [task.user_id, task.open_id]),
      [[bob, 'ou_bob']],
    );
    assert.deepEqual(
      instance.timeline.map((e: any) => [e.type, e.user_id, e.open_id]),
      [
        ['START', alice, 'ou_alice'],
        ['PASS', bob, 'ou_bob'],
      ],
    );
  });
}

test('GET without user_id_type names users by open_id', async (t) => {
  const ctx = await serve(t);
  const instance = await getInstance(ctx, await createLeave(ctx));
  assert.equal(instance.user_id, 'ou_alice');
  assert.equal(instance.task_list[0].user_id, 'ou_bob');
});

// ---- GET /instances: codes by definition and creation time ----

const listPath = (approvalCode: string, query: Record<string, string | number>) =>
  `${V4}/instances?${new URLSearchParams({ approval_code: approvalCode, ...Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)])) })}`;

/** Five instances of a fresh definition, created a second apart, in creation order. */
async function fiveInstances(ctx: Served): Promise<{ approvalCode: string; codes: string[] }> {
  const approvalCode = await bobOnly(ctx);
  const codes: string[] = [];
  for (let i = 0; i < 5; i++) {
    codes.push(await createLeave(ctx, { approvalCode }));
    await advanceClock(ctx, 1000);
  }
  return { approvalCode, codes };
}

test('listing 5 instances 2 a page chains pages by page_token and ends with has_more false and an empty token', async (t) => {
  const ctx = await serve(t);
  const { approvalCode, codes } = await fiveInstances(ctx);
  const seen: string[] = [];
  const pages: any[] = [];
  let pageToken = '';
  for (let i = 0; i < 10; i++) {
    const query = { start_time: 0, end_time: Date.now() + 10 ** 12, page_size: 2, ...(pageToken ? { page_token: pageToken } : {}) };
    const data = assertSuccess(await call(ctx.url, listPath(approvalCode, query), { token: ctx.token }));
    pages.push(data);
    seen.push(...data.instance_code_list);
    if (!data.has_more) break;
    assert.notEqual(data.page_token, '');
    pageToken = data.page_token;
  }
  assert.deepEqual(
    pages.map((p) => [p.instance_code_list.length, p.has_more]),
    [
      [2, true],
      [2, true],
      [1, false],
    ],
  );
  assert.equal(pages.at(-1).page_token, '');
  assert.deepEqual(seen, codes);
});

test('GET /instances takes page_size 1 to 100 and answers 1390001 outside (Feishu\'s documented bounds)', async (t) => {
  const ctx = await serve(t);
  const range = { start_time: 0, end_time: 9999999999999 };
  for (const page_size of [1, 100]) {
    assertSuccess(await call(ctx.url, listPath(DEMO_LEAVE_CODE, { ...range, page_size }), { token: ctx.token }));
  }
  for (const page_size of [0, 101, 200]) {
    assertRefused(await call(ctx.url, listPath(DEMO_LEAVE_CODE, { ...range, page_size }), { token: ctx.token }), 1390001, /page_size/);
  }
});

test('GET /instances without page_size pages by 100', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await bobOnly(ctx);
  for (let i = 0; i < 101; i++) await createLeave(ctx, { approvalCode });
  const data = assertSuccess(await call(ctx.url, listPath(approvalCode, { start_time: 0, end_time: 9999999999999 }), { token: ctx.token }));
  assert.equal(data.instance_code_list.length, 100);
  assert.equal(data.has_more, true);
});

test('the list holds only instances created between start_time and end_time, inclusive', async (t) => {
  const ctx = await serve(t);
  const { approvalCode, codes } = await fiveInstances(ctx);
  const second = Number((await getInstance(ctx, codes[1]!)).start_time);
  const fourth = Number((await getInstance(ctx, codes[3]!)).start_time);
  const data = assertSuccess(
    await call(ctx.url, listPath(approvalCode, { start_time: second, end_time: fourth }), { token: ctx.token }),
  );
  assert.deepEqual(data.instance_code_list, codes.slice(1, 4));
  assert.equal(data.has_more, false);
});

test('the list holds only the instances of the named definition', async (t) => {
  const ctx = await serve(t);
  const leave = await createLeave(ctx);
  await createLeave(ctx, { approvalCode: await bobOnly(ctx) });
  const data = assertSuccess(
    await call(ctx.url, listPath(DEMO_LEAVE_CODE, { start_time: 0, end_time: 9999999999999 }), { token: ctx.token }),
  );
  assert.deepEqual(data.instance_code_list, [leave]);
});

test('listing the instances of an unknown approval code answers 1390002', async (t) => {
  const ctx = await serve(t);
  assertRefused(await call(ctx.url, listPath('NO-SUCH-CODE', { start_time: 0, end_time: 1 }), { token: ctx.token }), 1390002);
});

for (const garbage of ['garbage', '!!!', Buffer.from('null').toString('base64url'), Buffer.from('{"startTime":"x","code":1}').toString('base64url'), 'x'.repeat(3000)]) {
  test(`a page_token the server never issued (${garbage.slice(0, 12)}…) answers 1390001 on GET /instances`, async (t) => {
    const ctx = await serve(t);
    await createLeave(ctx);
    const answer = await call(
      ctx.url,
      listPath(DEMO_LEAVE_CODE, { start_time: 0, end_time: 9999999999999, page_token: garbage }),
      { token: ctx.token },
    );
    assertRefused(answer, 1390001, /page_token/);
  });
}

test('a page_token the server never issued answers 1390001 on POST /instances/query', async (t) => {
  const ctx = await serve(t);
  const answer = await call(ctx.url, `${V4}/instances/query?page_token=garbage`, {
    token: ctx.token,
    json: { approval_code: DEMO_LEAVE_CODE },
  });
  assertRefused(answer, 1390001, /page_token/);
});

// ---- POST /instances/query ----

/** Three of Alice's leave instances: one pending, one approved, one withdrawn. */
async function threeStates(ctx: Served) {
  const pending = await createLeave(ctx);
  const approved = await createLeave(ctx);
  await approveAs(ctx, approved, 'ou_bob');
  const withdrawn = await createLeave(ctx);
  assert.equal((await aliceCancels(ctx, withdrawn)).body.code, 0);
  return { pending, approved, withdrawn };
}

const query = (ctx: Served, body: Record<string, unknown>, userIdType = 'open_id') =>
  call(ctx.url, `${V4}/instances/query?user_id_type=${userIdType}`, { token: ctx.token, json: body });

test('instances/query by approval_code finds its instances, statuses in lower case', async (t) => {
  const ctx = await serve(t);
  const { pending, approved, withdrawn } = await threeStates(ctx);
  const data = assertSuccess(await query(ctx, { approval_code: DEMO_LEAVE_CODE }));
  const found = Object.fromEntries(data.instance_list.map((item: any) => [item.instance.code, item.instance.status]));
  assert.deepEqual(found, { [pending]: 'pending', [approved]: 'approved', [withdrawn]: 'canceled' });
  assert.equal(data.count, 3);
  assert.equal(data.has_more, false);
  for (const item of data.instance_list) {
    assert.equal(item.approval.code, DEMO_LEAVE_CODE);
    assert.equal(item.instance.user_id, 'ou_alice');
  }
});

test('instances/query by user_id with instance_status RECALL finds only the withdrawn instances', async (t) => {
  const ctx = await serve(t);
  const { withdrawn } = await threeStates(ctx);
  const data = assertSuccess(await query(ctx, { user_id: 'u_alice', instance_status: 'RECALL' }, 'user_id'));
  assert.deepEqual(
    data.instance_list.map((item: any) => [item.instance.code, item.instance.status, item.instance.user_id]),
    [[withdrawn, 'canceled', 'u_alice']],
  );
  assert.equal(data.count, 1);
});

test('instances/query by the approver finds none of the submitter\'s instances', async (t) => {
  const ctx = await serve(t);
  await threeStates(ctx);
  const data = assertSuccess(await query(ctx, { user_id: 'ou_bob' }));
  assert.deepEqual(data.instance_list, []);
});

test('instances/query takes page_size 5 to 200 and answers 1390001 outside (Feishu\'s documented bounds)', async (t) => {
  const ctx = await serve(t);
  const body = { approval_code: DEMO_LEAVE_CODE };
  for (const size of [5, 200]) {
    assertSuccess(await call(ctx.url, `${V4}/instances/query?page_size=${size}`, { token: ctx.token, json: body }));
  }
  for (const size of [1, 4, 201]) {
    assertRefused(await call(ctx.url, `${V4}/instances/query?page_size=${size}`, { token: ctx.token, json: body }), 1390001, /page_size/);
  }
});

test('instances/query without page_size pages by 10', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await bobOnly(ctx);
  for (let i = 0; i < 11; i++) await createLeave(ctx, { approvalCode });
  const data = assertSuccess(await query(ctx, { approval_code: approvalCode }));
  assert.equal(data.instance_list.length, 10);
  assert.equal(data.count, 11);
  assert.equal(data.has_more, true);
});

test('instances/query takes instance_start_time_from/_to as integers (Python SDK) and as strings of digits (Node SDK)', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  const start = Number((await getInstance(ctx, code)).start_time);
  const asNumbers = assertSuccess(
    await query(ctx, { approval_code: DEMO_LEAVE_CODE, instance_start_time_from: start - 1000, instance_start_time_to: start + 1000 }),
  );
  const asStrings = assertSuccess(
    await query(ctx, {
      approval_code: DEMO_LEAVE_CODE,
      instance_start_time_from: String(start - 1000),
      instance_start_time_to: String(start + 1000),
    }),
  );
  assert.deepEqual(asNumbers.instance_list.map((i: any) => i.instance.code), [code]);
  assert.deepEqual(asStrings, asNumbers);
  const before = assertSuccess(
    await query(ctx, { approval_code: DEMO_LEAVE_CODE, instance_start_time_from: start - 2000, instance_start_time_to: start - 1000 }),
  );
  assert.deepEqual(before.instance_list, []);
});

test('an instance_start_time_from that is not an integer or a string of digits answers 1390001', async (t) => {
  const ctx = await serve(t);
  for (const from of [1.5, -1, 'soon', true]) {
    const answer = await query(ctx, { approval_code: DEMO_LEAVE_CODE, instance_start_time_from: from, instance_start_time_to: 1 });
    assertRefused(answer, 1390001, /instance_start_time_from/);
  }
});

test('instances/query with no selector at all answers 1390001', async (t) => {
  const ctx = await serve(t);
  assertRefused(await query(ctx, { instance_status: 'ALL' }), 1390001);
});

test('instances/query: an external id alone selects nothing; beside approval_code or instance_code it is a union', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  const codes = async (body: Record<string, unknown>) => assertSuccess(await query(ctx, body)).instance_list.map((i: any) => i.instance.code);
  assert.deepEqual(await codes({ group_external_id: 'g-1' }), []);
  assert.deepEqual(await codes({ instance_external_id: 'x-1' }), []);
  assert.deepEqual(await codes({ approval_code: DEMO_LEAVE_CODE, group_external_id: 'g-1' }), [code]);
  assert.deepEqual(await codes({ instance_code: code, instance_external_id: 'x-1' }), [code]);
});

/**
 * acme at AT: Alice's leave (started at AT) and, of the third-party definition `oa_expense` (group `hr`), Alice's
 * pending `inst-1` (AT + 1000) and Bob's terminated `inst-2` (AT + 2000).
 */
async function withExternal(t: Parameters<typeof serve>[0]) {
  const ctx = await serve(t);
  await freezeClock(ctx);
  const leave = await createLeave(ctx);
  await externalApproval(ctx, 'oa_expense');
  await synced(ctx, instanceBody('oa_expense', 'inst-1', { start_time: String(AT + 1000) }));
  await synced(ctx, instanceBody('oa_expense', 'inst-2', { start_time: String(AT + 2000), status: 'TERMINATED', open_id: 'ou_bob', end_time: String(AT + 3000) }));
  const codes = async (body: Record<string, unknown>, userIdType?: string) =>
    assertSuccess(await query(ctx, body, userIdType)).instance_list.map((i: any) => i.instance.external_id || i.instance.code);
  return { ctx, leave, codes };
}

test('instances/query finds third-party instances with their definition, group, links and extra', async (t) => {
  const { ctx } = await withExternal(t);
  const data = assertSuccess(await query(ctx, { instance_external_id: 'inst-2' }, 'user_id'));
  assert.equal(data.count, 1);
  const [item] = data.instance_list;
  assert.match(item.instance.code, /^[0-9A-F]{8}-/);
  assert.deepEqual(item, {
    approval: { code: 'oa_expense', name: 'Expense (OA)', is_external: true, external: { batch_cc_read: false }, approval_id: item.approval.approval_id, icon: '0' },
    group: { external_id: 'hr', name: 'HR' },
    instance: {
      code: item.instance.code,
      external_id: 'inst-2',
      user_id: 'u_bob',
      start_time: String(AT + 2000),
      end_time: String(AT + 3000),
      // Feishu's list has no terminated status.
      status: 'canceled',
      title: 'Expense inst-2',
      extra: '',
      serial_id: '',
      link: { pc_link: 'https://oa.example/instance/inst-2', mobile_link: 'https://m.oa.example/instance/inst-2' },
    },
  });
  assert.deepEqual(assertSuccess(await query(ctx, { instance_code: item.instance.code })).instance_list, [{ ...item, instance: { ...item.instance, user_id: 'ou_bob' } }]);
});

test('instances/query: the external ids and third-party codes select third-party instances; beside shenpi codes they are unions', async (t) => {
  const { leave, codes } = await withExternal(t);
  assert.deepEqual(await codes({ group_external_id: 'hr' }), ['inst-1', 'inst-2']);
  assert.deepEqual(await codes({ approval_code: 'oa_expense' }), ['inst-1', 'inst-2']);
  assert.deepEqual(await codes({ instance_external_id: 'inst-1' }), ['inst-1']);
  assert.deepEqual(await codes({ approval_code: DEMO_LEAVE_CODE, group_external_id: 'hr' }), [leave, 'inst-1', 'inst-2']);
  assert.deepEqual(await codes({ instance_code: leave, instance_external_id: 'inst-2' }), [leave, 'inst-2']);
  assert.deepEqual(await codes({ approval_code: DEMO_LEAVE_CODE, instance_external_id: 'inst-1' }), []);
  assert.deepEqual(await codes({ group_external_id: 'no-such-group' }), []);
});

test('instances/query selects third-party instances by submitter per user_id_type, status and start time', async (t) => {
  const { ctx, leave, codes } = await withExternal(t);
  assert.deepEqual(await codes({ user_id: 'ou_alice' }), [leave, 'inst-1']);
  assert.deepEqual(await codes({ user_id: 'u_bob' }, 'user_id'), ['inst-2']);
  assert.deepEqual(await codes({ group_external_id: 'hr', instance_status: 'RECALL' }), ['inst-2']);
  assert.deepEqual(await codes({ group_external_id: 'hr', instance_status: 'PENDING' }), ['inst-1']);
  assert.deepEqual(await codes({ user_id: 'ou_alice', instance_start_time_from: String(AT + 1), instance_start_time_to: String(AT + 1000) }), ['inst-1']);
  for (const status of ['HIDDEN', 'DELETED']) {
    await pastWindow(ctx);
    await synced(ctx, instanceBody('oa_expense', 'inst-1', { status, start_time: String(AT + 1000) }));
    for (const filter of ['ALL', 'DELETED']) assert.deepEqual(await codes({ group_external_id: 'hr', instance_status: filter }), filter === 'ALL' ? ['inst-2'] : []);
  }
});

test('instances/query: instance_title finds third-party instances by part of their title, in any letter case; shenpi instances have none', async (t) => {
  const { ctx, codes } = await withExternal(t);
  assert.deepEqual(await codes({ group_external_id: 'hr', instance_title: 'INST-2' }), ['inst-2']);
  assert.deepEqual(await codes({ approval_code: DEMO_LEAVE_CODE, group_external_id: 'hr', instance_title: 'expense' }), ['inst-1', 'inst-2']);
  assert.deepEqual(await codes({ user_id: 'ou_alice', instance_title: 'Expense' }), ['inst-1']);
  const leaves = assertSuccess(await query(ctx, { approval_code: DEMO_LEAVE_CODE, instance_title: 'Leave' }));
  assert.deepEqual([leaves.count, leaves.instance_list], [0, []]);
});

test('instances/query pages shenpi and third-party instances together by start time, count both', async (t) => {
  const { ctx, leave, codes } = await withExternal(t);
  const later: string[] = [];
  for (let i = 0; i < 4; i++) {
    await advanceClock(ctx, 1000);
    later.push(await createLeave(ctx));
  }
  // Leaves at AT, +1000, +2000, +3000, +4000; inst-1 at +1000 and inst-2 at +2000 follow the leaves of their times.
  const all = [leave, later[0], 'inst-1', later[1], 'inst-2', later[2], later[3]];
  const body = { approval_code: DEMO_LEAVE_CODE, group_external_id: 'hr' };
  assert.deepEqual(await codes(body), all);
  const pageOne = assertSuccess(await call(ctx.url, `${V4}/instances/query?page_size=5`, { token: ctx.token, json: body }));
  const pageTwo = assertSuccess(await call(ctx.url, `${V4}/instances/query?page_size=5&page_token=${pageOne.page_token}`, { token: ctx.token, json: body }));
  assert.deepEqual([pageOne.count, pageOne.has_more, pageTwo.count, pageTwo.has_more, pageTwo.page_token], [7, true, 7, false, '']);
  assert.deepEqual([...pageOne.instance_list, ...pageTwo.instance_list].map((i: any) => i.instance.external_id || i.instance.code), all);
});

test("instances/query: another tenant finds none of acme's third-party instances", async (t) => {
  const { ctx } = await withExternal(t);
  await loadFixture(ctx, globexFixture());
  const globex = await tenantToken(ctx.url, GLOBEX_APP);
  for (const selector of [{ instance_external_id: 'inst-1' }, { group_external_id: 'hr' }, { approval_code: 'oa_expense' }, { user_id: 'ou_bob' }]) {
    const data = assertSuccess(await call(ctx.url, `${V4}/instances/query`, { token: globex, json: selector }));
    assert.deepEqual([data.count, data.instance_list], [0, []], JSON.stringify(selector));
  }
});

// ---- POST /instances/cc ----

test('CC adds a CC timeline entry listing the CC\'d users', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  const answer = await call(ctx.url, `${V4}/instances/cc?user_id_type=open_id`, {
    token: ctx.token,
    json: { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: 'ou_alice', cc_user_ids: ['ou_dave', 'ou_carol'], comment: 'fyi' },
  });
  assert.deepEqual(answer.body, { code: 0, msg: 'success', data: {} });
  const cc = (await getInstance(ctx, code, 'user_id')).timeline.at(-1);
  assert.equal(cc.type, 'CC');
  assert.equal(cc.user_id, 'u_alice');
  assert.deepEqual(
    cc.cc_user_list.map((u: any) => [u.user_id, u.open_id, typeof u.cc_id]),
    [
      ['u_dave', 'ou_dave', 'string'],
      ['u_carol', 'ou_carol', 'string'],
    ],
  );
  assert.equal((await getInstance(ctx, code)).status, 'PENDING');
});

test('CC to an unknown user answers 1390001 and adds nothing', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  const answer = await call(ctx.url, `${V4}/instances/cc`, {
    token: ctx.token,
    json: { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: 'ou_alice', cc_user_ids: ['ou_nobody'] },
  });
  assertRefused(answer, 1390001, /ou_nobody/);
  assert.equal((await getInstance(ctx, code)).timeline.length, 1);
});

// ---- Free approver nodes ----

const freeDefinition = (ctx: Served) =>
  customDefinition(ctx, { nodes: [{ id: 'pick', node_type: 'AND', approver: [{ type: 'Free' }] }] });

test('a Free node gets the approver the submitter picked with node_approver_open_id_list', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await freeDefinition(ctx);
  const answer = await createInstance(ctx, {
    approval_code: approvalCode,
    open_id: 'ou_alice',
    form: reasonForm(),
    node_approver_open_id_list: [{ key: 'pick', value: ['ou_dave'] }],
  });
  const instance = await getInstance(ctx, assertSuccess(answer).instance_code, 'user_id');
  assert.deepEqual(
    instance.task_list.map((task: any) => [task.user_id, task.status, task.custom_node_id]),
    [['u_dave', 'PENDING', 'pick']],
  );
});

test('a Free node may be keyed by its system node_id, with node_approver_user_id_list', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await freeDefinition(ctx);
  const definition = assertSuccess(await call(ctx.url, `${V4}/approvals/${approvalCode}`, { token: ctx.token }));
  const nodeId = definition.node_list.find((n: any) => n.custom_node_id === 'pick').node_id;
  const answer = await createInstance(ctx, {
    approval_code: approvalCode,
    open_id: 'ou_alice',
    form: reasonForm(),
    node_approver_user_id_list: [{ key: nodeId, value: ['u_carol'] }],
  });
  const instance = await getInstance(ctx, assertSuccess(answer).instance_code);
  assert.deepEqual(
    instance.task_list.map((task: any) => task.open_id),
    ['ou_carol'],
  );
});

test('a Free node without a pick answers 1390001 naming the node', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await freeDefinition(ctx);
  const answer = await createInstance(ctx, { approval_code: approvalCode, open_id: 'ou_alice', form: reasonForm() });
  assertRefused(answer, 1390001, /pick/);
});

test('a pick of an unknown user for a Free node answers 1390001 naming the user', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await freeDefinition(ctx);
  const answer = await createInstance(ctx, {
    approval_code: approvalCode,
    open_id: 'ou_alice',
    form: reasonForm(),
    node_approver_open_id_list: [{ key: 'pick', value: ['ou_nobody'] }],
  });
  assertRefused(answer, 1390001, /ou_nobody/);
});
