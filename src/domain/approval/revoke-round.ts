/**
 * Withdrawal by the submitter (rules.md "Withdrawal"), and the revoke round it starts on an approved
 * instance ("Revoking an approved instance"): O, the approved original, goes back under approval while
 * R, its revoke request, asks everyone who approved O; R approved revokes O, R rejected or withdrawn
 * gives O back exactly as it was. Pure: the services store each Transition in one transaction.
 */
import { taskEvent } from './events.js';
import type { IdSource } from './ids.js';
import {
  closeTask,
  nextVersion,
  nodeOf,
  startInstance,
  START_NODE,
  systemNode,
  type Instance,
  type RouteDefinition,
  type Task,
  type Transition,
} from './instance.js';

/** The one node of a revoke request: not a node of the definition, so it is described here. */
export const REVOKE_NODE = systemNode('REVOKE', '');

export interface WithdrawArgs {
  by: string;
  now: number;
  ids: IdSource;
  /** What the revoke request is called if withdrawing opens one (an APPROVED instance). */
  revokeRequest: { code: string; serialNumber: string };
  /** Names the closed tasks' nodes in their events (custom_key); without it custom ids are ''. */
  definition?: RouteDefinition;
}

export interface Withdrawal {
  /** The withdrawn instance's own change. */
  transition: Transition;
  /** The revoke request that withdrawing an approved instance opens, as a new instance. */
  revokeRequest?: Transition;
}

/**
 * The withdrawal that checks 5-7 (`checkRevocable`, revoke.ts) allowed, of the `kind` they answered: a PENDING
 * instance is CANCELED and its open tasks DONE; an APPROVED one goes back to PENDING and its revoke request is
 * opened (or, when nobody approved it, it is revoked at once). Separate from the checks so that a refusal
 * needs no tasks.
 */
export function withdrawal(kind: 'PENDING' | 'APPROVED', instance: Instance, tasks: readonly Task[], args: WithdrawArgs): Withdrawal {
  return kind === 'APPROVED' ? openRevokeRound(instance, tasks, args) : { transition: cancel(instance, tasks, args) };
}

/**
 * The original's side of a revoke request that has just changed: approved → the original is revoked;
 * rejected or withdrawn → the original is APPROVED again, untouched; still open (or not this original's
 * current request) → nothing.
 */
export function settleRevokeRound(original: Instance, request: Instance, now: number): Transition | undefined {
  if (original.revokeRequestCode !== request.code) return undefined;
  switch (request.status) {
    case 'APPROVED':
      return revoke(original, now);
    case 'REJECTED':
    case 'CANCELED':
      return quiet({ ...nextVersion(original), status: 'APPROVED', revokeRequestCode: null });
    default:
      return undefined;
  }
}

function cancel(instance: Instance, tasks: readonly Task[], { by, now, definition }: WithdrawArgs): Transition {
  const closed = tasks
    .filter((t) => t.instanceCode === instance.code && t.status === 'PENDING')
    .map((t) => closeTask(t, 'DONE', now));
  return {
    instance: { ...nextVersion(instance), status: 'CANCELED', endTime: now },
    changedTasks: closed,
    newTasks: [],
    timeline: [{ type: 'CANCEL', createTime: now, userId: by }],
    events: [
      { kind: 'approval_instance', status: 'CANCELED', operateTime: now },
      ...closed.map((t) => taskEvent(t, now, definition && nodeOf(definition, t.nodeId))),
    ],
  };
}

function openRevokeRound(original: Instance, tasks: readonly Task[], args: WithdrawArgs): Withdrawal {
  const approvers = [
    ...new Set(
      tasks
        // Neither an automatic pass (nobody) nor the submitter's resubmit (START) is an approval to ask again.
        .filter((t) => t.instanceCode === original.code && t.status === 'APPROVED' && t.userId !== '' && t.nodeId !== START_NODE.nodeId)
        .sort((a, b) => a.endTime - b.endTime || a.id.localeCompare(b.id))
        .map((t) => t.userId),
    ),
  ];
  // Nobody approved it (every node passed automatically): there is nobody to ask.
  if (approvers.length === 0) return { transition: revoke(original, args.now) };

  const request = startInstance({
    code: args.revokeRequest.code,
    definition: { code: original.approvalCode, nodes: [REVOKE_NODE] },
    submitter: original.submitter,
    departmentId: original.departmentId,
    form: original.form,
    route: [{ nodeId: REVOKE_NODE.nodeId, approvers }],
    uuid: null,
    forbidRevoke: false,
    cancelBotNotification: original.cancelBotNotification,
    title: original.title,
    i18n: original.i18n,
    serialNumber: args.revokeRequest.serialNumber,
    revertedInstanceCode: original.code,
    now: args.now,
    ids: args.ids,
  });
  // The original keeps its approved tasks, form and approval end_time, so that it can be given back as it was.
  return {
    transition: quiet({ ...nextVersion(original), status: 'PENDING', revokeRequestCode: request.instance.code }),
    revokeRequest: request,
  };
}

/** The revoke completes: the original reads CANCELED and reverted, and its event says REVERTED. */
function revoke(original: Instance, now: number): Transition {
  return {
    instance: { ...nextVersion(original), status: 'CANCELED', reverted: true, endTime: now, revokeRequestCode: null },
    changedTasks: [],
    newTasks: [],
    timeline: [{ type: 'CANCEL', createTime: now, userId: original.submitter }],
    events: [{ kind: 'approval_instance', status: 'REVERTED', operateTime: now }],
  };
}

/** A change of the instance alone: no tasks, timeline entries or events. */
const quiet = (instance: Instance): Transition => ({ instance, changedTasks: [], newTasks: [], timeline: [], events: [] });
