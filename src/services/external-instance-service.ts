/**
 * Third-party (external) instances: `POST /external_instances` (sync), `POST /external_instances/check` and
 * `GET /external_tasks`. No events: Feishu documents none for them.
 */
import { Value } from 'typebox/value';
import { parseI18n } from '../domain/approval/definition.js';
import { missingKey } from '../domain/approval/external-definition.js';
import {
  diffInstances,
  syncExternal,
  titleOf,
  type CheckedInstance,
  type ExternalPart,
  type ExternalState,
  type InstanceDiff,
  type ProcessRecord,
  type SyncedJson,
} from '../domain/approval/external-instance.js';
import type { Clock } from '../domain/clock.js';
import type { UserIdType } from '../domain/directory.js';
import { ok, refuse, type Result } from '../domain/errors.js';
import type { Ids } from '../domain/ids.js';
import { SyncExternalInstanceBody, type SyncExternalInstanceInput } from '../wire/external-requests.js';
import type { Caller } from './auth-service.js';
import { lookUpExternalDefinition } from './external-definition-service.js';
import { pageOf, readOptionalCursor, type Page } from './paging.js';
import type { ExternalCursor, Store } from './ports.js';
import { VersionConflict, withRetry } from './transitions.js';

/** `GET /external_tasks` filters, as the body names them. */
export interface ExternalTaskFilter {
  approvalCodes?: string[] | undefined;
  instanceIds?: string[] | undefined;
  userIds?: string[] | undefined;
  status?: string | undefined;
}

export interface ExternalTaskStates {
  state: ExternalState;
  /** The definition's generated id and own code. */
  approvalId: string;
  approvalCode: string;
}

export const EXTERNAL_CURSOR = { time: 'number', instanceId: 'string', id: 'string' } as const;

export const readExternalCursor = (token: string | undefined) => readOptionalCursor<ExternalCursor>(token, EXTERNAL_CURSOR);

/** Resolves each user named by user_id or open_id (user_id wins, as in instance create), once per id. */
class UserResolver {
  private readonly known = new Map<string, string>();

  constructor(
    private readonly store: Store,
    private readonly tenantKey: string,
  ) {}

  /** The user's tenant user_id; '' when neither id is given and `required` is false; else refusal 1390001. */
  async of(json: { user_id?: string | undefined; open_id?: string | undefined }, where: string, required: boolean): Promise<Result<string>> {
    const [type, id]: [UserIdType, string | undefined] = json.user_id ? ['user_id', json.user_id] : ['open_id', json.open_id];
    if (!id) return required ? refuse(1390001, `${where} needs a user_id or an open_id`) : ok('');
    const key = `${type}\n${id}`;
    let userId = this.known.get(key);
    if (userId === undefined) {
      const user = await this.store.directory.findUser(this.tenantKey, type, id);
      if (!user) return refuse(1390001, `${where}.${type} "${id}" is not a user of this tenant`);
      this.known.set(key, (userId = user.userId));
    }
    return ok(userId);
  }
}

export class ExternalInstanceService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly ids: Ids,
  ) {}

  /** Syncs one instance, in one transaction; of two syncs of one instance at once exactly one lands. */
  async sync(caller: Caller, input: SyncExternalInstanceInput): Promise<Result<{ state: ExternalState; record: ProcessRecord }>> {
    const { tenantKey } = caller;
    // Unknown fields are ignored, so never stored nor echoed.
    const body = Value.Clean(SyncExternalInstanceBody, structuredClone(input)) as SyncExternalInstanceInput;
    return withRetry(this.store, async (read) => {
      const definition = await lookUpExternalDefinition(read, tenantKey, body.approval_code);
      if (!definition.ok) return { refused: definition.refusal };
      const incoming = await this.incomingState(read, tenantKey, definition.value.code, body);
      if (!incoming.ok) return { refused: incoming.refusal };
      const [stored] = await read.externals.findInstances(tenantKey, [body.instance_id]);
      const outcome = syncExternal(stored, incoming.value, body.update_mode ?? 'REPLACE', this.clock.now());
      if (!outcome.ok) return { refused: outcome.refusal };
      return {
        write: async (tx) => {
          if (!(await tx.externals.saveInstance(tenantKey, outcome.value.state, stored?.instance.version))) throw new VersionConflict();
          return outcome.value;
        },
      };
    });
  }

  /** `POST /external_instances/check`: what the server holds that differs from what the third party has. */
  async check(caller: Caller, instances: readonly CheckedInstance[]): Promise<InstanceDiff[]> {
    const stored = await this.store.externals.findInstances(caller.tenantKey, instances.map((i) => i.instance_id));
    return diffInstances(instances, new Map(stored.map((s) => [s.instance.instanceId, s])));
  }

  /**
   * `GET /external_tasks`: instances (by start time, then id) with their tasks; `user_ids` and `status` keep
   * the instances with such a task, and only those tasks.
   */
  async listTaskStates(
    caller: Caller,
    filter: ExternalTaskFilter,
    pageSize: number,
    pageToken: string | undefined,
  ): Promise<Result<Page<ExternalTaskStates>>> {
    const { tenantKey } = caller;
    const after = readExternalCursor(pageToken);
    if (!after.ok) return after;
    const codes = filter.approvalCodes && (await this.ownCodes(tenantKey, filter.approvalCodes));
    const states = filter.status ? [filter.status] : undefined;
    const withTask = filter.userIds || states ? { userIds: filter.userIds, states } : undefined;
    const listed = await this.store.externals.listInstances(
      tenantKey,
      { approvalCodes: codes, instanceIds: filter.instanceIds, ...(withTask ? { withTask } : {}) },
      after.value,
      pageSize + 1,
    );
    const page = pageOf(listed, pageSize, (last) => last.cursor);
    const full = await this.store.externals.findInstances(tenantKey, page.items.map((i) => i.instance.instanceId));
    const definitions = await this.store.externals.findDefinitions(tenantKey, full.map((s) => s.instance.approvalCode));
    const matches = (task: ExternalPart) =>
      (!filter.userIds || filter.userIds.includes(task.userId)) && (!states || states.includes(task.state));
    const byId = new Map(full.map((s) => [s.instance.instanceId, s]));
    const items = page.items.flatMap(({ instance }): ExternalTaskStates[] => {
      const state = byId.get(instance.instanceId);
      const definition = definitions.find((d) => d.code === instance.approvalCode);
      if (!state || !definition) return [];
      return [{ state: { ...state, tasks: state.tasks.filter(matches) }, approvalId: definition.id, approvalCode: definition.code }];
    });
    return ok({ ...page, items });
  }

  /** The own codes of the definitions `codes` name by either code; unknown codes name none. */
  private async ownCodes(tenantKey: string, codes: readonly string[]): Promise<string[]> {
    const found = new Set<string>();
    for (const code of new Set(codes)) {
      const definition = await this.store.externals.findDefinition(tenantKey, code);
      if (definition) found.add(definition.code);
    }
    return [...found];
  }

  /** The state the request describes, users resolved and titles checked; a new instance's code drawn now. */
  private async incomingState(store: Store, tenantKey: string, approvalCode: string, body: SyncExternalInstanceInput): Promise<Result<ExternalState>> {
    const parsed = parseI18n(body.i18n_resources);
    if (!parsed.ok) return parsed;
    const i18n = parsed.value;
    const users = new UserResolver(store, tenantKey);
    const { task_list: tasks = [], cc_list: ccs = [], ...fields } = body;
    const titles: [string, string | undefined][] = [
      ['title', body.title],
      ['user_name', body.user_name],
      ...tasks.map((t, i): [string, string | undefined] => [`task_list[${i}].title`, t.title]),
      ...ccs.map((c, i): [string, string | undefined] => [`cc_list[${i}].title`, c.title]),
    ];
    const missing = missingKey(i18n, titles);
    if (missing) return refuse(1390001, missing);
    const part = async (
      json: SyncedJson & { user_id?: string; open_id?: string },
      where: string,
      state: string,
      createTime: string,
      updateTime: string,
    ): Promise<Result<ExternalPart>> => {
      const userId = await users.of(json, where, true);
      if (!userId.ok) return userId;
      const id = String(json.task_id ?? json.cc_id);
      return ok({ id, userId: userId.value, state, title: titleOf(json, i18n), createTime: Number(createTime), updateTime: Number(updateTime), body: json });
    };
    const taskParts: ExternalPart[] = [];
    for (const [i, task] of tasks.entries()) {
      // A task without its own update_time changes with the instance.
      const made = await part(task, `task_list[${i}]`, task.status, task.create_time, task.update_time ?? body.update_time);
      if (!made.ok) return made;
      taskParts.push(made.value);
    }
    const ccParts: ExternalPart[] = [];
    for (const [i, cc] of ccs.entries()) {
      const made = await part(cc, `cc_list[${i}]`, cc.read_status, cc.create_time, cc.update_time);
      if (!made.ok) return made;
      ccParts.push(made.value);
    }
    const submitter = await users.of(body, 'the submitter', false);
    if (!submitter.ok) return submitter;
    return ok({
      instance: {
        instanceId: body.instance_id,
        code: this.ids.code(),
        approvalCode,
        status: body.status,
        userId: submitter.value,
        title: titleOf(body, i18n),
        startTime: Number(body.start_time),
        endTime: Number(body.end_time),
        updateTime: Number(body.update_time),
        body: fields,
        syncedAt: 0,
        version: 0,
      },
      tasks: taskParts,
      ccs: ccParts,
    });
  }
}

