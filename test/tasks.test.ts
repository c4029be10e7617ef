/**
 * Task actions end to end (rules.md "Instances and tasks", approval-v4.md §4): approve, reject,
 * transfer, who may act, handwritten signatures, and GET /tasks/query.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEMO_LEAVE_CODE } from '../src/fixtures/demo.js';
import {
  aliceCancels,
  approveAs,
  assertRefused,
  assertSuccess,
  createInstance,
  createLeave,
  customDefinition,
  definitionBody,
  getInstance,
  instanceEvents,
  loadFixture,
  outboxOf,
  pendingTaskOf,
  reasonForm,
  serve,
  taskAction,
  tasksQuery,
  DEMO_CALLER,
  type Served,
} from './helpers/approval.js';
import { codeOf } from './helpers/results.js';

/** A definition with one node of `nodeType` whose approvers are Bob and Carol. */
const bobAndCarol = (ctx: Served, nodeType: 'AND' | 'OR') =>
  customDefinition(ctx, {
    nodes: [
      {
        id: 'pair',
        node_type: nodeType,
        approver: [
          { type: 'Personal', user_id: 'u_bob' },
          { type: 'Personal', user_id: 'u_carol' },
        ],
      },
    ],
  });

const statusesByUser = (instance: any) =>
  Object.fromEntries(instance.task_list.map((task: any) => [task.open_id, task.status]));

/** Acts on the pending task of `actor` (open_id) with the given action. */
async function act(
  ctx: Served,
  action: 'approve' | 'reject' | 'transfer',
  instanceCode: string,
  actor: string,
  approvalCode = DEMO_LEAVE_CODE,
  extra: { transfer_user_id?: string; comment?: string } = {},
) {
  const task = await pendingTaskOf(ctx, instanceCode, actor);
  return taskAction(ctx, action, { approval_code: approvalCode, instance_code: instanceCode, user_id: actor, task_id: task.id, ...extra });
}

// ---- approve ----

test('approving the only task of the last AND node approves the instance and sets its end_time', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  const answer = await act(ctx, 'approve', code, 'ou_bob', DEMO_LEAVE_CODE, { comment: 'enjoy' });
  assert.deepEqual(answer.body, { code: 0, msg: 'success', data: {} });
  const instance = await getInstance(ctx, code);
  assert.equal(instance.status, 'APPROVED');
  assert.notEqual(instance.end_time, '0');
  assert.equal(instance.task_list[0].status, 'APPROVED');
  assert.notEqual(instance.task_list[0].end_time, '0');
});

test('approving writes a PASS timeline entry by the approver for the task', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  const task = await pendingTaskOf(ctx, code, 'ou_bob');
  await act(ctx, 'approve', code, 'ou_bob', DEMO_LEAVE_CODE, { comment: 'enjoy' });
  const pass = (await getInstance(ctx, code)).timeline.at(-1);
  assert.equal(pass.type, 'PASS');
  assert.equal(pass.open_id, 'ou_bob');
  assert.equal(pass.task_id, task.id);
  assert.equal(pass.comment, 'enjoy');
});

test('approving queues approval_task APPROVED and approval_instance APPROVED', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  const task = await pendingTaskOf(ctx, code, 'ou_bob');
  await act(ctx, 'approve', code, 'ou_bob');
  assert.deepEqual((await instanceEvents(ctx, code)), ['PENDING', 'APPROVED']);
  const taskEvents = (await outboxOf(ctx, code)).filter((r) => r.event_type === 'approval_task');
  assert.deepEqual(
    taskEvents.map((r) => [r.payload.task_id, r.payload.status]),
    [
      [task.id, 'PENDING'],
      [task.id, 'APPROVED'],
    ],
  );
});

test('an AND node stays open until every approver has approved', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await bobAndCarol(ctx, 'AND');
  const code = await createLeave(ctx, { approvalCode });
  await approveAs(ctx, code, 'ou_bob', approvalCode);
  let instance = await getInstance(ctx, code);
  assert.equal(instance.status, 'PENDING');
  assert.deepEqual(statusesByUser(instance), { ou_bob: 'APPROVED', ou_carol: 'PENDING' });
  await approveAs(ctx, code, 'ou_carol', approvalCode);
  instance = await getInstance(ctx, code);
  assert.equal(instance.status, 'APPROVED');
  assert.deepEqual(statusesByUser(instance), { ou_bob: 'APPROVED', ou_carol: 'APPROVED' });
});

test('one approval settles an OR node: the other approvers\' tasks become DONE', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await bobAndCarol(ctx, 'OR');
  const code = await createLeave(ctx, { approvalCode });
  assert.deepEqual(statusesByUser(await getInstance(ctx, code)), { ou_bob: 'PENDING', ou_carol: 'PENDING' });
  await approveAs(ctx, code, 'ou_carol', approvalCode);
  const instance = await getInstance(ctx, code);
  assert.deepEqual(statusesByUser(instance), { ou_bob: 'DONE', ou_carol: 'APPROVED' });
  assert.equal(instance.status, 'APPROVED');
  assert.deepEqual(
    instance.timeline.map((e: any) => e.type),
    ['START', 'PASS'],
  );
});

test('the approvers of a SEQUENTIAL node get their tasks one after another, in the order picked', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await customDefinition(ctx, {
    nodes: [{ id: 'chain', node_type: 'SEQUENTIAL', approver: [{ type: 'Free' }] }],
  });
  const answer = await createInstance(ctx, {
    approval_code: approvalCode,
    open_id: 'ou_alice',
    form: reasonForm(),
    node_approver_open_id_list: [{ key: 'chain', value: ['ou_carol', 'ou_bob'] }],
  });
  const code = assertSuccess(answer).instance_code;
  let instance = await getInstance(ctx, code);
  assert.deepEqual(statusesByUser(instance), { ou_carol: 'PENDING' });
  assert.equal(instance.task_list[0].type, 'SEQUENTIAL');

  await approveAs(ctx, code, 'ou_carol', approvalCode);
  instance = await getInstance(ctx, code);
  assert.equal(instance.status, 'PENDING');
  assert.deepEqual(statusesByUser(instance), { ou_carol: 'APPROVED', ou_bob: 'PENDING' });

  await approveAs(ctx, code, 'ou_bob', approvalCode);
  instance = await getInstance(ctx, code);
  assert.equal(instance.status, 'APPROVED');
  assert.deepEqual(statusesByUser(instance), { ou_carol: 'APPROVED', ou_bob: 'APPROVED' });
});

test('a transferee on a SEQUENTIAL node takes over the slot, and the order goes on after them', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await customDefinition(ctx, {
    nodes: [{ id: 'chain', node_type: 'SEQUENTIAL', approver: [{ type: 'Free' }] }],
  });
  const answer = await createInstance(ctx, {
    approval_code: approvalCode,
    open_id: 'ou_alice',
    form: reasonForm(),
    node_approver_open_id_list: [{ key: 'chain', value: ['ou_carol', 'ou_bob'] }],
  });
  const code = assertSuccess(answer).instance_code;
  assertSuccess(await act(ctx, 'transfer', code, 'ou_carol', approvalCode, { transfer_user_id: 'ou_dave' }));
  await approveAs(ctx, code, 'ou_dave', approvalCode);
  let instance = await getInstance(ctx, code);
  assert.equal(instance.status, 'PENDING');
  assert.deepEqual(statusesByUser(instance), { ou_carol: 'TRANSFERRED', ou_dave: 'APPROVED', ou_bob: 'PENDING' });
  await approveAs(ctx, code, 'ou_bob', approvalCode);
  instance = await getInstance(ctx, code);
  assert.equal(instance.status, 'APPROVED');
});

test('approving the first of two nodes opens the next node\'s tasks', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await customDefinition(ctx, {
    nodes: [
      { id: 'first', node_type: 'AND', approver: [{ type: 'Personal', user_id: 'u_bob' }] },
      { id: 'second', node_type: 'AND', approver: [{ type: 'Personal', user_id: 'u_dave' }] },
    ],
  });
  const code = await createLeave(ctx, { approvalCode });
  assert.deepEqual(statusesByUser(await getInstance(ctx, code)), { ou_bob: 'PENDING' });
  await approveAs(ctx, code, 'ou_bob', approvalCode);
  const instance = await getInstance(ctx, code);
  assert.equal(instance.status, 'PENDING');
  assert.deepEqual(
    instance.task_list.map((task: any) => [task.open_id, task.status, task.custom_node_id]),
    [
      ['ou_bob', 'APPROVED', 'first'],
      ['ou_dave', 'PENDING', 'second'],
    ],
  );
});

// ---- reject ----

test('rejecting ends the instance REJECTED and closes the other pending tasks as DONE', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await bobAndCarol(ctx, 'AND');
  const code = await createLeave(ctx, { approvalCode });
  const answer = await act(ctx, 'reject', code, 'ou_bob', approvalCode, { comment: 'not now' });
  assert.deepEqual(answer.body, { code: 0, msg: 'success', data: {} });
  const instance = await getInstance(ctx, code);
  assert.equal(instance.status, 'REJECTED');
  assert.notEqual(instance.end_time, '0');
  assert.deepEqual(statusesByUser(instance), { ou_bob: 'REJECTED', ou_carol: 'DONE' });
});

test('rejecting writes a REJECT timeline entry by the approver', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  await act(ctx, 'reject', code, 'ou_bob', DEMO_LEAVE_CODE, { comment: 'not now' });
  const entry = (await getInstance(ctx, code)).timeline.at(-1);
  assert.equal(entry.type, 'REJECT');
  assert.equal(entry.open_id, 'ou_bob');
  assert.equal(entry.comment, 'not now');
  assert.deepEqual((await instanceEvents(ctx, code)), ['PENDING', 'REJECTED']);
});

// ---- transfer ----

test('transferring closes the task TRANSFERRED and opens a PENDING task for the new approver', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  const answer = await act(ctx, 'transfer', code, 'ou_bob', DEMO_LEAVE_CODE, { transfer_user_id: 'ou_dave' });
  assert.deepEqual(answer.body, { code: 0, msg: 'success', data: {} });
  const instance = await getInstance(ctx, code);
  assert.equal(instance.status, 'PENDING');
  assert.deepEqual(
    instance.task_list.map((task: any) => [task.open_id, task.status, task.custom_node_id]),
    [
      ['ou_bob', 'TRANSFERRED', 'manager'],
      ['ou_dave', 'PENDING', 'manager'],
    ],
  );
});

test('transferring writes a TRANSFER timeline entry naming the new approver', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  await act(ctx, 'transfer', code, 'ou_bob', DEMO_LEAVE_CODE, { transfer_user_id: 'ou_dave' });
  const entry = (await getInstance(ctx, code, 'user_id')).timeline.at(-1);
  assert.equal(entry.type, 'TRANSFER');
  assert.equal(entry.user_id, 'u_bob');
  assert.deepEqual(entry.user_id_list, ['u_dave']);
  assert.deepEqual(entry.open_id_list, ['ou_dave']);
});

test('the transferee approves in the transferred task\'s place', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  await act(ctx, 'transfer', code, 'ou_bob', DEMO_LEAVE_CODE, { transfer_user_id: 'ou_dave' });
  await approveAs(ctx, code, 'ou_dave');
  assert.equal((await getInstance(ctx, code)).status, 'APPROVED');
});

test('transferring to an unknown user answers 1390001 and changes nothing', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  assertRefused(await act(ctx, 'transfer', code, 'ou_bob', DEMO_LEAVE_CODE, { transfer_user_id: 'ou_nobody' }), 1390001, /ou_nobody/);
  assert.deepEqual(statusesByUser(await getInstance(ctx, code)), { ou_bob: 'PENDING' });
});

// ---- who may act, on what ----

for (const action of ['approve', 'reject', 'transfer'] as const) {
  test(`${action} on someone else's task answers 1390001`, async (t) => {
    const ctx = await serve(t);
    const code = await createLeave(ctx);
    const task = await pendingTaskOf(ctx, code, 'ou_bob');
    const answer = await taskAction(ctx, action, {
      approval_code: DEMO_LEAVE_CODE,
      instance_code: code,
      user_id: 'ou_carol',
      task_id: task.id,
      ...(action === 'transfer' ? { transfer_user_id: 'ou_dave' } : {}),
    });
    assertRefused(answer, 1390001, /assignee/);
    const instance = await getInstance(ctx, code);
    assert.equal(instance.status, 'PENDING');
    assert.deepEqual(statusesByUser(instance), { ou_bob: 'PENDING' });
  });
}

test('approving a task that is no longer PENDING answers 1390001', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await bobAndCarol(ctx, 'AND');
  const code = await createLeave(ctx, { approvalCode });
  const task = await pendingTaskOf(ctx, code, 'ou_bob');
  const body = { approval_code: approvalCode, instance_code: code, user_id: 'ou_bob', task_id: task.id };
  assertSuccess(await taskAction(ctx, 'approve', body));
  const timeline = (await getInstance(ctx, code)).timeline.length;
  assertRefused(await taskAction(ctx, 'approve', body), 1390001, /APPROVED/);
  assertRefused(await taskAction(ctx, 'reject', body), 1390001, /APPROVED/);
  const instance = await getInstance(ctx, code);
  assert.equal(instance.status, 'PENDING');
  assert.equal(instance.timeline.length, timeline);
});

test('acting on a task of a withdrawn instance answers 1390001', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  const task = await pendingTaskOf(ctx, code, 'ou_bob');
  assert.equal((await aliceCancels(ctx, code)).body.code, 0);
  const body = { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: 'ou_bob', task_id: task.id };
  assertRefused(await taskAction(ctx, 'approve', body), 1390001, /CANCELED/);
  assertRefused(await taskAction(ctx, 'reject', body), 1390001, /CANCELED/);
  assertRefused(await taskAction(ctx, 'transfer', { ...body, transfer_user_id: 'ou_dave' }), 1390001, /CANCELED/);
  assert.equal((await getInstance(ctx, code)).status, 'CANCELED');
});

test('acting on a task of an approved instance answers 1390001', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await bobAndCarol(ctx, 'OR');
  const code = await createLeave(ctx, { approvalCode });
  const carolTask = await pendingTaskOf(ctx, code, 'ou_carol');
  await approveAs(ctx, code, 'ou_bob', approvalCode);
  const answer = await taskAction(ctx, 'approve', {
    approval_code: approvalCode,
    instance_code: code,
    user_id: 'ou_carol',
    task_id: carolTask.id,
  });
  assertRefused(answer, 1390001);
  assert.equal((await getInstance(ctx, code)).timeline.length, 2);
});

test('approving an unknown task id answers 1390010', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  const answer = await taskAction(ctx, 'approve', {
    approval_code: DEMO_LEAVE_CODE,
    instance_code: code,
    user_id: 'ou_bob',
    task_id: '1234567890',
  });
  assertRefused(answer, 1390010);
});

test('a task id of another instance answers 1390010', async (t) => {
  const ctx = await serve(t);
  const one = await createLeave(ctx);
  const other = await createLeave(ctx);
  const task = await pendingTaskOf(ctx, other, 'ou_bob');
  const answer = await taskAction(ctx, 'approve', { approval_code: DEMO_LEAVE_CODE, instance_code: one, user_id: 'ou_bob', task_id: task.id });
  assertRefused(answer, 1390010);
  assert.equal((await getInstance(ctx, other)).status, 'PENDING');
});

test('approving with an unknown approval code answers 1390002, an unknown instance code 1390003', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  const task = await pendingTaskOf(ctx, code, 'ou_bob');
  const body = { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: 'ou_bob', task_id: task.id };
  assertRefused(await taskAction(ctx, 'approve', { ...body, approval_code: 'NO-SUCH-CODE' }), 1390002);
  assertRefused(await taskAction(ctx, 'approve', { ...body, instance_code: 'NO-SUCH-INSTANCE' }), 1390003);
});

test('the task service answers every refusal of an action as a value, not a rejection, in the checks\' order', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  const task = await pendingTaskOf(ctx, code, 'ou_bob');
  const { tasks } = ctx.server.services;
  const request = { approvalCode: DEMO_LEAVE_CODE, instanceCode: code, userId: 'ou_bob', taskId: task.id, userIdType: 'open_id' as const };
  assert.equal(codeOf(await tasks.approve(DEMO_CALLER, { ...request, approvalCode: 'NO-SUCH-CODE', userId: 'ou_nobody' })), 1390002);
  assert.equal(codeOf(await tasks.approve(DEMO_CALLER, { ...request, instanceCode: 'NO-SUCH-INSTANCE', userId: 'ou_nobody' })), 1390003);
  assert.equal(codeOf(await tasks.approve(DEMO_CALLER, { ...request, userId: 'ou_nobody' })), 1390001);
  assert.equal(codeOf(await tasks.approve(DEMO_CALLER, { ...request, taskId: '1234567890' })), 1390010);
  assert.equal(codeOf(await tasks.transfer(DEMO_CALLER, { ...request, transferUserId: 'ou_nobody' })), 1390001);
  const bobById = { ...request, userId: 'u_bob' };
  assert.equal(codeOf(await tasks.addSign(DEMO_CALLER, { ...bobById, addSignUserIds: ['u_nobody'], addSignType: 3 })), 1390001);
  assert.equal(codeOf(await tasks.rollback(DEMO_CALLER, { ...request, taskId: '1234567890', reason: 'x', taskDefKeys: [] })), 1390010);
  assert.equal(codeOf(await tasks.approve(DEMO_CALLER, request)), 'ok');
  assert.equal(codeOf(await tasks.reject(DEMO_CALLER, request)), 1390001);
});

// ---- handwritten signature ----

/** A definition loaded through a fixture whose only node requires a handwritten signature. */
async function signatureDefinition(ctx: Served): Promise<string> {
  const body = definitionBody({
    name: 'Contract',
    nodes: [{ id: 'sig', node_type: 'AND', require_signature: true, approver: [{ type: 'Personal', user_id: 'u_bob' }] }],
  });
  const loaded = await loadFixture(ctx, { tenants: [{ tenant_key: 'acme', name: 'Acme Ltd', approvals: [body] }] });
  assert.equal(loaded.approvals.length, 1);
  return loaded.approvals[0];
}

for (const action of ['approve', 'reject'] as const) {
  test(`${action} on a node that requires a handwritten signature answers HTTP 400 1390018`, async (t) => {
    const ctx = await serve(t);
    const approvalCode = await signatureDefinition(ctx);
    const code = await createLeave(ctx, { approvalCode });
    const answer = await act(ctx, action, code, 'ou_bob', approvalCode);
    assertRefused(answer, 1390018);
    const instance = await getInstance(ctx, code);
    assert.equal(instance.status, 'PENDING');
    assert.deepEqual(statusesByUser(instance), { ou_bob: 'PENDING' });
  });
}

// ---- GET /tasks/query ----

/** Two of Alice's leave instances: Bob approves the first, the second waits for him. */
async function oneDoneOnePending(ctx: Served) {
  const done = await createLeave(ctx);
  const doneTask = await pendingTaskOf(ctx, done, 'ou_bob');
  await approveAs(ctx, done, 'ou_bob');
  const pending = await createLeave(ctx);
  const pendingTask = await pendingTaskOf(ctx, pending, 'ou_bob');
  return { done, doneTask, pending, pendingTask };
}

test('tasks/query topic 1 lists the user\'s pending tasks', async (t) => {
  const ctx = await serve(t);
  const { pending, pendingTask } = await oneDoneOnePending(ctx);
  const data = assertSuccess(await tasksQuery(ctx, { user_id: 'ou_bob', topic: 1 }));
  assert.deepEqual(
    data.tasks.map((task: any) => [task.task_id, task.process_code, task.definition_code, task.topic]),
    [[pendingTask.id, pending, DEMO_LEAVE_CODE, '1']],
  );
  assert.equal(data.has_more, false);
});

test('tasks/query topic 2 lists the tasks the user has done', async (t) => {
  const ctx = await serve(t);
  const { done, doneTask } = await oneDoneOnePending(ctx);
  const data = assertSuccess(await tasksQuery(ctx, { user_id: 'ou_bob', topic: 2 }));
  assert.deepEqual(
    data.tasks.map((task: any) => [task.task_id, task.process_code]),
    [[doneTask.id, done]],
  );
});

test('tasks/query topic 3 lists the instances the user initiated', async (t) => {
  const ctx = await serve(t);
  const { done, pending } = await oneDoneOnePending(ctx);
  const data = assertSuccess(await tasksQuery(ctx, { user_id: 'ou_alice', topic: 3 }));
  assert.deepEqual(
    data.tasks.map((task: any) => task.process_code),
    [done, pending],
  );
  for (const task of data.tasks) assert.deepEqual(task.initiators, ['ou_alice']);
  assert.deepEqual(assertSuccess(await tasksQuery(ctx, { user_id: 'ou_bob', topic: 3 })).tasks, []);
});

test('tasks/query pages chain by page_token and terminate', async (t) => {
  const ctx = await serve(t);
  const codes = [await createLeave(ctx), await createLeave(ctx), await createLeave(ctx)];
  const seen: string[] = [];
  let pageToken = '';
  let pages = 0;
  for (;;) {
    const data = assertSuccess(
      await tasksQuery(ctx, { user_id: 'ou_bob', topic: 1, page_size: 2, ...(pageToken ? { page_token: pageToken } : {}) }),
    );
    pages += 1;
    assert.ok(pages <= 3, 'pagination does not terminate');
    seen.push(...data.tasks.map((task: any) => task.process_code));
    if (!data.has_more) {
      assert.equal(data.page_token, '');
      break;
    }
    assert.notEqual(data.page_token, '');
    pageToken = data.page_token;
  }
  assert.equal(pages, 2);
  assert.deepEqual([...seen].sort(), [...codes].sort());
  assert.equal(new Set(seen).size, 3);
});

test('tasks/query takes page_size 1 to 200 and answers 1390001 outside (Feishu documents a maximum of 200)', async (t) => {
  const ctx = await serve(t);
  for (const page_size of [1, 200]) assertSuccess(await tasksQuery(ctx, { user_id: 'ou_bob', topic: 1, page_size }));
  for (const page_size of [0, 201]) {
    assertRefused(await tasksQuery(ctx, { user_id: 'ou_bob', topic: 1, page_size }), 1390001, /page_size/);
  }
});

test('tasks/query count.total counts every matching task, not only those of the page', async (t) => {
  const ctx = await serve(t);
  for (let i = 0; i < 3; i++) await createLeave(ctx);
  const data = assertSuccess(await tasksQuery(ctx, { user_id: 'ou_bob', topic: 1, page_size: 2 }));
  assert.equal(data.tasks.length, 2);
  assert.equal(data.has_more, true);
  assert.equal(data.count.total, 3);
});

test('a page_token the server never issued answers 1390001 on tasks/query', async (t) => {
  const ctx = await serve(t);
  assertRefused(await tasksQuery(ctx, { user_id: 'ou_bob', topic: 1, page_token: 'garbage' }), 1390001, /page_token/);
});

test('tasks/query for an unknown user answers 1390001', async (t) => {
  const ctx = await serve(t);
  assertRefused(await tasksQuery(ctx, { user_id: 'ou_nobody', topic: 1 }), 1390001, /ou_nobody/);
});

test('tasks/query answers Feishu\'s task status 1 to do and 2 done, process_status 1 under approval and 2 approved', async (t) => {
  const ctx = await serve(t);
  const { done, pending } = await oneDoneOnePending(ctx);
  const statuses = async (topic: number) =>
    assertSuccess(await tasksQuery(ctx, { user_id: 'ou_bob', topic })).tasks.map((task: any) => [task.process_code, task.status, task.process_status]);
  assert.deepEqual(await statuses(1), [[pending, '1', '1']]);
  assert.deepEqual(await statuses(2), [[done, '2', '2']]);
});

test('tasks/query topic 3 answers status 33 under approval, 34 once withdrawn and 2 once finished; process_status 1, 4 and 3', async (t) => {
  const ctx = await serve(t);
  const underway = await createLeave(ctx);
  const withdrawn = await createLeave(ctx);
  assertSuccess(await aliceCancels(ctx, withdrawn));
  const rejected = await createLeave(ctx);
  assertSuccess(await act(ctx, 'reject', rejected, 'ou_bob'));
  const data = assertSuccess(await tasksQuery(ctx, { user_id: 'ou_alice', topic: 3 }));
  assert.deepEqual(data.tasks.map((task: any) => [task.process_code, task.topic, task.status, task.process_status]), [
    [underway, '3', '33', '1'],
    [withdrawn, '3', '34', '4'],
    [rejected, '3', '2', '3'],
  ]);
});
