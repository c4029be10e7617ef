/**
 * add_sign and specified_rollback racing an approval of the same task (rules.md "Instances and tasks": of two
 * concurrent actions on one instance exactly one wins, the other gets an error, never a half change). The
 * requests go over real sockets at the same time; the answers and the stored instance are checked.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addSign,
  approveAs,
  assertRefused,
  bobOnly,
  bobThenCarol,
  createLeave,
  getInstance,
  outboxOf,
  pendingTaskOf,
  rollback,
  serve,
  taskAction,
  type Served,
} from './helpers/approval.js';
import type { Answer } from './helpers/http.js';

const INSTANCES = 4;
const REQUESTS_PER_INSTANCE = 8;

/** Fires `fire(i)` for i = 0..REQUESTS_PER_INSTANCE-1 at once on each instance; answers which kind won on each. */
async function race<K extends string>(
  codes: string[],
  kinds: [K, K],
  fire: (code: string, kind: K) => Promise<Answer>,
): Promise<{ code: string; winner: K }[]> {
  const planned = Array.from({ length: REQUESTS_PER_INSTANCE }, (_, i) => kinds[i % 2]!);
  const answers = await Promise.all(codes.map((code) => Promise.all(planned.map((kind) => fire(code, kind)))));
  return codes.map((code, n) => {
    const winners = answers[n]!.flatMap((answer, i) => (answer.status === 200 && answer.body?.code === 0 ? [planned[i]!] : []));
    assert.equal(winners.length, 1, `exactly one winner: ${answers[n]!.map((a) => a.text).join('\n')}`);
    for (const answer of answers[n]!) if (answer.body?.code !== 0) assertRefused(answer, 1390001);
    return { code, winner: winners[0]! };
  });
}

async function instancesOf(ctx: Served, approvalCode: string): Promise<string[]> {
  const codes = [];
  for (let i = 0; i < INSTANCES; i++) codes.push(await createLeave(ctx, { approvalCode }));
  return codes;
}

test('add_sign (before) racing an approval of the same task: exactly one wins, and the instance is the winner\'s', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await bobOnly(ctx);
  const codes = await instancesOf(ctx, approvalCode);
  const tasks = new Map<string, string>();
  for (const code of codes) tasks.set(code, (await pendingTaskOf(ctx, code, 'ou_bob')).id);
  const results = await race(codes, ['approve', 'add_sign'], (code, kind) => {
    const body = { approval_code: approvalCode, instance_code: code, task_id: tasks.get(code)! };
    return kind === 'approve'
      ? taskAction(ctx, 'approve', { ...body, user_id: 'ou_bob' })
      : addSign(ctx, { ...body, user_id: 'u_bob', add_sign_user_ids: ['u_carol'], add_sign_type: 1, approval_method: 2 });
  });
  for (const { code, winner } of results) {
    const instance = await getInstance(ctx, code);
    const approved = winner === 'approve';
    assert.equal(instance.status, approved ? 'APPROVED' : 'PENDING');
    assert.deepEqual(instance.timeline.map((e: any) => e.type), ['START', approved ? 'PASS' : 'ADD_APPROVER_BEFORE']);
    assert.deepEqual(
      instance.task_list.map((task: any) => [task.open_id, task.status]),
      approved ? [['ou_bob', 'APPROVED']] : [['ou_bob', 'DONE'], ['ou_carol', 'PENDING']],
    );
    const seqs = (await outboxOf(ctx, code)).map((r) => r.seq);
    assert.equal(new Set(seqs).size, seqs.length);
  }
});

test('specified_rollback racing an approval of the same task: exactly one wins, and the instance is the winner\'s', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await bobThenCarol(ctx);
  const codes = await instancesOf(ctx, approvalCode);
  const tasks = new Map<string, string>();
  for (const code of codes) {
    await approveAs(ctx, code, 'ou_bob', approvalCode);
    tasks.set(code, (await pendingTaskOf(ctx, code, 'ou_carol')).id);
  }
  const results = await race(codes, ['approve', 'rollback'], (code, kind) => {
    const taskId = tasks.get(code)!;
    return kind === 'approve'
      ? taskAction(ctx, 'approve', { approval_code: approvalCode, instance_code: code, user_id: 'ou_carol', task_id: taskId })
      : rollback(ctx, { user_id: 'ou_carol', task_id: taskId, task_def_key_list: ['bob'] });
  });
  for (const { code, winner } of results) {
    const instance = await getInstance(ctx, code);
    const approved = winner === 'approve';
    assert.equal(instance.status, approved ? 'APPROVED' : 'PENDING');
    assert.deepEqual(instance.timeline.map((e: any) => e.type), ['START', 'PASS', approved ? 'PASS' : 'ROLLBACK_SELECTED']);
    assert.deepEqual(
      instance.task_list.map((task: any) => [task.open_id, task.status]),
      approved
        ? [['ou_bob', 'APPROVED'], ['ou_carol', 'APPROVED']]
        : [['ou_bob', 'APPROVED'], ['ou_carol', 'DONE'], ['ou_bob', 'PENDING']],
    );
    const statuses = (await outboxOf(ctx, code)).map((r) => r.payload.status);
    assert.equal(statuses.filter((s) => s === 'ROLLBACK').length, approved ? 0 : 1);
  }
});
