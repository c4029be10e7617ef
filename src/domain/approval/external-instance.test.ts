import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffInstances, RESYNC_WINDOW_MS, syncExternal, type ExternalPart, type ExternalState } from './external-instance.js';

const part = (id: string, updateTime = 10, body: Record<string, unknown> = {}): ExternalPart => ({
  id,
  userId: 'u_bob',
  state: 'PENDING',
  title: '',
  createTime: 1,
  updateTime,
  body: { task_id: id, ...body },
});

const state = (tasks: ExternalPart[], updateTime = 10, syncedAt = 0): ExternalState => ({
  instance: {
    instanceId: 'i',
    code: 'CODE',
    approvalCode: 'oa',
    status: 'PENDING',
    userId: '',
    title: '',
    startTime: 1,
    endTime: 0,
    updateTime,
    body: { department_id: 'eng' },
    syncedAt,
    version: 3,
  },
  tasks,
  ccs: [],
});

test('a first sync inserts everything at version 1', () => {
  const result = syncExternal(undefined, state([part('a'), part('b')]), 'UPDATE', 100);
  assert.ok(result.ok);
  assert.deepEqual(result.value.record.task, { insert_num: 2, update_num: 0, delete_num: 0 });
  assert.deepEqual([result.value.state.instance.version, result.value.state.instance.syncedAt], [1, 100]);
});

test('REPLACE counts kept parts as updates and absent ones as deletes, and keeps the first code', () => {
  const incoming = { ...state([part('b', 1), part('c')]), instance: { ...state([]).instance, code: 'NEW' } };
  const result = syncExternal(state([part('a'), part('b')]), incoming, 'REPLACE', RESYNC_WINDOW_MS);
  assert.ok(result.ok);
  assert.deepEqual(result.value.record.task, { insert_num: 1, update_num: 1, delete_num: 1 });
  assert.deepEqual([result.value.state.instance.code, result.value.state.instance.version], ['CODE', 4]);
});

test('UPDATE applies only greater update_times and keeps immutable fields', () => {
  const stored = state([part('a', 10, { node_id: 'n1' })]);
  const incoming = state([part('a', 11, { node_id: 'n2', status: 'APPROVED' }), part('b')], 11);
  incoming.instance.body = { department_id: 'fin', title: 'x' };
  const result = syncExternal(stored, incoming, 'UPDATE', RESYNC_WINDOW_MS);
  assert.ok(result.ok);
  assert.deepEqual(result.value.state.tasks.map((t) => t.body), [{ task_id: 'a', node_id: 'n1', status: 'APPROVED' }, { task_id: 'b' }]);
  assert.deepEqual(result.value.state.instance.body, { department_id: 'eng', title: 'x' });
  const stale = syncExternal(stored, state([part('a', 10, { status: 'REJECTED' })], 10), 'UPDATE', RESYNC_WINDOW_MS);
  assert.ok(stale.ok);
  assert.deepEqual(stale.value.record, {
    instance: { insert_num: 0, update_num: 0, delete_num: 0 },
    task: { insert_num: 0, update_num: 0, delete_num: 0 },
    cc: { insert_num: 0, update_num: 0, delete_num: 0 },
  });
});

test('within the window 1390014; an id used twice in the instance 1390001', () => {
  const tooSoon = syncExternal(state([], 10, 100), state([]), 'REPLACE', 100 + RESYNC_WINDOW_MS - 1);
  assert.deepEqual(tooSoon.ok ? undefined : tooSoon.refusal.code, 1390014);
  const twice = syncExternal(undefined, state([part('i')]), 'REPLACE', 0);
  assert.deepEqual(twice.ok ? undefined : twice.refusal.code, 1390001);
});

test('diffInstances reports unknown instances and tasks as "0", differing times as stored, and nothing else', () => {
  const stored = new Map([['i', state([part('a', 10)], 20)]]);
  assert.deepEqual(
    diffInstances(
      [
        { instance_id: 'x', update_time: '1', tasks: [] },
        { instance_id: 'i', update_time: '20', tasks: [{ task_id: 'a', update_time: '10' }] },
        { instance_id: 'i', update_time: '21', tasks: [{ task_id: 'a', update_time: '9' }, { task_id: 'z', update_time: '1' }] },
      ],
      stored,
    ),
    [
      { instance_id: 'x', update_time: '0', tasks: [] },
      { instance_id: 'i', update_time: '20', tasks: [{ task_id: 'a', update_time: '10' }, { task_id: 'z', update_time: '0' }] },
    ],
  );
});
