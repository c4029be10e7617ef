/**
 * `settings.reject_option = 1` and `POST /tasks/resubmit` end to end (approval-v4.md §2.2, §4.1; README
 * "Differences from Feishu"): a reject returns the request to its submitter, who sends it again with a new form;
 * the tasks, timeline and events of both, withdrawal of a returned request, and every refusal.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  aliceCancels,
  approveAs,
  assertRefused,
  createLeave,
  customDefinition,
  getInstance,
  instanceEvents,
  outboxOf,
  pendingTaskOf,
  reasonForm,
  rejectAs,
  resubmit,
  revokeRequestOf,
  serve,
  V4,
  type Served,
} from './helpers/approval.js';
import { GLOBEX_APP, globexFixture } from './helpers/fixtures.js';
import { admin, call, tenantToken } from './helpers/http.js';

/** A definition of Bob (node `bob`) then Dave (node `dave`) whose rejects return to the submitter. */
const returning = (ctx: Served, settings: Record<string, number> = {}) =>
  customDefinition(ctx, {
    nodes: [
      { id: 'bob', node_type: 'AND', approver: [{ type: 'Personal', user_id: 'u_bob' }] },
      { id: 'dave', node_type: 'AND', approver: [{ type: 'Personal', user_id: 'u_dave' }] },
    ],
    settings: { reject_option: 1, ...settings },
  });

/** Alice's request, approved by Bob and rejected by Dave, so back with Alice: the body of her resubmit. */
async function returned(ctx: Served, settings?: Record<string, number>, extra?: Record<string, unknown>) {
  const approvalCode = await returning(ctx, settings);
  const code = await createLeave(ctx, { approvalCode, ...(extra ? { extra } : {}) });
  await approveAs(ctx, code, 'ou_bob', approvalCode);
  await rejectAs(ctx, code, 'ou_dave', approvalCode);
  const alices = await pendingTaskOf(ctx, code, 'ou_alice');
  const body = { approval_code: approvalCode, instance_code: code, user_id: 'ou_alice', task_id: alices.id, form: reasonForm('second try') };
  return { approvalCode, code, alices, body };
}

const tasksOf = (instance: any) => instance.task_list.map((t: any) => [t.open_id, t.status, t.node_id]);

test('under reject_option 1 a reject returns the request: it stays PENDING with a PENDING task of Alice at START', async (t) => {
  const ctx = await serve(t);
  const { code } = await returned(ctx);
  const instance = await getInstance(ctx, code);
  assert.equal(instance.status, 'PENDING');
  assert.equal(instance.end_time, '0');
  assert.deepEqual(tasksOf(instance).slice(1), [
    ['ou_dave', 'REJECTED', instance.task_list[1].node_id],
    ['ou_alice', 'PENDING', 'START'],
  ]);
  assert.deepEqual(instance.timeline.map((e: any) => [e.type, e.open_id]), [
    ['START', 'ou_alice'],
    ['PASS', 'ou_bob'],
    ['REJECT', 'ou_dave'],
  ]);
});

test('the return sends approval_task REJECTED, then PENDING for Alice\'s task (custom_key START); no approval_instance event', async (t) => {
  const ctx = await serve(t);
  const { code, alices } = await returned(ctx);
  const last = (await outboxOf(ctx, code)).slice(-2).map((r) => r.payload);
  assert.deepEqual(last.map((p) => [p.user_id, p.status]), [['u_dave', 'REJECTED'], ['u_alice', 'PENDING']]);
  assert.deepEqual([last[1]!.task_id, last[1]!.def_key, last[1]!.custom_key], [alices.id, 'START', 'START']);
  assert.deepEqual(await instanceEvents(ctx, code), ['PENDING']);
});

test('a preview of the returned request lists every node ahead of it', async (t) => {
  const ctx = await serve(t);
  const { code } = await returned(ctx);
  const answer = await call(ctx.url, `${V4}/instances/preview`, { token: ctx.token, json: { instance_code: code, user_id: 'ou_alice' } });
  assert.equal(answer.body.code, 0, answer.text);
  assert.deepEqual(answer.body.data.preview_nodes.map((n: any) => [n.custom_node_id, n.user_id_list]), [
    ['bob', ['ou_bob']],
    ['dave', ['ou_dave']],
  ]);
});

test('Alice resubmits with a new form: her task APPROVED, the form replaced, a second START, and Bob asked again', async (t) => {
  const ctx = await serve(t);
  const { code, alices, body } = await returned(ctx);
  const answer = await resubmit(ctx, { ...body, comment: JSON.stringify({ text: 'dates fixed', files: [] }) });
  assert.deepEqual(answer.body, { code: 0, msg: 'success', data: {} });
  const instance = await getInstance(ctx, code);
  assert.equal(instance.status, 'PENDING');
  assert.equal(JSON.parse(instance.form)[0].value, 'second try');
  const entry = instance.timeline.at(-1);
  assert.deepEqual([entry.type, entry.open_id, entry.task_id, entry.comment], ['START', 'ou_alice', alices.id, 'dates fixed']);
  assert.deepEqual(tasksOf(instance).map(([user, status]: string[]) => [user, status]), [
    ['ou_bob', 'APPROVED'],
    ['ou_dave', 'REJECTED'],
    ['ou_alice', 'APPROVED'],
    ['ou_bob', 'PENDING'],
  ]);
  const last = (await outboxOf(ctx, code)).slice(-2).map((r) => [r.payload.user_id, r.payload.status]);
  assert.deepEqual(last, [['u_alice', 'APPROVED'], ['u_bob', 'PENDING']]);
});

test('after a resubmit the route runs again to APPROVED', async (t) => {
  const ctx = await serve(t);
  const { approvalCode, code, body } = await returned(ctx);
  assert.equal((await resubmit(ctx, body)).body.code, 0);
  await approveAs(ctx, code, 'ou_bob', approvalCode);
  await approveAs(ctx, code, 'ou_dave', approvalCode);
  assert.equal((await getInstance(ctx, code)).status, 'APPROVED');
  assert.deepEqual(await instanceEvents(ctx, code), ['PENDING', 'APPROVED']);
});

test('withdrawing it once approved asks the approvers to revoke it, not the submitter for her resubmit', async (t) => {
  const ctx = await serve(t);
  const { approvalCode, code, body } = await returned(ctx);
  assert.equal((await resubmit(ctx, body)).body.code, 0);
  await approveAs(ctx, code, 'ou_bob', approvalCode);
  await approveAs(ctx, code, 'ou_dave', approvalCode);
  assert.equal((await aliceCancels(ctx, code, approvalCode)).body.code, 0);
  const request = await revokeRequestOf(ctx, code, approvalCode);
  assert.deepEqual(request.task_list.map((task: any) => task.open_id), ['ou_bob', 'ou_dave']);
});

test('user_id follows user_id_type', async (t) => {
  const ctx = await serve(t);
  const { body } = await returned(ctx);
  assertRefused(await resubmit(ctx, body, 'user_id'), 1390001, /ou_alice/);
  assert.equal((await resubmit(ctx, { ...body, user_id: 'u_alice' }, 'user_id')).body.code, 0);
});

test('allow_resubmit false at create does not refuse the API resubmit', async (t) => {
  const ctx = await serve(t);
  const { body } = await returned(ctx, {}, { allow_resubmit: false });
  assert.equal((await resubmit(ctx, body)).body.code, 0);
});

test('a bad form or comment answers 1390001 and changes nothing', async (t) => {
  const ctx = await serve(t);
  const { code, body } = await returned(ctx);
  assertRefused(await resubmit(ctx, { ...body, form: '[]' }), 1390001, /reason/);
  assertRefused(await resubmit(ctx, { ...body, form: 'not json' }), 1390001, /form/);
  assertRefused(await resubmit(ctx, { ...body, comment: 'plain text' }), 1390001, /comment/);
  const { form: _form, ...withoutForm } = body;
  assertRefused(await resubmit(ctx, withoutForm), 1390001, /form/);
  const instance = await getInstance(ctx, code);
  assert.equal(JSON.parse(instance.form)[0].value, 'a day off');
  assert.equal(instance.timeline.length, 3);
});

test('only Alice may resubmit, only her returned task: an approval task or a finished one answers 1390001', async (t) => {
  const ctx = await serve(t);
  const { approvalCode, code, body } = await returned(ctx);
  assertRefused(await resubmit(ctx, { ...body, user_id: 'ou_bob' }), 1390001, /assignee/);
  assert.equal((await resubmit(ctx, body)).body.code, 0);
  assertRefused(await resubmit(ctx, body), 1390001, /APPROVED/);
  const bobs = await pendingTaskOf(ctx, code, 'ou_bob');
  assertRefused(await resubmit(ctx, { ...body, user_id: 'ou_bob', task_id: bobs.id }), 1390001, /approval task/);
  assertRefused(await resubmit(ctx, { ...body, approval_code: approvalCode, task_id: '1234567890' }), 1390010);
});

test('unknown codes answer 1390002 and 1390003; a request rejected under reject_option 0 cannot be resubmitted', async (t) => {
  const ctx = await serve(t);
  const { body } = await returned(ctx);
  assertRefused(await resubmit(ctx, { ...body, approval_code: 'NO-SUCH-CODE' }), 1390002);
  assertRefused(await resubmit(ctx, { ...body, instance_code: 'NO-SUCH-INSTANCE' }), 1390003);
  const ending = await returning(ctx, { reject_option: 0 });
  const code = await createLeave(ctx, { approvalCode: ending });
  await rejectAs(ctx, code, 'ou_bob', ending);
  const rejected = await getInstance(ctx, code);
  assert.equal(rejected.status, 'REJECTED');
  const task_id = rejected.task_list[0].id;
  assertRefused(await resubmit(ctx, { ...body, approval_code: ending, instance_code: code, task_id }), 1390001, /REJECTED/);
});

test('a returned request is withdrawn like any PENDING one: allowed under revert_option 1, Alice\'s task closes DONE', async (t) => {
  const ctx = await serve(t);
  const { approvalCode, code } = await returned(ctx);
  assert.equal((await aliceCancels(ctx, code, approvalCode)).body.code, 0);
  const instance = await getInstance(ctx, code);
  assert.equal(instance.status, 'CANCELED');
  assert.deepEqual(tasksOf(instance).at(-1), ['ou_alice', 'DONE', 'START']);
  assert.deepEqual(await instanceEvents(ctx, code), ['PENDING', 'CANCELED']);
});

test('under revert_option 0 a returned request cannot be withdrawn (1390001)', async (t) => {
  const ctx = await serve(t);
  const { approvalCode, code } = await returned(ctx, { revert_option: 0 });
  assertRefused(await aliceCancels(ctx, code, approvalCode), 1390001, /withdraw/);
  assert.equal((await getInstance(ctx, code)).status, 'PENDING');
});

test("another tenant's token cannot resubmit acme's request (1390002); nothing changes", async (t) => {
  const ctx = await serve(t);
  assert.equal((await admin(ctx.url, '/fixtures', { json: globexFixture() })).status, 200);
  const { code, body } = await returned(ctx);
  const globex = await tenantToken(ctx.url, GLOBEX_APP);
  assertRefused(await resubmit(ctx, body, undefined, globex), 1390002);
  assert.equal((await getInstance(ctx, code)).timeline.length, 3);
});
