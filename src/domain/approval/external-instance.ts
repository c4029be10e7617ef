/**
 * Third-party (external) instances: what `POST /external_instances` syncs and `/external_instances/check`
 * compares (workflow-operations.md §8-§9). The third-party system runs the flow; shenpi keeps the latest
 * picture it was sent: the instance, its tasks and its CCs, each with the update_time it came with.
 */
import { ok, refuse, type Result } from '../errors.js';
import { resolveText, type I18nResource } from './definition.js';

export const EXTERNAL_INSTANCE_STATUSES = ['PENDING', 'APPROVED', 'REJECTED', 'CANCELED', 'DELETED', 'HIDDEN', 'TERMINATED'] as const;
export type ExternalInstanceStatus = (typeof EXTERNAL_INSTANCE_STATUSES)[number];
/**
 * The statuses in which a third-party instance and its tasks and CCs show in the approval centre's lists
 * (tasks/query, the searches): HIDDEN ones are hidden by definition, DELETED ones gone from it.
 */
export const SHOWN_EXTERNAL_STATUSES: readonly ExternalInstanceStatus[] = ['PENDING', 'APPROVED', 'REJECTED', 'CANCELED', 'TERMINATED'];
export const EXTERNAL_TASK_STATUSES = ['PENDING', 'APPROVED', 'REJECTED', 'TRANSFERRED', 'DONE'] as const;
export type ExternalTaskStatus = (typeof EXTERNAL_TASK_STATUSES)[number];

/**
 * Feishu answers 1390014 "Do not synchronize the same approval instance for a short period of time!" to a
 * sync of an instance it has just synced. shenpi's window (README "Differences from Feishu"): a sync less
 * than this many ms of server time after the last accepted sync of the same instance_id. Short enough for
 * an integration that syncs after each change; two requests racing for one instance meet it.
 */
export const RESYNC_WINDOW_MS = 500;

/** A part as synced, in the request's own JSON (snake_case), echoed back by the sync's answer. */
export type SyncedJson = Record<string, unknown>;

export interface ExternalInstance {
  instanceId: string;
  /** Made by shenpi at the first sync (upper-case UUID), like a native instance code. */
  code: string;
  /** The definition's own code. */
  approvalCode: string;
  status: ExternalInstanceStatus;
  /** The submitter's tenant user_id, '' when none was named. */
  userId: string;
  /** In the default locale, '' when none. */
  title: string;
  startTime: number;
  endTime: number;
  updateTime: number;
  /** The instance's synced fields, without task_list and cc_list. */
  body: SyncedJson;
  /** Server time of the last accepted sync. */
  syncedAt: number;
  version: number;
}

/** A task (its `state` a task status) or a CC (its `state` READ or UNREAD) of an external instance. */
export interface ExternalPart {
  id: string;
  /** The assignee's or CC'd user's tenant user_id. */
  userId: string;
  state: string;
  /** In the default locale, '' when none. */
  title: string;
  createTime: number;
  updateTime: number;
  body: SyncedJson;
}

export interface ExternalState {
  instance: ExternalInstance;
  tasks: ExternalPart[];
  ccs: ExternalPart[];
}

export type UpdateMode = 'REPLACE' | 'UPDATE';

export interface Counts {
  insert_num: number;
  update_num: number;
  delete_num: number;
}

/** `process_record` of the answer: what the sync did to each kind of part. */
export interface ProcessRecord {
  instance: Counts;
  task: Counts;
  cc: Counts;
}

/** Fields an UPDATE sync never changes once stored (the ids are the keys themselves). */
const IMMUTABLE = {
  instance: ['department_id', 'department_name'],
  task: ['user_id', 'open_id', 'create_time', 'node_id', 'node_name'],
  cc: ['user_id', 'open_id', 'create_time'],
} as const;

/** The title of a part or instance: its `title` key in the default locale ('' when none). */
export const titleOf = (json: SyncedJson, i18n: readonly I18nResource[]): string =>
  typeof json.title === 'string' ? resolveText(i18n, json.title) : '';

/**
 * The state after a sync of `incoming` (a complete state as the request describes it, `instance.code` a
 * fresh code used only if the instance is new) over `stored`, and what changed. REPLACE makes the request
 * the whole truth; UPDATE inserts and updates only, each part only when its update_time is greater than
 * the stored one, and never touches the immutable fields.
 */
export function syncExternal(
  stored: ExternalState | undefined,
  incoming: ExternalState,
  mode: UpdateMode,
  now: number,
): Result<{ state: ExternalState; record: ProcessRecord }> {
  const duplicate = duplicateId(incoming);
  if (duplicate) return duplicate;
  if (!stored) {
    const state = { ...incoming, instance: { ...incoming.instance, syncedAt: now, version: 1 } };
    const inserted = (n: number): Counts => ({ insert_num: n, update_num: 0, delete_num: 0 });
    return ok({ state, record: { instance: inserted(1), task: inserted(state.tasks.length), cc: inserted(state.ccs.length) } });
  }
  const { instanceId, approvalCode } = stored.instance;
  if (incoming.instance.approvalCode !== approvalCode) {
    return refuse(1390001, `instance_id "${instanceId}" was synced with approval_code "${approvalCode}", which cannot change`);
  }
  const since = now - stored.instance.syncedAt;
  if (since < RESYNC_WINDOW_MS) {
    return refuse(1390014, `instance_id "${instanceId}" was synced ${Math.max(since, 0)} ms ago; wait ${RESYNC_WINDOW_MS} ms between syncs of one instance`);
  }
  const keep = { code: stored.instance.code, syncedAt: now, version: stored.instance.version + 1 };
  if (mode === 'REPLACE') {
    const tasks = replaced(stored.tasks, incoming.tasks);
    const ccs = replaced(stored.ccs, incoming.ccs);
    const state = { instance: { ...incoming.instance, ...keep }, tasks: incoming.tasks, ccs: incoming.ccs };
    return ok({ state, record: { instance: { insert_num: 0, update_num: 1, delete_num: 0 }, task: tasks, cc: ccs } });
  }
  const newer = incoming.instance.updateTime > stored.instance.updateTime;
  const instance = newer
    ? { ...incoming.instance, ...keep, body: withFields(incoming.instance.body, stored.instance.body, IMMUTABLE.instance) }
    : { ...stored.instance, ...keep };
  const tasks = updated(stored.tasks, incoming.tasks, IMMUTABLE.task);
  const ccs = updated(stored.ccs, incoming.ccs, IMMUTABLE.cc);
  const state = { instance, tasks: tasks.parts, ccs: ccs.parts };
  const clash = duplicateId(state);
  if (clash) return clash;
  return ok({
    state,
    record: { instance: { insert_num: 0, update_num: newer ? 1 : 0, delete_num: 0 }, task: tasks.counts, cc: ccs.counts },
  });
}

/** Feishu: ids must be unique within an instance, across the instance, its tasks and its CCs. */
function duplicateId({ instance, tasks, ccs }: ExternalState) {
  const seen = new Map<string, string>([[instance.instanceId, 'instance_id']]);
  const parts: [string, ExternalPart[]][] = [
    ['task_list', tasks],
    ['cc_list', ccs],
  ];
  for (const [kind, list] of parts) {
    for (const part of list) {
      const earlier = seen.get(part.id);
      if (earlier) return refuse(1390001, `${kind} id "${part.id}" is already used by ${earlier} in this instance; ids must be unique within an instance`);
      seen.set(part.id, kind);
    }
  }
  return undefined;
}

function replaced(stored: readonly ExternalPart[], incoming: readonly ExternalPart[]): Counts {
  const before = new Set(stored.map((p) => p.id));
  const after = new Set(incoming.map((p) => p.id));
  const kept = incoming.filter((p) => before.has(p.id)).length;
  return { insert_num: incoming.length - kept, update_num: kept, delete_num: stored.filter((p) => !after.has(p.id)).length };
}

function updated(stored: readonly ExternalPart[], incoming: readonly ExternalPart[], immutable: readonly string[]) {
  const parts = [...stored];
  const counts: Counts = { insert_num: 0, update_num: 0, delete_num: 0 };
  for (const part of incoming) {
    const at = parts.findIndex((p) => p.id === part.id);
    const before = parts[at];
    if (!before) {
      parts.push(part);
      counts.insert_num++;
    } else if (part.updateTime > before.updateTime) {
      parts[at] = { ...part, userId: before.userId, createTime: before.createTime, body: withFields(part.body, before.body, immutable) };
      counts.update_num++;
    }
  }
  return { parts, counts };
}

/** `body` with the `fields` of `from` (absent there: absent here too). */
function withFields(body: SyncedJson, from: SyncedJson, fields: readonly string[]): SyncedJson {
  const result = { ...body };
  for (const field of fields) {
    if (Object.hasOwn(from, field)) result[field] = from[field];
    else delete result[field];
  }
  return result;
}

/** An instance as `/external_instances/check` is told the third party has it. */
export interface CheckedInstance {
  instance_id: string;
  update_time: string;
  tasks: { task_id: string; update_time: string }[];
}

export interface InstanceDiff {
  instance_id: string;
  update_time: string;
  tasks: { task_id: string; update_time: string }[];
}

/**
 * The FAQ's algorithm: an instance not stored reports update_time "0"; a task not stored reports "0"; a task
 * or an instance whose update_time differs from the stored one reports the stored one; nothing else is
 * reported. Tasks stored but not named are not reported (the request names what the third party holds).
 */
export function diffInstances(checked: readonly CheckedInstance[], stored: ReadonlyMap<string, ExternalState>): InstanceDiff[] {
  const diffs: InstanceDiff[] = [];
  for (const request of checked) {
    const state = stored.get(request.instance_id);
    if (!state) {
      diffs.push({ instance_id: request.instance_id, update_time: '0', tasks: [] });
      continue;
    }
    const tasks = request.tasks.flatMap((task) => {
      const known = state.tasks.find((t) => t.id === task.task_id);
      if (!known) return [{ task_id: task.task_id, update_time: '0' }];
      return known.updateTime === Number(task.update_time) ? [] : [{ task_id: task.task_id, update_time: String(known.updateTime) }];
    });
    const { updateTime } = state.instance;
    if (tasks.length > 0 || updateTime !== Number(request.update_time)) {
      diffs.push({ instance_id: request.instance_id, update_time: String(updateTime), tasks });
    }
  }
  return diffs;
}
