import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RevokeSettings } from './definition.js';
import { withdraw, type Instance, type Task } from './instance.js';
import { checkRevocable } from './revoke.js';
import { accepted, assertRefused, node, snapshot } from './test-support.js';

const T0 = 1_700_000_000_000;
const DAY = 86_400;
const DEFAULTS: RevokeSettings = { revertOption: 1, revertInterval: 31 * DAY };
const definition = { nodes: [node('n1', 'AND')] };

function instance(overrides: Partial<Instance> = {}): Instance {
  return {
    code: 'INSTANCE-1',
    approvalCode: 'APPROVAL-1',
    submitter: 'u_alice',
    departmentId: 'eng',
    status: 'PENDING',
    startTime: T0,
    endTime: 0,
    form: '[]',
    uuid: null,
    forbidRevoke: false,
    cancelBotNotification: 0,
    reverted: false,
    serialNumber: '1',
    title: '',
    route: [{ nodeId: 'sys-n1', approvers: ['u_bob', 'u_carol', 'u_dan'] }],
    currentNode: 0,
    version: 4,
    ...overrides,
  };
}

const task = (id: string, userId: string, status: Task['status']): Task => ({
  id,
  instanceCode: 'INSTANCE-1',
  nodeId: 'sys-n1',
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

describe('withdrawing a PENDING instance', () => {
  const now = T0 + 5000;
  const t = accepted(withdraw(instance(), TASKS, DEFAULTS, { by: 'u_alice', now, definition }));

  test('the instance becomes CANCELED, ends now, not reverted, version + 1', () => {
    const { status, endTime, reverted, version } = t.instance;
    assert.deepEqual({ status, endTime, reverted, version }, { status: 'CANCELED', endTime: now, reverted: false, version: 5 });
  });

  test('every PENDING task becomes DONE at that time; finished tasks are left alone', () =>
    assert.deepEqual(t.changedTasks, [
      { ...task('12', 'u_carol', 'PENDING'), status: 'DONE', endTime: now },
      { ...task('13', 'u_dan', 'PENDING'), status: 'DONE', endTime: now },
    ]));

  test('the timeline records CANCEL by the submitter', () =>
    assert.deepEqual(t.timeline, [{ type: 'CANCEL', createTime: now, userId: 'u_alice' }]));

  test('events: instance CANCELED, then task DONE for each closed task', () =>
    assert.deepEqual(t.events, [
      { kind: 'approval_instance', status: 'CANCELED', operateTime: now },
      { kind: 'approval_task', taskId: '12', userId: 'u_carol', status: 'DONE', operateTime: now, nodeId: 'sys-n1', customNodeId: 'n1' },
      { kind: 'approval_task', taskId: '13', userId: 'u_dan', status: 'DONE', operateTime: now, nodeId: 'sys-n1', customNodeId: 'n1' },
    ]));

  test('no task is created', () => assert.deepEqual(t.newTasks, []));

  test('without the definition the task events carry an empty custom node id', () => {
    const bare = accepted(withdraw(instance(), TASKS, DEFAULTS, { by: 'u_alice', now }));
    assert.deepEqual(bare.events.slice(1).map((e) => e.kind === 'approval_task' && e.customNodeId), ['', '']);
  });

  test('tasks of other instances are never touched', () => {
    const foreign = { ...task('99', 'u_erin', 'PENDING'), instanceCode: 'OTHER' };
    const res = accepted(withdraw(instance(), [...TASKS, foreign], DEFAULTS, { by: 'u_alice', now }));
    assert.deepEqual(res.changedTasks.map((c) => c.id), ['12', '13']);
  });

  test('cancel_bot_notification suppresses no event', () => {
    const res = accepted(withdraw(instance({ cancelBotNotification: 4 }), TASKS, DEFAULTS, { by: 'u_alice', now }));
    assert.equal(res.events.length, 3);
  });

  test('is allowed even when the definition forbids withdrawing approved requests', () => {
    accepted(withdraw(instance(), TASKS, { revertOption: 1, revertInterval: 0 }, { by: 'u_alice', now }));
  });

  test('withdrawing changes none of its inputs', () => {
    const inst = instance();
    const before = snapshot({ inst, TASKS, DEFAULTS });
    withdraw(inst, TASKS, DEFAULTS, { by: 'u_alice', now, definition });
    assert.deepEqual({ inst, TASKS, DEFAULTS }, before);
  });
});

describe('withdrawing an APPROVED instance', () => {
  const now = APPROVED_AT + DAY * 1000;
  const t = accepted(withdraw(approved(), [task('11', 'u_bob', 'APPROVED')], DEFAULTS, { by: 'u_alice', now, definition }));

  test('the instance becomes CANCELED with reverted true, ending now', () => {
    const { status, reverted, endTime, version } = t.instance;
    assert.deepEqual({ status, reverted, endTime, version }, { status: 'CANCELED', reverted: true, endTime: now, version: 5 });
  });

  test('the timeline records CANCEL by the submitter', () =>
    assert.deepEqual(t.timeline, [{ type: 'CANCEL', createTime: now, userId: 'u_alice' }]));

  test('the only event is approval_instance REVERTED; no task changes', () => {
    assert.deepEqual(t.events, [{ kind: 'approval_instance', status: 'REVERTED', operateTime: now }]);
    assert.deepEqual(t.changedTasks, []);
    assert.deepEqual(t.newTasks, []);
  });

  test('is allowed even when the definition forbids withdrawing requests under approval', () => {
    accepted(withdraw(approved(), [], { revertOption: 0, revertInterval: DAY }, { by: 'u_alice', now: APPROVED_AT }));
  });

  test('withdrawing exactly revert_interval after approval is allowed (the window is inclusive)', () =>
    assert.equal(accepted(checkRevocable(approved(), DEFAULTS, 'u_alice', APPROVED_AT + 31 * DAY * 1000)), 'APPROVED'));

  test('withdrawing an approved instance 1 ms after the window answers 1390001', () =>
    assertRefused(
      withdraw(approved(), [], DEFAULTS, { by: 'u_alice', now: APPROVED_AT + 31 * DAY * 1000 + 1 }),
      1390001,
      /withdrawal window closed: the instance was approved at 2023-11-14T23:13:20\.000Z .*2678400 seconds/,
    ));

  test('withdrawing an approved instance when revert_interval is 0 answers 1390001', () =>
    assertRefused(
      withdraw(approved(), [], { revertOption: 1, revertInterval: 0 }, { by: 'u_alice', now: APPROVED_AT }),
      1390001,
      /the definition does not allow withdrawing approved requests/,
    ));
});

describe('withdrawal refusals (1390001)', () => {
  const refused = (inst: Instance, by: string, reason: RegExp, settings = DEFAULTS) =>
    assertRefused(withdraw(inst, TASKS, settings, { by, now: T0 + 10 }), 1390001, reason);

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
    const first = accepted(withdraw(instance(), TASKS, DEFAULTS, { by: 'u_alice', now: T0 + 10 }));
    assertRefused(withdraw(first.instance, TASKS, DEFAULTS, { by: 'u_alice', now: T0 + 20 }), 1390001, /already withdrawn/);
  });

  test('a second withdrawal of a reverted approved instance answers "already withdrawn"', () => {
    const first = accepted(withdraw(approved(), [], DEFAULTS, { by: 'u_alice', now: APPROVED_AT }));
    assertRefused(withdraw(first.instance, [], DEFAULTS, { by: 'u_alice', now: APPROVED_AT }), 1390001, /already withdrawn/);
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
    const result = withdraw(instance({ forbidRevoke: true }), TASKS, DEFAULTS, { by: 'u_alice', now: T0 });
    assert.deepEqual(Object.keys(result).sort(), ['ok', 'refusal']);
  });
});
