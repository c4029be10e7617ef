import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { addSign } from './add-sign.js';
import type { PlannedNode } from './approvers.js';
import type { NodeDefinition } from './definition.js';
import { approveTask, rejectTask, transferTask, type DomainEvent } from './instance.js';
import { rejectUnderOption, resubmit, resubmitComment, rollBack } from './send-back.js';
import { accepted, assertRefused, Flow, FLOW_T0, node } from './test-support.js';

const plan = (n: NodeDefinition, ...approvers: string[]): PlannedNode => ({ nodeId: n.nodeId, approvers });
const n1 = node('n1', 'AND');
const n2 = node('n2', 'AND');
const n3 = node('n3', 'AND');
const seq = node('seq', 'SEQUENTIAL');

/** Bob (n1), then Carol (n2), then Dan (n3); Bob and Carol have approved, Dan's task is pending. */
function atDan(): Flow {
  const flow = new Flow([n1, n2, n3], [plan(n1, 'u_bob'), plan(n2, 'u_carol'), plan(n3, 'u_dan')]);
  flow.approve('u_bob');
  flow.approve('u_carol');
  return flow;
}

function rollback(flow: Flow, by: string, keys: string[], comment?: string) {
  const args = { ...flow.argsOf(by), keys, ...(comment ? { comment } : {}) };
  return flow.act((instance, tasks, definition) => rollBack(instance, tasks, definition, args));
}

const taskEvents = (events: DomainEvent[]) =>
  events.flatMap((e) => (e.kind === 'approval_task' ? [`${e.userId} ${e.status}`] : []));

describe('specified_rollback', () => {
  test('the acting task closes DONE, its event says ROLLBACK with the chosen nodes, and the chosen node gets new tasks', () => {
    const flow = atDan();
    const bobsFirst = flow.tasks[0]!.id;
    const t = rollback(flow, 'u_dan', ['n1'], 'redo the numbers');
    assert.deepEqual(taskEvents(t.events), ['u_dan ROLLBACK', 'u_bob PENDING']);
    const rolled = t.events[0]!;
    assert.ok(rolled.kind === 'approval_task');
    assert.equal(rolled.extra, JSON.stringify({ rollback_node_ids: ['sys-n1'], rollback_custom_node_ids: ['n1'] }));
    assert.deepEqual(flow.byUser(), { u_bob: ['APPROVED', 'PENDING'], u_carol: ['APPROVED'], u_dan: ['DONE'] });
    assert.notEqual(flow.pendingOf('u_bob').id, bobsFirst);
    assert.equal(flow.instance.status, 'PENDING');
    assert.equal(flow.instance.currentNode, 0);
    assert.ok(!t.events.some((e) => e.kind === 'approval_instance'));
  });

  test('the timeline entry is ROLLBACK_SELECTED by the approver, with the reason and the node sent back from', () => {
    const flow = atDan();
    const taskId = flow.pendingOf('u_dan').id;
    const t = rollback(flow, 'u_dan', ['n1'], 'redo the numbers');
    assert.deepEqual(t.timeline, [
      { type: 'ROLLBACK_SELECTED', createTime: FLOW_T0 + 1000, userId: 'u_dan', taskId, comment: 'redo the numbers', nodeKey: 'n3' },
    ]);
  });

  test('the route goes on from the chosen node as usual: every later node is approved again', () => {
    const flow = atDan();
    rollback(flow, 'u_dan', ['n2']);
    assert.deepEqual(flow.byUser().u_carol, ['APPROVED', 'PENDING']);
    flow.approve('u_carol');
    flow.approve('u_dan');
    assert.equal(flow.instance.status, 'APPROVED');
  });

  test('a node is named by its client id or its system node_id; of several, the route goes back to the earliest', () => {
    const flow = atDan();
    const t = rollback(flow, 'u_dan', ['n2', 'sys-n1', 'n2']);
    assert.equal(flow.instance.currentNode, 0);
    const rolled = t.events[0]!;
    assert.ok(rolled.kind === 'approval_task');
    assert.deepEqual(JSON.parse(rolled.extra!), { rollback_node_ids: ['sys-n2', 'sys-n1'], rollback_custom_node_ids: ['n2', 'n1'] });
  });

  test('the other pending tasks of the node close DONE', () => {
    const flow = new Flow([n1, n2], [plan(n1, 'u_bob'), plan(n2, 'u_carol', 'u_dan')]);
    flow.approve('u_bob');
    const t = rollback(flow, 'u_carol', ['n1']);
    assert.deepEqual(taskEvents(t.events), ['u_carol ROLLBACK', 'u_dan DONE', 'u_bob PENDING']);
  });

  test('a SEQUENTIAL node sent back to starts its order again: the approvals of its last pass do not count', () => {
    const flow = new Flow([seq, n2], [plan(seq, 'u_bob', 'u_erin'), plan(n2, 'u_carol')]);
    flow.approve('u_bob');
    flow.approve('u_erin');
    rollback(flow, 'u_carol', ['seq']);
    assert.deepEqual(flow.byUser(), { u_bob: ['APPROVED', 'PENDING'], u_erin: ['APPROVED'], u_carol: ['DONE'] });
    flow.approve('u_bob');
    assert.deepEqual(flow.byUser().u_erin, ['APPROVED', 'PENDING']);
    flow.approve('u_erin');
    assert.deepEqual(flow.byUser().u_carol, ['DONE', 'PENDING']);
  });

  test('users add_sign added in the last pass are not asked again', () => {
    const flow = new Flow([n1, n2], [plan(n1, 'u_bob'), plan(n2, 'u_carol')]);
    const args = { ...flow.argsOf('u_bob'), users: ['u_erin'], signType: 1 as const, method: 2 as const };
    flow.act((instance, tasks, definition) => addSign(instance, tasks, definition, args));
    flow.approve('u_erin');
    flow.approve('u_bob');
    rollback(flow, 'u_carol', ['n1']);
    assert.deepEqual(flow.tasks.filter((t) => t.status === 'PENDING').map((t) => t.userId), ['u_bob']);
    assert.equal(flow.instance.route[0]!.added, undefined);
    flow.approve('u_bob');
    assert.deepEqual(flow.byUser().u_carol, ['DONE', 'PENDING']);
  });

  test('START sends the request back to its submitter: a PENDING task of Alice at START, no node under approval', () => {
    const flow = atDan();
    const t = rollback(flow, 'u_dan', ['START']);
    assert.deepEqual(taskEvents(t.events), ['u_dan ROLLBACK', 'u_alice PENDING']);
    const alices = flow.pendingOf('u_alice');
    assert.equal(alices.nodeId, 'START');
    assert.equal(flow.instance.currentNode, -1);
    const pending = t.events.at(-1)!;
    assert.ok(pending.kind === 'approval_task');
    assert.equal(pending.customNodeId, 'START');
  });

  test('a node not passed yet, the current one, an unknown key or a node that passed by itself answers 1390001', () => {
    const auto: PlannedNode = { nodeId: n2.nodeId, approvers: [], autoPass: true };
    const flow = new Flow([n1, n2, n3], [plan(n1, 'u_bob'), auto, plan(n3, 'u_dan')]);
    flow.approve('u_bob');
    const refused = (keys: string[]) => rollBack(flow.instance, flow.tasks, flow.definition, { ...flow.argsOf('u_dan'), keys });
    assertRefused(refused(['n3']), 1390001, /"n3" has not been passed yet/);
    assertRefused(refused(['nowhere']), 1390001, /"nowhere" names no node/);
    assertRefused(refused(['n2']), 1390001, /"n2" passed by itself/);
    assertRefused(refused(['n1', 'nowhere']), 1390001, /nowhere/);
  });

  test('someone else\'s task answers 1390001; a revoke request cannot be sent back', () => {
    const flow = atDan();
    const danTask = flow.pendingOf('u_dan').id;
    assertRefused(
      rollBack(flow.instance, flow.tasks, flow.definition, { taskId: danTask, by: 'u_bob', now: 1, ids: flow.ids, keys: ['n1'] }),
      1390001,
      /assignee/,
    );
    const request = { ...flow.instance, revertedInstanceCode: 'ORIGINAL-1' };
    assertRefused(rollBack(request, flow.tasks, flow.definition, { ...flow.argsOf('u_dan'), keys: ['n1'] }), 1390001, /revoke request/);
  });
});

describe('reject under reject_option', () => {
  const returning = () => new Flow([n1, n2], [plan(n1, 'u_bob', 'u_carol'), plan(n2, 'u_dan')], { rejectOption: 1 });
  const reject = (flow: Flow, by: string) => {
    const args = flow.argsOf(by);
    return flow.act((instance, tasks, definition) => rejectUnderOption(instance, tasks, definition, args));
  };

  test('reject_option 1 returns the request to its submitter: it stays PENDING, Alice has a PENDING task at START', () => {
    const flow = returning();
    const t = reject(flow, 'u_bob');
    assert.equal(flow.instance.status, 'PENDING');
    assert.equal(flow.instance.endTime, 0);
    assert.equal(flow.instance.currentNode, -1);
    assert.deepEqual(taskEvents(t.events), ['u_bob REJECTED', 'u_carol DONE', 'u_alice PENDING']);
    assert.ok(!t.events.some((e) => e.kind === 'approval_instance'));
    assert.deepEqual(t.timeline.map((e) => [e.type, e.userId]), [['REJECT', 'u_bob']]);
    assert.equal(flow.pendingOf('u_alice').nodeId, 'START');
  });

  test('reject_option 0 (and any revoke request) ends the request REJECTED', () => {
    const plain = new Flow([n1], [plan(n1, 'u_bob')], { rejectOption: 0 });
    reject(plain, 'u_bob');
    assert.equal(plain.instance.status, 'REJECTED');
    const request = returning();
    request.instance = { ...request.instance, revertedInstanceCode: 'ORIGINAL-1' };
    reject(request, 'u_bob');
    assert.equal(request.instance.status, 'REJECTED');
  });

  test('the returned task answers 1390001 to approve, reject, transfer, add_sign and rollback', () => {
    const flow = returning();
    reject(flow, 'u_bob');
    const args = flow.argsOf('u_alice');
    const { instance, tasks, definition } = flow;
    for (const result of [
      approveTask(instance, tasks, definition, args),
      rejectTask(instance, tasks, definition, args),
      transferTask(instance, tasks, definition, { ...args, to: 'u_dan' }),
      addSign(instance, tasks, definition, { ...args, users: ['u_dan'], signType: 3 }),
      rollBack(instance, tasks, definition, { ...args, keys: ['START'] }),
    ]) {
      assertRefused(result, 1390001, /only \/tasks\/resubmit acts on it/);
    }
  });
});

describe('resubmit', () => {
  const returned = () => {
    const flow = new Flow([n1, n2], [plan(n1, 'u_bob'), plan(n2, 'u_dan')], { rejectOption: 1 });
    flow.approve('u_bob');
    const args = flow.argsOf('u_dan');
    flow.act((instance, tasks, definition) => rejectUnderOption(instance, tasks, definition, args));
    return flow;
  };
  const resubmitAs = (flow: Flow, by: string, form = '[{"id":"w","type":"input","value":"again"}]') => {
    const args = { ...flow.argsOf(by), form, comment: 'fixed' };
    return flow.act((instance, tasks, definition) => resubmit(instance, tasks, definition, args));
  };

  test('the submitter\'s task is APPROVED, the form replaced, a second START written, and the route starts again', () => {
    const flow = returned();
    const taskId = flow.pendingOf('u_alice').id;
    const t = resubmitAs(flow, 'u_alice');
    assert.equal(flow.instance.form, '[{"id":"w","type":"input","value":"again"}]');
    assert.deepEqual(t.timeline, [{ type: 'START', createTime: FLOW_T0 + 1000, userId: 'u_alice', taskId, comment: 'fixed' }]);
    assert.deepEqual(taskEvents(t.events), ['u_alice APPROVED', 'u_bob PENDING']);
    assert.equal(flow.instance.currentNode, 0);
    assert.deepEqual(flow.byUser(), { u_bob: ['APPROVED', 'PENDING'], u_dan: ['REJECTED'], u_alice: ['APPROVED'] });
    flow.approve('u_bob');
    flow.approve('u_dan');
    assert.equal(flow.instance.status, 'APPROVED');
  });

  test('only the submitter\'s returned task can be resubmitted, only by them', () => {
    const flow = returned();
    const alices = flow.pendingOf('u_alice').id;
    const form = '[]';
    assertRefused(resubmit(flow.instance, flow.tasks, flow.definition, { taskId: alices, by: 'u_bob', now: 1, ids: flow.ids, form }), 1390001, /assignee/);
    const pending = new Flow([n1], [plan(n1, 'u_bob')]);
    assertRefused(resubmit(pending.instance, pending.tasks, pending.definition, { ...pending.argsOf('u_bob'), form }), 1390001, /approval task/);
    resubmitAs(flow, 'u_alice');
    assertRefused(resubmit(flow.instance, flow.tasks, flow.definition, { taskId: alices, by: 'u_alice', now: 2, ids: flow.ids, form }), 1390001, /APPROVED/);
  });

  test('the comment is a JSON object string; its text goes on the timeline', () => {
    assert.equal(accepted(resubmitComment('{"text":"fixed","files":[]}')), 'fixed');
    assert.equal(accepted(resubmitComment('{"files":[]}')), '');
    assertRefused(resubmitComment('fixed'), 1390001, /JSON object/);
    assertRefused(resubmitComment('["fixed"]'), 1390001, /JSON object/);
    assertRefused(resubmitComment('{"text":1}'), 1390001, /comment.text/);
  });
});
