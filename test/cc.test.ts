/**
 * CC (抄送) end to end: the entries made by `POST /instances/cc` and by the nodes of a route, their read
 * state, the approval_cc events (approval-v4.md §5.6 end), and `GET /tasks/query` topics 17 (unread) and 18
 * (read).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import * as lark from '@larksuiteoapi/node-sdk';
import { DEMO_LEAVE_CODE } from '../src/fixtures/demo.js';
import {
  approveAs,
  assertRefused,
  assertSuccess,
  createInstance,
  createLeave,
  customDefinition,
  DEMO_CALLER,
  getInstance,
  getInstanceAnswer,
  loadFixture,
  outboxOf,
  reasonForm,
  rejectAs,
  serve,
  tasksQuery,
  V4,
  type Served,
  type UserIdType,
} from './helpers/approval.js';
import { GLOBEX_APP, globexFixture } from './helpers/fixtures.js';
import { call, tenantToken } from './helpers/http.js';
import { waitFor } from './helpers/wait.js';
import { codeOf } from './helpers/results.js';

/** Alice CCs `users` (open_ids unless `userIdType` says otherwise) on her leave instance. */
const cc = (ctx: Served, instanceCode: string, users: string[], userIdType: UserIdType = 'open_id', by = 'ou_alice') =>
  call(ctx.url, `${V4}/instances/cc?user_id_type=${userIdType}`, {
    token: ctx.token,
    json: { approval_code: DEMO_LEAVE_CODE, instance_code: instanceCode, user_id: by, cc_user_ids: users, comment: 'fyi' },
  });

/** The CC items of `openId` in topic 17 (unread) or 18 (read). */
const ccTasks = async (ctx: Served, openId: string, topic: 17 | 18): Promise<any[]> =>
  assertSuccess(await tasksQuery(ctx, { user_id: openId, topic })).tasks;

const ccEvents = async (ctx: Served, instanceCode: string) =>
  (await outboxOf(ctx, instanceCode)).filter((r) => r.event_type === 'approval_cc').map((r) => r.payload);

/** The leave instance read as `openId`, i.e. opened by that user. */
const readAs = (ctx: Served, instanceCode: string, openId: string) =>
  call(ctx.url, `${V4}/instances/${instanceCode}?user_id=${openId}`, { token: ctx.token });

/** A definition whose only node is Bob's, CCing Dave once it has passed. */
const bobCcingDave = (ctx: Served) =>
  customDefinition(ctx, {
    nodes: [{ id: 'bob', node_type: 'AND', approver: [{ type: 'Personal', user_id: 'u_bob' }], ccer: [{ type: 'Personal', user_id: 'u_dave' }] }],
  });

// ---- POST /instances/cc ----

test('CC gives each CC\'d user an unread CC whose id is the timeline\'s cc_id', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  assert.deepEqual((await cc(ctx, code, ['ou_dave', 'ou_carol'])).body, { code: 0, msg: 'success', data: {} });
  const entry = (await getInstance(ctx, code)).timeline.at(-1);
  assert.equal(entry.type, 'CC');
  const ccIdOf = Object.fromEntries(entry.cc_user_list.map((u: any) => [u.open_id, u.cc_id]));
  for (const user of ['ou_dave', 'ou_carol']) {
    const tasks = await ccTasks(ctx, user, 17);
    assert.deepEqual(
      tasks.map((task) => [task.topic, task.status, task.task_id, task.process_code, task.process_status, task.initiators]),
      [['17', '17', ccIdOf[user], code, '1', ['ou_alice']]],
    );
    assert.match(ccIdOf[user], /^\d+$/);
  }
  assert.notEqual(ccIdOf.ou_dave, ccIdOf.ou_carol);
  assert.deepEqual(await ccTasks(ctx, 'ou_dave', 18), []);
});

test('CC queues approval_cc CREATE for each CC\'d user, naming both users by user_id, create_time a number', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  assertSuccess(await cc(ctx, code, ['ou_dave']));
  const [created] = await ccEvents(ctx, code);
  const [item] = await ccTasks(ctx, 'ou_dave', 17);
  assert.ok(created);
  assert.deepEqual(created, {
    type: 'approval_cc',
    approval_code: DEMO_LEAVE_CODE,
    instance_code: code,
    id: item.task_id,
    user_id: 'u_dave',
    create_time: created.create_time,
    operate: 'CREATE',
    from: 'u_alice',
  });
  assert.equal(typeof created.create_time, 'number');
});

// ---- node CCs ----

test('a node\'s ccer users are CC\'d once the node has passed, not when it is reached', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await bobCcingDave(ctx);
  const code = await createLeave(ctx, { approvalCode });
  assert.deepEqual(await ccTasks(ctx, 'ou_dave', 17), []);
  assert.deepEqual(await ccEvents(ctx, code), []);

  await approveAs(ctx, code, 'ou_bob', approvalCode);
  const { timeline } = await getInstance(ctx, code);
  assert.deepEqual(timeline.map((e: any) => e.type), ['START', 'PASS', 'CC']);
  const entry = timeline[2];
  assert.equal(entry.user_id, undefined);
  assert.equal(entry.node_key, 'bob');
  const [item] = await ccTasks(ctx, 'ou_dave', 17);
  assert.deepEqual(entry.cc_user_list, [{ user_id: 'ou_dave', cc_id: item.task_id, open_id: 'ou_dave' }]);
  assert.equal(item.process_status, '2');
  assert.deepEqual((await ccEvents(ctx, code)).map((e) => [e.id, e.user_id, e.operate, e.from]), [[item.task_id, 'u_dave', 'CREATE', '']]);
});

test('a node that is rejected CCs nobody', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await bobCcingDave(ctx);
  const code = await createLeave(ctx, { approvalCode });
  await rejectAs(ctx, code, 'ou_bob', approvalCode);
  assert.deepEqual(await ccTasks(ctx, 'ou_dave', 17), []);
  assert.deepEqual(await ccEvents(ctx, code), []);
});

test('node_cc_open_id_list and node_cc_user_id_list CC their users on the node they name, by custom or system node id', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await customDefinition(ctx, {
    nodes: [
      { id: 'first', node_type: 'AND', approver: [{ type: 'Personal', user_id: 'u_bob' }] },
      { id: 'second', node_type: 'AND', approver: [{ type: 'Personal', user_id: 'u_carol' }] },
    ],
  });
  const definition = assertSuccess(await call(ctx.url, `${V4}/approvals/${approvalCode}`, { token: ctx.token }));
  const firstId = definition.node_list.find((n: any) => n.custom_node_id === 'first').node_id;
  const code = assertSuccess(
    await createInstance(ctx, {
      approval_code: approvalCode,
      open_id: 'ou_alice',
      form: reasonForm(),
      node_cc_open_id_list: [{ key: 'first', value: ['ou_dave'] }],
      node_cc_user_id_list: [{ key: firstId, value: ['u_carol', 'u_dave'] }],
    }),
  ).instance_code;
  await approveAs(ctx, code, 'ou_bob', approvalCode);
  const entry = (await getInstance(ctx, code, 'user_id')).timeline.at(-1);
  assert.deepEqual([entry.type, entry.node_key, entry.cc_user_list.map((u: any) => u.user_id)], ['CC', 'first', ['u_carol', 'u_dave']]);
  await approveAs(ctx, code, 'ou_carol', approvalCode);
  assert.equal((await ccTasks(ctx, 'ou_dave', 17)).length, 1);
});

test('a CC by a user who is not in the directory, or to one, answers 1390001 naming them, and CCs nobody', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  assertRefused(await cc(ctx, code, ['ou_carol'], 'open_id', 'ou_nobody'), 1390001, /user_id "ou_nobody"/);
  assertRefused(await cc(ctx, code, ['ou_carol', 'ou_ghost']), 1390001, /cc_user_ids "ou_ghost"/);
  assert.deepEqual(await ccTasks(ctx, 'ou_carol', 17), []);
  assert.deepEqual(await ccEvents(ctx, code), []);
});

test('the instance service answers a CC\'s refusals as values, not rejections, in the checks\' order', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  const send = (body: Partial<{ approval_code: string; instance_code: string; user_id: string; cc_user_ids: string[] }>) =>
    ctx.server.services.instances.cc(DEMO_CALLER, { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: 'ou_alice', cc_user_ids: ['ou_carol'], ...body }, 'open_id');
  // The definition, then the instance, then the user, then the CC'd users.
  assert.equal(codeOf(await send({ approval_code: 'NO-SUCH-APPROVAL', instance_code: 'NO-SUCH-INSTANCE', user_id: 'ou_nobody' })), 1390002);
  assert.equal(codeOf(await send({ instance_code: 'NO-SUCH-INSTANCE', user_id: 'ou_nobody' })), 1390003);
  assert.equal(codeOf(await send({ user_id: 'ou_nobody', cc_user_ids: ['ou_ghost'] })), 1390001);
  assert.equal(codeOf(await send({ cc_user_ids: ['ou_ghost'] })), 1390001);
  assert.equal(codeOf(await send({})), 'ok');
  assert.equal((await ccTasks(ctx, 'ou_carol', 17)).length, 1);
});

test('a node_cc list key that names no node answers 1390001 and creates nothing', async (t) => {
  const ctx = await serve(t);
  const answer = await createInstance(ctx, {
    approval_code: DEMO_LEAVE_CODE,
    open_id: 'ou_alice',
    form: reasonForm(),
    node_cc_open_id_list: [{ key: 'nowhere', value: ['ou_dave'] }],
  });
  assertRefused(answer, 1390001, /CC list key "nowhere" names no node/);
  assert.deepEqual(assertSuccess(await tasksQuery(ctx, { user_id: 'ou_alice', topic: 3 })).tasks, []);
});

test('previewing shows a node\'s CC users in end_cc_id_list: its rules for a new request, its planned users for an instance', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await bobCcingDave(ctx);
  const preview = async (json: object) =>
    assertSuccess(await call(ctx.url, `${V4}/instances/preview?user_id_type=user_id`, { token: ctx.token, json })).preview_nodes;
  assert.deepEqual((await preview({ approval_code: approvalCode, user_id: 'u_alice' }))[0].end_cc_id_list, ['u_dave']);
  const code = assertSuccess(
    await createInstance(ctx, {
      approval_code: approvalCode,
      open_id: 'ou_alice',
      form: reasonForm(),
      node_cc_user_id_list: [{ key: 'bob', value: ['u_carol'] }],
    }),
  ).instance_code;
  assert.deepEqual((await preview({ instance_code: code, user_id: 'u_alice' }))[0].end_cc_id_list, ['u_dave', 'u_carol']);
});

// ---- read state ----

test('opening the instance as the CC\'d user (GET with user_id) reads the CC: topic 17 → 18, approval_cc READ', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  assertSuccess(await cc(ctx, code, ['ou_dave']));
  const [unread] = await ccTasks(ctx, 'ou_dave', 17);
  const opened = assertSuccess(await readAs(ctx, code, 'ou_dave'));
  assert.equal(opened.instance_code, code);

  assert.deepEqual(await ccTasks(ctx, 'ou_dave', 17), []);
  const read = await ccTasks(ctx, 'ou_dave', 18);
  assert.deepEqual(read.map((task) => [task.topic, task.status, task.task_id]), [['18', '18', unread.task_id]]);
  const [created, readEvent] = await ccEvents(ctx, code);
  assert.deepEqual(readEvent, { ...created, operate: 'READ' });
});

test('a CC is read once: opening again, as another user or without user_id sends no further READ', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  assertSuccess(await cc(ctx, code, ['ou_dave', 'ou_carol']));
  assertSuccess(await readAs(ctx, code, 'ou_dave'));
  assertSuccess(await readAs(ctx, code, 'ou_dave'));
  assertSuccess(await readAs(ctx, code, 'ou_bob'));
  await getInstance(ctx, code);
  assert.deepEqual((await ccEvents(ctx, code)).map((e) => [e.user_id, e.operate]), [
    ['u_dave', 'CREATE'],
    ['u_carol', 'CREATE'],
    ['u_dave', 'READ'],
  ]);
  assert.equal((await ccTasks(ctx, 'ou_carol', 17)).length, 1);
});

test('GET with a user_id that names no user answers 1390004', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  assertRefused(await readAs(ctx, code, 'ou_nobody'), 1390004, /ou_nobody/);
});

test('a subscribed app\'s SDK event dispatcher receives approval_cc CREATE, then READ, in Feishu\'s shape', async (t) => {
  const ctx = await serve(t);
  const received: Record<string, unknown>[] = [];
  const dispatcher = new lark.EventDispatcher({ encryptKey: 'cc-key', verificationToken: 'cc-token', loggerLevel: lark.LoggerLevel.error });
  dispatcher.register({ approval_cc: async (data: Record<string, unknown>) => void received.push(data) } as never);
  const hook = http.createServer(lark.adaptDefault('/hook', dispatcher, { autoChallenge: true }));
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => hook.close(() => resolve())));
  const app = { app_id: 'cli_acme_cc', app_secret: 'cc-secret' };
  const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
  await loadFixture(ctx, {
    tenants: [{ tenant_key: 'acme', apps: [{ ...app, event: { url, encrypt_key: 'cc-key', verification_token: 'cc-token' } }] }],
  });
  const appToken = await tenantToken(ctx.url, app);
  assertSuccess(await call(ctx.url, `${V4}/approvals/${DEMO_LEAVE_CODE}/subscribe`, { token: appToken, method: 'POST' }));

  const code = await createLeave(ctx);
  assertSuccess(await cc(ctx, code, ['ou_dave']));
  assertSuccess(await readAs(ctx, code, 'ou_dave'));
  await waitFor('the CREATE and READ events', () => (received.length >= 2 ? true : undefined));
  const [item] = await ccTasks(ctx, 'ou_dave', 18);
  // The SDK hands over the event's fields merged with the envelope's (whose `type` is event_callback).
  const fields = ['app_id', 'tenant_key', 'approval_code', 'instance_code', 'id', 'user_id', 'operate', 'from'];
  assert.deepEqual(
    received.map((e) => [typeof e.create_time, ...fields.map((f) => e[f])]),
    ['CREATE', 'READ'].map((operate) => ['number', app.app_id, 'acme', DEMO_LEAVE_CODE, code, item.task_id, 'u_dave', operate, 'u_alice']),
  );
});

// ---- tasks/query topics 17 and 18 ----

test('topics 17 and 18 page by page_token, oldest first, with count.total of every CC in that state', async (t) => {
  const ctx = await serve(t);
  const codes = [await createLeave(ctx), await createLeave(ctx), await createLeave(ctx)];
  for (const code of codes) assertSuccess(await cc(ctx, code, ['ou_dave']));
  assertSuccess(await readAs(ctx, codes[1]!, 'ou_dave'));

  const first = assertSuccess(await tasksQuery(ctx, { user_id: 'ou_dave', topic: 17, page_size: 1 }));
  assert.deepEqual([first.tasks.map((task: any) => task.process_code), first.has_more, first.count.total], [[codes[0]], true, 2]);
  const second = assertSuccess(await tasksQuery(ctx, { user_id: 'ou_dave', topic: 17, page_size: 1, page_token: first.page_token }));
  assert.deepEqual([second.tasks.map((task: any) => task.process_code), second.has_more, second.page_token], [[codes[2]], false, '']);
  const read = assertSuccess(await tasksQuery(ctx, { user_id: 'ou_dave', topic: 18 }));
  assert.deepEqual([read.tasks.map((task: any) => task.process_code), read.count.total], [[codes[1]], 1]);
});

test('another tenant sees none of this tenant\'s CCs, though its users carry the same ids', async (t) => {
  const ctx = await serve(t);
  await loadFixture(ctx, globexFixture());
  const code = await createLeave(ctx);
  assertSuccess(await cc(ctx, code, ['ou_bob']));
  assert.equal((await ccTasks(ctx, 'ou_bob', 17)).length, 1);
  const globex: Served = { ...ctx, token: await tenantToken(ctx.url, GLOBEX_APP) };
  assert.deepEqual(await ccTasks(globex, 'ou_bob', 17), []);
  assertRefused(await getInstanceAnswer(globex, code), 1390003);
  assertRefused(await readAs(globex, code, 'ou_bob'), 1390003);
  assert.equal((await ccTasks(ctx, 'ou_bob', 17)).length, 1);
});

for (const type of ['user_id', 'union_id'] as const) {
  const idOf = (name: string) => ({ user_id: `u_${name}`, union_id: `on_${name}` })[type];

  test(`user_id_type=${type} names every user of a CC by ${type}: the CC body, the timeline, the CC list`, async (t) => {
    const ctx = await serve(t);
    const code = await createLeave(ctx);
    assertSuccess(await cc(ctx, code, [idOf('dave')], type, idOf('alice')));
    const entry = (await getInstance(ctx, code, type)).timeline.at(-1);
    assert.deepEqual(
      [entry.user_id, entry.open_id, entry.cc_user_list.map((u: any) => [u.user_id, u.open_id])],
      [idOf('alice'), 'ou_alice', [[idOf('dave'), 'ou_dave']]],
    );
    const data = assertSuccess(await tasksQuery(ctx, { user_id: idOf('dave'), topic: 17, user_id_type: type }));
    assert.deepEqual(data.tasks.map((task: any) => [task.user_id, task.initiators, task.initiator_names]), [
      [idOf('dave'), [idOf('alice')], ['Alice']],
    ]);
    const opened = await call(ctx.url, `${V4}/instances/${code}?user_id=${idOf('dave')}&user_id_type=${type}`, { token: ctx.token });
    assertSuccess(opened);
    assert.equal((await ccTasks(ctx, 'ou_dave', 18)).length, 1);
  });
}
