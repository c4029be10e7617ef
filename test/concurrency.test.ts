/**
 * Concurrent actions on one instance (rules.md "Instances and tasks": every state change is one
 * transaction; of two concurrent actions exactly one wins, the other gets an error, never a half change).
 * The requests go over real sockets at the same time; the answers and the stored rows are checked.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assertRefused,
  bobOnly,
  cancel,
  createInstance,
  createLeave,
  getInstance,
  instanceEvents,
  outboxOf,
  pendingTaskOf,
  reasonForm,
  serve,
  taskAction,
  V4,
  type Served,
} from './helpers/approval.js';
import type { Answer } from './helpers/http.js';
import { call } from './helpers/http.js';

const INSTANCES = 5;
const REQUESTS_PER_INSTANCE = 10;

type Action = 'approve' | 'cancel';

/**
 * A definition where approving and withdrawing exclude each other: withdrawal is allowed while
 * pending (revert_option 1) but never after approval (revert_interval 0).
 */
const exclusiveDefinition = (ctx: Served) => bobOnly(ctx, { revert_option: 1, revert_interval: 0 });

function fire(ctx: Served, approvalCode: string, instanceCode: string, taskId: string, action: Action): Promise<Answer> {
  return action === 'approve'
    ? taskAction(ctx, 'approve', { approval_code: approvalCode, instance_code: instanceCode, user_id: 'ou_bob', task_id: taskId })
    : cancel(ctx, { approval_code: approvalCode, instance_code: instanceCode, user_id: 'ou_alice' });
}

/** Creates the instances, then fires every action for every instance at once. */
async function race(ctx: Served, approvalCode: string, actions: (i: number) => Action) {
  const targets: { code: string; taskId: string }[] = [];
  for (let i = 0; i < INSTANCES; i++) {
    const code = await createLeave(ctx, { approvalCode });
    targets.push({ code, taskId: (await pendingTaskOf(ctx, code, 'ou_bob')).id });
  }
  const planned = targets.map((target) => Array.from({ length: REQUESTS_PER_INSTANCE }, (_, i) => actions(i)));
  const answers = await Promise.all(
    targets.map((target, n) =>
      Promise.all(planned[n]!.map((action) => fire(ctx, approvalCode, target.code, target.taskId, action))),
    ),
  );
  return targets.map((target, n) => ({ ...target, actions: planned[n]!, answers: answers[n]! }));
}

/** The one winning action of an instance; every other answer is a 1390001 envelope (never a 5xx). */
function winnerOf(actions: Action[], answers: Answer[]): Action {
  const winners = answers.flatMap((answer, i) => (answer.status === 200 && answer.body?.code === 0 ? [actions[i]!] : []));
  assert.equal(winners.length, 1, `exactly one winner: ${answers.map((a) => a.text).join('\n')}`);
  for (const answer of answers) {
    assert.ok(answer.status < 500, `no 5xx: ${answer.text}`);
    if (answer.body?.code !== 0) assertRefused(answer, 1390001);
  }
  return winners[0]!;
}

test('of simultaneous approvals and withdrawals of one instance exactly one succeeds; the others answer 1390001', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await exclusiveDefinition(ctx);
  const results = await race(ctx, approvalCode, (i) => (i % 2 === 0 ? 'approve' : 'cancel'));
  for (const { actions, answers } of results) winnerOf(actions, answers);
});

test('after a race the instance status is the winner\'s: APPROVED when an approval won, CANCELED when a withdrawal won', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await exclusiveDefinition(ctx);
  const results = await race(ctx, approvalCode, (i) => (i % 2 === 0 ? 'cancel' : 'approve'));
  for (const { code, actions, answers } of results) {
    const winner = winnerOf(actions, answers);
    const instance = await getInstance(ctx, code);
    assert.equal(instance.status, winner === 'approve' ? 'APPROVED' : 'CANCELED');
    assert.equal(instance.reverted, false);
    assert.deepEqual(
      instance.task_list.map((task: any) => task.status),
      [winner === 'approve' ? 'APPROVED' : 'DONE'],
    );
  }
});

test('after a race the timeline holds exactly one PASS or one CANCEL, never both, never twice', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await exclusiveDefinition(ctx);
  const results = await race(ctx, approvalCode, (i) => (i % 3 === 0 ? 'approve' : 'cancel'));
  for (const { code, actions, answers } of results) {
    const winner = winnerOf(actions, answers);
    const types = (await getInstance(ctx, code)).timeline.map((e: any) => e.type);
    assert.deepEqual(types, ['START', winner === 'approve' ? 'PASS' : 'CANCEL']);
  }
});

test('after a race the outbox holds approval_instance PENDING then the winner\'s status, once', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await exclusiveDefinition(ctx);
  const results = await race(ctx, approvalCode, (i) => (i % 2 === 0 ? 'approve' : 'cancel'));
  for (const { code, actions, answers } of results) {
    const winner = winnerOf(actions, answers);
    assert.deepEqual((await instanceEvents(ctx, code)), ['PENDING', winner === 'approve' ? 'APPROVED' : 'CANCELED']);
    const seqs = (await outboxOf(ctx, code)).map((r) => r.seq);
    assert.equal(new Set(seqs).size, seqs.length);
  }
});

test('of simultaneous approvals of one task exactly one succeeds', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await exclusiveDefinition(ctx);
  const results = await race(ctx, approvalCode, () => 'approve');
  for (const { code, actions, answers } of results) {
    winnerOf(actions, answers);
    const instance = await getInstance(ctx, code);
    assert.equal(instance.status, 'APPROVED');
    assert.deepEqual(instance.timeline.map((e: any) => e.type), ['START', 'PASS']);
    assert.deepEqual((await instanceEvents(ctx, code)), ['PENDING', 'APPROVED']);
  }
});

test('of simultaneous withdrawals of one instance exactly one succeeds', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await exclusiveDefinition(ctx);
  const results = await race(ctx, approvalCode, () => 'cancel');
  for (const { code, actions, answers } of results) {
    winnerOf(actions, answers);
    const instance = await getInstance(ctx, code);
    assert.equal(instance.status, 'CANCELED');
    assert.deepEqual(instance.timeline.map((e: any) => e.type), ['START', 'CANCEL']);
    assert.deepEqual((await instanceEvents(ctx, code)), ['PENDING', 'CANCELED']);
    const taskEvents = (await outboxOf(ctx, code)).filter((r) => r.event_type === 'approval_task').map((r) => r.payload.status);
    assert.deepEqual(taskEvents, ['PENDING', 'DONE']);
  }
});

test('simultaneous creates with one uuid create one instance; every other request answers 60012 naming it', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await exclusiveDefinition(ctx);
  const body = { approval_code: approvalCode, open_id: 'ou_alice', form: reasonForm(), uuid: 'same-request-42' };
  const answers = await Promise.all(Array.from({ length: REQUESTS_PER_INSTANCE }, () => createInstance(ctx, body)));
  const created = answers.filter((a) => a.body?.code === 0);
  assert.equal(created.length, 1, answers.map((a) => a.text).join('\n'));
  const code = created[0]!.body.data.instance_code as string;
  for (const answer of answers.filter((a) => a !== created[0])) {
    assert.equal(answer.status, 400, answer.text);
    assert.equal(answer.body.code, 60012, answer.text);
    assert.match(answer.body.error.details[0].value, new RegExp(code));
  }
  const list = await call(ctx.url, `${V4}/instances?approval_code=${approvalCode}&start_time=0&end_time=9999999999999`, {
    token: ctx.token,
  });
  assert.deepEqual(list.body.data.instance_code_list, [code]);
});
