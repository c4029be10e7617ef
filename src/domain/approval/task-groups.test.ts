import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PlannedNode } from './approvers.js';
import { hasDecided, ownGroup, settle, TaskChanges, type NodePass } from './task-groups.js';
import type { Task } from './task.js';
import { counterIds } from './test-support.js';

const T0 = 1_700_000_000_000;

const task = (id: string, userId: string, status: Task['status'], overrides: Partial<Task> = {}): Task => ({
  id,
  instanceCode: 'INSTANCE-1',
  nodeId: 'sys-n1',
  group: 'sys-n1',
  userId,
  status,
  type: 'AND',
  startTime: T0,
  endTime: status === 'PENDING' ? 0 : T0,
  requireSignature: false,
  ...overrides,
});

const changesOf = (tasks: Task[]) => new TaskChanges('INSTANCE-1', tasks, () => undefined, T0 + 1, counterIds());
const pass = (plan: Partial<PlannedNode> = {}, type: NodePass['type'] = 'AND'): NodePass => ({
  plan: { nodeId: 'sys-n1', approvers: ['u_bob', 'u_carol'], ...plan },
  type,
});

describe('TaskChanges', () => {
  test('answers changed and made tasks in the order it first touched them, with an event for each change', () => {
    const changes = changesOf([task('1', 'u_bob', 'PENDING'), task('2', 'u_carol', 'PENDING'), task('9', 'u_dan', 'PENDING', { instanceCode: 'OTHER' })]);
    changes.close(changes.find('2')!, 'APPROVED');
    const made = changes.open(changes.find('2')!, 'u_erin');
    changes.closePending();
    assert.deepEqual(changes.changed.map((t) => [t.id, t.status]), [['2', 'APPROVED'], ['1', 'DONE']]);
    assert.deepEqual(changes.created.map((t) => [t.id, t.userId, t.status, t.group]), [[made.id, 'u_erin', 'DONE', 'sys-n1']]);
    assert.deepEqual(
      changes.events.map((e) => (e.kind === 'approval_task' ? `${e.userId} ${e.status}` : e.kind)),
      ['u_carol APPROVED', 'u_erin PENDING', 'u_bob DONE', 'u_erin DONE'],
    );
  });

  test('an event may report another status than the stored one, with an extra (a send-back\'s ROLLBACK)', () => {
    const changes = changesOf([task('1', 'u_bob', 'PENDING')]);
    const closed = changes.close(changes.find('1')!, 'DONE', { status: 'ROLLBACK', extra: '{}' });
    assert.equal(closed.status, 'DONE');
    assert.deepEqual(changes.events.map((e) => (e.kind === 'approval_task' ? [e.status, e.extra] : [])), [['ROLLBACK', '{}']]);
  });

  test('closePending(group) closes only that group\'s pending tasks', () => {
    const changes = changesOf([task('1', 'u_bob', 'PENDING'), task('2', 'u_carol', 'PENDING', { group: 'added' })]);
    changes.closePending('added');
    assert.deepEqual(changes.all.map((t) => t.status), ['PENDING', 'DONE']);
  });
});

describe('deciding', () => {
  test('a node\'s own group is its node id in the first pass, then node id #pass', () => {
    assert.equal(ownGroup({ nodeId: 'sys-n1', approvers: [] }), 'sys-n1');
    assert.equal(ownGroup({ nodeId: 'sys-n1', approvers: [], pass: 3 }), 'sys-n1#3');
  });

  test('AND: no pending task; OR: one approval; SEQUENTIAL: as many approvals as planned users', () => {
    const tasks = [task('1', 'u_bob', 'APPROVED'), task('2', 'u_carol', 'PENDING')];
    assert.equal(hasDecided(changesOf(tasks), pass(), 'sys-n1'), false);
    assert.equal(hasDecided(changesOf([tasks[0]!, task('2', 'u_carol', 'DONE')]), pass({}, 'OR'), 'sys-n1'), true);
    assert.equal(hasDecided(changesOf([tasks[0]!]), pass({}, 'SEQUENTIAL'), 'sys-n1'), false);
    assert.equal(hasDecided(changesOf([tasks[0]!, task('3', 'u_carol', 'APPROVED')]), pass({}, 'SEQUENTIAL'), 'sys-n1'), true);
  });

  test('a group waits for the groups attached to it; tasks of an earlier pass do not count', () => {
    const added = { group: 'g', of: 'sys-n1', kind: 'after' as const, type: 'AND' as const, users: ['u_dan'] };
    const tasks = [task('1', 'u_bob', 'APPROVED'), task('2', 'u_dan', 'PENDING', { group: 'g' })];
    assert.equal(hasDecided(changesOf(tasks), pass({ approvers: ['u_bob'], added: [added] }), 'sys-n1'), false);
    const secondPass = pass({ approvers: ['u_bob'], pass: 2 }, 'SEQUENTIAL');
    assert.equal(hasDecided(changesOf([task('1', 'u_bob', 'APPROVED')]), secondPass, ownGroup(secondPass.plan)), false);
  });

  test('settle reopens the task of the operator a before group waited for, once that group has decided', () => {
    const added = { group: 'g', of: 'sys-n1', kind: 'before' as const, type: 'AND' as const, users: ['u_dan'], waiting: '1' };
    const changes = changesOf([task('1', 'u_bob', 'DONE'), task('2', 'u_dan', 'APPROVED', { group: 'g' })]);
    assert.equal(settle(changes, pass({ approvers: ['u_bob'], added: [added] }), 'g'), false);
    assert.deepEqual(changes.created.map((t) => [t.userId, t.status, t.group]), [['u_bob', 'PENDING', 'sys-n1']]);
  });
});
