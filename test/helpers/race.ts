/** Races on one instance, through one server or several: exactly one action may win. */
import assert from 'node:assert/strict';
import { call, type Answer } from './http.js';

const V4 = '/open-apis/approval/v4';

/**
 * One definition for races in the demo tenant: Bob approves; revert_interval 0, so an approved instance can
 * not be withdrawn and approve and cancel exclude each other.
 */
export const raceFixture = (approvalCode: string) => ({
  tenants: [
    {
      tenant_key: 'acme',
      approvals: [
        {
          approval_code: approvalCode,
          approval_name: 'Race',
          viewers: [{ viewer_type: 'TENANT' }],
          form: { form_content: JSON.stringify([{ id: 'reason', type: 'input', name: 'Reason' }]) },
          node_list: [
            { id: 'START' },
            { id: 'manager', name: 'Manager', node_type: 'AND', approver: [{ type: 'Personal', user_id: 'u_bob' }] },
            { id: 'END' },
          ],
          settings: { revert_option: 1, revert_interval: 0 },
          i18n_resources: [{ locale: 'en-US', is_default: true, texts: [] }],
        },
      ],
    },
  ],
});

/**
 * Four approvals of the instance's task by Bob raced against four withdrawals by Alice, sent in turn to the
 * servers at `urls`: exactly one wins, every other is refused with 1390001, and the instance is the winner's.
 */
export async function raceApproveAndWithdraw(urls: string[], token: string, approvalCode: string, instanceCode: string): Promise<void> {
  const at = (i: number) => urls[i % urls.length]!;
  const detail = await call(at(0), `${V4}/instances/${instanceCode}`, { token });
  const taskId = detail.body.data.task_list[0].id;
  const actions: Promise<Answer>[] = [];
  for (let i = 0; i < 4; i++) {
    actions.push(
      call(at(i), `${V4}/tasks/approve`, {
        token,
        json: { approval_code: approvalCode, instance_code: instanceCode, user_id: 'ou_bob', task_id: taskId },
      }),
      call(at(i), `${V4}/instances/cancel`, {
        token,
        json: { approval_code: approvalCode, instance_code: instanceCode, user_id: 'ou_alice' },
      }),
    );
  }
  const answers = await Promise.all(actions);
  for (const answer of answers) assert.ok(answer.status < 500, answer.text);
  const winners = answers.filter((x) => x.body.code === 0);
  assert.equal(winners.length, 1, answers.map((x) => x.text).join('\n'));
  for (const loser of answers.filter((x) => x.body.code !== 0)) assert.equal(loser.body.code, 1390001, loser.text);

  const final = (await call(at(urls.length - 1), `${V4}/instances/${instanceCode}`, { token })).body.data;
  const approvedWon = answers.indexOf(winners[0]!) % 2 === 0;
  assert.equal(final.status, approvedWon ? 'APPROVED' : 'CANCELED');
  assert.deepEqual(
    final.timeline.map((e: { type: string }) => e.type),
    ['START', approvedWon ? 'PASS' : 'CANCEL'],
  );
  assert.equal(final.task_list.length, 1);
  assert.equal(final.task_list[0].status, approvedWon ? 'APPROVED' : 'DONE');
}
