/**
 * Helpers for the domain tests: a predictable id source, result assertions, and small builders.
 * Not used by production code.
 */
import assert from 'node:assert/strict';
import type { Result } from '../errors.js';
import type { DefinitionInput, NodeDefinition } from './definition.js';
import type { IdSource } from './ids.js';
import type { Instance } from './instance.js';

/** Ids "1001", "1002", ... in order, remembering what it handed out. */
export function counterIds(start = 1000): IdSource & { issued: string[] } {
  let n = start;
  const issued: string[] = [];
  return {
    issued,
    next() {
      n += 1;
      issued.push(String(n));
      return String(n);
    },
  };
}

/** The value of an accepted result; fails the test with the refusal otherwise. */
export function accepted<T>(result: Result<T>): T {
  if (!result.ok) assert.fail(`expected acceptance, got ${result.refusal.code}: ${result.refusal.reason}`);
  return result.value;
}

/** Asserts a refusal with this code and a reason matching `reason`. */
export function assertRefused(result: Result<unknown>, code: number, reason: RegExp): void {
  if (result.ok) assert.fail(`expected refusal ${code}, got acceptance`);
  assert.equal(result.refusal.code, code);
  assert.match(result.refusal.reason, reason);
}

/** A valid create-approval body with one Personal AND node, as in approval-v4.md §2.1. */
export function definitionBody(): DefinitionInput {
  return {
    approval_name: '@i18n@approval_name',
    viewers: [{ viewer_type: 'TENANT' }],
    form: {
      form_content: JSON.stringify([{ id: 'widget1', type: 'input', name: '@i18n@widget1', required: true }]),
    },
    node_list: [
      { id: 'START' },
      { id: 'node1', name: '@i18n@node1', node_type: 'AND', approver: [{ type: 'Personal', user_id: 'u_bob' }] },
      { id: 'END' },
    ],
    settings: { revert_interval: 2678400, revert_option: 1 },
    i18n_resources: [
      {
        locale: 'zh-CN',
        is_default: true,
        texts: [
          { key: '@i18n@approval_name', value: 'Leave' },
          { key: '@i18n@widget1', value: 'Reason' },
          { key: '@i18n@node1', value: 'Manager' },
        ],
      },
    ],
  };
}

/** An approval node with the given id, type and Personal approvers, the rest defaulted. */
export function node(id: string, nodeType: NodeDefinition['nodeType'], overrides: Partial<NodeDefinition> = {}): NodeDefinition {
  return {
    nodeId: `sys-${id}`,
    customNodeId: id,
    name: id,
    nodeType,
    approvers: nodeType === 'SEQUENTIAL' ? [{ type: 'Free', level: 1 }] : [],
    ccers: [],
    requireSignature: false,
    approverChosenMulti: nodeType === 'SEQUENTIAL',
    needApprover: nodeType === 'SEQUENTIAL',
    ...overrides,
  };
}

/**
 * Alice's instance INSTANCE-1 of APPROVAL-1 at version 4, PENDING at its one node `sys-n1` (Bob, Carol, Dan),
 * started at `startTime`; `overrides` set the rest.
 */
export function testInstance(startTime: number, overrides: Partial<Instance> = {}): Instance {
  return {
    code: 'INSTANCE-1',
    approvalCode: 'APPROVAL-1',
    submitter: 'u_alice',
    departmentId: 'eng',
    status: 'PENDING',
    startTime,
    endTime: 0,
    form: '[]',
    uuid: null,
    forbidRevoke: false,
    cancelBotNotification: 0,
    reverted: false,
    revertedInstanceCode: null,
    revokeRequestCode: null,
    serialNumber: '1',
    i18n: [],
    title: '',
    route: [{ nodeId: 'sys-n1', approvers: ['u_bob', 'u_carol', 'u_dan'] }],
    currentNode: 0,
    version: 4,
    ...overrides,
  };
}

/** A deep copy, to show later that a function left its inputs untouched. */
export const snapshot = <T>(value: T): T => structuredClone(value);
