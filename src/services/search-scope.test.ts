import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Result } from '../domain/errors.js';
import { checkSelectors, timeRange, unionScope } from './search-scope.js';

const refused = (result: Result<unknown>, reason: RegExp) => {
  assert.equal(result.ok, false);
  if (!result.ok) {
    assert.equal(result.refusal.code, 1390001);
    assert.match(result.refusal.reason, reason);
  }
};

test('any one of the five selectors is enough; none, or only empty ones, is refused', () => {
  for (const key of ['user_id', 'approval_code', 'instance_code', 'instance_external_id', 'group_external_id']) {
    assert.ok(checkSelectors({ [key]: 'x' }).ok);
  }
  refused(checkSelectors({}), /one of user_id/);
  refused(checkSelectors({ user_id: '', approval_code: '' }), /one of user_id/);
});

const NAMES_NOTHING = { nativeApproval: false, externalApprovals: [], nativeInstance: false, externalInstances: [] };

test('without either union both kinds are kept whole', () => {
  assert.deepEqual(unionScope({ user_id: 'u' }, NAMES_NOTHING), { native: {}, external: {} });
});

test("each union keeps what its parts name of each kind, and a kind it names nothing of is left out", () => {
  const native = { ...NAMES_NOTHING, nativeApproval: true, nativeInstance: true };
  assert.deepEqual(unionScope({ approval_code: 'A', group_external_id: 'g' }, { ...native, externalApprovals: ['oa'] }), {
    native: { approvalCode: 'A' },
    external: { approvalCodes: ['oa'] },
  });
  assert.deepEqual(unionScope({ instance_code: 'I', instance_external_id: 'x' }, { ...native, externalInstances: ['x'] }), {
    native: { instanceCode: 'I' },
    external: { instanceIds: ['x'] },
  });
  assert.deepEqual(unionScope({ group_external_id: 'g' }, { ...NAMES_NOTHING, externalApprovals: ['oa'] }), { external: { approvalCodes: ['oa'] } });
  assert.deepEqual(unionScope({ approval_code: 'A', instance_external_id: 'x' }, { ...NAMES_NOTHING, nativeApproval: true, externalInstances: ['x'] }), {});
  assert.deepEqual(unionScope({ group_external_id: 'g' }, NAMES_NOTHING), {});
});

test('a time range has both ends or neither, in order, at most 30 days apart', () => {
  assert.deepEqual(timeRange('t', undefined, undefined), { ok: true, value: undefined });
  assert.deepEqual(timeRange('t', '5', '5'), { ok: true, value: { from: 5, to: 5 } });
  assert.deepEqual(timeRange('t', '0', String(30 * 86_400_000)), { ok: true, value: { from: 0, to: 30 * 86_400_000 } });
  refused(timeRange('t', '1', undefined), /t_from and t_to go together/);
  refused(timeRange('t', undefined, '1'), /go together/);
  refused(timeRange('t', '2', '1'), /30 days/);
  refused(timeRange('t', '0', String(30 * 86_400_000 + 1)), /30 days/);
});
