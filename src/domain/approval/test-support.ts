/**
 * Helpers for the domain tests: a predictable id source, result assertions, and small builders.
 * Not used by production code.
 */
import assert from 'node:assert/strict';
import { ok, type Result } from '../errors.js';
import type { PlannedNode } from './approvers.js';
import type { DefinitionInput, DefinitionSettings, NodeDefinition, RevokeSettings } from './definition.js';
import type { IdSource } from './ids.js';
import { approveTask, startInstance, type Instance, type Task, type TaskActionArgs, type Transition } from './instance.js';
import { checkRevocable } from './revoke.js';
import { withdrawal, type WithdrawArgs, type Withdrawal } from './revoke-round.js';

/** A whole withdrawal as the withdrawal service makes it: checks 5-7, then the withdrawal they allow. */
export function withdraw(instance: Instance, tasks: readonly Task[], settings: RevokeSettings, args: WithdrawArgs): Result<Withdrawal> {
  const allowed = checkRevocable(instance, settings, args.by, args.now);
  return allowed.ok ? ok(withdrawal(allowed.value, instance, tasks, args)) : allowed;
}

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

export const FLOW_T0 = 1_700_000_000_000;

/** An instance under way: its current state, kept up to date by applying each transition. */
export class Flow {
  readonly ids = counterIds();
  readonly definition: { code: string; nodes: NodeDefinition[]; settings?: Pick<DefinitionSettings, 'rejectOption'> };
  instance: Instance;
  tasks: Task[] = [];
  last: Transition;

  constructor(nodes: NodeDefinition[], route: PlannedNode[], settings?: Pick<DefinitionSettings, 'rejectOption'>) {
    this.definition = { code: 'APPROVAL-1', nodes, ...(settings ? { settings } : {}) };
    this.last = startInstance({
      code: 'INSTANCE-1',
      definition: this.definition,
      submitter: 'u_alice',
      departmentId: 'eng',
      form: '[]',
      route,
      uuid: null,
      forbidRevoke: false,
      cancelBotNotification: 0,
      title: '',
      serialNumber: '202401010001',
      now: FLOW_T0,
      ids: this.ids,
    });
    this.instance = this.last.instance;
    this.apply(this.last);
  }

  apply(t: Transition): Transition {
    this.instance = t.instance;
    this.tasks = this.tasks.map((task) => t.changedTasks.find((c) => c.id === task.id) ?? task).concat(t.newTasks);
    this.last = t;
    return t;
  }

  pendingOf(userId: string): Task {
    const task = this.tasks.find((t) => t.userId === userId && t.status === 'PENDING');
    assert.ok(task, `${userId} has no pending task`);
    return task;
  }

  /** The arguments of an action by `userId` on their pending task. */
  argsOf(userId: string, now = FLOW_T0 + 1000): TaskActionArgs {
    return { taskId: this.pendingOf(userId).id, by: userId, now, ids: this.ids };
  }

  /** Applies an action that must be accepted. */
  act(action: (instance: Instance, tasks: Task[], definition: Flow['definition']) => Result<Transition>): Transition {
    return this.apply(accepted(action(this.instance, this.tasks, this.definition)));
  }

  approve(userId: string, now = FLOW_T0 + 1000): Transition {
    const args = this.argsOf(userId, now);
    return this.act((instance, tasks, definition) => approveTask(instance, tasks, definition, args));
  }

  statuses(): Record<string, string> {
    return Object.fromEntries(this.tasks.map((t) => [`${t.userId}#${t.id}`, t.status]));
  }

  /** Each user's tasks' statuses, in the order the tasks were made. */
  byUser(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const t of this.tasks) (out[t.userId] ??= []).push(t.status);
    return out;
  }
}
