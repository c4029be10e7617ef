/**
 * Withdrawing an APPROVED instance (撤销, 允许撤销 x 天内通过的审批), end to end (rules.md "Revoking an approved
 * instance"): the original O goes back under approval (变更为审批中) while a revoke request R, carrying
 * `reverted_instance_code`, asks the approvers of O; R approved → O reads CANCELED, `reverted`, and its event
 * says REVERTED; R rejected or withdrawn → O is APPROVED again as before.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEMO_LEAVE_CODE, DEMO_PURCHASE_CODE } from '../src/fixtures/demo.js';
import {
  aliceCancels,
  approveAs,
  assertRefused,
  assertSuccess,
  bobThenCarol,
  cancel,
  createLeave,
  getInstance,
  instanceCodes,
  instanceEvents,
  outboxOf,
  pendingTaskOf,
  rejectAs,
  revokeRequestOf,
  revokeRequestsOf,
  serve,
  taskAction,
  V4,
  type Served,
} from './helpers/approval.js';
import { admin, call } from './helpers/http.js';

/** An instance of `approvalCode` submitted by Alice and approved by Bob, then Carol. */
async function approvedByBobAndCarol(ctx: Served, approvalCode: string): Promise<string> {
  const code = await createLeave(ctx, { approvalCode });
  await approveAs(ctx, code, 'ou_bob', approvalCode);
  await approveAs(ctx, code, 'ou_carol', approvalCode);
  assert.equal((await getInstance(ctx, code)).status, 'APPROVED');
  return code;
}

/** A leave of Alice's approved by Bob, then withdrawn: its revoke request is open. */
async function beingRevoked(ctx: Served): Promise<{ original: string; request: any; approvedView: any }> {
  const original = await createLeave(ctx);
  await approveAs(ctx, original, 'ou_bob');
  const approvedView = await getInstance(ctx, original);
  assertSuccess(await aliceCancels(ctx, original));
  return { original, request: await revokeRequestOf(ctx, original), approvedView };
}

const query = (ctx: Served, body: Record<string, unknown>) =>
  call(ctx.url, `${V4}/instances/query?user_id_type=user_id`, { token: ctx.token, json: body });

const queriedCodes = async (ctx: Served, body: Record<string, unknown>) =>
  (assertSuccess(await query(ctx, { approval_code: DEMO_LEAVE_CODE, ...body })).instance_list as any[]).map((i) => [
    i.instance.code,
    i.instance.status,
  ]);

// ---- opening the round ----

test('withdrawing an approved instance answers success and puts it back under approval (变更为审批中)', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  await approveAs(ctx, code, 'ou_bob');
  const approved = await getInstance(ctx, code);
  const answer = await aliceCancels(ctx, code);
  assert.equal(answer.status, 200, answer.text);
  assert.deepEqual(answer.body, { code: 0, msg: 'success', data: {} });
  const during = await getInstance(ctx, code);
  assert.equal(during.status, 'PENDING');
  assert.equal(during.reverted, false);
  assert.equal(during.reverted_instance_code, undefined);
  // Its approved tasks, form, timeline and approval end_time stay as they were.
  assert.deepEqual(during.task_list, approved.task_list);
  assert.deepEqual(during.timeline, approved.timeline);
  assert.equal(during.form, approved.form);
  assert.equal(during.end_time, approved.end_time);
});

test('the revoke request carries reverted_instance_code and the definition, submitter and form of the original', async (t) => {
  const ctx = await serve(t);
  const { original, request, approvedView } = await beingRevoked(ctx);
  assert.equal(request.reverted_instance_code, original);
  assert.notEqual(request.instance_code, original);
  assert.equal(request.approval_code, DEMO_LEAVE_CODE);
  assert.equal(request.status, 'PENDING');
  assert.equal(request.open_id, 'ou_alice');
  assert.equal(request.form, approvedView.form);
  assert.equal(request.end_time, '0');
  assert.deepEqual(request.timeline.map((e: any) => [e.type, e.open_id]), [['START', 'ou_alice']]);
});

test('the revoke request asks every user who approved the original, one AND node, a task each', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await bobThenCarol(ctx);
  const original = await approvedByBobAndCarol(ctx, approvalCode);
  assertSuccess(await aliceCancels(ctx, original, approvalCode));
  const request = await revokeRequestOf(ctx, original, approvalCode);
  assert.deepEqual(
    request.task_list.map((t: any) => [t.open_id, t.status, t.type]),
    [
      ['ou_bob', 'PENDING', 'AND'],
      ['ou_carol', 'PENDING', 'AND'],
    ],
  );
  assert.equal(new Set(request.task_list.map((t: any) => t.node_id)).size, 1);
});

test('opening the round queues approval_instance PENDING and approval_task PENDING for the request, nothing for the original', async (t) => {
  const ctx = await serve(t);
  const { original, request } = await beingRevoked(ctx);
  assert.deepEqual(await instanceEvents(ctx, original), ['PENDING', 'APPROVED']);
  const events = (await outboxOf(ctx, request.instance_code)).map((r) => [r.event_type, r.payload.status, r.payload.instance_code]);
  assert.deepEqual(events, [
    ['approval_instance', 'PENDING', request.instance_code],
    ['approval_task', 'PENDING', request.instance_code],
  ]);
});

// ---- while the round is open ----

test('while its revoke request is open, withdrawing the original again answers 1390001 naming the request', async (t) => {
  const ctx = await serve(t);
  const { original, request } = await beingRevoked(ctx);
  assertRefused(await aliceCancels(ctx, original), 1390001, new RegExp(`revoke request ${request.instance_code}`));
  assert.equal((await revokeRequestsOf(ctx, original)).length, 1);
});

test("while its revoke request is open, the original's tasks cannot be approved or rejected", async (t) => {
  const ctx = await serve(t);
  const { original, request } = await beingRevoked(ctx);
  const [task] = (await getInstance(ctx, original)).task_list;
  for (const action of ['approve', 'reject'] as const) {
    const answer = await taskAction(ctx, action, {
      approval_code: DEMO_LEAVE_CODE,
      instance_code: original,
      user_id: 'ou_bob',
      task_id: task.id,
    });
    assertRefused(answer, 1390001, new RegExp(`revoke request ${request.instance_code}`));
  }
});

test('the approver of the original finds the revoke request among their tasks to do (tasks/query topic 1)', async (t) => {
  const ctx = await serve(t);
  const { request } = await beingRevoked(ctx);
  const answer = await call(ctx.url, `${V4}/tasks/query?user_id=ou_bob&topic=1`, { token: ctx.token });
  const todo = assertSuccess(answer).tasks.map((t: any) => t.process_id);
  assert.ok(todo.includes(request.instance_code), JSON.stringify(assertSuccess(answer)));
});

// ---- ending the round ----

test('the revoke request approved by every approver revokes the original: CANCELED, reverted, a CANCEL entry by the submitter', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await bobThenCarol(ctx);
  const original = await approvedByBobAndCarol(ctx, approvalCode);
  assertSuccess(await aliceCancels(ctx, original, approvalCode));
  const { instance_code: request } = await revokeRequestOf(ctx, original, approvalCode);

  await approveAs(ctx, request, 'ou_bob', approvalCode);
  assert.equal((await getInstance(ctx, original)).status, 'PENDING', 'one approval of two does not finish the revoke');
  await approveAs(ctx, request, 'ou_carol', approvalCode);

  assert.equal((await getInstance(ctx, request)).status, 'APPROVED');
  const revoked = await getInstance(ctx, original);
  assert.equal(revoked.status, 'CANCELED', 'GET never answers REVERTED: a revoked instance reads CANCELED');
  assert.equal(revoked.reverted, true);
  const last = revoked.timeline.at(-1);
  assert.deepEqual([last.type, last.open_id], ['CANCEL', 'ou_alice']);
  assert.equal(revoked.end_time, last.create_time);
});

test('a completed revoke queues approval_instance REVERTED for the original, its operate_time an int64', async (t) => {
  const ctx = await serve(t);
  const { original, request } = await beingRevoked(ctx);
  await approveAs(ctx, request.instance_code, 'ou_bob');
  assert.deepEqual(await instanceEvents(ctx, original), ['PENDING', 'APPROVED', 'REVERTED']);
  const reverted = (await outboxOf(ctx, original)).at(-1)!;
  assert.equal(typeof reverted.payload.operate_time, 'number');
  assert.equal(typeof reverted.payload.instance_operate_time, 'string');
  assert.equal(String(reverted.payload.operate_time), reverted.payload.instance_operate_time);
  assert.deepEqual(await instanceEvents(ctx, request.instance_code), ['PENDING', 'APPROVED']);
});

test('a rejected revoke request leaves the original APPROVED exactly as before, with no event', async (t) => {
  const ctx = await serve(t);
  const { original, request, approvedView } = await beingRevoked(ctx);
  await rejectAs(ctx, request.instance_code, 'ou_bob');
  assert.equal((await getInstance(ctx, request.instance_code)).status, 'REJECTED');
  assert.deepEqual(await getInstance(ctx, original), approvedView);
  assert.deepEqual(await instanceEvents(ctx, original), ['PENDING', 'APPROVED']);
});

test('the submitter may withdraw an open revoke request even when revert_option is 0; the original is APPROVED again', async (t) => {
  const ctx = await serve(t);
  // Purchase: revert_option 0, one day after approval. Dept manager Carol (OR), then Dave.
  const original = await createLeave(ctx, {
    approvalCode: DEMO_PURCHASE_CODE,
    extra: { form: JSON.stringify([{ id: 'item', type: 'input', value: 'desk' }, { id: 'amount', type: 'amount', value: 120 }]) },
  });
  await approveAs(ctx, original, 'ou_carol', DEMO_PURCHASE_CODE);
  await approveAs(ctx, original, 'ou_dave', DEMO_PURCHASE_CODE);
  const approvedView = await getInstance(ctx, original);
  assertSuccess(await aliceCancels(ctx, original, DEMO_PURCHASE_CODE));
  const request = await revokeRequestOf(ctx, original, DEMO_PURCHASE_CODE);

  assertSuccess(await aliceCancels(ctx, request.instance_code, DEMO_PURCHASE_CODE));
  const withdrawn = await getInstance(ctx, request.instance_code);
  assert.equal(withdrawn.status, 'CANCELED');
  assert.deepEqual(withdrawn.task_list.map((t: any) => t.status), ['DONE', 'DONE']);
  assert.deepEqual(await getInstance(ctx, original), approvedView);
});

test('after a rejected revoke request the original can be withdrawn again within its window, opening a new request', async (t) => {
  const ctx = await serve(t);
  const { original, request } = await beingRevoked(ctx);
  await rejectAs(ctx, request.instance_code, 'ou_bob');
  assertSuccess(await aliceCancels(ctx, original));
  const requests = await revokeRequestsOf(ctx, original);
  assert.deepEqual(requests.map((r) => r.status), ['REJECTED', 'PENDING']);
});

test('an approved revoke request cannot itself be revoked (1390001)', async (t) => {
  const ctx = await serve(t);
  const { request } = await beingRevoked(ctx);
  await approveAs(ctx, request.instance_code, 'ou_bob');
  assertRefused(await aliceCancels(ctx, request.instance_code), 1390001, /revoke request .* cannot be revoked/);
});

test('a revoke request is withdrawn only by its submitter (1390001)', async (t) => {
  const ctx = await serve(t);
  const { request } = await beingRevoked(ctx);
  const answer = await cancel(ctx, { approval_code: DEMO_LEAVE_CODE, instance_code: request.instance_code, user_id: 'ou_bob' });
  assertRefused(answer, 1390001, /not the submitter/);
});

// ---- lists ----

test('GET /instances lists the revoke request like any instance of the definition', async (t) => {
  const ctx = await serve(t);
  const { original, request } = await beingRevoked(ctx);
  assert.deepEqual(await instanceCodes(ctx), [original, request.instance_code]);
  await approveAs(ctx, request.instance_code, 'ou_bob');
  assert.deepEqual(await instanceCodes(ctx), [original, request.instance_code]);
});

test('instances/query lists the original and its revoke request while the round is open', async (t) => {
  const ctx = await serve(t);
  const { original, request } = await beingRevoked(ctx);
  assert.deepEqual(await queriedCodes(ctx, {}), [
    [original, 'pending'],
    [request.instance_code, 'pending'],
  ]);
});

test('instances/query leaves a revoked instance and its revoke request out unless with_revoked_instance is true', async (t) => {
  const ctx = await serve(t);
  const { original, request } = await beingRevoked(ctx);
  const other = await createLeave(ctx);
  await approveAs(ctx, request.instance_code, 'ou_bob');

  assert.deepEqual(await queriedCodes(ctx, {}), [[other, 'pending']]);
  assert.equal(assertSuccess(await query(ctx, { approval_code: DEMO_LEAVE_CODE })).count, 1);
  assert.deepEqual(await queriedCodes(ctx, { with_revoked_instance: true }), [
    [original, 'canceled'],
    [request.instance_code, 'approved'],
    [other, 'pending'],
  ]);
  assert.deepEqual(await queriedCodes(ctx, { instance_status: 'RECALL', with_revoked_instance: true }), [[original, 'canceled']]);
  assert.deepEqual(await queriedCodes(ctx, { instance_status: 'RECALL' }), []);
});

test('with_revoked_instance must be a boolean (1390001)', async (t) => {
  const ctx = await serve(t);
  assertRefused(await query(ctx, { approval_code: DEMO_LEAVE_CODE, with_revoked_instance: 'yes' }), 1390001, /with_revoked_instance/);
});

test('a rejected revoke request stays listed by instances/query, and so does its original', async (t) => {
  const ctx = await serve(t);
  const { original, request } = await beingRevoked(ctx);
  await rejectAs(ctx, request.instance_code, 'ou_bob');
  assert.deepEqual(await queriedCodes(ctx, {}), [
    [original, 'approved'],
    [request.instance_code, 'rejected'],
  ]);
});

// ---- console ----

test('the admin instance view links a revoke request and its original both ways', async (t) => {
  const ctx = await serve(t);
  const { original, request } = await beingRevoked(ctx);
  const shownOriginal = (await admin(ctx.url, `/instances/${original}`)).body;
  assert.deepEqual(shownOriginal.revoke_requests, [{ instance_code: request.instance_code, status: 'PENDING' }]);
  const shownRequest = (await admin(ctx.url, `/instances/${request.instance_code}`)).body;
  assert.equal(shownRequest.instance.reverted_instance_code, original);
  assert.deepEqual(shownRequest.revoke_requests, []);
});

// ---- races ----

test('approving the last task of a revoke request and withdrawing it at the same time: exactly one wins, both instances agree', async (t) => {
  const ctx = await serve(t);
  for (let round = 0; round < 4; round++) {
    const { original, request } = await beingRevoked(ctx);
    const task = await pendingTaskOf(ctx, request.instance_code, 'ou_bob');
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        i % 2 === 0
          ? taskAction(ctx, 'approve', { approval_code: DEMO_LEAVE_CODE, instance_code: request.instance_code, user_id: 'ou_bob', task_id: task.id })
          : aliceCancels(ctx, request.instance_code),
      ),
    );
    const winners = answers.flatMap((a, i) => (a.body?.code === 0 ? [i % 2 === 0 ? 'approve' : 'cancel'] : []));
    assert.equal(winners.length, 1, answers.map((a) => a.text).join('\n'));
    for (const answer of answers) if (answer.body?.code !== 0) assertRefused(answer, 1390001);
    const [r, o] = [await getInstance(ctx, request.instance_code), await getInstance(ctx, original)];
    if (winners[0] === 'approve') {
      assert.deepEqual([r.status, o.status, o.reverted], ['APPROVED', 'CANCELED', true]);
      assert.deepEqual(await instanceEvents(ctx, original), ['PENDING', 'APPROVED', 'REVERTED']);
    } else {
      assert.deepEqual([r.status, o.status, o.reverted], ['CANCELED', 'APPROVED', false]);
      assert.deepEqual(await instanceEvents(ctx, original), ['PENDING', 'APPROVED']);
    }
  }
});

test('simultaneous withdrawals of one approved instance open exactly one revoke request', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  await approveAs(ctx, code, 'ou_bob');
  const answers = await Promise.all(Array.from({ length: 8 }, () => aliceCancels(ctx, code)));
  assert.equal(answers.filter((a) => a.body?.code === 0).length, 1, answers.map((a) => a.text).join('\n'));
  for (const answer of answers) if (answer.body?.code !== 0) assertRefused(answer, 1390001, /revoke request/);
  assert.equal((await revokeRequestsOf(ctx, code)).length, 1);
});
