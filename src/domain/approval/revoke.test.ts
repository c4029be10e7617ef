import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RevokeSettings } from './definition.js';
import type { Instance, Task } from './instance.js';
import { checkRevocable } from './revoke.js';
import type { WithdrawArgs } from './revoke-round.js';
import { accepted, assertRefused, counterIds, testInstance, withdraw } from './test-support.js';

const T0 = 1_700_000_000_000;
const DAY = 86_400;
const DEFAULTS: RevokeSettings = { revertOption: 1, revertInterval: 31 * DAY };

const instance = (overrides: Partial<Instance> = {}): Instance => testInstance(T0, overrides);

const task = (id: string, userId: string, status: Task['status']): Task => ({
  id,
  instanceCode: 'INSTANCE-1',
  nodeId: 'sys-n1',
  group: 'sys-n1',
  userId,
  status,
  type: 'AND',
  startTime: T0,
  endTime: status === 'PENDING' ? 0 : T0 + 1,
  requireSignature: false,
});

const TASKS = [task('11', 'u_bob', 'APPROVED'), task('12', 'u_carol', 'PENDING'), task('13', 'u_dan', 'PENDING')];

/** An instance approved at T0 + 1 h. */
const APPROVED_AT = T0 + 3_600_000;
const approved = (overrides: Partial<Instance> = {}) =>
  instance({ status: 'APPROVED', endTime: APPROVED_AT, currentNode: 1, ...overrides });

const args = (by: string, now: number): WithdrawArgs => ({
  by,
  now,
  ids: counterIds(),
  revokeRequest: { code: 'REQUEST-1', serialNumber: '2' },
});

describe('the revoke window of an APPROVED instance (check 7)', () => {
  test('is open regardless of revert_option', () =>
    assert.equal(accepted(checkRevocable(approved(), { revertOption: 0, revertInterval: DAY }, 'u_alice', APPROVED_AT)), 'APPROVED'));

  test('withdrawing exactly revert_interval after approval is allowed (the window is inclusive)', () =>
    assert.equal(accepted(checkRevocable(approved(), DEFAULTS, 'u_alice', APPROVED_AT + 31 * DAY * 1000)), 'APPROVED'));

  test('withdrawing an approved instance 1 ms after the window answers 1390001', () =>
    assertRefused(
      checkRevocable(approved(), DEFAULTS, 'u_alice', APPROVED_AT + 31 * DAY * 1000 + 1),
      1390001,
      /withdrawal window closed: the instance was approved at 2023-11-14T23:13:20\.000Z .*2678400 seconds/,
    ));

  test('withdrawing an approved instance when revert_interval is 0 answers 1390001', () =>
    assertRefused(
      checkRevocable(approved(), { revertOption: 1, revertInterval: 0 }, 'u_alice', APPROVED_AT),
      1390001,
      /the definition does not allow withdrawing approved requests/,
    ));

  test('a PENDING instance may be withdrawn even when revert_interval is 0', () =>
    assert.equal(accepted(checkRevocable(instance(), { revertOption: 1, revertInterval: 0 }, 'u_alice', T0)), 'PENDING'));
});

describe('the revoke round (check 7)', () => {
  const beingRevoked = approved({ status: 'PENDING', revokeRequestCode: 'REQUEST-1' });
  const request = (overrides: Partial<Instance> = {}) => instance({ code: 'REQUEST-1', revertedInstanceCode: 'INSTANCE-1', ...overrides });

  test('an instance whose revoke request is open refuses a second withdrawal, naming the request', () =>
    assertRefused(checkRevocable(beingRevoked, DEFAULTS, 'u_alice', APPROVED_AT), 1390001, /revoke request REQUEST-1 is under approval/));

  test('an open revoke request may be withdrawn by its submitter even when revert_option is 0', () =>
    assert.equal(accepted(checkRevocable(request(), { revertOption: 0, revertInterval: 0 }, 'u_alice', T0)), 'PENDING'));

  test('an open revoke request is withdrawn only by its submitter', () =>
    assertRefused(checkRevocable(request(), DEFAULTS, 'u_bob', T0), 1390001, /not the submitter/));

  test('an approved revoke request cannot itself be revoked', () =>
    assertRefused(
      checkRevocable(request({ status: 'APPROVED', endTime: APPROVED_AT }), DEFAULTS, 'u_alice', APPROVED_AT),
      1390001,
      /approved revoke request \(of INSTANCE-1\); it cannot be revoked/,
    ));

  test('a revoked instance answers "already withdrawn"', () =>
    assertRefused(
      checkRevocable(approved({ status: 'CANCELED', reverted: true }), DEFAULTS, 'u_alice', APPROVED_AT),
      1390001,
      /already withdrawn/,
    ));
});

describe('withdrawal refusals (1390001)', () => {
  const refused = (inst: Instance, by: string, reason: RegExp, settings = DEFAULTS) =>
    assertRefused(withdraw(inst, TASKS, settings, args(by, T0 + 10)), 1390001, reason);

  test('someone other than the submitter', () => refused(instance(), 'u_bob', /user "u_bob" is not the submitter of this instance/));

  test('an instance created with forbid_revoke', () =>
    refused(instance({ forbidRevoke: true }), 'u_alice', /the instance was created with forbid_revoke/));

  test('a PENDING instance when revert_option is 0', () =>
    refused(instance(), 'u_alice', /the definition does not allow withdrawing requests under approval/, { revertOption: 0, revertInterval: DAY }));

  test('a REJECTED instance', () =>
    refused(instance({ status: 'REJECTED', endTime: T0 }), 'u_alice', /the instance is already finished \(REJECTED\)/));

  test('a DELETED instance', () => refused(instance({ status: 'DELETED' }), 'u_alice', /the instance is already finished \(DELETED\)/));

  test('a CANCELED instance', () => refused(instance({ status: 'CANCELED', endTime: T0 }), 'u_alice', /the instance is already withdrawn/));

  test('a second withdrawal of the same instance answers "already withdrawn"', () => {
    const first = accepted(withdraw(instance(), TASKS, DEFAULTS, args('u_alice', T0 + 10)));
    assertRefused(withdraw(first.transition.instance, TASKS, DEFAULTS, args('u_alice', T0 + 20)), 1390001, /already withdrawn/);
  });
});

describe('the withdrawal checks run in rules.md order: submitter, forbid_revoke, status', () => {
  const closed: RevokeSettings = { revertOption: 0, revertInterval: 0 };
  const reason = (inst: Instance, by: string, settings = DEFAULTS) => {
    const result = checkRevocable(inst, settings, by, T0 + 10);
    assert.equal(result.ok, false);
    return result.ok ? '' : result.refusal.reason;
  };

  test('a non-submitter on a forbid_revoke instance gets the submitter reason', () =>
    assert.match(reason(instance({ forbidRevoke: true }), 'u_bob'), /not the submitter/));

  test('a non-submitter on a withdrawn instance gets the submitter reason', () =>
    assert.match(reason(instance({ status: 'CANCELED' }), 'u_bob'), /not the submitter/));

  test('the submitter of a forbid_revoke instance gets the forbid_revoke reason, whatever the status', () => {
    assert.match(reason(instance({ forbidRevoke: true, status: 'CANCELED' }), 'u_alice'), /forbid_revoke/);
    assert.match(reason(instance({ forbidRevoke: true }), 'u_alice', closed), /forbid_revoke/);
    assert.match(reason(approved({ forbidRevoke: true }), 'u_alice', closed), /forbid_revoke/);
  });

  test('a refused withdrawal returns no transition at all', () => {
    const result = withdraw(instance({ forbidRevoke: true }), TASKS, DEFAULTS, args('u_alice', T0));
    assert.deepEqual(Object.keys(result).sort(), ['ok', 'refusal']);
  });
});
