import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FeishuError } from '../domain/errors.js';
import { requireSelector, timeRange, unionScope } from './search-scope.js';

const refused = (work: () => unknown, reason: RegExp) =>
  assert.throws(work, (err: unknown) => err instanceof FeishuError && err.code === 1390001 && reason.test(err.reason));

test('any one of the five selectors is enough; none, or only empty ones, is refused', () => {
  for (const key of ['user_id', 'approval_code', 'instance_code', 'instance_external_id', 'group_external_id']) {
    assert.doesNotThrow(() => requireSelector({ [key]: 'x' }));
  }
  refused(() => requireSelector({}), /one of user_id/);
  refused(() => requireSelector({ user_id: '', approval_code: '' }), /one of user_id/);
});

test('each union keeps its shenpi code, and selects nothing when only its external id is given', () => {
  assert.deepEqual(unionScope({ user_id: 'u' }), {});
  assert.deepEqual(unionScope({ approval_code: 'A', group_external_id: 'g' }), { approvalCode: 'A' });
  assert.deepEqual(unionScope({ instance_code: 'I', instance_external_id: 'x' }), { instanceCode: 'I' });
  assert.equal(unionScope({ group_external_id: 'g' }), undefined);
  assert.equal(unionScope({ instance_code: 'I', group_external_id: 'g' }), undefined);
  assert.equal(unionScope({ approval_code: 'A', instance_external_id: 'x' }), undefined);
});

test('a time range has both ends or neither, in order, at most 30 days apart', () => {
  assert.equal(timeRange('t', undefined, undefined), undefined);
  assert.deepEqual(timeRange('t', '5', '5'), { from: 5, to: 5 });
  assert.deepEqual(timeRange('t', '0', String(30 * 86_400_000)), { from: 0, to: 30 * 86_400_000 });
  refused(() => timeRange('t', '1', undefined), /t_from and t_to go together/);
  refused(() => timeRange('t', undefined, '1'), /go together/);
  refused(() => timeRange('t', '2', '1'), /30 days/);
  refused(() => timeRange('t', '0', String(30 * 86_400_000 + 1)), /30 days/);
});
