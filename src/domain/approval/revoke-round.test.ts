import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RevokeSettings } from './definition.js';
import { approveTask, rejectTask, type Instance, type Task } from './instance.js';
import { REVOKE_NODE, settleRevokeRound, type WithdrawArgs } from './revoke-round.js';
import { accepted, counterIds, node, snapshot, testInstance, withdraw } from './test-support.js';

const T0 = 1_700_000_000_000;
const DAY = 86_400;
const DEFAULTS: RevokeSettings = { revertOption: 1, revertInterval: 31 * DAY };
const definition = { nodes: [node('n1', 'AND'), node('n2', 'OR')] };

const instance = (overrides: Partial<Instance> = {}): Instance =>
  testInstance(T0, {
    form: '[{"id":"reason","type":"input","value":"a day off"}]',
    uuid: 'uuid-1',
    cancelBotNotification: 2,
    title: 'Trip',
    route: [
      { nodeId: 'sys-n1', approvers: ['u_bob', 'u_carol', 'u_dan'] },
      { nodeId: 'sys-n2', approvers: ['u_erin', 'u_bob'] },
    ],
    ...overrides,
  });

const task = (id: string, userId: string, status: Task['status'], overrides: Partial<Task> = {}): Task => ({
  id,
  instanceCode: 'INSTANCE-1',
  nodeId: 'sys-n1',
  group: 'sys-n1',
  userId,
  status,
  type: 'AND',
  startTime: T0,
  endTime: status === 'PENDING' ? 0 : T0 + Number(id),
  requireSignature: false,
  ...overrides,
});

const PENDING_TASKS = [task('11', 'u_bob', 'APPROVED'), task('12', 'u_carol', 'PENDING'), task('13', 'u_dan', 'PENDING')];

/** Approved at T0 + 1 h: n1 by Bob, Carol, Dan (Carol last); n2 (OR) by Bob, Erin's task closed unanswered. */
const APPROVED_AT = T0 + 3_600_000;
const approved = (overrides: Partial<Instance> = {}) =>
  instance({ status: 'APPROVED', endTime: APPROVED_AT, currentNode: 2, ...overrides });
const APPROVED_TASKS = [
  task('11', 'u_bob', 'APPROVED'),
  task('14', 'u_carol', 'APPROVED'),
  task('13', 'u_dan', 'APPROVED'),
  task('21', 'u_erin', 'DONE', { nodeId: 'sys-n2', type: 'OR' }),
  task('22', 'u_bob', 'APPROVED', { nodeId: 'sys-n2', type: 'OR' }),
];

const args = (now: number, overrides: Partial<WithdrawArgs> = {}): WithdrawArgs => ({
  by: 'u_alice',
  now,
  ids: counterIds(),
  revokeRequest: { code: 'REQUEST-1', serialNumber: '2' },
  definition,
  ...overrides,
});

describe('withdrawing a PENDING instance', () => {
  const now = T0 + 5000;
  const { transition: t, revokeRequest } = accepted(withdraw(instance(), PENDING_TASKS, DEFAULTS, args(now)));

  test('the instance becomes CANCELED, ends now, not reverted, version + 1', () => {
    const { status, endTime, reverted, version } = t.instance;
    assert.deepEqual({ status, endTime, reverted, version }, { status: 'CANCELED', endTime: now, reverted: false, version: 5 });
  });

  test('opens no revoke request', () => assert.equal(revokeRequest, undefined));

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
    const { definition: _, ...bare } = args(now);
    const { transition } = accepted(withdraw(instance(), PENDING_TASKS, DEFAULTS, bare));
    assert.deepEqual(transition.events.slice(1).map((e) => e.kind === 'approval_task' && e.customNodeId), ['', '']);
  });

  test('tasks of other instances are never touched', () => {
    const foreign = { ...task('99', 'u_erin', 'PENDING'), instanceCode: 'OTHER' };
    const { transition } = accepted(withdraw(instance(), [...PENDING_TASKS, foreign], DEFAULTS, args(now)));
    assert.deepEqual(transition.changedTasks.map((c) => c.id), ['12', '13']);
  });

  test('cancel_bot_notification suppresses no event', () => {
    const { transition } = accepted(withdraw(instance({ cancelBotNotification: 4 }), PENDING_TASKS, DEFAULTS, args(now)));
    assert.equal(transition.events.length, 3);
  });

  test('withdrawing changes none of its inputs', () => {
    const inst = instance();
    const before = snapshot({ inst, PENDING_TASKS, DEFAULTS });
    withdraw(inst, PENDING_TASKS, DEFAULTS, args(now));
    assert.deepEqual({ inst, PENDING_TASKS, DEFAULTS }, before);
  });
});

describe('withdrawing an APPROVED instance opens its revoke round', () => {
  const now = APPROVED_AT + DAY * 1000;
  const ids = counterIds(500);
  const { transition: original, revokeRequest } = accepted(withdraw(approved(), APPROVED_TASKS, DEFAULTS, args(now, { ids })));
  const request = revokeRequest!;

  test('the original goes back under approval, naming its revoke request; its approval end_time is kept', () => {
    const { status, reverted, endTime, version, revokeRequestCode, currentNode } = original.instance;
    assert.deepEqual(
      { status, reverted, endTime, version, revokeRequestCode, currentNode },
      { status: 'PENDING', reverted: false, endTime: APPROVED_AT, version: 5, revokeRequestCode: 'REQUEST-1', currentNode: 2 },
    );
  });

  test("the original's tasks, timeline and events are left as they are", () => {
    assert.deepEqual(original.changedTasks, []);
    assert.deepEqual(original.newTasks, []);
    assert.deepEqual(original.timeline, []);
    assert.deepEqual(original.events, []);
  });

  test('the revoke request is a new PENDING instance of the same definition, submitter and form, started now', () => {
    const r = request.instance;
    assert.deepEqual(
      {
        code: r.code,
        approvalCode: r.approvalCode,
        submitter: r.submitter,
        departmentId: r.departmentId,
        form: r.form,
        status: r.status,
        startTime: r.startTime,
        endTime: r.endTime,
        revertedInstanceCode: r.revertedInstanceCode,
        revokeRequestCode: r.revokeRequestCode,
        uuid: r.uuid,
        serialNumber: r.serialNumber,
        version: r.version,
      },
      {
        code: 'REQUEST-1',
        approvalCode: 'APPROVAL-1',
        submitter: 'u_alice',
        departmentId: 'eng',
        form: approved().form,
        status: 'PENDING',
        startTime: now,
        endTime: 0,
        revertedInstanceCode: 'INSTANCE-1',
        revokeRequestCode: null,
        uuid: null,
        serialNumber: '2',
        version: 1,
      },
    );
  });

  test('its one AND node asks each distinct user who approved the original, in the order they approved', () => {
    assert.deepEqual(request.instance.route, [{ nodeId: REVOKE_NODE.nodeId, approvers: ['u_bob', 'u_dan', 'u_carol'] }]);
    assert.deepEqual(
      request.newTasks.map((t) => [t.id, t.userId, t.status, t.type, t.nodeId, t.instanceCode]),
      [
        ['501', 'u_bob', 'PENDING', 'AND', 'REVOKE', 'REQUEST-1'],
        ['502', 'u_dan', 'PENDING', 'AND', 'REVOKE', 'REQUEST-1'],
        ['503', 'u_carol', 'PENDING', 'AND', 'REVOKE', 'REQUEST-1'],
      ],
    );
  });

  test('the request starts with a START timeline entry and events PENDING for it and each of its tasks', () => {
    assert.deepEqual(request.timeline, [{ type: 'START', createTime: now, userId: 'u_alice' }]);
    assert.deepEqual(
      request.events.map((e) => (e.kind === 'approval_instance' ? `instance ${e.status}` : e.kind === 'approval_task' ? `task ${e.taskId} ${e.status}` : e.kind)),
      ['instance PENDING', 'task 501 PENDING', 'task 502 PENDING', 'task 503 PENDING'],
    );
  });

  test('an instance that nobody approved (every node passed by itself) is revoked at once', () => {
    const auto = [task('11', '', 'APPROVED')];
    const { transition, revokeRequest: none } = accepted(withdraw(approved(), auto, DEFAULTS, args(now)));
    assert.equal(none, undefined);
    assert.equal(transition.instance.status, 'CANCELED');
    assert.equal(transition.instance.reverted, true);
    assert.deepEqual(transition.events, [{ kind: 'approval_instance', status: 'REVERTED', operateTime: now }]);
  });
});

describe('settling the round when the revoke request ends', () => {
  const opened = accepted(withdraw(approved(), APPROVED_TASKS, DEFAULTS, args(APPROVED_AT + 1000)));
  const original = opened.transition.instance;
  const request = opened.revokeRequest!.instance;
  const requestTasks = opened.revokeRequest!.newTasks;
  const later = APPROVED_AT + 9000;
  const act = { by: 'u_bob', now: later, ids: counterIds(900), taskId: requestTasks[0]!.id };

  test('the request approved by everyone revokes the original: CANCELED, reverted, ended now, CANCEL by the submitter, REVERTED', () => {
    const done = { ...request, status: 'APPROVED' as const, endTime: later };
    const settled = settleRevokeRound(original, done, later)!;
    const { status, reverted, endTime, revokeRequestCode, version } = settled.instance;
    assert.deepEqual(
      { status, reverted, endTime, revokeRequestCode, version },
      { status: 'CANCELED', reverted: true, endTime: later, revokeRequestCode: null, version: 6 },
    );
    assert.deepEqual(settled.timeline, [{ type: 'CANCEL', createTime: later, userId: 'u_alice' }]);
    assert.deepEqual(settled.events, [{ kind: 'approval_instance', status: 'REVERTED', operateTime: later }]);
  });

  test('one approval of several does not end the request, so the original is not settled', () => {
    const step = accepted(approveTask(request, requestTasks, definition, act));
    assert.equal(step.instance.status, 'PENDING');
    assert.equal(settleRevokeRound(original, step.instance, later), undefined);
  });

  test('a rejected request gives the original back exactly as it was before the withdrawal, with no event', () => {
    const rejected = accepted(rejectTask(request, requestTasks, definition, act));
    assert.equal(rejected.instance.status, 'REJECTED');
    const settled = settleRevokeRound(original, rejected.instance, later)!;
    assert.deepEqual(settled.instance, { ...approved(), version: 6 });
    assert.deepEqual([settled.timeline, settled.events, settled.changedTasks], [[], [], []]);
  });

  test('a withdrawn request gives the original back too', () => {
    const withdrawn = accepted(withdraw(request, requestTasks, { revertOption: 0, revertInterval: 0 }, args(later)));
    assert.equal(withdrawn.transition.instance.status, 'CANCELED');
    assert.deepEqual(settleRevokeRound(original, withdrawn.transition.instance, later)!.instance, { ...approved(), version: 6 });
  });

  test('a request that is not the original’s current one settles nothing', () =>
    assert.equal(settleRevokeRound(original, { ...request, code: 'REQUEST-0', status: 'REJECTED' }, later), undefined));

  test('task actions on the original are refused while its request is open, naming the request', () => {
    const refused = approveTask(original, APPROVED_TASKS, definition, { ...act, taskId: '11' });
    assert.equal(refused.ok, false);
    assert.match(refused.ok ? '' : refused.refusal.reason, /being revoked \(revoke request REQUEST-1\)/);
  });
});
