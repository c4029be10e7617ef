/**
 * Is every stored instance whole? Reads the instances, tasks, timeline and outbox tables straight from the
 * database and holds each instance against the one picture its state allows: what the state machine
 * (src/domain/approval/instance.ts, revoke-round.ts) writes in one transaction per step, with timeline and
 * outbox seqs of `version * 1000 + position` (src/services/transitions.ts). It knows the states that the
 * reliability tests reach with a one-approver definition: created, withdrawn, approved, and the revoke round
 * (withdrawn after approval, the revoke request approved or withdrawn). Anything else is reported.
 */
import { rows } from './db-snapshot.js';

/** What a test did to an instance, as the stored rows must show it. */
export type Shape =
  | 'pending'
  | 'withdrawn'
  | 'approved'
  /** Withdrawn after approval: back under approval while its revoke request is open. */
  | 'revoking'
  /** Its revoke request approved: CANCELED and reverted. */
  | 'revoked'
  /** Its revoke request withdrawn: APPROVED again as before. */
  | 'given back'
  | 'revoke request open'
  | 'revoke request approved'
  | 'revoke request withdrawn';

interface Picture {
  version: number;
  status: string;
  reverted: boolean;
  /** revoke_request_code set: a revoke round of this instance is open. */
  revoking: boolean;
  /** end_time set. */
  ended: boolean;
  /** Task statuses by start time; a revoke request's task is on the node REVOKE. */
  tasks: string[];
  /** `TYPE@seq` */
  timeline: string[];
  /** `event_type STATUS@seq` */
  outbox: string[];
}

const created = { timeline: ['START@1000'], outbox: ['approval_instance PENDING@1000', 'approval_task PENDING@1001'] };
const open = { reverted: false, revoking: false, ended: false };
const closed = { reverted: false, revoking: false, ended: true };
const approvedTimeline = [...created.timeline, 'PASS@2000'];
const approvedOutbox = [...created.outbox, 'approval_task APPROVED@2000', 'approval_instance APPROVED@2001'];
const approved = { ...closed, status: 'APPROVED', tasks: ['APPROVED'], timeline: approvedTimeline, outbox: approvedOutbox };
const withdrawn = {
  ...closed,
  status: 'CANCELED',
  tasks: ['DONE'],
  timeline: [...created.timeline, 'CANCEL@2000'],
  outbox: [...created.outbox, 'approval_instance CANCELED@2000', 'approval_task DONE@2001'],
};

const PICTURES: Record<Shape, Picture> = {
  pending: { version: 1, status: 'PENDING', ...open, tasks: ['PENDING'], ...created },
  withdrawn: { version: 2, ...withdrawn },
  approved: { version: 2, ...approved },
  // Opening the round changes the original alone (version 3): no task, timeline entry or event; it keeps its end_time.
  revoking: { version: 3, ...approved, status: 'PENDING', revoking: true },
  revoked: {
    version: 4,
    ...approved,
    status: 'CANCELED',
    reverted: true,
    timeline: [...approvedTimeline, 'CANCEL@4000'],
    outbox: [...approvedOutbox, 'approval_instance REVERTED@4000'],
  },
  'given back': { version: 4, ...approved },
  'revoke request open': { version: 1, status: 'PENDING', ...open, tasks: ['REVOKE PENDING'], ...created },
  'revoke request approved': { version: 2, ...approved, tasks: ['REVOKE APPROVED'] },
  'revoke request withdrawn': { version: 2, ...withdrawn, tasks: ['REVOKE DONE'] },
};

/** A picture as text, its fields always in this order, to compare and to show. */
const shown = (picture: Picture) =>
  JSON.stringify(picture, ['version', 'status', 'reverted', 'revoking', 'ended', 'tasks', 'timeline', 'outbox']);

/** The revoke request's shape that each shape of its original goes with, and back. */
const PARTNERS: Partial<Record<Shape, Shape>> = {
  revoking: 'revoke request open',
  revoked: 'revoke request approved',
  'given back': 'revoke request withdrawn',
  'revoke request open': 'revoking',
  'revoke request approved': 'revoked',
  'revoke request withdrawn': 'given back',
};

export interface StoredInstance {
  code: string;
  uuid: string | null;
  /** On a revoke request: its original. */
  revertedInstanceCode: string | null;
  /** On an original under revocation: its open revoke request. */
  revokeRequestCode: string | null;
  picture: Picture;
}

export interface Audit {
  instances: Map<string, StoredInstance>;
  /** The shape of every instance that is whole. */
  shapes: Map<string, Shape>;
  /** The code of each instance created with a uuid, by uuid. */
  byUuid: Map<string, string>;
  /** What is not whole, one line each; empty when all is well. */
  problems: string[];
}

const num = (value: unknown) => Number(value);
const text = (value: unknown) => (value === null || value === undefined ? null : String(value));

/** Which picture an instance's state calls for (the rest of the picture is then checked against it). */
function shapeOf(i: StoredInstance): Shape {
  const { status, reverted, revoking, version } = i.picture;
  if (i.revertedInstanceCode) {
    return status === 'PENDING' ? 'revoke request open' : status === 'APPROVED' ? 'revoke request approved' : 'revoke request withdrawn';
  }
  if (status === 'PENDING') return revoking ? 'revoking' : 'pending';
  if (status === 'CANCELED') return reverted ? 'revoked' : 'withdrawn';
  return version > 2 ? 'given back' : 'approved';
}

/** Reads every instance of the database and checks each, and each revoke round's two halves together. */
export async function auditInstances(databaseUrl: string): Promise<Audit> {
  const [instanceRows, taskRows, timelineRows, outboxRows] = await Promise.all(
    ['instances', 'tasks', 'timeline', 'outbox'].map((table) => rows(databaseUrl, table)),
  );
  const problems: string[] = [];
  const instances = new Map<string, StoredInstance>();
  for (const row of instanceRows!) {
    const code = String(row.instance_code);
    const revertedInstanceCode = text(row.reverted_instance_code);
    instances.set(code, {
      code,
      uuid: text(row.uuid),
      revertedInstanceCode,
      revokeRequestCode: text(row.revoke_request_code),
      picture: {
        version: num(row.version),
        status: String(row.status),
        reverted: num(row.reverted) === 1,
        revoking: row.revoke_request_code !== null,
        ended: num(row.end_time) > 0,
        tasks: [],
        timeline: [],
        outbox: [],
      },
    });
  }
  const owner = (table: string, row: Record<string, unknown>) => {
    const found = instances.get(String(row.instance_code));
    if (!found) problems.push(`${table} row of no instance: ${JSON.stringify(row)}`);
    return found;
  };
  const sorted = (list: Record<string, unknown>[], key: string) => [...list].sort((a, b) => num(a[key]) - num(b[key]));
  for (const row of sorted(taskRows!, 'start_time')) {
    const instance = owner('tasks', row);
    const node = instance?.revertedInstanceCode ? `${String(row.node_id)} ` : '';
    instance?.picture.tasks.push(`${node}${String(row.status)}`);
    if (instance && (String(row.status) === 'PENDING') !== (num(row.end_time) === 0)) {
      problems.push(`${instance.code}: task ${String(row.task_id)} is ${String(row.status)} with end_time ${String(row.end_time)}`);
    }
  }
  for (const row of sorted(timelineRows!, 'seq')) owner('timeline', row)?.picture.timeline.push(`${String(row.type)}@${num(row.seq)}`);
  for (const row of sorted(outboxRows!, 'seq')) {
    const instance = owner('outbox', row);
    const payload = JSON.parse(String(row.payload)) as { instance_code?: string; status?: string };
    instance?.picture.outbox.push(`${String(row.event_type)} ${String(payload.status)}@${num(row.seq)}`);
    if (instance && payload.instance_code !== instance.code) {
      problems.push(`${instance.code}: an event names ${String(payload.instance_code)}`);
    }
  }

  const shapes = new Map<string, Shape>();
  for (const instance of instances.values()) {
    const shape = shapeOf(instance);
    const expected = shown(PICTURES[shape]);
    const stored = shown(instance.picture);
    if (stored === expected) shapes.set(instance.code, shape);
    else problems.push(`${instance.code} (${shape}) is not whole:\n  stored   ${stored}\n  expected ${expected}`);
  }
  // The two halves of a revoke round, together: each side names the other and their states agree.
  const requestsOf = new Map<string, string[]>();
  for (const instance of instances.values()) {
    const original = instance.revertedInstanceCode;
    if (original) requestsOf.set(original, [...(requestsOf.get(original) ?? []), instance.code]);
  }
  for (const [code, shape] of shapes) {
    const instance = instances.get(code)!;
    const partnerShape = PARTNERS[shape];
    const partners = instance.revertedInstanceCode ? [instance.revertedInstanceCode] : (requestsOf.get(code) ?? []);
    if (!partnerShape) {
      if (partners.length) problems.push(`${code} (${shape}) has revoke requests ${partners.join(', ')}`);
      continue;
    }
    const partner = partners.length === 1 ? partners[0]! : undefined;
    if (!partner || shapes.get(partner) !== partnerShape) {
      const found = partners.map((p) => `${p} (${shapes.get(p) ?? 'not whole'})`).join(', ') || 'none';
      problems.push(`${code} (${shape}) goes with one ${partnerShape}, found ${found}`);
    } else if (shape === 'revoking' && instance.revokeRequestCode !== partner) {
      problems.push(`${code} (revoking) names revoke request ${String(instance.revokeRequestCode)}, not ${partner}`);
    }
  }
  const byUuid = new Map<string, string>();
  for (const instance of instances.values()) if (instance.uuid) byUuid.set(instance.uuid, instance.code);
  return { instances, shapes, byUuid, problems };
}
