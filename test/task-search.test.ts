/**
 * `POST /tasks/search` end to end (approval-v4.md §4.2, docs/design/workflow-operations.md §5): its selectors and
 * their unions, the other filters, the four orders, paging, revoked instances, its codes, tenants and id types.
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
  bobThenCarol,
  createLeave,
  getInstance,
  loadFixture,
  pendingTaskOf,
  rejectAs,
  revokeRequestOf,
  serve,
  taskAction,
  V4,
  type Served,
} from './helpers/approval.js';
import { AT, externalApproval, externalTask, freezeClock, instanceBody, instanceTexts, pastWindow, synced } from './helpers/external.js';
import { GLOBEX_APP, globexFixture } from './helpers/fixtures.js';
import { call, queryString, tenantToken } from './helpers/http.js';
import { refusedWith, sdkClient } from './helpers/sdk.js';

const search = (ctx: Served, body: Record<string, unknown>, query: Record<string, string | number> = {}, token = ctx.token) =>
  call(ctx.url, `${V4}/tasks/search?${queryString(query)}`, {
    token,
    json: body,
  });

/** The found tasks as [instance code, task status], in the answer's order. */
const found = async (ctx: Served, body: Record<string, unknown>, query: Record<string, string | number> = {}) =>
  (assertSuccess(await search(ctx, body, query)).task_list as any[]).map((item) => [item.instance.code, item.task.status]);

// ---- what an item holds ----

test('tasks/search by approval_code answers each task with its definition, group and instance, statuses in lower case', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  const instance = await getInstance(ctx, code);
  const data = assertSuccess(await search(ctx, { approval_code: DEMO_LEAVE_CODE }));
  assert.equal(data.count, 1);
  assert.equal(data.has_more, false);
  assert.equal(data.page_token, '');
  const [item] = data.task_list;
  assert.deepEqual(item.approval, {
    code: DEMO_LEAVE_CODE,
    name: 'Leave',
    is_external: false,
    external: { batch_cc_read: false },
    approval_id: item.approval.approval_id,
    icon: item.approval.icon,
  });
  assert.deepEqual(item.group, { external_id: '', name: '' });
  assert.equal(item.instance.code, code);
  assert.equal(item.instance.user_id, 'ou_alice');
  assert.equal(item.instance.status, 'pending');
  assert.equal(item.instance.start_time, instance.start_time);
  const [bobTask] = instance.task_list;
  assert.deepEqual(item.task, {
    user_id: 'ou_bob',
    start_time: bobTask.start_time,
    end_time: '0',
    status: 'pending',
    title: '',
    extra: '',
    link: { pc_link: '', mobile_link: '' },
    task_id: bobTask.id,
    update_time: bobTask.start_time,
    task_external_id: '',
  });
});

test("a task's update_time is its end time once it has ended", async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  await advanceClock(ctx, 60_000);
  await approveAs(ctx, code, 'ou_bob');
  const [item] = assertSuccess(await search(ctx, { instance_code: code })).task_list;
  const [task] = (await getInstance(ctx, code)).task_list;
  assert.equal(item.task.status, 'approved');
  assert.equal(item.task.end_time, task.end_time);
  assert.equal(item.task.update_time, task.end_time);
  assert.ok(Number(item.task.update_time) >= Number(item.task.start_time) + 60_000);
  assert.equal(item.instance.status, 'approved');
});

test('a node that passed by itself has nobody on its task, and tasks/search does not list it', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await bobThenCarol(ctx);
  const code = await createLeave(ctx, { approvalCode, extra: { node_auto_approval_list: [{ node_id_type: 'CUSTOM', node_id: 'bob' }] } });
  const data = assertSuccess(await search(ctx, { instance_code: code }));
  assert.deepEqual(data.task_list.map((item: any) => [item.task.user_id, item.task.status]), [['ou_carol', 'pending']]);
  assert.equal(data.count, 1);
});

// ---- selectors ----

test('tasks/search with none of user_id, approval_code, instance_code, instance_external_id, group_external_id answers 1390001', async (t) => {
  const ctx = await serve(t);
  await createLeave(ctx);
  assertRefused(await search(ctx, {}), 1390001, /one of user_id, approval_code/);
  assertRefused(await search(ctx, { task_status: 'ALL', approval_code: '' }), 1390001, /one of user_id, approval_code/);
});

for (const type of ['open_id', 'user_id', 'union_id'] as const) {
  const bob = { open_id: 'ou_bob', user_id: 'u_bob', union_id: 'on_bob' }[type];
  const alice = { open_id: 'ou_alice', user_id: 'u_alice', union_id: 'on_alice' }[type];
  test(`tasks/search reads user_id (the assignee) as ${type} and answers every user as ${type}`, async (t) => {
    const ctx = await serve(t);
    const code = await createLeave(ctx);
    const data = assertSuccess(await search(ctx, { user_id: bob }, { user_id_type: type }));
    assert.deepEqual(
      data.task_list.map((item: any) => [item.instance.code, item.instance.user_id, item.task.user_id]),
      [[code, alice, bob]],
    );
    // Alice submitted it but has no task on it.
    assert.deepEqual(assertSuccess(await search(ctx, { user_id: alice }, { user_id_type: type })).task_list, []);
  });
}

test('tasks/search without user_id_type reads user_id as an open_id (1390001 for an id of another type)', async (t) => {
  const ctx = await serve(t);
  await createLeave(ctx);
  assert.equal(assertSuccess(await search(ctx, { user_id: 'ou_bob' })).count, 1);
  assertRefused(await search(ctx, { user_id: 'u_bob' }), 1390001, /user_id "u_bob"/);
  assertRefused(await search(ctx, { user_id: 'ou_bob' }, { user_id_type: 'email' }), 1390001);
});

test('tasks/search by instance_code lists that instance\'s tasks only', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await bobThenCarol(ctx);
  const code = await createLeave(ctx, { approvalCode });
  await createLeave(ctx, { approvalCode });
  await approveAs(ctx, code, 'ou_bob', approvalCode);
  assert.deepEqual(
    (assertSuccess(await search(ctx, { instance_code: code })).task_list as any[]).map((item) => [item.task.user_id, item.task.status]).sort(),
    [
      ['ou_bob', 'approved'],
      ['ou_carol', 'pending'],
    ],
  );
});

test('tasks/search intersects the selectors: an instance of another definition than approval_code finds nothing', async (t) => {
  const ctx = await serve(t);
  const other = await bobOnly(ctx);
  const code = await createLeave(ctx, { approvalCode: other });
  await createLeave(ctx);
  assert.deepEqual(await found(ctx, { approval_code: DEMO_LEAVE_CODE, instance_code: code }), []);
  assert.deepEqual(await found(ctx, { approval_code: other, instance_code: code }), [[code, 'pending']]);
  assert.deepEqual(await found(ctx, { approval_code: other, user_id: 'ou_carol' }), []);
});

test('an approval_code that names no definition of the tenant answers 1390002', async (t) => {
  const ctx = await serve(t);
  assertRefused(await search(ctx, { approval_code: 'NO-SUCH-CODE' }), 1390002, /NO-SUCH-CODE/);
});

test('an instance_code that names no instance of the tenant answers 1390003', async (t) => {
  const ctx = await serve(t);
  assertRefused(await search(ctx, { instance_code: 'NO-SUCH-INSTANCE' }), 1390003, /NO-SUCH-INSTANCE/);
  assertRefused(await search(ctx, { approval_code: DEMO_LEAVE_CODE, instance_code: 'NO-SUCH-INSTANCE' }), 1390003);
});

test('the external ids select no shenpi task alone, and join approval_code and instance_code as unions', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  for (const selector of [{ group_external_id: 'g-1' }, { instance_external_id: 'x-1' }]) {
    const data = assertSuccess(await search(ctx, selector));
    assert.deepEqual([data.count, data.task_list, data.has_more], [0, [], false]);
  }
  assert.deepEqual(await found(ctx, { approval_code: DEMO_LEAVE_CODE, group_external_id: 'g-1' }), [[code, 'pending']]);
  assert.deepEqual(await found(ctx, { instance_code: code, instance_external_id: 'x-1' }), [[code, 'pending']]);
  // One union named only by its external id still selects nothing, whatever the other says.
  assert.deepEqual(await found(ctx, { approval_code: DEMO_LEAVE_CODE, instance_external_id: 'x-1' }), []);
});

test('task_title finds nothing: only external tasks have a title', async (t) => {
  const ctx = await serve(t);
  await createLeave(ctx);
  assert.deepEqual(await found(ctx, { approval_code: DEMO_LEAVE_CODE, task_title: 'Leave' }), []);
});

// ---- status ----

/** Four leaves: one pending, one approved, one rejected, one transferred to Carol (Carol's task pending). */
async function fourStates(ctx: Served) {
  const pending = await createLeave(ctx);
  const approved = await createLeave(ctx);
  await approveAs(ctx, approved, 'ou_bob');
  const rejected = await createLeave(ctx);
  await rejectAs(ctx, rejected, 'ou_bob');
  const transferred = await createLeave(ctx);
  const task = await pendingTaskOf(ctx, transferred, 'ou_bob');
  const body = { approval_code: DEMO_LEAVE_CODE, instance_code: transferred, user_id: 'ou_bob', task_id: task.id, transfer_user_id: 'ou_carol' };
  assertSuccess(await taskAction(ctx, 'transfer', body));
  return { pending, approved, rejected, transferred };
}

const sorted = (rows: unknown[][]) => rows.map((r) => r.join(' ')).sort();

test('task_status selects one status; ALL or none selects every one', async (t) => {
  const ctx = await serve(t);
  const { pending, approved, rejected, transferred } = await fourStates(ctx);
  const base = { approval_code: DEMO_LEAVE_CODE };
  assert.deepEqual(await found(ctx, { ...base, task_status: 'APPROVED' }), [[approved, 'approved']]);
  assert.deepEqual(await found(ctx, { ...base, task_status: 'REJECTED' }), [[rejected, 'rejected']]);
  assert.deepEqual(await found(ctx, { ...base, task_status: 'TRANSFERRED' }), [[transferred, 'transferred']]);
  assert.deepEqual(sorted(await found(ctx, { ...base, task_status: 'PENDING' })), sorted([[pending, 'pending'], [transferred, 'pending']]));
  const every = sorted([
    [pending, 'pending'],
    [approved, 'approved'],
    [rejected, 'rejected'],
    [transferred, 'transferred'],
    [transferred, 'pending'],
  ]);
  assert.deepEqual(sorted(await found(ctx, { ...base, task_status: 'ALL' })), every);
  assert.deepEqual(sorted(await found(ctx, base)), every);
});

test('a task closed because another approver of its node decided reads done', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await bobOnly(ctx);
  const code = await createLeave(ctx, { approvalCode });
  assertSuccess(await aliceCancels(ctx, code, approvalCode));
  assert.deepEqual(await found(ctx, { instance_code: code, task_status: 'DONE' }), [[code, 'done']]);
});

test('task_status_list selects several statuses and overrides task_status', async (t) => {
  const ctx = await serve(t);
  const { approved, rejected } = await fourStates(ctx);
  const body = { approval_code: DEMO_LEAVE_CODE, task_status: 'PENDING', task_status_list: ['APPROVED', 'REJECTED'] };
  assert.deepEqual(sorted(await found(ctx, body)), sorted([[approved, 'approved'], [rejected, 'rejected']]));
  // An empty list names no status: task_status applies.
  assert.equal((await found(ctx, { ...body, task_status_list: [] })).length, 2);
});

test('RM_REPEAT and PROCESSED are taken and find nothing: shenpi never de-duplicates or marks tasks processed', async (t) => {
  const ctx = await serve(t);
  await fourStates(ctx);
  assert.deepEqual(await found(ctx, { approval_code: DEMO_LEAVE_CODE, task_status: 'RM_REPEAT' }), []);
  assert.deepEqual(await found(ctx, { approval_code: DEMO_LEAVE_CODE, task_status_list: ['PROCESSED', 'RM_REPEAT'] }), []);
  assert.equal((await found(ctx, { approval_code: DEMO_LEAVE_CODE, task_status_list: ['PROCESSED', 'APPROVED'] })).length, 1);
});

test('a task status outside the documented set answers 1390001', async (t) => {
  const ctx = await serve(t);
  for (const body of [{ task_status: 'OPEN' }, { task_status: 'pending' }, { task_status_list: ['ALL'] }, { task_status_list: 'PENDING' }]) {
    assertRefused(await search(ctx, { approval_code: DEMO_LEAVE_CODE, ...body }), 1390001, /task_status/);
  }
});

// ---- start time ----

test('task_start_time_from/_to select by task start, as integers (Python SDK) or strings of digits (Node SDK)', async (t) => {
  const ctx = await serve(t);
  const early = await createLeave(ctx);
  await advanceClock(ctx, 3_600_000);
  const late = await createLeave(ctx);
  const start = Number((await getInstance(ctx, late)).start_time);
  const around = (from: number, to: number) => ({ approval_code: DEMO_LEAVE_CODE, task_start_time_from: from, task_start_time_to: to });
  assert.deepEqual(await found(ctx, around(start - 1000, start + 1000)), [[late, 'pending']]);
  assert.deepEqual(
    await found(ctx, { ...around(0, 0), task_start_time_from: String(start - 1000), task_start_time_to: String(start) }),
    [[late, 'pending']],
  );
  assert.deepEqual(await found(ctx, around(start - 7_200_000, start - 1000)), [[early, 'pending']]);
});

test('task_start_time_from without _to, a reversed range or one over 30 days answers 1390001', async (t) => {
  const ctx = await serve(t);
  const base = { approval_code: DEMO_LEAVE_CODE };
  assertRefused(await search(ctx, { ...base, task_start_time_from: '1000' }), 1390001, /go together/);
  assertRefused(await search(ctx, { ...base, task_start_time_to: '1000' }), 1390001, /go together/);
  assertRefused(await search(ctx, { ...base, task_start_time_from: 2000, task_start_time_to: 1000 }), 1390001, /30 days/);
  const thirtyDays = 30 * 86_400_000;
  assertSuccess(await search(ctx, { ...base, task_start_time_from: 0, task_start_time_to: thirtyDays }));
  assertRefused(await search(ctx, { ...base, task_start_time_from: 0, task_start_time_to: thirtyDays + 1 }), 1390001, /30 days/);
  assertRefused(await search(ctx, { ...base, task_start_time_from: 'soon', task_start_time_to: 1 }), 1390001, /task_start_time_from/);
});

// ---- order ----

test('order 2 (the default) sorts by start time, newest first; 3 oldest first; 0 and 1 by update time', async (t) => {
  const ctx = await serve(t);
  const first = await createLeave(ctx);
  await advanceClock(ctx, 60_000);
  const second = await createLeave(ctx);
  await advanceClock(ctx, 60_000);
  // The first task is updated last.
  await approveAs(ctx, first, 'ou_bob');
  const codes = async (order?: number) =>
    (await found(ctx, { approval_code: DEMO_LEAVE_CODE, ...(order === undefined ? {} : { order }) })).map(([code]) => code);
  assert.deepEqual(await codes(), [second, first]);
  assert.deepEqual(await codes(2), [second, first]);
  assert.deepEqual(await codes(3), [first, second]);
  assert.deepEqual(await codes(0), [first, second]);
  assert.deepEqual(await codes(1), [second, first]);
});

test('an order outside 0..3 answers 1390001', async (t) => {
  const ctx = await serve(t);
  for (const order of [4, -1, '2', 1.5]) {
    assertRefused(await search(ctx, { approval_code: DEMO_LEAVE_CODE, order }), 1390001, /order/);
  }
});

// ---- paging ----

test('tasks/search pages by 10 by default; page_size takes 5 to 200 and answers 1390001 outside', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await bobOnly(ctx);
  for (let i = 0; i < 11; i++) await createLeave(ctx, { approvalCode });
  const data = assertSuccess(await search(ctx, { approval_code: approvalCode }));
  assert.deepEqual([data.task_list.length, data.count, data.has_more], [10, 11, true]);
  assert.notEqual(data.page_token, '');
  for (const size of [5, 200]) assertSuccess(await search(ctx, { approval_code: approvalCode }, { page_size: size }));
  for (const size of [1, 4, 201]) {
    assertRefused(await search(ctx, { approval_code: approvalCode }, { page_size: size }), 1390001, /page_size/);
  }
});

for (const order of [0, 1, 2, 3]) {
  test(`paging with order ${order} walks every task once, count the total on every page`, async (t) => {
    const ctx = await serve(t);
    const approvalCode = await bobOnly(ctx);
    const codes: string[] = [];
    // Pairs created in one millisecond share a start time: the task id breaks the tie.
    for (let i = 0; i < 6; i++) {
      codes.push(await createLeave(ctx, { approvalCode }), await createLeave(ctx, { approvalCode }));
      if (i % 2 === 0) await approveAs(ctx, codes.at(-1)!, 'ou_bob', approvalCode);
      await advanceClock(ctx, 1000);
    }
    const all = (await found(ctx, { approval_code: approvalCode, order }, { page_size: 200 })).map(([code]) => code);
    const walked: string[] = [];
    let pageToken = '';
    let pages = 0;
    do {
      const query = { page_size: 5, ...(pageToken ? { page_token: pageToken } : {}) };
      const data = assertSuccess(await search(ctx, { approval_code: approvalCode, order }, query));
      assert.equal(data.count, 12);
      assert.equal(data.has_more, data.page_token !== '');
      walked.push(...data.task_list.map((item: any) => item.instance.code));
      pageToken = data.page_token;
      pages += 1;
    } while (pageToken);
    assert.equal(pages, 3);
    assert.deepEqual(walked, all);
    assert.deepEqual([...walked].sort(), [...codes].sort());
  });
}

test('a page_token the server never issued, or one issued for another order, answers 1390001', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await bobOnly(ctx);
  for (let i = 0; i < 6; i++) await createLeave(ctx, { approvalCode });
  assertRefused(await search(ctx, { approval_code: approvalCode }, { page_token: 'garbage' }), 1390001, /page_token/);
  const { page_token } = assertSuccess(await search(ctx, { approval_code: approvalCode, order: 3 }, { page_size: 5 }));
  assert.equal(assertSuccess(await search(ctx, { approval_code: approvalCode, order: 3 }, { page_size: 5, page_token })).task_list.length, 1);
  assertRefused(await search(ctx, { approval_code: approvalCode }, { page_size: 5, page_token }), 1390001, /another order/);
});

// ---- revoked instances ----

test('tasks of a revoked instance and of its approved revoke request are listed only with with_revoked_instance: true', async (t) => {
  const ctx = await serve(t);
  const original = await createLeave(ctx);
  await approveAs(ctx, original, 'ou_bob');
  assertSuccess(await aliceCancels(ctx, original));
  const request = (await revokeRequestOf(ctx, original)).instance_code;
  const other = await createLeave(ctx);
  // While the round is open both are listed.
  assert.equal((await found(ctx, { user_id: 'ou_bob' })).length, 3);
  await approveAs(ctx, request, 'ou_bob');

  assert.deepEqual(await found(ctx, { user_id: 'ou_bob' }), [[other, 'pending']]);
  assert.equal(assertSuccess(await search(ctx, { user_id: 'ou_bob' })).count, 1);
  const withRevoked = await found(ctx, { user_id: 'ou_bob', with_revoked_instance: true, order: 3 });
  assert.deepEqual(withRevoked, [
    [original, 'approved'],
    [request, 'approved'],
    [other, 'pending'],
  ]);
  const revoked = assertSuccess(await search(ctx, { instance_code: original, with_revoked_instance: true })).task_list[0];
  assert.equal(revoked.instance.status, 'canceled');
  assertRefused(await search(ctx, { user_id: 'ou_bob', with_revoked_instance: 'yes' }), 1390001, /with_revoked_instance/);
});

// ---- tenants ----

test("another tenant's token finds none of acme's tasks, and acme's codes are not found for it", async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  await loadFixture(ctx, globexFixture());
  const globex = await tenantToken(ctx.url, GLOBEX_APP);
  // globex has its own ou_bob, who has no task.
  const mine = await search(ctx, { user_id: 'ou_bob' }, {}, globex);
  assert.deepEqual([assertSuccess(mine).count, mine.body.data.task_list], [0, []]);
  assertRefused(await search(ctx, { approval_code: DEMO_LEAVE_CODE }, {}, globex), 1390002);
  assertRefused(await search(ctx, { instance_code: code }, {}, globex), 1390003);
  assert.equal(assertSuccess(await search(ctx, { user_id: 'ou_bob' })).count, 1);
});

// ---- the official Node SDK ----

test('the Node SDK searches tasks with client.approval.v4.task.search, paging by page_token', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await bobOnly(ctx);
  const codes = [];
  for (let i = 0; i < 6; i++) codes.push(await createLeave(ctx, { approvalCode }));
  const client = sdkClient(ctx.url);
  const first = await client.approval.v4.task.search({
    params: { page_size: 5, user_id_type: 'user_id' },
    data: { approval_code: approvalCode, user_id: 'u_bob', task_status: 'PENDING', order: 3, locale: 'en-US' },
  });
  assert.equal(first.code, 0, JSON.stringify(first));
  assert.equal(first.data?.count, 6);
  assert.equal(first.data?.has_more, true);
  assert.deepEqual(
    first.data?.task_list?.map((item) => [item.instance?.code, item.task?.user_id, item.task?.status]),
    codes.slice(0, 5).map((code) => [code, 'u_bob', 'pending']),
  );
  const second = await client.approval.v4.task.search({
    params: { page_size: 5, page_token: first.data?.page_token ?? '', user_id_type: 'user_id' },
    data: { approval_code: approvalCode, user_id: 'u_bob', task_status: 'PENDING', order: 3 },
  });
  assert.deepEqual(second.data?.task_list?.map((item) => item.instance?.code), [codes[5]]);
  assert.equal(second.data?.has_more, false);
  await assert.rejects(client.approval.v4.task.search({ data: { approval_code: 'NO-SUCH-CODE' } }), refusedWith(1390002));
});

// ---- third-party (external) tasks ----

/**
 * acme at AT: Alice's leave (Bob's task, started at AT), and the third-party definition `oa_expense` (group `hr`)
 * with instance `inst-1`: Bob's pending task `task-1` (created AT + 1000) and Carol's done task `task-2`.
 */
async function withExternal(t: Parameters<typeof serve>[0]) {
  const ctx = await serve(t);
  await freezeClock(ctx);
  const leave = await createLeave(ctx);
  const generated = await externalApproval(ctx, 'oa_expense');
  await synced(
    ctx,
    instanceBody('oa_expense', 'inst-1', {
      extra: JSON.stringify({ business_key: 'EXP-0001' }),
      i18n_resources: [instanceTexts('inst-1', { '@i18n@check': 'Check the receipts', '@i18n@sign': 'Sign off' })],
      task_list: [
        externalTask({ task_id: 'task-1', open_id: 'ou_bob', title: '@i18n@check', create_time: String(AT + 1000), update_time: String(AT + 1500), extra: '{"node":"finance"}' }),
        externalTask({ task_id: 'task-2', open_id: 'ou_carol', title: '@i18n@sign', status: 'DONE', end_time: String(AT + 900), create_time: String(AT + 500), update_time: String(AT + 900) }),
      ],
    }),
  );
  const [item] = assertSuccess(await search(ctx, { instance_external_id: 'inst-1', user_id: 'ou_bob' })).task_list;
  return { ctx, leave, generated, external: item.instance.code as string };
}

test('a third-party task is found with its definition, group and instance, and its own title, extra and links', async (t) => {
  const { ctx, external } = await withExternal(t);
  const data = assertSuccess(await search(ctx, { instance_external_id: 'inst-1', user_id: 'ou_bob' }));
  assert.equal(data.count, 1);
  const [item] = data.task_list;
  assert.match(item.approval.approval_id, /^\d+$/);
  assert.match(external, /^[0-9A-F]{8}-/);
  assert.deepEqual(item, {
    approval: { code: 'oa_expense', name: 'Expense (OA)', is_external: true, external: { batch_cc_read: false }, approval_id: item.approval.approval_id, icon: '0' },
    group: { external_id: 'hr', name: 'HR' },
    instance: {
      code: external,
      external_id: 'inst-1',
      user_id: 'ou_alice',
      start_time: String(AT),
      end_time: '0',
      status: 'pending',
      title: 'Expense inst-1',
      extra: '{"business_key":"EXP-0001"}',
      serial_id: 'EXP-0001',
      link: { pc_link: 'https://oa.example/instance/inst-1', mobile_link: 'https://m.oa.example/instance/inst-1' },
    },
    task: {
      user_id: 'ou_bob',
      start_time: String(AT + 1000),
      end_time: '0',
      status: 'pending',
      title: 'Check the receipts',
      extra: '{"node":"finance"}',
      link: { pc_link: 'https://oa.example/task/task-1', mobile_link: 'https://m.oa.example/task/task-1' },
      task_id: 'task-1',
      update_time: String(AT + 1500),
      task_external_id: 'task-1',
    },
  });
});

test('instance_external_id, group_external_id and a third-party approval_code or instance_code select its tasks; beside shenpi codes they are unions', async (t) => {
  const { ctx, leave, generated, external } = await withExternal(t);
  const bob = { user_id: 'ou_bob' };
  for (const selector of [{ instance_external_id: 'inst-1' }, { group_external_id: 'hr' }, { approval_code: 'oa_expense' }, { approval_code: generated }, { instance_code: external }]) {
    assert.deepEqual(await found(ctx, { ...selector, ...bob }), [[external, 'pending']], JSON.stringify(selector));
  }
  // Newest start first: the third-party task started after the leave's.
  assert.deepEqual(await found(ctx, { approval_code: DEMO_LEAVE_CODE, group_external_id: 'hr', ...bob }), [[external, 'pending'], [leave, 'pending']]);
  assert.deepEqual(await found(ctx, { instance_code: leave, instance_external_id: 'inst-1', ...bob }), [[external, 'pending'], [leave, 'pending']]);
  // The two unions intersect: a shenpi definition and a third-party instance share nothing.
  assert.deepEqual(await found(ctx, { approval_code: DEMO_LEAVE_CODE, instance_external_id: 'inst-1' }), []);
  assert.deepEqual(await found(ctx, { group_external_id: 'no-such-group' }), []);
  assert.deepEqual(await found(ctx, { instance_external_id: 'no-such-id' }), []);
  assert.deepEqual(await found(ctx, bob), [[external, 'pending'], [leave, 'pending']]);
});

test('task_title finds third-party tasks by part of their title, in any letter case; shenpi tasks have none', async (t) => {
  const { ctx, external } = await withExternal(t);
  assert.deepEqual(await found(ctx, { user_id: 'ou_bob', task_title: 'RECEIPTS' }), [[external, 'pending']]);
  assert.deepEqual(await found(ctx, { approval_code: DEMO_LEAVE_CODE, task_title: 'receipts' }), []);
  assert.deepEqual(await found(ctx, { group_external_id: 'hr', task_title: '%' }), []);
  assert.deepEqual(await found(ctx, { group_external_id: 'hr', task_title: 'sign' }), [[external, 'done']]);
});

test('third-party tasks are selected by assignee per user_id_type, status and start time', async (t) => {
  const { ctx, leave, external } = await withExternal(t);
  assert.deepEqual(await found(ctx, { user_id: 'u_carol' }, { user_id_type: 'user_id' }), [[external, 'done']]);
  const [item] = assertSuccess(await search(ctx, { user_id: 'u_bob', group_external_id: 'hr' }, { user_id_type: 'user_id' })).task_list;
  assert.deepEqual([item.instance.user_id, item.task.user_id], ['u_alice', 'u_bob']);
  assert.deepEqual(await found(ctx, { group_external_id: 'hr', task_status: 'DONE' }), [[external, 'done']]);
  assert.deepEqual(await found(ctx, { group_external_id: 'hr', task_status_list: ['PENDING', 'DONE'] }), [[external, 'pending'], [external, 'done']]);
  const span = { task_start_time_from: String(AT + 1), task_start_time_to: String(AT + 1000) };
  assert.deepEqual(await found(ctx, { user_id: 'ou_bob', ...span }), [[external, 'pending']]);
  assert.deepEqual(await found(ctx, { user_id: 'ou_bob', task_start_time_from: String(AT), task_start_time_to: String(AT) }), [[leave, 'pending']]);
});

test('tasks of HIDDEN and DELETED third-party instances are not found, with_revoked_instance or not', async (t) => {
  const { ctx } = await withExternal(t);
  for (const status of ['HIDDEN', 'DELETED']) {
    await pastWindow(ctx);
    await synced(ctx, instanceBody('oa_expense', 'inst-1', { status, task_list: [externalTask({ task_id: 'task-1', open_id: 'ou_bob' })] }));
    for (const revoked of [false, true]) {
      const data = assertSuccess(await search(ctx, { instance_external_id: 'inst-1', with_revoked_instance: revoked }));
      assert.deepEqual([data.count, data.task_list], [0, []], status);
    }
  }
  await pastWindow(ctx);
  await synced(ctx, instanceBody('oa_expense', 'inst-1', { status: 'TERMINATED', task_list: [externalTask({ task_id: 'task-1', open_id: 'ou_bob' })] }));
  const [item] = assertSuccess(await search(ctx, { instance_external_id: 'inst-1' })).task_list;
  assert.equal(item.instance.status, 'canceled');
});

for (const order of [0, 1, 2, 3]) {
  test(`paging with order ${order} walks shenpi and third-party tasks once each under one token, count both`, async (t) => {
    const ctx = await serve(t);
    await freezeClock(ctx);
    const approvalCode = await bobOnly(ctx);
    await externalApproval(ctx, 'oa_expense');
    const expected: string[] = [];
    // Shenpi tasks at AT, AT + 2000, AT + 4000; third-party ones in between, one sharing a shenpi start time.
    for (let i = 0; i < 3; i++) {
      expected.push(await createLeave(ctx, { approvalCode }));
      const time = String(AT + 2000 * i + (i === 2 ? 0 : 1000));
      await synced(ctx, instanceBody('oa_expense', `inst-${i}`, { task_list: [externalTask({ task_id: `t-${i}`, open_id: 'ou_bob', create_time: time, update_time: time })] }));
      await advanceClock(ctx, 2000);
    }
    const body = { user_id: 'ou_bob', order };
    const all = (await found(ctx, body, { page_size: 200 })).map(([code]) => code);
    assert.equal(all.length, 6);
    const walked: string[] = [];
    let pageToken = '';
    let pages = 0;
    do {
      const data = assertSuccess(await search(ctx, body, { page_size: 5, ...(pageToken ? { page_token: pageToken } : {}) }));
      assert.equal(data.count, 6);
      walked.push(...data.task_list.map((item: any) => item.instance.code));
      pageToken = data.page_token;
      pages += 1;
    } while (pageToken);
    assert.equal(pages, 2);
    assert.deepEqual(walked, all);
    const times = (await Promise.all(walked.map(async (code) => {
      const data = assertSuccess(await search(ctx, { instance_code: code, user_id: 'ou_bob' }));
      return Number(data.task_list[0].task.start_time);
    })));
    const sorted = [...times].sort((a, b) => (order === 0 || order === 2 ? b - a : a - b));
    assert.deepEqual(times, sorted);
    assert.ok(expected.every((code) => walked.includes(code)));
  });
}

test("another tenant finds none of acme's third-party tasks, by its external ids or its codes", async (t) => {
  const { ctx, external } = await withExternal(t);
  await loadFixture(ctx, globexFixture());
  const globex = await tenantToken(ctx.url, GLOBEX_APP);
  for (const selector of [{ instance_external_id: 'inst-1' }, { group_external_id: 'hr' }, { user_id: 'ou_bob' }]) {
    const data = assertSuccess(await search(ctx, selector, {}, globex));
    assert.deepEqual([data.count, data.task_list], [0, []], JSON.stringify(selector));
  }
  assertRefused(await search(ctx, { approval_code: 'oa_expense' }, {}, globex), 1390002);
  assertRefused(await search(ctx, { instance_code: external }, {}, globex), 1390003);
});

test('the Node SDK finds third-party tasks with client.approval.v4.task.search', async (t) => {
  const { ctx, external } = await withExternal(t);
  // This file's second SDK client, on another server: a token cache of its own.
  const client = sdkClient(ctx.url);
  const answer = await client.approval.v4.task.search({
    params: { page_size: 5, user_id_type: 'user_id' },
    data: { group_external_id: 'hr', user_id: 'u_bob', task_title: 'receipts' },
  });
  assert.equal(answer.code, 0, JSON.stringify(answer));
  const [item] = answer.data?.task_list ?? [];
  assert.deepEqual(
    [item?.approval?.is_external, item?.group?.external_id, item?.instance?.code, item?.instance?.external_id, item?.task?.task_external_id, item?.task?.title],
    [true, 'hr', external, 'inst-1', 'task-1', 'Check the receipts'],
  );
});
