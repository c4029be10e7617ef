/**
 * `POST /instances/add_sign` end to end (approval-v4.md §3.6; README "Differences from Feishu"): users added
 * before, after or beside the operator, their tasks, the timeline entry, the events, and every refusal.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEMO_LEAVE_CODE } from '../src/fixtures/demo.js';
import {
  addSign,
  approveAs,
  assertRefused,
  createLeave,
  customDefinition,
  definitionBody,
  getInstance,
  instanceEvents,
  loadFixture,
  outboxOf,
  pendingTaskOf,
  serve,
  taskAction,
  V4,
  type Served,
} from './helpers/approval.js';
import { GLOBEX_APP, globexFixture } from './helpers/fixtures.js';
import { admin, call, tenantToken } from './helpers/http.js';

/** Alice's leave, waiting for Bob (the demo's one Supervisor node): the body of an add_sign by Bob. */
async function bobsLeave(ctx: Served, approvalCode = DEMO_LEAVE_CODE) {
  const code = await createLeave(ctx, { approvalCode });
  const task = await pendingTaskOf(ctx, code, 'ou_bob');
  return { code, task, body: { approval_code: approvalCode, instance_code: code, user_id: 'u_bob', task_id: task.id } };
}

const tasksOf = (instance: any) => instance.task_list.map((t: any) => [t.user_id, t.status, t.type]);

test('add_sign answers {"code":0,"msg":"success"} with no data key', async (t) => {
  const ctx = await serve(t);
  const { body } = await bobsLeave(ctx);
  const answer = await addSign(ctx, { ...body, add_sign_user_ids: ['u_carol'], add_sign_type: 3 });
  assert.equal(answer.status, 200, answer.text);
  assert.equal(answer.text, '{"code":0,"msg":"success"}');
});

test('before (type 1): Bob\'s task closes DONE, Carol approves first, then Bob gets a new task and the leave is approved by him', async (t) => {
  const ctx = await serve(t);
  const { code, task, body } = await bobsLeave(ctx);
  await addSign(ctx, { ...body, add_sign_user_ids: ['u_carol'], add_sign_type: 1, approval_method: 2, comment: 'Carol first' });
  assert.deepEqual(tasksOf(await getInstance(ctx, code, 'user_id')), [
    ['u_bob', 'DONE', 'AND'],
    ['u_carol', 'PENDING', 'AND'],
  ]);
  await approveAs(ctx, code, 'ou_carol');
  const reopened = await pendingTaskOf(ctx, code, 'ou_bob');
  assert.notEqual(reopened.id, task.id);
  assert.equal(reopened.node_id, task.node_id);
  await approveAs(ctx, code, 'ou_bob');
  const instance = await getInstance(ctx, code);
  assert.equal(instance.status, 'APPROVED');
  assert.deepEqual(instance.timeline.map((e: any) => e.type), ['START', 'ADD_APPROVER_BEFORE', 'PASS', 'PASS']);
});

test('after (type 2): Bob\'s task is approved at once and the leave waits for Carol', async (t) => {
  const ctx = await serve(t);
  const { code, body } = await bobsLeave(ctx);
  await addSign(ctx, { ...body, add_sign_user_ids: ['u_carol'], add_sign_type: 2, approval_method: 1 });
  let instance = await getInstance(ctx, code, 'user_id');
  assert.equal(instance.status, 'PENDING');
  assert.deepEqual(tasksOf(instance), [
    ['u_bob', 'APPROVED', 'AND'],
    ['u_carol', 'PENDING', 'OR'],
  ]);
  await approveAs(ctx, code, 'ou_carol');
  instance = await getInstance(ctx, code);
  assert.equal(instance.status, 'APPROVED');
  assert.deepEqual(await instanceEvents(ctx, code), ['PENDING', 'APPROVED']);
});

test('after (type 2) with several users and approval_method 3: they approve one after another, in the order given', async (t) => {
  const ctx = await serve(t);
  const { code, body } = await bobsLeave(ctx);
  await addSign(ctx, { ...body, add_sign_user_ids: ['u_dave', 'u_carol'], add_sign_type: 2, approval_method: 3 });
  assert.deepEqual(tasksOf(await getInstance(ctx, code, 'user_id')).slice(1), [['u_dave', 'PENDING', 'SEQUENTIAL']]);
  await approveAs(ctx, code, 'ou_dave');
  assert.deepEqual(tasksOf(await getInstance(ctx, code, 'user_id')).slice(1), [
    ['u_dave', 'APPROVED', 'SEQUENTIAL'],
    ['u_carol', 'PENDING', 'SEQUENTIAL'],
  ]);
  await approveAs(ctx, code, 'ou_carol');
  assert.equal((await getInstance(ctx, code)).status, 'APPROVED');
});

test('parallel (type 3): Carol approves beside Bob; the leave is approved once both have', async (t) => {
  const ctx = await serve(t);
  const { code, body } = await bobsLeave(ctx);
  await addSign(ctx, { ...body, add_sign_user_ids: ['u_carol'], add_sign_type: 3 });
  assert.deepEqual(tasksOf(await getInstance(ctx, code, 'user_id')), [
    ['u_bob', 'PENDING', 'AND'],
    ['u_carol', 'PENDING', 'AND'],
  ]);
  await approveAs(ctx, code, 'ou_bob');
  assert.equal((await getInstance(ctx, code)).status, 'PENDING');
  await approveAs(ctx, code, 'ou_carol');
  assert.equal((await getInstance(ctx, code)).status, 'APPROVED');
});

for (const [type, kind] of [[1, 'ADD_APPROVER_BEFORE'], [2, 'ADD_APPROVER_AFTER'], [3, 'ADD_APPROVER']] as const) {
  test(`type ${type} writes a ${kind} timeline entry by the operator, ext.user_id_list naming the added users per user_id_type`, async (t) => {
    const ctx = await serve(t);
    const { code, task, body } = await bobsLeave(ctx);
    await addSign(ctx, { ...body, add_sign_user_ids: ['u_carol', 'u_dave'], add_sign_type: type, approval_method: 2, comment: 'also you' });
    for (const [userIdType, carol, dave, bob] of [
      ['user_id', 'u_carol', 'u_dave', 'u_bob'],
      ['open_id', 'ou_carol', 'ou_dave', 'ou_bob'],
      ['union_id', 'on_carol', 'on_dave', 'on_bob'],
    ] as const) {
      const entry = (await getInstance(ctx, code, userIdType)).timeline.at(-1);
      assert.equal(entry.type, kind);
      assert.equal(entry.user_id, bob);
      assert.equal(entry.open_id, 'ou_bob');
      assert.equal(entry.task_id, task.id);
      assert.equal(entry.comment, 'also you');
      assert.equal(entry.node_key, 'manager');
      assert.deepEqual(entry.user_id_list, [carol, dave]);
      assert.deepEqual(entry.open_id_list, ['ou_carol', 'ou_dave']);
      assert.deepEqual(JSON.parse(entry.ext), { user_id_list: [carol, dave] });
    }
  });
}

test('events: type 1 DONE for the operator then PENDING for each added user; type 2 APPROVED first; type 3 PENDING only; no instance event', async (t) => {
  const ctx = await serve(t);
  const expected = {
    1: ['u_bob DONE', 'u_carol PENDING', 'u_dave PENDING'],
    2: ['u_bob APPROVED', 'u_carol PENDING', 'u_dave PENDING'],
    3: ['u_carol PENDING', 'u_dave PENDING'],
  };
  for (const type of [1, 2, 3] as const) {
    const { code, body } = await bobsLeave(ctx);
    await addSign(ctx, { ...body, add_sign_user_ids: ['u_carol', 'u_dave'], add_sign_type: type, approval_method: 2 });
    const rows = (await outboxOf(ctx, code)).slice(2);
    assert.deepEqual(rows.map((r) => `${r.payload.user_id} ${r.payload.status}`), expected[type], `type ${type}`);
    for (const row of rows) {
      assert.equal(row.event_type, 'approval_task');
      assert.equal(row.payload.custom_key, 'manager');
      assert.equal(row.payload.extra, undefined);
    }
  }
});

test('the ids are user_ids whatever user_id_type says: an open_id names nobody (1390001)', async (t) => {
  const ctx = await serve(t);
  const { code, body } = await bobsLeave(ctx);
  const withType = (query: string, json: object) => call(ctx.url, `${V4}/instances/add_sign${query}`, { token: ctx.token, json });
  assertRefused(await withType('', { ...body, user_id: 'ou_bob', add_sign_user_ids: ['u_carol'], add_sign_type: 3 }), 1390001, /ou_bob/);
  assertRefused(await withType('', { ...body, add_sign_user_ids: ['ou_carol'], add_sign_type: 3 }), 1390001, /add_sign_user_ids "ou_carol"/);
  assert.equal((await withType('?user_id_type=open_id', { ...body, add_sign_user_ids: ['u_carol'], add_sign_type: 3 })).body.code, 0);
  assert.equal((await getInstance(ctx, code)).task_list.length, 2);
});

test('a duplicate in add_sign_user_ids adds the user once', async (t) => {
  const ctx = await serve(t);
  const { code, body } = await bobsLeave(ctx);
  assert.equal((await addSign(ctx, { ...body, add_sign_user_ids: ['u_carol', 'u_carol'], add_sign_type: 3 })).body.code, 0);
  assert.deepEqual(JSON.parse((await getInstance(ctx, code, 'user_id')).timeline.at(-1).ext), { user_id_list: ['u_carol'] });
});

test('bad bodies answer 1390001 and change nothing: type or method outside 1..3, no users, over 100, no method for types 1 and 2', async (t) => {
  const ctx = await serve(t);
  const { code, body } = await bobsLeave(ctx);
  const many = Array.from({ length: 101 }, (_, i) => `u_${i}`);
  for (const [extra, reason] of [
    [{ add_sign_user_ids: ['u_carol'], add_sign_type: 4 }, /add_sign_type/],
    [{ add_sign_user_ids: ['u_carol'], add_sign_type: '1' }, /add_sign_type/],
    [{ add_sign_user_ids: ['u_carol'], add_sign_type: 1, approval_method: 0 }, /approval_method/],
    [{ add_sign_user_ids: [], add_sign_type: 3 }, /add_sign_user_ids/],
    [{ add_sign_user_ids: many, add_sign_type: 3 }, /add_sign_user_ids/],
    [{ add_sign_type: 3 }, /add_sign_user_ids/],
    [{ add_sign_user_ids: ['u_carol'], add_sign_type: 1 }, /approval_method is required/],
    [{ add_sign_user_ids: ['u_carol'], add_sign_type: 2 }, /approval_method is required/],
  ] as const) {
    assertRefused(await addSign(ctx, { ...body, ...extra }), 1390001, reason);
  }
  const instance = await getInstance(ctx, code);
  assert.deepEqual(instance.timeline.map((e: any) => e.type), ['START']);
  assert.equal(instance.task_list.length, 1);
});

test('adding oneself, a user pending on the node, or an unknown user answers 1390001', async (t) => {
  const ctx = await serve(t);
  const { body } = await bobsLeave(ctx);
  assertRefused(await addSign(ctx, { ...body, add_sign_user_ids: ['u_bob'], add_sign_type: 3 }), 1390001, /operator/);
  assertRefused(await addSign(ctx, { ...body, add_sign_user_ids: ['u_nobody'], add_sign_type: 3 }), 1390001, /u_nobody/);
  assert.equal((await addSign(ctx, { ...body, add_sign_user_ids: ['u_carol'], add_sign_type: 3 })).body.code, 0);
  assertRefused(await addSign(ctx, { ...body, add_sign_user_ids: ['u_carol'], add_sign_type: 3 }), 1390001, /already has a pending task/);
});

test('someone else\'s task or a closed one answers 1390001; an unknown task 1390010; unknown codes 1390002 and 1390003', async (t) => {
  const ctx = await serve(t);
  const { body } = await bobsLeave(ctx);
  const signing = { add_sign_user_ids: ['u_dave'], add_sign_type: 3 };
  assertRefused(await addSign(ctx, { ...body, ...signing, user_id: 'u_carol' }), 1390001, /assignee/);
  assertRefused(await addSign(ctx, { ...body, ...signing, task_id: '1234567890' }), 1390010);
  assertRefused(await addSign(ctx, { ...body, ...signing, approval_code: 'NO-SUCH-CODE' }), 1390002);
  assertRefused(await addSign(ctx, { ...body, ...signing, instance_code: 'NO-SUCH-INSTANCE' }), 1390003);
  assert.equal((await addSign(ctx, { ...body, add_sign_user_ids: ['u_carol'], add_sign_type: 2, approval_method: 2 })).body.code, 0);
  assertRefused(await addSign(ctx, { ...body, ...signing }), 1390001, /APPROVED/);
});

test('type 2 on a node that requires a handwritten signature answers 1390018 (it approves); type 1 is allowed', async (t) => {
  const ctx = await serve(t);
  const definition = definitionBody({
    nodes: [{ id: 'sig', node_type: 'AND', require_signature: true, approver: [{ type: 'Personal', user_id: 'u_bob' }] }],
  });
  const [approvalCode] = (await loadFixture(ctx, { tenants: [{ tenant_key: 'acme', name: 'Acme Ltd', approvals: [definition] }] })).approvals;
  const { code, body } = await bobsLeave(ctx, approvalCode);
  assertRefused(await addSign(ctx, { ...body, add_sign_user_ids: ['u_carol'], add_sign_type: 2, approval_method: 2 }), 1390018);
  assert.equal((await getInstance(ctx, code)).task_list[0].status, 'PENDING');
  assert.equal((await addSign(ctx, { ...body, add_sign_user_ids: ['u_carol'], add_sign_type: 1, approval_method: 2 })).body.code, 0);
});

test('an added user may reject: the instance ends REJECTED and every other pending task closes DONE', async (t) => {
  const ctx = await serve(t);
  const { code, body } = await bobsLeave(ctx);
  await addSign(ctx, { ...body, add_sign_user_ids: ['u_carol', 'u_dave'], add_sign_type: 1, approval_method: 2 });
  const carol = await pendingTaskOf(ctx, code, 'ou_carol');
  const answer = await taskAction(ctx, 'reject', { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: 'ou_carol', task_id: carol.id });
  assert.equal(answer.body.code, 0, answer.text);
  const instance = await getInstance(ctx, code, 'user_id');
  assert.equal(instance.status, 'REJECTED');
  assert.deepEqual(tasksOf(instance).map(([user, status]: string[]) => [user, status]), [
    ['u_bob', 'DONE'],
    ['u_carol', 'REJECTED'],
    ['u_dave', 'DONE'],
  ]);
});

test('an added user may transfer their task; the transferee decides in their place', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await customDefinition(ctx, {
    nodes: [{ id: 'bob', node_type: 'AND', approver: [{ type: 'Personal', user_id: 'u_bob' }] }],
  });
  const { code, body } = await bobsLeave(ctx, approvalCode);
  await addSign(ctx, { ...body, add_sign_user_ids: ['u_carol'], add_sign_type: 2, approval_method: 2 });
  const carol = await pendingTaskOf(ctx, code, 'ou_carol');
  const transfer = { approval_code: approvalCode, instance_code: code, user_id: 'ou_carol', task_id: carol.id, transfer_user_id: 'ou_dave' };
  assert.equal((await taskAction(ctx, 'transfer', transfer)).body.code, 0);
  await approveAs(ctx, code, 'ou_dave', approvalCode);
  assert.equal((await getInstance(ctx, code)).status, 'APPROVED');
});

test("another tenant's token cannot add_sign on acme's task (1390002); nothing changes", async (t) => {
  const ctx = await serve(t);
  assert.equal((await admin(ctx.url, '/fixtures', { json: globexFixture() })).status, 200);
  const { code, body } = await bobsLeave(ctx);
  const globex = await tenantToken(ctx.url, GLOBEX_APP);
  assertRefused(await addSign(ctx, { ...body, add_sign_user_ids: ['u_alice'], add_sign_type: 3 }, globex), 1390002);
  const instance = await getInstance(ctx, code);
  assert.deepEqual(instance.timeline.map((e: any) => e.type), ['START']);
  assert.equal(instance.task_list.length, 1);
});
