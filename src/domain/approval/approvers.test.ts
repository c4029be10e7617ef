import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { autoApprovedNodes, previewRoute, resolveRoute, type SubmitterContext } from './approvers.js';
import type { ApproverRule } from './definition.js';
import { accepted, assertRefused, node } from './test-support.js';

const USERS = new Set(['u_alice', 'u_bob', 'u_carol', 'u_dan', 'u_erin', 'u_dept1', 'u_dept2', 'u_dept3']);

/** Alice's leader is Bob, his is Carol, hers is Dan (the top). Her department chain: dept1, dept2, dept3. */
const alice: SubmitterContext = {
  userId: 'u_alice',
  leaderChain: ['u_bob', 'u_carol', 'u_dan'],
  departmentLeaderChain: ['u_dept1', 'u_dept2', 'u_dept3'],
  isUser: (id) => USERS.has(id),
};

const withRules = (...approvers: ApproverRule[]) => [node('n1', 'AND', { approvers })];
const approversOf = (rules: ApproverRule[], free: Record<string, string[]> = {}) =>
  accepted(resolveRoute(withRules(...rules), alice, free))[0]?.approvers;

describe('resolving approvers', () => {
  test('Personal resolves to its user', () =>
    assert.deepEqual(approversOf([{ type: 'Personal', userId: 'u_erin', level: 1 }]), ['u_erin']));

  test('a Personal approver who is not a user refuses, naming the node and the user', () =>
    assertRefused(
      resolveRoute(withRules({ type: 'Personal', userId: 'u_ghost', level: 1 }), alice, {}),
      1390001,
      /node "n1": approver "u_ghost" is not a user/,
    ));

  test('Supervisor level 1 is the submitter\'s own leader', () =>
    assert.deepEqual(approversOf([{ type: 'Supervisor', level: 1 }]), ['u_bob']));

  test('Supervisor level 2 is the leader\'s leader', () =>
    assert.deepEqual(approversOf([{ type: 'Supervisor', level: 2 }]), ['u_carol']));

  test('SupervisorTopDown level 1 is the top of the leader chain', () =>
    assert.deepEqual(approversOf([{ type: 'SupervisorTopDown', level: 1 }]), ['u_dan']));

  test('SupervisorTopDown level 3 counts down from the top', () =>
    assert.deepEqual(approversOf([{ type: 'SupervisorTopDown', level: 3 }]), ['u_bob']));

  test('DepartmentManager level 1 is the leader of the submitter\'s department', () =>
    assert.deepEqual(approversOf([{ type: 'DepartmentManager', level: 1 }]), ['u_dept1']));

  test('DepartmentManager level 2 is the leader of the parent department', () =>
    assert.deepEqual(approversOf([{ type: 'DepartmentManager', level: 2 }]), ['u_dept2']));

  test('DepartmentManagerTopDown level 1 is the leader of the top department', () =>
    assert.deepEqual(approversOf([{ type: 'DepartmentManagerTopDown', level: 1 }]), ['u_dept3']));

  test('Free resolves to the submitter\'s choice keyed by custom node id', () =>
    assert.deepEqual(approversOf([{ type: 'Free', level: 1 }], { n1: ['u_erin', 'u_bob'] }), ['u_erin', 'u_bob']));

  test('Free resolves to the submitter\'s choice keyed by system node id', () =>
    assert.deepEqual(approversOf([{ type: 'Free', level: 1 }], { 'sys-n1': ['u_carol'] }), ['u_carol']));

  test('choices under both keys of one node are united', () =>
    assert.deepEqual(approversOf([{ type: 'Free', level: 1 }], { 'sys-n1': ['u_carol'], n1: ['u_erin'] }), ['u_carol', 'u_erin']));

  test('a chosen approver who is not a user refuses, naming the user and the node', () =>
    assertRefused(
      resolveRoute(withRules({ type: 'Free', level: 1 }), alice, { n1: ['u_ghost'] }),
      1390001,
      /node "n1": chosen approver "u_ghost" is not a user/,
    ));

  test('a choice keyed by no node refuses', () =>
    assertRefused(
      resolveRoute(withRules({ type: 'Supervisor', level: 1 }), alice, { nodeX: ['u_bob'] }),
      1390001,
      /key "nodeX" names no node/,
    ));

  test('approvers from several rules are de-duplicated, in order', () =>
    assert.deepEqual(
      approversOf([
        { type: 'Supervisor', level: 1 },
        { type: 'Personal', userId: 'u_erin', level: 1 },
        { type: 'SupervisorTopDown', level: 3 },
      ]),
      ['u_bob', 'u_erin'],
    ));

  test('a rule that finds nobody is skipped when another rule finds someone', () =>
    assert.deepEqual(
      approversOf([
        { type: 'Supervisor', level: 9 },
        { type: 'Personal', userId: 'u_erin', level: 1 },
      ]),
      ['u_erin'],
    ));

  test('every node of the definition gets its planned approvers, with its system node id', () => {
    const nodes = [
      node('n1', 'AND', { approvers: [{ type: 'Supervisor', level: 1 }] }),
      node('n2', 'OR', { approvers: [{ type: 'Personal', userId: 'u_erin', level: 1 }] }),
    ];
    assert.deepEqual(accepted(resolveRoute(nodes, alice, {})), [
      { nodeId: 'sys-n1', approvers: ['u_bob'] },
      { nodeId: 'sys-n2', approvers: ['u_erin'] },
    ]);
  });
});

describe('nodes that resolve to nobody refuse with 1390001, naming the node', () => {
  const nobody: [string, ApproverRule, Record<string, string[]>, RegExp][] = [
    ['Supervisor above the top of the chain', { type: 'Supervisor', level: 4 }, {}, /no leader 4 level/],
    ['SupervisorTopDown deeper than the chain', { type: 'SupervisorTopDown', level: 4 }, {}, /fewer than 4 level/],
    ['DepartmentManager above the top', { type: 'DepartmentManager', level: 4 }, {}, /department chain has no leader 4 level/],
    ['DepartmentManagerTopDown deeper than the chain', { type: 'DepartmentManagerTopDown', level: 4 }, {}, /fewer than 4 level/],
    ['Free with no choice', { type: 'Free', level: 1 }, {}, /chose no approver/],
    ['Free with an empty choice', { type: 'Free', level: 1 }, { n1: [] }, /chose no approver/],
  ];
  for (const [what, rule, free, why] of nobody) {
    test(what, () => {
      const result = resolveRoute(withRules(rule), alice, free);
      assertRefused(result, 1390001, /^node "n1" has no approver: /);
      assertRefused(result, 1390001, why);
    });
  }

  test('a submitter without a leader has no Supervisor', () =>
    assertRefused(
      resolveRoute(withRules({ type: 'Supervisor', level: 1 }), { ...alice, leaderChain: [] }, {}),
      1390001,
      /node "n1" has no approver/,
    ));

  test('a node is named by its plain-text name when it has one, else by its custom id', () => {
    const named = [node('n1', 'AND', { name: 'Manager', approvers: [{ type: 'Supervisor', level: 9 }] })];
    assertRefused(resolveRoute(named, alice, {}), 1390001, /node "Manager" has no approver/);
    const keyed = [node('n1', 'AND', { name: '@i18n@n1', approvers: [{ type: 'Supervisor', level: 9 }] })];
    assertRefused(resolveRoute(keyed, alice, {}), 1390001, /node "n1" has no approver/);
  });
});

describe('previewRoute', () => {
  const ctx: SubmitterContext = {
    userId: 'u_alice',
    leaderChain: ['u_bob', 'u_carol'],
    departmentLeaderChain: ['u_carol'],
    isUser: (id: string) => ['u_alice', 'u_bob', 'u_carol', 'u_dave'].includes(id),
  };

  test('a preview resolves leader, department and personal approvers, and CC rules, without refusing anything', () => {
    const nodes = [
      node('lead', 'AND', { approvers: [{ type: 'Supervisor', level: 2 }], ccers: [{ type: 'Personal', userId: 'u_dave', level: 1 }] }),
      node('dept', 'OR', { approvers: [{ type: 'DepartmentManager', level: 1 }, { type: 'Personal', userId: 'u_dave', level: 1 }] }),
    ];
    const preview = previewRoute(nodes, ctx);
    assert.deepEqual(preview.map((p) => [p.approvers, p.ccers, p.free]), [
      [['u_carol'], ['u_dave'], false],
      [['u_carol', 'u_dave'], [], false],
    ]);
  });

  test('a Free node previews as free with nobody, and a rule that finds nobody leaves the node empty', () => {
    const nodes = [
      node('free', 'AND', { approvers: [{ type: 'Free', level: 1 }] }),
      node('far', 'AND', { approvers: [{ type: 'Supervisor', level: 5 }] }),
    ];
    assert.deepEqual(previewRoute(nodes, ctx).map((p) => [p.approvers, p.free]), [
      [[], true],
      [[], false],
    ]);
  });
});

describe('resolving whom a node CCs', () => {
  const ccOf = (ccers: ApproverRule[], chosen: Record<string, string[]> = {}) =>
    accepted(resolveRoute([node('n1', 'AND', { approvers: [{ type: 'Supervisor', level: 1 }], ccers })], alice, {}, chosen))[0];

  test('ccer rules resolve like approver rules', () =>
    assert.deepEqual(ccOf([{ type: 'Personal', userId: 'u_erin', level: 1 }, { type: 'DepartmentManager', level: 1 }])?.ccers, [
      'u_erin',
      'u_dept1',
    ]));

  test('the submitter\'s picks, under either key of the node, are CC\'d after the rules\' users, once each', () =>
    assert.deepEqual(ccOf([{ type: 'Personal', userId: 'u_erin', level: 1 }], { 'sys-n1': ['u_carol'], n1: ['u_erin', 'u_dan'] })?.ccers, [
      'u_erin',
      'u_carol',
      'u_dan',
    ]));

  test('a ccer rule that finds nobody CCs nobody, and a node that CCs nobody plans no ccers', () =>
    assert.deepEqual(ccOf([{ type: 'Supervisor', level: 9 }]), { nodeId: 'sys-n1', approvers: ['u_bob'] }));

  test('a Personal ccer who is not a user refuses, naming the node', () =>
    assertRefused(
      resolveRoute([node('n1', 'AND', { approvers: [{ type: 'Supervisor', level: 1 }], ccers: [{ type: 'Personal', userId: 'u_ghost', level: 1 }] })], alice, {}),
      1390001,
      /node "n1": CC rule: .*"u_ghost" is not a user/,
    ));

  test('a CC list key naming no node refuses', () =>
    assertRefused(resolveRoute(withRules({ type: 'Supervisor', level: 1 }), alice, {}, { nodeX: ['u_bob'] }), 1390001, /CC list key "nodeX" names no node/));

  test('a picked CC user who is not a user refuses, naming the user', () =>
    assertRefused(resolveRoute(withRules({ type: 'Supervisor', level: 1 }), alice, {}, { n1: ['u_ghost'] }), 1390001, /CC user "u_ghost"/));

  test('more than 20 picked CC users for one node refuse; 20 are accepted', () => {
    const many = Array.from({ length: 21 }, (_, i) => `u_${i}`);
    const ctx = { ...alice, isUser: () => true };
    assertRefused(resolveRoute(withRules({ type: 'Supervisor', level: 1 }), ctx, {}, { n1: many }), 1390001, /at most 20 CC users/);
    assert.equal(accepted(resolveRoute(withRules({ type: 'Supervisor', level: 1 }), ctx, {}, { n1: many.slice(1) }))[0]?.ccers?.length, 20);
  });
});

describe('nodes that pass by themselves (node_auto_approval_list)', () => {
  const nodes = [node('n1', 'AND', { approvers: [{ type: 'Free', level: 1 }] }), node('n2', 'OR')];

  test('a node is named by its custom id (CUSTOM) or its system id (NON_CUSTOM)', () => {
    assert.deepEqual([...accepted(autoApprovedNodes(nodes, [{ node_id_type: 'CUSTOM', node_id: 'n1' }]))], ['sys-n1']);
    assert.deepEqual([...accepted(autoApprovedNodes(nodes, [{ node_id_type: 'NON_CUSTOM', node_id: 'sys-n2' }]))], ['sys-n2']);
    assert.deepEqual([...accepted(autoApprovedNodes(nodes, [{ node_id: 'n2' }, { node_id: 'sys-n1' }]))], ['sys-n2', 'sys-n1']);
  });

  test('an entry naming no node of the approval refuses with 1390001', () => {
    assertRefused(autoApprovedNodes(nodes, [{ node_id_type: 'CUSTOM', node_id: 'sys-n1' }]), 1390001, /\[0\]: CUSTOM node_id "sys-n1" names no node/);
    assertRefused(autoApprovedNodes(nodes, [{ node_id: 'nope' }]), 1390001, /node_id "nope" names no node/);
  });

  test('an automatic node needs no approver, even a Free one nobody chose', () =>
    assert.deepEqual(accepted(resolveRoute(nodes.slice(0, 1), alice, {}, {}, new Set(['sys-n1']))), [
      { nodeId: 'sys-n1', approvers: [], autoPass: true },
    ]));
});
