import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ccChange, readCcs, sendCcs, type CcEntry } from './cc.js';
import { counterIds, snapshot } from './test-support.js';

const T0 = 1_700_000_000_000;

const send = (users: string[], extra: Partial<Parameters<typeof sendCcs>[0]> = {}) =>
  sendCcs({ instanceCode: 'INSTANCE-1', users, from: 'u_alice', nodeId: '', now: T0, ids: counterIds(), ...extra });

describe('sending a CC', () => {
  test('each CC\'d user gets an unread entry of their own, sent by the sender at that time', () => {
    const sent = send(['u_bob', 'u_carol']);
    assert.deepEqual(sent?.ccs, [
      { id: '1001', instanceCode: 'INSTANCE-1', userId: 'u_bob', from: 'u_alice', nodeId: '', createTime: T0, status: 'UNREAD', readTime: 0 },
      { id: '1002', instanceCode: 'INSTANCE-1', userId: 'u_carol', from: 'u_alice', nodeId: '', createTime: T0, status: 'UNREAD', readTime: 0 },
    ]);
  });

  test('a user named twice is CC\'d once', () => assert.deepEqual(send(['u_bob', 'u_bob'])?.ccs.map((cc) => cc.userId), ['u_bob']));

  test('CCing nobody makes nothing', () => assert.equal(send([]), undefined));

  test('the timeline gets one CC entry by the sender listing the users and their cc ids, with the comment', () =>
    assert.deepEqual(send(['u_bob', 'u_carol'], { comment: 'fyi' })?.timeline, {
      type: 'CC',
      createTime: T0,
      userId: 'u_alice',
      userIdList: ['u_bob', 'u_carol'],
      ccIds: ['1001', '1002'],
      comment: 'fyi',
      ext: { user_id_list: ['u_bob', 'u_carol'] },
    }));

  test('a node\'s CC names no sender and carries the node key', () => {
    const sent = send(['u_dave'], { from: '', nodeId: 'sys-n1', nodeKey: 'n1' });
    assert.equal(sent?.timeline.userId, undefined);
    assert.equal(sent?.timeline.nodeKey, 'n1');
    assert.equal(sent?.ccs[0]?.nodeId, 'sys-n1');
  });

  test('each entry is reported by an approval_cc CREATE event', () =>
    assert.deepEqual(send(['u_bob'])?.events, [
      { kind: 'approval_cc', ccId: '1001', userId: 'u_bob', from: 'u_alice', operate: 'CREATE', createTime: T0 },
    ]));
});

describe('reading a CC', () => {
  const entries = (): CcEntry[] => [...(send(['u_bob', 'u_carol'])?.ccs ?? []), ...(send(['u_bob'], { ids: counterIds(2000) })?.ccs ?? [])];

  test('every unread entry of the reader becomes READ at that time, with an approval_cc READ event each', () => {
    const read = readCcs(entries(), 'u_bob', T0 + 5);
    assert.deepEqual(read.ccs.map((cc) => [cc.id, cc.status, cc.readTime]), [
      ['1001', 'READ', T0 + 5],
      ['2001', 'READ', T0 + 5],
    ]);
    assert.deepEqual(read.events.map((e) => [e.ccId, e.operate, e.createTime]), [
      ['1001', 'READ', T0],
      ['2001', 'READ', T0],
    ]);
  });

  test('an entry already read is not read again', () => {
    const once = readCcs(entries(), 'u_bob', T0 + 5).ccs;
    assert.deepEqual(readCcs(once, 'u_bob', T0 + 9), { ccs: [], events: [] });
  });

  test('another user\'s entries are left alone, and the input is not changed', () => {
    const before = entries();
    const copy = snapshot(before);
    assert.deepEqual(readCcs(before, 'u_dave', T0 + 5), { ccs: [], events: [] });
    readCcs(before, 'u_carol', T0 + 5);
    assert.deepEqual(before, copy);
  });
});

test('a CC moves the instance version on and changes no task', () => {
  const sent = send(['u_bob']);
  const change = ccChange({ code: 'INSTANCE-1', version: 3 }, { events: sent?.events ?? [], newCcs: sent?.ccs ?? [] });
  assert.equal(change.instance.version, 4);
  assert.deepEqual([change.changedTasks, change.newTasks, change.timeline, change.readCcs], [[], [], [], []]);
});
