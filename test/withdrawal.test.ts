/**
 * Withdrawal, POST /open-apis/approval/v4/instances/cancel (rules.md "Withdrawal"), end to end: real HTTP,
 * real SQLite. One rule per test, in the order of rules.md's checks.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { test } from 'node:test';
import { DEMO_LEAVE_CODE, DEMO_PURCHASE_CODE } from '../src/fixtures/demo.js';
import {
  advanceClock,
  aliceCancels,
  approveAs,
  assertRefused,
  bobOnly,
  cancel,
  createInstance,
  createLeave,
  getInstance,
  getInstanceAnswer,
  instanceEvents,
  loadFixture,
  outboxOf,
  rejectAs,
  revokeRequestOf,
  serve,
  V4,
  DEMO_CALLER,
  type Served,
} from './helpers/approval.js';
import type { WithdrawalRequest } from '../src/services/withdrawal-service.js';
import { call, tenantToken } from './helpers/http.js';

const DAY_S = 86_400;
const LEAVE_WINDOW_MS = 2_678_400 * 1000;

/** A leave instance of Alice's that Bob has approved. */
async function approvedLeave(ctx: Served): Promise<string> {
  const code = await createLeave(ctx);
  await approveAs(ctx, code, 'ou_bob');
  assert.equal((await getInstance(ctx, code)).status, 'APPROVED');
  return code;
}

// ---- success on a pending instance ----

test('withdrawing a pending instance answers HTTP 200 {"code":0,"msg":"success","data":{}}', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  const answer = await aliceCancels(ctx, code);
  assert.equal(answer.status, 200, answer.text);
  assert.deepEqual(answer.body, { code: 0, msg: 'success', data: {} });
  assert.ok(answer.headers.get('x-tt-logid'), 'X-Tt-Logid header');
});

test('a withdrawn pending instance reads CANCELED with an end_time', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  assert.equal((await getInstance(ctx, code)).end_time, '0');
  assert.equal((await aliceCancels(ctx, code)).body.code, 0);
  const instance = await getInstance(ctx, code);
  assert.equal(instance.status, 'CANCELED');
  assert.notEqual(instance.end_time, '0');
  assert.ok(Number(instance.end_time) >= Number(instance.start_time));
  assert.equal(instance.reverted, false);
});

test('withdrawing a pending instance closes its pending task as DONE', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  const [before] = (await getInstance(ctx, code)).task_list;
  assert.equal(before.status, 'PENDING');
  await aliceCancels(ctx, code);
  const tasks = (await getInstance(ctx, code)).task_list;
  assert.equal(tasks.length, 1);
  assert.equal(tasks[0].id, before.id);
  assert.equal(tasks[0].status, 'DONE');
  assert.notEqual(tasks[0].end_time, '0');
});

test('withdrawing writes a CANCEL timeline entry by the submitter, named per user_id_type', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  await aliceCancels(ctx, code);
  for (const [type, id] of [['user_id', 'u_alice'], ['union_id', 'on_alice'], ['open_id', 'ou_alice']] as const) {
    const instance = await getInstance(ctx, code, type);
    const last = instance.timeline.at(-1);
    assert.equal(last.type, 'CANCEL');
    assert.equal(last.user_id, id, type);
    assert.equal(last.open_id, 'ou_alice');
    assert.equal(last.create_time, instance.end_time);
  }
});

test('withdrawing a pending instance queues approval_instance CANCELED and approval_task DONE for the closed task', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  const [task] = (await getInstance(ctx, code)).task_list;
  const before = (await outboxOf(ctx, code)).length;
  await aliceCancels(ctx, code);
  const added = (await outboxOf(ctx, code)).slice(before);
  const instanceEvent = added.find((r) => r.event_type === 'approval_instance');
  assert.equal(instanceEvent?.payload.status, 'CANCELED');
  assert.equal(instanceEvent.payload.instance_code, code);
  assert.equal(instanceEvent.payload.approval_code, DEMO_LEAVE_CODE);
  assert.equal(typeof instanceEvent.payload.operate_time, 'string');
  const taskEvents = added.filter((r) => r.event_type === 'approval_task');
  assert.deepEqual(
    taskEvents.map((r) => [r.payload.task_id, r.payload.status]),
    [[task.id, 'DONE']],
  );
  assert.equal(added.length, 2);
});

test('cancel_bot_notification 4 suppresses only the bot notice: the CANCELED event is still queued', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx, { extra: { cancel_bot_notification: '4' } });
  assert.equal((await aliceCancels(ctx, code)).body.code, 0);
  assert.deepEqual((await instanceEvents(ctx, code)), ['PENDING', 'CANCELED']);
});

// ---- check 2: the body ----

test('a withdrawal without approval_code answers 1390001', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  assertRefused(await cancel(ctx, { instance_code: code, user_id: 'ou_alice' }), 1390001, /approval_code/);
  assert.equal((await getInstance(ctx, code)).status, 'PENDING');
});

test('a withdrawal with an empty instance_code answers 1390001', async (t) => {
  const ctx = await serve(t);
  assertRefused(
    await cancel(ctx, { approval_code: DEMO_LEAVE_CODE, instance_code: '', user_id: 'ou_alice' }),
    1390001,
    /instance_code/,
  );
});

test('a withdrawal with user_id given as a number answers 1390001', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  assertRefused(await cancel(ctx, { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: 42 }), 1390001, /user_id/);
  assert.equal((await getInstance(ctx, code)).status, 'PENDING');
});

test('a withdrawal with user_id_type=email answers 1390001', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  const answer = await call(ctx.url, `${V4}/instances/cancel?user_id_type=email`, {
    token: ctx.token,
    json: { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: 'alice@example.com' },
  });
  assertRefused(answer, 1390001, /user_id_type/);
  assert.equal((await getInstance(ctx, code)).status, 'PENDING');
});

test('a withdrawal whose body is not JSON answers 1390001', async (t) => {
  const ctx = await serve(t);
  const answer = await call(ctx.url, `${V4}/instances/cancel`, {
    token: ctx.token,
    raw: '{"approval_code": "7C468A54-8745-2245-9675-08B7C63E7A85", ',
    headers: { 'content-type': 'application/json' },
  });
  assertRefused(answer, 1390001, /JSON/);
});

// ---- checks 3 and 4: definition, then instance of that definition ----

test('a withdrawal naming an unknown approval code answers 1390002', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  assertRefused(
    await cancel(ctx, { approval_code: '00000000-0000-0000-0000-000000000000', instance_code: code, user_id: 'ou_alice' }),
    1390002,
  );
  assert.equal((await getInstance(ctx, code)).status, 'PENDING');
});

test('a withdrawal naming an unknown instance code answers 1390003', async (t) => {
  const ctx = await serve(t);
  assertRefused(
    await cancel(ctx, {
      approval_code: DEMO_LEAVE_CODE,
      instance_code: '81D31358-93AF-92D6-7425-01A5D67C4E71',
      user_id: 'ou_alice',
    }),
    1390003,
  );
});

test('withdrawing an instance under another definition of the same tenant answers 1390003', async (t) => {
  const ctx = await serve(t);
  const other = await bobOnly(ctx);
  const code = await createLeave(ctx, { approvalCode: other });
  assertRefused(await aliceCancels(ctx, code, DEMO_LEAVE_CODE), 1390003);
  assert.equal((await getInstance(ctx, code)).status, 'PENDING');
});

// ---- check order ----

test('a request without a token answers 99991661 before the body is looked at', async (t) => {
  const ctx = await serve(t);
  const answer = await call(ctx.url, `${V4}/instances/cancel`, { json: { approval_code: 42 } });
  assert.equal(answer.status, 400);
  assert.equal(answer.body.code, 99991661);
});

test('a malformed body answers 1390001 even when the approval code is unknown too (check 2 before 3)', async (t) => {
  const ctx = await serve(t);
  assertRefused(
    await cancel(ctx, { approval_code: 'NO-SUCH-CODE', instance_code: 'NO-SUCH-INSTANCE', user_id: 7 }),
    1390001,
    /user_id/,
  );
});

test('a wrong approval code and a wrong instance code answer 1390002, not 1390003 (check 3 before 4)', async (t) => {
  const ctx = await serve(t);
  assertRefused(
    await cancel(ctx, { approval_code: 'NO-SUCH-CODE', instance_code: 'NO-SUCH-INSTANCE', user_id: 'ou_alice' }),
    1390002,
  );
});

test('an instance of another definition answers 1390003 even to a non-submitter (check 4 before 5)', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx, { approvalCode: await bobOnly(ctx) });
  assertRefused(await cancel(ctx, { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: 'ou_nobody' }), 1390003);
});

test('a non-submitter withdrawing a forbid_revoke instance is told about the submitter (check 5 before 6)', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx, { forbid_revoke: true });
  const reason = assertRefused(
    await cancel(ctx, { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: 'ou_bob' }),
    1390001,
    /submitter/,
  );
  assert.doesNotMatch(reason, /forbid_revoke/);
});

test('an unknown user withdrawing a forbid_revoke instance is told the user is unknown (check 5 before 6)', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx, { forbid_revoke: true });
  const reason = assertRefused(
    await cancel(ctx, { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: 'ou_nobody' }),
    1390001,
    /ou_nobody/,
  );
  assert.doesNotMatch(reason, /forbid_revoke/);
});

test('a forbid_revoke instance of a definition without pending withdrawal is refused for forbid_revoke (check 6 before 7)', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx, { approvalCode: await bobOnly(ctx, { revert_option: 0 }), forbid_revoke: true });
  const answer = await cancel(ctx, { approval_code: (await getInstance(ctx, code)).approval_code, instance_code: code, user_id: 'ou_alice' });
  const reason = assertRefused(answer, 1390001, /forbid_revoke/);
  assert.doesNotMatch(reason, /revert_option/);
});

// ---- check 5: the submitter ----

test('withdrawing by a user who is not the submitter answers 1390001', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  assertRefused(
    await cancel(ctx, { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: 'ou_bob' }),
    1390001,
    /submitter/,
  );
  assert.equal((await getInstance(ctx, code)).status, 'PENDING');
});

test('withdrawing by an unknown user answers 1390001', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  assertRefused(
    await cancel(ctx, { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: 'ou_nobody' }),
    1390001,
    /ou_nobody/,
  );
  assert.equal((await getInstance(ctx, code)).status, 'PENDING');
});

test("the submitter's id of another type than user_id_type names nobody and answers 1390001", async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  assertRefused(
    await cancel(ctx, { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: 'ou_alice' }, 'user_id'),
    1390001,
    /ou_alice/,
  );
  assert.equal((await getInstance(ctx, code)).status, 'PENDING');
});

// ---- check 6: forbid_revoke ----

test('withdrawing an instance created with forbid_revoke: true answers 1390001', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx, { forbid_revoke: true });
  assertRefused(await aliceCancels(ctx, code), 1390001, /forbid_revoke/);
  assert.equal((await getInstance(ctx, code)).status, 'PENDING');
});

// ---- check 7: by status ----

test('withdrawing a pending instance of a revert_option 0 definition answers 1390001', async (t) => {
  const ctx = await serve(t);
  const answer = await createInstance(ctx, {
    approval_code: DEMO_PURCHASE_CODE,
    open_id: 'ou_alice',
    form: JSON.stringify([
      { id: 'item', type: 'input', value: 'laptop' },
      { id: 'amount', type: 'amount', value: '1200' },
    ]),
  });
  const code = answer.body.data.instance_code;
  assertRefused(await aliceCancels(ctx, code, DEMO_PURCHASE_CODE), 1390001, /under approval|revert_option/);
  assert.equal((await getInstance(ctx, code)).status, 'PENDING');
});

test('withdrawing an approved instance within revert_interval succeeds', async (t) => {
  const ctx = await serve(t);
  const code = await approvedLeave(ctx);
  const answer = await aliceCancels(ctx, code);
  assert.equal(answer.status, 200, answer.text);
  assert.deepEqual(answer.body, { code: 0, msg: 'success', data: {} });
});

test('a withdrawn approved instance reads CANCELED with reverted: true once its revoke request is approved', async (t) => {
  const ctx = await serve(t);
  const code = await approvedLeave(ctx);
  await aliceCancels(ctx, code);
  assert.equal((await getInstance(ctx, code)).status, 'PENDING');
  await approveAs(ctx, (await revokeRequestOf(ctx, code)).instance_code, 'ou_bob');
  const instance = await getInstance(ctx, code);
  assert.equal(instance.status, 'CANCELED');
  assert.equal(instance.reverted, true);
  assert.equal(instance.timeline.at(-1).type, 'CANCEL');
  assert.equal(instance.timeline.at(-1).open_id, 'ou_alice');
  assert.deepEqual((await instanceEvents(ctx, code)), ['PENDING', 'APPROVED', 'REVERTED']);
});

test('withdrawing an approved instance in the last hour of the window succeeds', async (t) => {
  const ctx = await serve(t);
  const code = await approvedLeave(ctx);
  // An hour to spare: the server clock runs on while the test does, and the exact bound is a unit test's.
  await advanceClock(ctx, LEAVE_WINDOW_MS - 3_600_000);
  assert.equal((await aliceCancels(ctx, code)).body.code, 0);
  assert.equal((await revokeRequestOf(ctx, code)).status, 'PENDING');
});

test('withdrawing an approved instance one second after the window answers 1390001', async (t) => {
  const ctx = await serve(t);
  const code = await approvedLeave(ctx);
  await advanceClock(ctx, LEAVE_WINDOW_MS + 1000);
  assertRefused(await aliceCancels(ctx, code), 1390001, /window/);
  const instance = await getInstance(ctx, code);
  assert.equal(instance.status, 'APPROVED');
  assert.equal(instance.reverted, false);
});

test('withdrawing an approved instance long after the window answers 1390001', async (t) => {
  const ctx = await serve(t);
  const code = await approvedLeave(ctx);
  await advanceClock(ctx, 40 * DAY_S * 1000);
  assertRefused(await aliceCancels(ctx, code), 1390001, /^withdrawal window closed: the instance was approved at .* allows 2678400 seconds after approval$/);
  assert.equal((await getInstance(ctx, code)).status, 'APPROVED');
});

test('withdrawing an approved instance of a revert_interval 0 definition answers 1390001', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await bobOnly(ctx, { revert_option: 1, revert_interval: 0 });
  const code = await createLeave(ctx, { approvalCode });
  await approveAs(ctx, code, 'ou_bob', approvalCode);
  assertRefused(
    await aliceCancels(ctx, code, approvalCode),
    1390001,
    /^the definition does not allow withdrawing approved requests \(settings\.revert_interval is 0\)$/,
  );
  assert.equal((await getInstance(ctx, code)).status, 'APPROVED');
});

test('withdrawing a rejected instance answers 1390001', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  await rejectAs(ctx, code, 'ou_bob');
  assertRefused(await aliceCancels(ctx, code), 1390001, /REJECTED|finished/);
  assert.equal((await getInstance(ctx, code)).status, 'REJECTED');
});

test('a second withdrawal answers 1390001 and changes nothing', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  assert.equal((await aliceCancels(ctx, code)).body.code, 0);
  const before = await getInstance(ctx, code);
  const outboxBefore = (await outboxOf(ctx, code)).length;
  assertRefused(await aliceCancels(ctx, code), 1390001, /withdrawn/);
  const after = await getInstance(ctx, code);
  assert.equal(after.timeline.length, before.timeline.length);
  assert.equal((await outboxOf(ctx, code)).length, outboxBefore);
  assert.deepEqual(after, before);
});

// ---- refusals as values ----

test('the withdrawal service answers every refusal as a value, not a rejection, in the checks\' order', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  const cancel = (change: Partial<WithdrawalRequest>) =>
    ctx.server.services.withdrawals.cancel(DEMO_CALLER, { approvalCode: DEMO_LEAVE_CODE, instanceCode: code, userId: 'ou_alice', userIdType: 'open_id', ...change });
  const refusedWith = async (change: Partial<WithdrawalRequest>) => {
    const answer = await cancel(change);
    assert.equal(answer.ok, false, JSON.stringify(change));
    return answer.ok ? undefined : answer.refusal.code;
  };
  assert.equal(await refusedWith({ approvalCode: 'NO-SUCH-DEFINITION', instanceCode: 'NO-SUCH-INSTANCE' }), 1390002);
  assert.equal(await refusedWith({ instanceCode: 'NO-SUCH-INSTANCE', userId: 'ou_nobody' }), 1390003);
  assert.equal(await refusedWith({ userId: 'ou_nobody' }), 1390001);
  assert.equal(await refusedWith({ userId: 'ou_bob' }), 1390001);
  assert.deepEqual(await cancel({}), { ok: true, value: undefined });
  assert.equal(await refusedWith({}), 1390001);
});

// ---- user_id_type ----

for (const [type, id] of [
  [undefined, 'ou_alice'],
  ['open_id', 'ou_alice'],
  ['union_id', 'on_alice'],
  ['user_id', 'u_alice'],
] as const) {
  test(`the submitter withdraws naming herself by ${type ?? 'open_id (no user_id_type)'}`, async (t) => {
    const ctx = await serve(t);
    const code = await createLeave(ctx);
    const answer = await cancel(ctx, { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: id }, type);
    assert.deepEqual(answer.body, { code: 0, msg: 'success', data: {} });
    assert.equal((await getInstance(ctx, code)).status, 'CANCELED');
  });
}

// ---- tenants ----

const GLOBEX = { app_id: 'cli_globex_withdrawal', app_secret: 'globex-withdrawal-secret' };

/** A second tenant whose Alice carries the same user_id, open_id and union_id strings as acme's. */
const globex = {
  tenants: [
    {
      tenant_key: 'globex',
      name: 'Globex Corp',
      apps: [GLOBEX],
      departments: [{ department_id: 'eng', name: 'Globex Engineering' }],
      users: [{ user_id: 'u_alice', open_id: 'ou_alice', union_id: 'on_alice', name: 'Alice of Globex', department_ids: ['eng'] }],
    },
  ],
};

test("another tenant's token withdrawing acme's instance answers 1390002 (the code is not visible there)", async (t) => {
  const ctx = await serve(t);
  await loadFixture(ctx, globex);
  const code = await createLeave(ctx);
  const outboxBefore = (await outboxOf(ctx, code)).length;
  const globexToken = await tenantToken(ctx.url, GLOBEX);
  assertRefused(
    await cancel(ctx, { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: 'ou_alice' }, undefined, globexToken),
    1390002,
  );
  const instance = await getInstance(ctx, code);
  assert.equal(instance.status, 'PENDING');
  assert.equal(instance.timeline.length, 1);
  assert.equal((await outboxOf(ctx, code)).length, outboxBefore);
});

test("another tenant's token reading acme's instance answers 1390003", async (t) => {
  const ctx = await serve(t);
  await loadFixture(ctx, globex);
  const code = await createLeave(ctx);
  const globexToken = await tenantToken(ctx.url, GLOBEX);
  assertRefused(await getInstanceAnswer(ctx, code, undefined, globexToken), 1390003);
});

// ---- the documentation's example ----

test("the seed page's curl call works verbatim: Authorization and Content-Type headers, three body keys", async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  const body = `{
\t"approval_code": "${DEMO_LEAVE_CODE}",
\t"instance_code": "${code}",
\t"user_id": "ou_alice"
}`;
  const url = new URL(`${ctx.url}${V4}/instances/cancel?user_id_type=open_id`);
  const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: 'POST', headers: { Authorization: `Bearer ${ctx.token}`, 'Content-Type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
  assert.equal(answer.status, 200, answer.text);
  assert.deepEqual(JSON.parse(answer.text), { code: 0, msg: 'success', data: {} });
  assert.equal((await getInstance(ctx, code)).status, 'CANCELED');
});
