/**
 * `POST /instances/specified_rollback` end to end (approval-v4.md §3.6, §5.6; README "Differences from Feishu"):
 * sending a request back from a pending task to nodes already passed, or to its submitter (START); the tasks,
 * the timeline, the ROLLBACK event and its delivery, and every refusal.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEMO_LEAVE_CODE } from '../src/fixtures/demo.js';
import {
  aliceCancels,
  approveAs,
  assertRefused,
  bobThenCarol,
  createLeave,
  getInstance,
  instanceEvents,
  outboxOf,
  pendingTaskOf,
  rollback,
  serve,
  taskAction,
  tasksQuery,
  type Served,
} from './helpers/approval.js';
import { createLeave as createWatchedLeave, setUpEvents } from './helpers/event-receiver.js';
import { GLOBEX_APP, globexFixture } from './helpers/fixtures.js';
import { admin, call, tenantToken } from './helpers/http.js';
import { waitFor } from './helpers/wait.js';

const V4 = '/open-apis/approval/v4';

/** Alice's request of Bob-then-Carol, approved by Bob and waiting for Carol. */
async function atCarol(ctx: Served) {
  const approvalCode = await bobThenCarol(ctx);
  const code = await createLeave(ctx, { approvalCode });
  const bobs = await pendingTaskOf(ctx, code, 'ou_bob');
  await approveAs(ctx, code, 'ou_bob', approvalCode);
  const carols = await pendingTaskOf(ctx, code, 'ou_carol');
  return { approvalCode, code, bobs, carols, body: { user_id: 'ou_carol', task_id: carols.id } };
}

const tasksOf = (instance: any) => instance.task_list.map((t: any) => [t.open_id, t.status, t.custom_node_id]);

test('Carol sends the request back to Bob\'s node: her task closes DONE, Bob gets a new PENDING task, the instance stays PENDING', async (t) => {
  const ctx = await serve(t);
  const { code, bobs, body } = await atCarol(ctx);
  const answer = await rollback(ctx, { ...body, task_def_key_list: ['bob'], reason: 'check the dates' });
  assert.deepEqual(answer.body, { code: 0, msg: 'success', data: {} });
  const instance = await getInstance(ctx, code);
  assert.equal(instance.status, 'PENDING');
  assert.deepEqual(tasksOf(instance), [
    ['ou_bob', 'APPROVED', 'bob'],
    ['ou_carol', 'DONE', 'carol'],
    ['ou_bob', 'PENDING', 'bob'],
  ]);
  assert.notEqual(instance.task_list[2].id, bobs.id);
});

test('the timeline gets ROLLBACK_SELECTED by Carol, with the reason and the node sent back from', async (t) => {
  const ctx = await serve(t);
  const { code, carols, body } = await atCarol(ctx);
  await rollback(ctx, { ...body, task_def_key_list: ['bob'], reason: 'check the dates' });
  const instance = await getInstance(ctx, code, 'user_id');
  assert.deepEqual(instance.timeline.map((e: any) => e.type), ['START', 'PASS', 'ROLLBACK_SELECTED']);
  const entry = instance.timeline.at(-1);
  assert.equal(entry.user_id, 'u_carol');
  assert.equal(entry.open_id, 'ou_carol');
  assert.equal(entry.task_id, carols.id);
  assert.equal(entry.comment, 'check the dates');
  assert.equal(entry.node_key, 'carol');
});

test('events: ROLLBACK for Carol\'s task with extra naming the node, then PENDING for Bob\'s new task; no instance event', async (t) => {
  const ctx = await serve(t);
  const { code, bobs, carols, body } = await atCarol(ctx);
  await rollback(ctx, { ...body, task_def_key_list: ['bob'] });
  const rows = (await outboxOf(ctx, code)).slice(-2);
  const [rolled, reopened] = rows.map((r) => r.payload);
  assert.equal(rolled!.task_id, carols.id);
  assert.equal(rolled!.status, 'ROLLBACK');
  assert.equal(rolled!.custom_key, 'carol');
  assert.deepEqual(JSON.parse(rolled!.extra), { rollback_node_ids: [bobs.node_id], rollback_custom_node_ids: ['bob'] });
  assert.equal(reopened!.status, 'PENDING');
  assert.equal(reopened!.user_id, 'u_bob');
  assert.equal(reopened!.extra, undefined);
  assert.deepEqual(await instanceEvents(ctx, code), ['PENDING']);
});

test('after the send-back the route goes on as usual: Bob, then Carol again, approve it', async (t) => {
  const ctx = await serve(t);
  const { approvalCode, code, body } = await atCarol(ctx);
  await rollback(ctx, { ...body, task_def_key_list: ['bob'] });
  await approveAs(ctx, code, 'ou_bob', approvalCode);
  await approveAs(ctx, code, 'ou_carol', approvalCode);
  const instance = await getInstance(ctx, code);
  assert.equal(instance.status, 'APPROVED');
  assert.deepEqual(instance.timeline.map((e: any) => e.type), ['START', 'PASS', 'ROLLBACK_SELECTED', 'PASS', 'PASS']);
});

test('a node is named by its custom id or its node_id; user_id follows user_id_type', async (t) => {
  const ctx = await serve(t);
  const { code, bobs, carols } = await atCarol(ctx);
  assertRefused(await rollback(ctx, { user_id: 'ou_carol', task_id: carols.id, task_def_key_list: ['bob'] }, 'user_id'), 1390001, /ou_carol/);
  const answer = await rollback(ctx, { user_id: 'on_carol', task_id: carols.id, task_def_key_list: [bobs.node_id] }, 'union_id');
  assert.equal(answer.body.code, 0, answer.text);
  assert.equal((await pendingTaskOf(ctx, code, 'ou_bob')).node_id, bobs.node_id);
});

test('START sends the request back to Alice: her PENDING task at START is in her to-do list; she may withdraw it', async (t) => {
  const ctx = await serve(t);
  const { approvalCode, code, body } = await atCarol(ctx);
  assert.equal((await rollback(ctx, { ...body, task_def_key_list: ['START'] })).body.code, 0);
  const alices = await pendingTaskOf(ctx, code, 'ou_alice');
  assert.equal(alices.node_id, 'START');
  const todo = (await tasksQuery(ctx, { user_id: 'ou_alice', topic: 1 })).body.data.tasks;
  assert.deepEqual(todo.map((task: any) => [task.task_id, task.process_code]), [[alices.id, code]]);
  assertRefused(
    await taskAction(ctx, 'approve', { approval_code: approvalCode, instance_code: code, user_id: 'ou_alice', task_id: alices.id }),
    1390001,
    /resubmit/,
  );
  assert.equal((await aliceCancels(ctx, code, approvalCode)).body.code, 0);
  const instance = await getInstance(ctx, code);
  assert.equal(instance.status, 'CANCELED');
  assert.deepEqual(instance.task_list.filter((task: any) => task.status === 'PENDING'), []);
});

test('a subscribed app receives the ROLLBACK event with its extra through the SDK\'s EventDispatcher', async (t) => {
  const { receiver, server, token } = await setUpEvents(t);
  const code = await createWatchedLeave(server, token);
  const read = await call(server.url, `${V4}/instances/${code}`, { token });
  const [task] = read.body.data.task_list;
  const answer = await call(server.url, `${V4}/instances/specified_rollback`, {
    token,
    json: { user_id: 'ou_bob', task_id: task.id, task_def_key_list: ['START'] },
  });
  assert.equal(answer.body.code, 0, answer.text);
  const events = await waitFor('four events', () => (receiver.received.length >= 4 ? receiver.received : undefined));
  const [rolled, reopened] = events.slice(2);
  assert.equal(rolled!.status, 'ROLLBACK');
  assert.equal(rolled!.task_id, task.id);
  assert.equal(rolled!.open_id, 'ou_bob');
  assert.equal(rolled!.extra, JSON.stringify({ rollback_node_ids: ['START'], rollback_custom_node_ids: ['START'] }));
  assert.deepEqual([reopened!.status, reopened!.open_id, reopened!.custom_key], ['PENDING', 'ou_alice', 'START']);
});

test('a node not passed yet, an unknown key, or a list empty or over 100 answers 1390001 and changes nothing', async (t) => {
  const ctx = await serve(t);
  const { code, body } = await atCarol(ctx);
  for (const [keys, reason] of [
    [['carol'], /"carol" has not been passed yet/],
    [['nowhere'], /"nowhere" names no node/],
    [[], /task_def_key_list/],
    [Array.from({ length: 101 }, () => 'bob'), /task_def_key_list/],
  ] as const) {
    assertRefused(await rollback(ctx, { ...body, task_def_key_list: keys }), 1390001, reason);
  }
  assertRefused(await rollback(ctx, { task_id: body.task_id, task_def_key_list: ['bob'] }), 1390001, /user_id/);
  const instance = await getInstance(ctx, code);
  assert.deepEqual(instance.timeline.map((e: any) => e.type), ['START', 'PASS']);
  assert.deepEqual(tasksOf(instance).map(([, status]: string[]) => status), ['APPROVED', 'PENDING']);
});

test('someone else\'s task, a closed task or a withdrawn instance answers 1390001; an unknown task 1390010', async (t) => {
  const ctx = await serve(t);
  const { approvalCode, code, bobs, body } = await atCarol(ctx);
  assertRefused(await rollback(ctx, { ...body, user_id: 'ou_dave', task_def_key_list: ['bob'] }), 1390001, /assignee/);
  assertRefused(await rollback(ctx, { user_id: 'ou_bob', task_id: bobs.id, task_def_key_list: ['START'] }), 1390001, /APPROVED/);
  assertRefused(await rollback(ctx, { ...body, task_id: '1234567890', task_def_key_list: ['bob'] }), 1390010);
  assert.equal((await aliceCancels(ctx, code, approvalCode)).body.code, 0);
  assertRefused(await rollback(ctx, { ...body, task_def_key_list: ['bob'] }), 1390001, /CANCELED/);
});

test("another tenant's token cannot send acme's task back: the task is not found (1390010); nothing changes", async (t) => {
  const ctx = await serve(t);
  assert.equal((await admin(ctx.url, '/fixtures', { json: globexFixture() })).status, 200);
  const { code, body } = await atCarol(ctx);
  const globex = await tenantToken(ctx.url, GLOBEX_APP);
  assertRefused(await rollback(ctx, { ...body, user_id: 'ou_bob', task_def_key_list: ['START'] }, undefined, globex), 1390010);
  assert.deepEqual((await getInstance(ctx, code)).timeline.map((e: any) => e.type), ['START', 'PASS']);
});

test('a revoke request cannot be sent back (1390001)', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  await approveAs(ctx, code, 'ou_bob');
  assert.equal((await aliceCancels(ctx, code)).body.code, 0);
  const requests = (await call(ctx.url, `${V4}/instances?approval_code=${DEMO_LEAVE_CODE}&start_time=0&end_time=9999999999999`, { token: ctx.token }))
    .body.data.instance_code_list.filter((c: string) => c !== code);
  const task = await pendingTaskOf(ctx, requests[0], 'ou_bob');
  assertRefused(await rollback(ctx, { user_id: 'ou_bob', task_id: task.id, task_def_key_list: ['START'] }), 1390001, /revoke request/);
});
