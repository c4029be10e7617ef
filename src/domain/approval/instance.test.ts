import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PlannedNode } from './approvers.js';
import type { NodeDefinition } from './definition.js';
import { approveTask, rejectTask, transferTask, type DomainEvent } from './instance.js';
import { accepted, assertRefused, Flow, FLOW_T0, node, snapshot } from './test-support.js';

const T0 = FLOW_T0;

/** An event's status, or for an approval_cc event its operate. */
const statusOf = (e: DomainEvent): string => ('status' in e ? e.status : e.operate);

const andNode = node('n1', 'AND');
const orNode = node('n2', 'OR');
const seqNode = node('n3', 'SEQUENTIAL');
const plan = (n: NodeDefinition, ...approvers: string[]): PlannedNode => ({ nodeId: n.nodeId, approvers });

describe('starting an instance', () => {
  const flow = new Flow([andNode, orNode], [plan(andNode, 'u_bob', 'u_carol'), plan(orNode, 'u_dan')]);

  test('a new instance is PENDING, open, at its first node, version 1', () => {
    const { status, startTime, endTime, currentNode, version, approvalCode, submitter, reverted } = flow.instance;
    assert.deepEqual(
      { status, startTime, endTime, currentNode, version, approvalCode, submitter, reverted },
      { status: 'PENDING', startTime: T0, endTime: 0, currentNode: 0, version: 1, approvalCode: 'APPROVAL-1', submitter: 'u_alice', reverted: false },
    );
  });

  test('the timeline starts with START by the submitter', () =>
    assert.deepEqual(flow.last.timeline, [{ type: 'START', createTime: T0, userId: 'u_alice' }]));

  test('the first node\'s approvers each get a PENDING task, with ids from the id source', () =>
    assert.deepEqual(flow.last.newTasks, [
      { id: '1001', instanceCode: 'INSTANCE-1', nodeId: 'sys-n1', group: 'sys-n1', userId: 'u_bob', status: 'PENDING', type: 'AND', startTime: T0, endTime: 0, requireSignature: false },
      { id: '1002', instanceCode: 'INSTANCE-1', nodeId: 'sys-n1', group: 'sys-n1', userId: 'u_carol', status: 'PENDING', type: 'AND', startTime: T0, endTime: 0, requireSignature: false },
    ]));

  test('events: instance PENDING, then task PENDING for each new task', () =>
    assert.deepEqual(flow.last.events, [
      { kind: 'approval_instance', status: 'PENDING', operateTime: T0 },
      { kind: 'approval_task', taskId: '1001', userId: 'u_bob', status: 'PENDING', operateTime: T0, nodeId: 'sys-n1', customNodeId: 'n1' },
      { kind: 'approval_task', taskId: '1002', userId: 'u_carol', status: 'PENDING', operateTime: T0, nodeId: 'sys-n1', customNodeId: 'n1' },
    ]));

  test('a SEQUENTIAL first node gives a task to its first approver only', () => {
    const seq = new Flow([seqNode], [plan(seqNode, 'u_bob', 'u_carol')]);
    assert.deepEqual(seq.tasks.map((t) => [t.userId, t.type]), [['u_bob', 'SEQUENTIAL']]);
  });

  test('tasks of a node requiring a signature carry that requirement', () => {
    const signed = node('s', 'AND', { requireSignature: true });
    const flow2 = new Flow([signed], [plan(signed, 'u_bob')]);
    assert.equal(flow2.tasks[0]?.requireSignature, true);
  });
});

describe('approving', () => {
  test('an AND node stays open until every approver has approved', () => {
    const flow = new Flow([andNode, orNode], [plan(andNode, 'u_bob', 'u_carol'), plan(orNode, 'u_dan')]);
    const t = flow.approve('u_bob');
    assert.equal(t.instance.currentNode, 0);
    assert.deepEqual(t.newTasks, []);
    assert.deepEqual(t.events.map(statusOf), ['APPROVED']);
  });

  test('approving records PASS with the approver, task, comment and node key', () => {
    const flow = new Flow([andNode], [plan(andNode, 'u_bob')]);
    const taskId = flow.pendingOf('u_bob').id;
    const t = accepted(approveTask(flow.instance, flow.tasks, flow.definition, { taskId, by: 'u_bob', comment: 'OK', now: T0 + 5, ids: flow.ids }));
    assert.deepEqual(t.timeline, [{ type: 'PASS', createTime: T0 + 5, userId: 'u_bob', taskId, comment: 'OK', nodeKey: 'n1' }]);
    assert.deepEqual(t.changedTasks, [{ ...flow.pendingOf('u_bob'), status: 'APPROVED', endTime: T0 + 5 }]);
  });

  test('an AND → OR route runs to APPROVED', () => {
    const flow = new Flow([andNode, orNode], [plan(andNode, 'u_bob', 'u_carol'), plan(orNode, 'u_dan', 'u_erin')]);
    flow.approve('u_bob');
    const second = flow.approve('u_carol', T0 + 2000);
    assert.equal(second.instance.currentNode, 1);
    assert.deepEqual(second.events.map((e) => [e.kind, statusOf(e), 'userId' in e ? e.userId : '']), [
      ['approval_task', 'APPROVED', 'u_carol'],
      ['approval_task', 'PENDING', 'u_dan'],
      ['approval_task', 'PENDING', 'u_erin'],
    ]);
    const last = flow.approve('u_erin', T0 + 3000);
    assert.equal(last.instance.status, 'APPROVED');
    assert.equal(last.instance.endTime, T0 + 3000);
    assert.equal(last.instance.currentNode, 2);
    assert.deepEqual(last.events.at(-1), { kind: 'approval_instance', status: 'APPROVED', operateTime: T0 + 3000 });
  });

  test('one approval settles an OR node: the others\' tasks become DONE', () => {
    const flow = new Flow([orNode], [plan(orNode, 'u_dan', 'u_erin', 'u_bob')]);
    const t = flow.approve('u_erin', T0 + 7);
    assert.deepEqual(t.changedTasks.map((c) => [c.userId, c.status, c.endTime]), [
      ['u_erin', 'APPROVED', T0 + 7],
      ['u_dan', 'DONE', T0 + 7],
      ['u_bob', 'DONE', T0 + 7],
    ]);
    assert.deepEqual(t.events.map(statusOf), ['APPROVED', 'DONE', 'DONE', 'APPROVED']);
    assert.equal(t.instance.status, 'APPROVED');
  });

  test('a SEQUENTIAL node hands the next approver a task after each approval, in planned order', () => {
    const flow = new Flow([seqNode], [plan(seqNode, 'u_bob', 'u_carol', 'u_dan')]);
    const first = flow.approve('u_bob');
    assert.deepEqual(first.newTasks.map((t) => t.userId), ['u_carol']);
    assert.equal(first.instance.status, 'PENDING');
    flow.approve('u_carol');
    const last = flow.approve('u_dan', T0 + 9);
    assert.deepEqual(last.newTasks, []);
    assert.equal(last.instance.status, 'APPROVED');
    assert.equal(last.instance.endTime, T0 + 9);
  });

  test('a node CCs its planned users once it has passed: CC after PASS, CREATE events before the next node opens', () => {
    const flow = new Flow([andNode, orNode], [{ ...plan(andNode, 'u_bob', 'u_carol'), ccers: ['u_erin'] }, plan(orNode, 'u_dan')]);
    const first = flow.approve('u_bob');
    assert.deepEqual([first.newCcs, first.timeline.map((e) => e.type)], [[], ['PASS']]);
    const passed = flow.approve('u_carol', T0 + 2000);
    assert.deepEqual(passed.newCcs?.map((cc) => [cc.userId, cc.from, cc.nodeId, cc.status, cc.createTime]), [
      ['u_erin', '', andNode.nodeId, 'UNREAD', T0 + 2000],
    ]);
    const cc = passed.timeline[1];
    assert.deepEqual([cc?.type, cc?.userId, cc?.userIdList, cc?.ccIds, cc?.nodeKey], ['CC', undefined, ['u_erin'], [passed.newCcs?.[0]?.id], 'n1']);
    assert.deepEqual(passed.events.map((e) => [e.kind, statusOf(e)]), [
      ['approval_task', 'APPROVED'],
      ['approval_cc', 'CREATE'],
      ['approval_task', 'PENDING'],
    ]);
  });

  test('the last node\'s CC goes out before the instance is APPROVED', () => {
    const flow = new Flow([orNode], [{ ...plan(orNode, 'u_dan'), ccers: ['u_erin', 'u_bob'] }]);
    assert.deepEqual(flow.approve('u_dan').events.map((e) => [e.kind, statusOf(e)]), [
      ['approval_task', 'APPROVED'],
      ['approval_cc', 'CREATE'],
      ['approval_cc', 'CREATE'],
      ['approval_instance', 'APPROVED'],
    ]);
  });

  test('a node that is rejected CCs nobody', () => {
    const flow = new Flow([andNode], [{ ...plan(andNode, 'u_bob'), ccers: ['u_erin'] }]);
    const taskId = flow.pendingOf('u_bob').id;
    const t = accepted(rejectTask(flow.instance, flow.tasks, flow.definition, { taskId, by: 'u_bob', now: T0 + 5, ids: flow.ids }));
    assert.deepEqual([t.newCcs ?? [], t.events.filter((e) => e.kind === 'approval_cc')], [[], []]);
  });

  test('every transition bumps the version by one', () => {
    const flow = new Flow([andNode], [plan(andNode, 'u_bob', 'u_carol')]);
    assert.equal(flow.approve('u_bob').instance.version, 2);
    assert.equal(flow.approve('u_carol').instance.version, 3);
  });

  test('approving changes none of its inputs', () => {
    const flow = new Flow([andNode, orNode], [plan(andNode, 'u_bob'), plan(orNode, 'u_dan')]);
    const before = snapshot({ instance: flow.instance, tasks: flow.tasks, definition: flow.definition });
    const taskId = flow.pendingOf('u_bob').id;
    accepted(approveTask(flow.instance, flow.tasks, flow.definition, { taskId, by: 'u_bob', now: T0, ids: flow.ids }));
    assert.deepEqual({ instance: flow.instance, tasks: flow.tasks, definition: flow.definition }, before);
  });
});

describe('nodes that pass by themselves (node_auto_approval_list)', () => {
  const auto = (n: NodeDefinition): PlannedNode => ({ nodeId: n.nodeId, approvers: [], autoPass: true });

  test('an automatic first node passes at start: an AUTO_PASS task with nobody on it, APPROVED, then the next node opens', () => {
    const flow = new Flow([andNode, orNode], [auto(andNode), plan(orNode, 'u_dan')]);
    const t = flow.last;
    assert.deepEqual(
      t.newTasks.map((task) => [task.nodeId, task.userId, task.type, task.status, task.startTime, task.endTime]),
      [
        [andNode.nodeId, '', 'AUTO_PASS', 'APPROVED', T0, T0],
        [orNode.nodeId, 'u_dan', 'OR', 'PENDING', T0, 0],
      ],
    );
    assert.deepEqual(t.timeline, [
      { type: 'START', createTime: T0, userId: 'u_alice' },
      { type: 'AUTO_PASS', createTime: T0, taskId: t.newTasks[0]!.id, nodeKey: 'n1' },
    ]);
    assert.deepEqual(t.events.map((e) => [e.kind, statusOf(e), e.kind === 'approval_task' ? e.userId : '']), [
      ['approval_instance', 'PENDING', ''],
      ['approval_task', 'APPROVED', ''],
      ['approval_task', 'PENDING', 'u_dan'],
    ]);
    assert.equal(t.instance.currentNode, 1);
  });

  test('an automatic node after an approved one passes at once, and its CC goes out', () => {
    const flow = new Flow([andNode, orNode], [plan(andNode, 'u_bob'), { ...auto(orNode), ccers: ['u_erin'] }]);
    const t = flow.approve('u_bob');
    assert.deepEqual(t.timeline.map((e) => e.type), ['PASS', 'AUTO_PASS', 'CC']);
    assert.deepEqual(t.events.map((e) => [e.kind, statusOf(e)]), [
      ['approval_task', 'APPROVED'],
      ['approval_task', 'APPROVED'],
      ['approval_cc', 'CREATE'],
      ['approval_instance', 'APPROVED'],
    ]);
    assert.equal(t.instance.status, 'APPROVED');
  });

  test('an instance whose every node passes by itself is APPROVED at start', () => {
    const flow = new Flow([andNode, orNode], [auto(andNode), auto(orNode)]);
    assert.equal(flow.instance.status, 'APPROVED');
    assert.equal(flow.instance.endTime, T0);
    assert.deepEqual(flow.last.timeline.map((e) => e.type), ['START', 'AUTO_PASS', 'AUTO_PASS']);
  });
});

describe('checks before acting on a task, in order', () => {
  const fresh = () => new Flow([andNode], [plan(andNode, 'u_bob', 'u_carol')]);
  const act = (flow: Flow, taskId: string, by: string) =>
    approveTask(flow.instance, flow.tasks, flow.definition, { taskId, by, now: T0, ids: flow.ids });

  test('an unknown task answers 1390010', () => assertRefused(act(fresh(), '999', 'u_bob'), 1390010, /task "999" is not a task of instance INSTANCE-1/));

  test('a task of another instance answers 1390010', () => {
    const flow = fresh();
    const foreign = { ...flow.pendingOf('u_bob'), id: '555', instanceCode: 'OTHER' };
    flow.tasks.push(foreign);
    assertRefused(act(flow, '555', 'u_bob'), 1390010, /not a task of instance/);
  });

  test('a task of an instance that is no longer PENDING answers 1390001, before the task\'s own status', () => {
    const flow = fresh();
    const bob = flow.pendingOf('u_bob').id;
    flow.apply(accepted(rejectTask(flow.instance, flow.tasks, flow.definition, { taskId: bob, by: 'u_bob', now: T0, ids: flow.ids })));
    assertRefused(act(flow, bob, 'u_bob'), 1390001, /the instance is REJECTED/);
  });

  test('a task that is no longer PENDING answers 1390001, before the assignee check', () => {
    const flow = fresh();
    const bob = flow.pendingOf('u_bob').id;
    flow.approve('u_bob');
    assertRefused(act(flow, bob, 'u_bob'), 1390001, /task \d+ is already APPROVED/);
    assertRefused(act(flow, bob, 'u_mallory'), 1390001, /is already APPROVED/);
  });

  test('only the task\'s assignee may act on it', () => {
    const flow = fresh();
    assertRefused(act(flow, flow.pendingOf('u_bob').id, 'u_carol'), 1390001, /user "u_carol" is not the assignee of task/);
  });
});

describe('nodes requiring a handwritten signature', () => {
  const signed = node('s', 'AND', { requireSignature: true });
  const fresh = () => new Flow([signed], [plan(signed, 'u_bob')]);

  test('approving through the API answers 1390018', () => {
    const flow = fresh();
    const args = { taskId: flow.pendingOf('u_bob').id, by: 'u_bob', now: T0, ids: flow.ids };
    assertRefused(approveTask(flow.instance, flow.tasks, flow.definition, args), 1390018, /requires a handwritten signature/);
  });

  test('rejecting through the API answers 1390018', () => {
    const flow = fresh();
    const args = { taskId: flow.pendingOf('u_bob').id, by: 'u_bob', now: T0, ids: flow.ids };
    assertRefused(rejectTask(flow.instance, flow.tasks, flow.definition, args), 1390018, /requires a handwritten signature/);
  });

  test('a non-assignee gets the assignee reason, not 1390018', () => {
    const flow = fresh();
    const args = { taskId: flow.pendingOf('u_bob').id, by: 'u_carol', now: T0, ids: flow.ids };
    assertRefused(approveTask(flow.instance, flow.tasks, flow.definition, args), 1390001, /not the assignee/);
  });

  test('transferring such a task is allowed, and the new task keeps the requirement', () => {
    const flow = fresh();
    const args = { taskId: flow.pendingOf('u_bob').id, by: 'u_bob', to: 'u_carol', now: T0, ids: flow.ids };
    const t = accepted(transferTask(flow.instance, flow.tasks, flow.definition, args));
    assert.equal(t.newTasks[0]?.requireSignature, true);
  });
});

describe('rejecting', () => {
  const flow = new Flow([andNode, orNode], [plan(andNode, 'u_bob', 'u_carol', 'u_dan'), plan(orNode, 'u_erin')]);
  flow.approve('u_dan');
  const taskId = flow.pendingOf('u_bob').id;
  const t = accepted(rejectTask(flow.instance, flow.tasks, flow.definition, { taskId, by: 'u_bob', comment: 'no', now: T0 + 50, ids: flow.ids }));

  test('the instance is REJECTED and closed at that time', () => {
    assert.equal(t.instance.status, 'REJECTED');
    assert.equal(t.instance.endTime, T0 + 50);
  });

  test('the task is REJECTED and every other pending task DONE; finished tasks are left alone', () =>
    assert.deepEqual(t.changedTasks.map((c) => [c.userId, c.status]), [
      ['u_bob', 'REJECTED'],
      ['u_carol', 'DONE'],
    ]));

  test('the timeline records REJECT', () =>
    assert.deepEqual(t.timeline, [{ type: 'REJECT', createTime: T0 + 50, userId: 'u_bob', taskId, comment: 'no', nodeKey: 'n1' }]));

  test('events: task REJECTED, the others DONE, instance REJECTED; no next node opens', () => {
    assert.deepEqual(t.events.map(statusOf), ['REJECTED', 'DONE', 'REJECTED']);
    assert.deepEqual(t.newTasks, []);
  });
});

describe('transferring', () => {
  const fresh = () => new Flow([andNode], [plan(andNode, 'u_bob', 'u_carol')]);
  const transfer = (flow: Flow, by: string, to: string, now = T0 + 10) =>
    transferTask(flow.instance, flow.tasks, flow.definition, { taskId: flow.pendingOf(by).id, by, to, comment: 'away', now, ids: flow.ids });

  test('the task becomes TRANSFERRED and the new assignee gets a PENDING task on the same node', () => {
    const flow = fresh();
    const bob = flow.pendingOf('u_bob');
    const t = accepted(transfer(flow, 'u_bob', 'u_erin'));
    assert.deepEqual(t.changedTasks, [{ ...bob, status: 'TRANSFERRED', endTime: T0 + 10 }]);
    assert.deepEqual(t.newTasks.map((n) => [n.userId, n.nodeId, n.status, n.type, n.startTime]), [['u_erin', 'sys-n1', 'PENDING', 'AND', T0 + 10]]);
    assert.equal(t.instance.status, 'PENDING');
    assert.equal(t.instance.version, flow.instance.version + 1);
  });

  test('the timeline records TRANSFER by the old assignee, naming the new one', () => {
    const flow = fresh();
    const taskId = flow.pendingOf('u_bob').id;
    const t = accepted(transfer(flow, 'u_bob', 'u_erin'));
    assert.deepEqual(t.timeline, [
      { type: 'TRANSFER', createTime: T0 + 10, userId: 'u_bob', taskId, comment: 'away', nodeKey: 'n1', userIdList: ['u_erin'], ext: { user_id_list: ['u_erin'] } },
    ]);
  });

  test('events: TRANSFERRED for the old task, PENDING for the new one', () => {
    const flow = fresh();
    const t = accepted(transfer(flow, 'u_bob', 'u_erin'));
    assert.deepEqual(t.events.map((e) => [statusOf(e), 'userId' in e ? e.userId : '']), [
      ['TRANSFERRED', 'u_bob'],
      ['PENDING', 'u_erin'],
    ]);
  });

  test('the transferee\'s approval counts for the node', () => {
    const flow = fresh();
    flow.apply(accepted(transfer(flow, 'u_bob', 'u_erin')));
    flow.approve('u_carol');
    assert.equal(flow.approve('u_erin').instance.status, 'APPROVED');
  });

  test('on a SEQUENTIAL node the transferee takes over the slot, and the order goes on after it', () => {
    const flow = new Flow([seqNode], [plan(seqNode, 'u_bob', 'u_carol')]);
    flow.apply(accepted(transfer(flow, 'u_bob', 'u_erin')));
    assert.deepEqual(flow.approve('u_erin').newTasks.map((t) => t.userId), ['u_carol']);
    assert.equal(flow.approve('u_carol').instance.status, 'APPROVED');
  });

  test('transferring to oneself answers 1390001', () =>
    assertRefused(transfer(fresh(), 'u_bob', 'u_bob'), 1390001, /cannot be transferred to its own assignee "u_bob"/));

  test('transferring to someone already holding a pending task on the node answers 1390001', () =>
    assertRefused(transfer(fresh(), 'u_bob', 'u_carol'), 1390001, /user "u_carol" already has a pending task on this node/));
});
