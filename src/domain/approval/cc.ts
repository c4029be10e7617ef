/**
 * CC (抄送): a copy of an instance sent to a user who does not approve it, unread until that user opens
 * it. Each CC'd user gets an entry of their own (its id is the timeline's `cc_user_list[].cc_id`), and
 * every entry made or read is reported by an `approval_cc` event (approval-v4.md §5.6 end). Pure: the
 * services store what these functions return, in the transaction of the change that made it.
 */
import type { IdSource } from './ids.js';
import type { TimelineEntry } from './timeline.js';

export type CcReadStatus = 'UNREAD' | 'READ';

export interface CcEntry {
  /** Decimal string, unique within the tenant. */
  id: string;
  instanceCode: string;
  /** The CC'd user's user_id. */
  userId: string;
  /** Who sent it (a user_id); '' when the flow sent it on passing a node. */
  from: string;
  /** The system id of the node whose CC this is; '' for one sent with `POST /instances/cc`. */
  nodeId: string;
  createTime: number;
  status: CcReadStatus;
  /** 0 while unread. */
  readTime: number;
}

/** The `approval_cc` event: CREATE when an entry is made, READ when its user opens it. */
export interface CcEvent {
  kind: 'approval_cc';
  ccId: string;
  userId: string;
  from: string;
  operate: 'CREATE' | 'READ';
  /** The CC's own time (Feishu's `create_time`), for READ too. */
  createTime: number;
}

/** Feishu: a submitter picks at most 20 CC users for one node. */
export const MAX_CC_USERS_PER_NODE = 20;

export interface SendCcArgs {
  instanceCode: string;
  /** Tenant user_ids; a user named twice is CC'd once. */
  users: readonly string[];
  from: string;
  nodeId: string;
  /** The timeline entry's `node_key` (the client's node id when there is one); absent for an API CC. */
  nodeKey?: string;
  comment?: string;
  now: number;
  ids: IdSource;
}

/** What sending a CC adds to a transition: the entries, one CC timeline entry naming them, their events. */
export interface CcSending {
  ccs: CcEntry[];
  timeline: TimelineEntry;
  events: CcEvent[];
}

/** One unread entry per user, a timeline `CC` entry listing them with their cc ids, an event CREATE each. */
export function sendCcs(args: SendCcArgs): CcSending | undefined {
  const users = [...new Set(args.users)];
  if (users.length === 0) return undefined;
  const ccs = users.map(
    (userId): CcEntry => ({
      id: args.ids.next(),
      instanceCode: args.instanceCode,
      userId,
      from: args.from,
      nodeId: args.nodeId,
      createTime: args.now,
      status: 'UNREAD',
      readTime: 0,
    }),
  );
  return {
    ccs,
    timeline: {
      type: 'CC',
      createTime: args.now,
      ...(args.from ? { userId: args.from } : {}),
      userIdList: users,
      ccIds: ccs.map((cc) => cc.id),
      ...(args.comment ? { comment: args.comment } : {}),
      ext: { user_id_list: users },
      ...(args.nodeKey ? { nodeKey: args.nodeKey } : {}),
    },
    events: ccs.map((cc) => ccEvent(cc, 'CREATE')),
  };
}

/** The user's entries among `ccs` that they have not read yet. */
export const unreadOf = (ccs: readonly CcEntry[], userId: string): CcEntry[] =>
  ccs.filter((cc) => cc.userId === userId && cc.status === 'UNREAD');

/** The user opened the instance: each of their unread entries on it becomes READ, with an event READ. */
export function readCcs(ccs: readonly CcEntry[], userId: string, now: number): { ccs: CcEntry[]; events: CcEvent[] } {
  const read = unreadOf(ccs, userId).map((cc): CcEntry => ({ ...cc, status: 'READ', readTime: now }));
  return { ccs: read, events: read.map((cc) => ccEvent(cc, 'READ')) };
}

/**
 * The change a CC makes to its instance, in the shape of the state machine's Transition: the instance
 * version moves on (so that the outbox order and the optimistic lock hold) and nothing else changes.
 */
export function ccChange<I extends { version: number }>(
  instance: I,
  change: { timeline?: TimelineEntry[]; events: CcEvent[]; newCcs?: CcEntry[]; readCcs?: CcEntry[] },
) {
  return {
    instance: { ...instance, version: instance.version + 1 },
    changedTasks: [],
    newTasks: [],
    timeline: change.timeline ?? [],
    events: change.events,
    newCcs: change.newCcs ?? [],
    readCcs: change.readCcs ?? [],
  };
}

const ccEvent = (cc: CcEntry, operate: CcEvent['operate']): CcEvent => ({
  kind: 'approval_cc',
  ccId: cc.id,
  userId: cc.userId,
  from: cc.from,
  operate,
  createTime: cc.createTime,
});
