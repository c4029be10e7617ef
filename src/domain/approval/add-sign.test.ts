import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { addSign, type AddSignArgs } from './add-sign.js';
import type { PlannedNode } from './approvers.js';
import type { NodeDefinition } from './definition.js';
import { rejectTask, type DomainEvent } from './instance.js';
import { assertRefused, Flow, FLOW_T0, node } from './test-support.js';

const plan = (n: NodeDefinition, ...approvers: string[]): PlannedNode => ({ nodeId: n.nodeId, approvers });
const andNode = node('n1', 'AND');
const orNode = node('n2', 'OR');
const seqNode = node('n3', 'SEQUENTIAL');
const last = node('n9', 'AND');

/** Bob alone on an AND node, then Erin on a last node. */
const bobThenErin = () => new Flow([andNode, last], [plan(andNode, 'u_bob'), plan(last, 'u_erin')]);

function sign(flow: Flow, by: string, options: Pick<AddSignArgs, 'users' | 'signType' | 'method' | 'comment'>) {
  const args = { ...flow.argsOf(by), ...options };
  return flow.act((instance, tasks, definition) => addSign(instance, tasks, definition, args));
}

const taskEvents = (events: DomainEvent[]) =>
  events.flatMap((e) => (e.kind === 'approval_task' ? [`${e.userId} ${e.status}`] : []));

describe('add_sign before (type 1)', () => {
  test('the operator\'s task closes DONE and the added user gets a PENDING task on the node', () => {
    const flow = bobThenErin();
    const t = sign(flow, 'u_bob', { users: ['u_carol'], signType: 1, method: 2 });
    assert.deepEqual(flow.byUser(), { u_bob: ['DONE'], u_carol: ['PENDING'] });
    assert.deepEqual(taskEvents(t.events), ['u_bob DONE', 'u_carol PENDING']);
    assert.equal(flow.pendingOf('u_carol').nodeId, andNode.nodeId);
    assert.equal(flow.instance.status, 'PENDING');
  });

  test('once the added users have decided, the operator gets a new task, and the node passes with it', () => {
    const flow = bobThenErin();
    const before = flow.tasks[0]!.id;
    sign(flow, 'u_bob', { users: ['u_carol'], signType: 1, method: 2 });
    const t = flow.approve('u_carol');
    assert.deepEqual(taskEvents(t.events), ['u_carol APPROVED', 'u_bob PENDING']);
    assert.notEqual(flow.pendingOf('u_bob').id, before);
    flow.approve('u_bob');
    assert.deepEqual(flow.byUser(), { u_bob: ['DONE', 'APPROVED'], u_carol: ['APPROVED'], u_erin: ['PENDING'] });
  });

  test('or-sign (method 1): one added user\'s approval settles the added users', () => {
    const flow = bobThenErin();
    sign(flow, 'u_bob', { users: ['u_carol', 'u_dan'], signType: 1, method: 1 });
    assert.equal(flow.pendingOf('u_carol').type, 'OR');
    flow.approve('u_dan');
    assert.deepEqual(flow.byUser(), { u_bob: ['DONE', 'PENDING'], u_carol: ['DONE'], u_dan: ['APPROVED'] });
  });

  test('and-sign (method 2): every added user approves before the operator acts again', () => {
    const flow = bobThenErin();
    sign(flow, 'u_bob', { users: ['u_carol', 'u_dan'], signType: 1, method: 2 });
    flow.approve('u_dan');
    assert.deepEqual(flow.byUser(), { u_bob: ['DONE'], u_carol: ['PENDING'], u_dan: ['APPROVED'] });
    flow.approve('u_carol');
    assert.deepEqual(flow.byUser().u_bob, ['DONE', 'PENDING']);
  });

  test('sequential (method 3): the added users approve one after another, in the order given', () => {
    const flow = bobThenErin();
    sign(flow, 'u_bob', { users: ['u_dan', 'u_carol'], signType: 1, method: 3 });
    assert.deepEqual(flow.byUser(), { u_bob: ['DONE'], u_dan: ['PENDING'] });
    flow.approve('u_dan');
    assert.deepEqual(flow.byUser(), { u_bob: ['DONE'], u_dan: ['APPROVED'], u_carol: ['PENDING'] });
    flow.approve('u_carol');
    assert.deepEqual(flow.byUser().u_bob, ['DONE', 'PENDING']);
  });

  test('on an OR node settled meanwhile by another approver, the operator is not asked again', () => {
    const flow = new Flow([orNode, last], [plan(orNode, 'u_bob', 'u_carol'), plan(last, 'u_erin')]);
    sign(flow, 'u_bob', { users: ['u_dan'], signType: 1, method: 2 });
    flow.approve('u_carol');
    assert.deepEqual(flow.byUser(), { u_bob: ['DONE'], u_carol: ['APPROVED'], u_dan: ['PENDING'] });
    flow.approve('u_dan');
    assert.deepEqual(flow.byUser(), { u_bob: ['DONE'], u_carol: ['APPROVED'], u_dan: ['APPROVED'], u_erin: ['PENDING'] });
  });
});

describe('add_sign after (type 2)', () => {
  test('the operator\'s task is APPROVED and the added user decides next, before the node passes', () => {
    const flow = bobThenErin();
    const t = sign(flow, 'u_bob', { users: ['u_carol'], signType: 2, method: 2 });
    assert.deepEqual(taskEvents(t.events), ['u_bob APPROVED', 'u_carol PENDING']);
    assert.deepEqual(flow.byUser(), { u_bob: ['APPROVED'], u_carol: ['PENDING'] });
    flow.approve('u_carol');
    assert.deepEqual(flow.byUser(), { u_bob: ['APPROVED'], u_carol: ['APPROVED'], u_erin: ['PENDING'] });
  });

  test('after the last node\'s operator, the instance is APPROVED only once the added user approves', () => {
    const flow = new Flow([andNode], [plan(andNode, 'u_bob')]);
    sign(flow, 'u_bob', { users: ['u_carol'], signType: 2, method: 1 });
    assert.equal(flow.instance.status, 'PENDING');
    const t = flow.approve('u_carol');
    assert.equal(flow.instance.status, 'APPROVED');
    assert.deepEqual(t.events.at(-1), { kind: 'approval_instance', status: 'APPROVED', operateTime: t.instance.endTime });
  });

  test('on a SEQUENTIAL node the added user comes before the next one in the order', () => {
    const flow = new Flow([seqNode], [plan(seqNode, 'u_bob', 'u_erin')]);
    sign(flow, 'u_bob', { users: ['u_carol'], signType: 2, method: 2 });
    assert.deepEqual(flow.byUser(), { u_bob: ['APPROVED'], u_carol: ['PENDING'] });
    flow.approve('u_carol');
    assert.deepEqual(flow.byUser(), { u_bob: ['APPROVED'], u_carol: ['APPROVED'], u_erin: ['PENDING'] });
    flow.approve('u_erin');
    assert.equal(flow.instance.status, 'APPROVED');
  });

  test('on an OR node the operator\'s approval closes the other approvers\' tasks', () => {
    const flow = new Flow([orNode], [plan(orNode, 'u_bob', 'u_carol')]);
    sign(flow, 'u_bob', { users: ['u_dan'], signType: 2, method: 2 });
    assert.deepEqual(flow.byUser(), { u_bob: ['APPROVED'], u_carol: ['DONE'], u_dan: ['PENDING'] });
  });

  test('needs no signature-free node for type 1, but answers 1390018 for type 2 (it approves)', () => {
    const signed = node('s', 'AND', { requireSignature: true });
    const flow = new Flow([signed], [plan(signed, 'u_bob')]);
    const args = { ...flow.argsOf('u_bob'), users: ['u_carol'], method: 2 as const };
    assertRefused(addSign(flow.instance, flow.tasks, flow.definition, { ...args, signType: 2 }), 1390018, /handwritten signature/);
    sign(flow, 'u_bob', { users: ['u_carol'], signType: 1, method: 2 });
    assert.equal(flow.pendingOf('u_carol').requireSignature, true);
  });
});

describe('add_sign parallel (type 3)', () => {
  test('on an OR node the added user joins it: any one approval settles the node', () => {
    const flow = new Flow([orNode, last], [plan(orNode, 'u_bob', 'u_carol'), plan(last, 'u_erin')]);
    const t = sign(flow, 'u_bob', { users: ['u_dan'], signType: 3 });
    assert.deepEqual(taskEvents(t.events), ['u_dan PENDING']);
    assert.equal(flow.pendingOf('u_dan').type, 'OR');
    flow.approve('u_dan');
    assert.deepEqual(flow.byUser(), { u_bob: ['DONE'], u_carol: ['DONE'], u_dan: ['APPROVED'], u_erin: ['PENDING'] });
  });

  test('on an AND node the operator and the added users must all approve; approval_method is ignored', () => {
    const flow = bobThenErin();
    sign(flow, 'u_bob', { users: ['u_carol', 'u_dan'], signType: 3, method: 1 });
    flow.approve('u_bob');
    flow.approve('u_carol');
    assert.deepEqual(flow.byUser(), { u_bob: ['APPROVED'], u_carol: ['APPROVED'], u_dan: ['PENDING'] });
    flow.approve('u_dan');
    assert.deepEqual(flow.byUser().u_erin, ['PENDING']);
  });

  test('on a SEQUENTIAL node the added users decide beside the order, and the node waits for both', () => {
    const flow = new Flow([seqNode], [plan(seqNode, 'u_bob', 'u_erin')]);
    sign(flow, 'u_bob', { users: ['u_carol'], signType: 3 });
    flow.approve('u_bob');
    assert.deepEqual(flow.byUser(), { u_bob: ['APPROVED'], u_carol: ['PENDING'], u_erin: ['PENDING'] });
    flow.approve('u_erin');
    assert.equal(flow.instance.status, 'PENDING');
    flow.approve('u_carol');
    assert.equal(flow.instance.status, 'APPROVED');
  });
});

describe('add_sign in general', () => {
  test('the timeline entry is of the type\'s kind, by the operator, naming the added users in ext.user_id_list', () => {
    for (const [signType, type] of [[1, 'ADD_APPROVER_BEFORE'], [2, 'ADD_APPROVER_AFTER'], [3, 'ADD_APPROVER']] as const) {
      const flow = bobThenErin();
      const taskId = flow.pendingOf('u_bob').id;
      const t = sign(flow, 'u_bob', { users: ['u_carol', 'u_dan'], signType, method: 2, comment: 'please' });
      assert.deepEqual(t.timeline, [
        {
          type,
          createTime: FLOW_T0 + 1000,
          userId: 'u_bob',
          taskId,
          comment: 'please',
          nodeKey: 'n1',
          userIdList: ['u_carol', 'u_dan'],
          ext: { user_id_list: ['u_carol', 'u_dan'] },
        },
      ]);
    }
  });

  test('a user added after may add users in turn; the operator waits for the whole chain', () => {
    const flow = bobThenErin();
    sign(flow, 'u_bob', { users: ['u_carol'], signType: 1, method: 2 });
    sign(flow, 'u_carol', { users: ['u_dan'], signType: 2, method: 2 });
    assert.deepEqual(flow.byUser(), { u_bob: ['DONE'], u_carol: ['APPROVED'], u_dan: ['PENDING'] });
    flow.approve('u_dan');
    assert.deepEqual(flow.byUser().u_bob, ['DONE', 'PENDING']);
  });

  test('a reject by an added user ends the instance and closes every other pending task', () => {
    const flow = bobThenErin();
    sign(flow, 'u_bob', { users: ['u_carol', 'u_dan'], signType: 1, method: 2 });
    const args = flow.argsOf('u_carol');
    flow.act((instance, tasks, definition) => rejectTask(instance, tasks, definition, args));
    assert.equal(flow.instance.status, 'REJECTED');
    assert.deepEqual(flow.byUser(), { u_bob: ['DONE'], u_carol: ['REJECTED'], u_dan: ['DONE'] });
  });

  test('approval_method is required for types 1 and 2', () => {
    const flow = bobThenErin();
    for (const signType of [1, 2] as const) {
      const result = addSign(flow.instance, flow.tasks, flow.definition, { ...flow.argsOf('u_bob'), users: ['u_carol'], signType });
      assertRefused(result, 1390001, /approval_method is required/);
    }
  });

  test('adding oneself, or a user already pending on the node, answers 1390001', () => {
    const flow = new Flow([andNode], [plan(andNode, 'u_bob', 'u_carol')]);
    const args = { ...flow.argsOf('u_bob'), signType: 3 as const };
    assertRefused(addSign(flow.instance, flow.tasks, flow.definition, { ...args, users: ['u_bob'] }), 1390001, /operator/);
    assertRefused(addSign(flow.instance, flow.tasks, flow.definition, { ...args, users: ['u_carol'] }), 1390001, /already has a pending task/);
  });

  test('someone else\'s task answers 1390001, an unknown one 1390010, a closed one 1390001', () => {
    const flow = bobThenErin();
    const bobTask = flow.pendingOf('u_bob').id;
    const base = { users: ['u_dan'], signType: 3 as const, now: 1, ids: flow.ids };
    assertRefused(addSign(flow.instance, flow.tasks, flow.definition, { ...base, taskId: bobTask, by: 'u_carol' }), 1390001, /assignee/);
    assertRefused(addSign(flow.instance, flow.tasks, flow.definition, { ...base, taskId: '999', by: 'u_bob' }), 1390010, /999/);
    flow.approve('u_bob');
    assertRefused(addSign(flow.instance, flow.tasks, flow.definition, { ...base, taskId: bobTask, by: 'u_bob' }), 1390001, /APPROVED/);
  });
});
