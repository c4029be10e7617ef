/** Instances: create (one per uuid), read (which marks the reader's CCs read), list, query, and CC. */
import { autoApprovedNodes, previewRoute, resolveRoute, usersNamedBy, type NodePreview } from '../domain/approval/approvers.js';
import { ccChange, readCcs, sendCcs, unreadOf } from '../domain/approval/cc.js';
import type { Comment } from '../domain/approval/comment.js';
import { parseI18n, type ApprovalDefinition } from '../domain/approval/definition.js';
import { SHOWN_EXTERNAL_STATUSES, type ExternalInstanceStatus } from '../domain/approval/external-instance.js';
import { validateForm } from '../domain/approval/form.js';
import { startInstance, type Instance, type Task, type TimelineEntry } from '../domain/approval/instance.js';
import type { Clock } from '../domain/clock.js';
import type { User, UserIdType } from '../domain/directory.js';
import { allOk, ok, refuse, type Result } from '../domain/errors.js';
import type { Ids } from '../domain/ids.js';
import { allInOrder } from '../util/in-order.js';
import type { CreateInstanceInput, PreviewInstanceInput, QueryInstancesInput } from '../wire/approval-requests.js';
import { definitionsOf, externalOwners, lookUpDefinition, requireDefinition, type ExternalOwner } from './approval-lookup.js';
import type { Caller } from './auth-service.js';
import { lookUpOptionalUser, lookUpUser, lookUpUserIds, submitterContext, UserDirectory } from './directory-lookup.js';
import { readExternalCursor } from './external-instance-service.js';
import { mergedPage, pageOf, readOptionalCursor, type Page } from './paging.js';
import type { ExternalFilter, InstanceCursor, InstanceFilter, Store } from './ports.js';
import { checkSelectors, resolveScope, timeRange } from './search-scope.js';
import { issueTransition, withRetry } from './transitions.js';

/** Everything the instance formatter needs to answer `GET /instances/:instance_id`. */
export interface InstanceView {
  instance: Instance;
  definition: ApprovalDefinition;
  tasks: Task[];
  timeline: TimelineEntry[];
  /** The instance's comments and replies that are not deleted, oldest first. */
  comments: Comment[];
  users: UserDirectory;
}

export interface InstanceSummary {
  instance: Instance;
  definition: ApprovalDefinition | undefined;
  users: UserDirectory;
}

/** A third-party instance as the lists show it. */
export type ExternalSummary = ExternalOwner & { users: UserDirectory };

/** An item of instances/query: an instance of either kind. */
export type ListedSummary = InstanceSummary | { external: ExternalSummary };

/** What `POST /instances/preview` shows: the nodes still ahead, with their people. */
export interface RoutePreview {
  definition: ApprovalDefinition;
  nodes: NodePreview[];
  users: UserDirectory;
}

/** instances/query's status names → stored statuses. */
const QUERY_STATUS: Record<string, Instance['status'][]> = {
  PENDING: ['PENDING'],
  RECALL: ['CANCELED'],
  REJECT: ['REJECTED'],
  DELETED: ['DELETED'],
  APPROVED: ['APPROVED'],
  ALL: [],
};

/** The same of third-party instances (HIDDEN and DELETED ones never show); a terminated one reads withdrawn. */
const EXTERNAL_QUERY_STATUS: Record<string, readonly ExternalInstanceStatus[]> = {
  PENDING: ['PENDING'],
  RECALL: ['CANCELED', 'TERMINATED'],
  REJECT: ['REJECTED'],
  DELETED: [],
  APPROVED: ['APPROVED'],
  ALL: SHOWN_EXTERNAL_STATUSES,
};

const DEFAULT_PAGE_SIZE = 100;

/** A create needs an ACTIVE definition (1390015 otherwise). */
const active = (definition: ApprovalDefinition): Result<ApprovalDefinition> =>
  definition.status === 'ACTIVE' ? ok(definition) : refuse(1390015, `approval "${definition.code}" is ${definition.status}`);

export const readInstanceCursor = (token: string | undefined) =>
  readOptionalCursor<InstanceCursor>(token, { startTime: 'number', seq: 'string', code: 'string' });

export class InstanceService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly ids: Ids,
  ) {}

  /** The instance of this tenant and of that definition, or refusal 1390003. */
  async lookUpInstance(store: Store, tenantKey: string, approvalCode: string, instanceCode: string): Promise<Result<Instance>> {
    const instance = await store.instances.find(tenantKey, instanceCode);
    if (instance?.approvalCode === approvalCode) return ok(instance);
    return refuse(1390003, `no instance "${instanceCode}" of approval "${approvalCode}" in this tenant`);
  }

  /**
   * The definition named by the request and its instance, read together (rules.md: 1390002, then 1390003): the
   * first checks of a withdrawal, a task action and a CC.
   */
  async lookUpWithDefinition(
    store: Store,
    tenantKey: string,
    approvalCode: string,
    instanceCode: string,
  ): Promise<Result<{ definition: ApprovalDefinition; instance: Instance }>> {
    const found = allOk(
      await allInOrder([lookUpDefinition(store, tenantKey, approvalCode), this.lookUpInstance(store, tenantKey, approvalCode, instanceCode)] as const),
    );
    return found.ok ? ok({ definition: found.value[0], instance: found.value[1] }) : found;
  }

  /** `POST /instances`: the new instance's code, or the refusal of the first check it fails. */
  async create(caller: Caller, body: CreateInstanceInput): Promise<Result<{ instanceCode: string }>> {
    const { tenantKey } = caller;
    const started = await this.store.reading((read) => this.started(read, tenantKey, body));
    if (!started.ok) return started;
    const { definition, transition, now } = started.value;
    try {
      await this.store.transactionAtOnce((tx) => issueTransition(tx, tenantKey, definition, undefined, transition, now, this.ids));
    } catch (err) {
      // Two creates with one uuid raced: the unique key let one through, the other answers 60012.
      const unused = body.uuid ? await this.uuidUnused(this.store, tenantKey, body.uuid) : ok(undefined);
      if (!unused.ok) return unused;
      throw err;
    }
    return ok({ instanceCode: transition.instance.code });
  }

  /**
   * The checks of a create in rules.md's order, on reads issued together where they do not depend on each other;
   * every refusal comes back as a value.
   */
  private async started(read: Store, tenantKey: string, body: CreateInstanceInput) {
    const [unusedUuid, definitionFound, submitterFound] = await allInOrder([
      body.uuid ? this.uuidUnused(read, tenantKey, body.uuid) : ok(undefined),
      lookUpDefinition(read, tenantKey, body.approval_code),
      this.lookUpSubmitter(read, tenantKey, body),
    ] as const);
    const found = allOk([unusedUuid, definitionFound.ok ? active(definitionFound.value) : definitionFound, submitterFound] as const);
    if (!found.ok) return found;
    const [, definition, submitter] = found.value;
    const department = this.departmentOf(submitter, body.department_id);
    if (!department.ok) return department;
    const departmentId = department.value;
    const form = validateForm(definition.form, body.form);
    if (!form.ok) return form;
    const chosenFound = allOk(
      await allInOrder([
        this.chosenUsers(read, tenantKey, 'node_approver', body.node_approver_user_id_list, body.node_approver_open_id_list),
        this.chosenUsers(read, tenantKey, 'node_cc', body.node_cc_user_id_list, body.node_cc_open_id_list),
      ] as const),
    );
    if (!chosenFound.ok) return chosenFound;
    const [chosen, chosenCc] = chosenFound.value;
    const candidates = [
      ...Object.values(chosen).flat(),
      ...Object.values(chosenCc).flat(),
      ...usersNamedBy(definition.nodes),
    ];
    const context = await submitterContext(read, tenantKey, submitter, departmentId, candidates);
    const autoPass = autoApprovedNodes(definition.nodes, body.node_auto_approval_list ?? []);
    if (!autoPass.ok) return autoPass;
    const route = resolveRoute(definition.nodes, context, chosen, chosenCc, autoPass.value);
    if (!route.ok) return route;
    const i18n = body.i18n_resources?.length ? parseI18n(body.i18n_resources) : ok([]);
    if (!i18n.ok) return i18n;
    const now = this.clock.now();
    const transition = startInstance({
      code: this.ids.code(),
      definition,
      submitter: submitter.userId,
      departmentId,
      form: JSON.stringify(form.value),
      route: route.value,
      uuid: body.uuid ?? null,
      forbidRevoke: body.forbid_revoke ?? false,
      cancelBotNotification: Number(body.cancel_bot_notification ?? '0'),
      title: body.title ?? '',
      i18n: i18n.value,
      serialNumber: this.ids.serialNumber(now),
      now,
      ids: this.ids.decimals(now),
    });
    return ok({ definition, transition, now });
  }

  /** The instance of this tenant named by its code or its create uuid (an `instance_id` path), or refusal 1390003. */
  async lookUpById(store: Store, tenantKey: string, instanceId: string): Promise<Result<Instance>> {
    const instance = (await store.instances.find(tenantKey, instanceId)) ?? (await store.instances.findByUuid(tenantKey, instanceId));
    return instance ? ok(instance) : refuse(1390003, `no instance "${instanceId}" in this tenant`);
  }

  /**
   * `POST /instances/preview`: for a new request (`approval_code`, `user_id` the submitter) every node with the
   * approvers the rules find; for an existing instance (`instance_code`) the nodes not yet passed, with the
   * approvers fixed when it was created. Refusals are answered as values.
   */
  async preview(caller: Caller, body: PreviewInstanceInput, userIdType: UserIdType): Promise<Result<RoutePreview>> {
    const { tenantKey } = caller;
    const user = await lookUpUser(this.store, tenantKey, userIdType, body.user_id, 'user_id');
    if (!user.ok) return user;
    const planned = body.instance_code
      ? await this.nodesAhead(tenantKey, body.instance_code, body.approval_code)
      : body.approval_code
        ? await this.nodesOfNew(tenantKey, body.approval_code, user.value, body.department_id)
        : refuse(1390001, 'approval_code or instance_code is required');
    if (!planned.ok) return planned;
    const { definition, nodes } = planned.value;
    const users = await UserDirectory.load(this.store, tenantKey, nodes.flatMap((n) => [...n.approvers, ...n.ccers]));
    return ok({ definition, nodes, users });
  }

  /** An instance's nodes not yet passed, with the people fixed when it was created; `approvalCode`, if given, is its. */
  private async nodesAhead(
    tenantKey: string,
    instanceCode: string,
    approvalCode: string | undefined,
  ): Promise<Result<Omit<RoutePreview, 'users'>>> {
    const instance = await this.store.instances.find(tenantKey, instanceCode);
    if (!instance || (approvalCode && instance.approvalCode !== approvalCode)) {
      return refuse(1390003, `no instance "${instanceCode}" in this tenant`);
    }
    const definition = await lookUpDefinition(this.store, tenantKey, instance.approvalCode);
    if (!definition.ok) return definition;
    // A request back at its submitter (currentNode -1) has every node ahead of it.
    const ahead = instance.status === 'PENDING' ? instance.route.slice(Math.max(instance.currentNode, 0)) : [];
    const nodes = ahead.map((planned): NodePreview => {
      const node = definition.value.nodes.find((n) => n.nodeId === planned.nodeId);
      return { nodeId: planned.nodeId, approvers: planned.approvers, ccers: planned.ccers ?? [], free: node?.needApprover ?? false };
    });
    return ok({ definition: definition.value, nodes });
  }

  /** Every node of a new request by `submitter`, with the approvers the rules find for them. */
  private async nodesOfNew(
    tenantKey: string,
    approvalCode: string,
    submitter: User,
    departmentId: string | undefined,
  ): Promise<Result<Omit<RoutePreview, 'users'>>> {
    const definition = await lookUpDefinition(this.store, tenantKey, approvalCode);
    if (!definition.ok) return definition;
    const department = this.departmentOf(submitter, departmentId);
    if (!department.ok) return department;
    const { nodes } = definition.value;
    const context = await submitterContext(this.store, tenantKey, submitter, department.value, usersNamedBy(nodes));
    return ok({ definition: definition.value, nodes: previewRoute(nodes, context) });
  }

  /**
   * `GET /instances/:instance_id`, where the id is the instance code or the create uuid. A `reader` (the query's
   * `user_id`) opens it as that user: their unread CCs on it become read first (1390004 for an unknown user).
   * Refusals are answered as values, as a withdrawal's are.
   */
  async get(caller: Caller, instanceId: string, reader?: { id: string; type: UserIdType }): Promise<Result<InstanceView>> {
    const { tenantKey } = caller;
    const found = await this.lookUpById(this.store, tenantKey, instanceId);
    if (!found.ok) return found;
    let instance = found.value;
    if (reader) {
      const user = await lookUpUser(this.store, tenantKey, reader.type, reader.id, 'user_id', 1390004);
      if (!user.ok) return user;
      // Most readers have nothing unread here: only those who have read the instance again, to mark them read.
      const unread = unreadOf(await this.store.ccs.listByInstance(instance.code), user.value.userId);
      if (unread.length > 0) {
        const marked = await this.markCcsRead(tenantKey, instance.code, user.value.userId);
        if (!marked.ok) return marked;
        instance = marked.value;
      }
    }
    return ok(await this.store.reading((read) => this.view(read, tenantKey, instance)));
  }

  /** The instance with everything its answer shows; the reads that need only the instance go together. */
  private async view(read: Store, tenantKey: string, instance: Instance): Promise<InstanceView> {
    const [definition, tasks, timeline, all] = await allInOrder([
      requireDefinition(read, tenantKey, instance.approvalCode),
      read.tasks.listByInstance(instance.code),
      read.timeline.list(instance.code),
      read.comments.listByInstance(instance.code),
    ] as const);
    const comments = all.filter((c) => !c.deleted);
    const users = await UserDirectory.load(read, tenantKey, [
      instance.submitter,
      ...tasks.map((t) => t.userId),
      ...timeline.flatMap((e) => [e.userId ?? '', ...(e.userIdList ?? [])]),
      ...comments.map((c) => c.commentator),
    ]);
    return { instance, definition, tasks, timeline, comments, users };
  }

  /**
   * The user's unread CCs on the instance become read, each with its approval_cc READ event; answers the instance,
   * or 1395001 when other writers kept overtaking it.
   */
  private markCcsRead(tenantKey: string, instanceCode: string, userId: string): Promise<Result<Instance>> {
    return withRetry<Instance>(this.store, async (read) => {
      const found = await this.lookUpById(read, tenantKey, instanceCode);
      if (!found.ok) return { refused: found.refusal };
      const instance = found.value;
      const now = this.clock.now();
      const unread = readCcs(await read.ccs.listByInstance(instance.code), userId, now);
      if (unread.ccs.length === 0) return { done: instance };
      const definition = await requireDefinition(read, tenantKey, instance.approvalCode);
      const change = ccChange(instance, { events: unread.events, readCcs: unread.ccs });
      return {
        issue: (tx) => issueTransition(tx, tenantKey, definition, instance, change, now, this.ids),
        answer: change.instance,
      };
    });
  }

  /** `GET /instances`: codes of one definition created in [start, end], oldest first. */
  async listCodes(
    caller: Caller,
    query: { approvalCode: string; startTime: number; endTime: number; pageSize?: number; pageToken?: string },
  ): Promise<Result<Page<string>>> {
    const { tenantKey } = caller;
    const checked = allOk([await lookUpDefinition(this.store, tenantKey, query.approvalCode), readInstanceCursor(query.pageToken)] as const);
    if (!checked.ok) return checked;
    const pageSize = query.pageSize ?? DEFAULT_PAGE_SIZE;
    const filter = { approvalCode: query.approvalCode, startFrom: query.startTime, startTo: query.endTime };
    const rows = await this.store.instances.list(tenantKey, filter, checked.value[1], pageSize + 1);
    const page = pageOf(rows, pageSize, (last) => last.cursor);
    return ok({ ...page, items: page.items.map((listed) => listed.instance.code) });
  }

  /** `POST /instances/query`: shenpi's own instances and third-party ones merged by start time, oldest first. */
  async query(
    caller: Caller,
    body: QueryInstancesInput,
    userIdType: UserIdType,
    paging: { pageSize?: number; pageToken?: string },
  ): Promise<Result<Page<ListedSummary> & { count: number }>> {
    const { tenantKey } = caller;
    const given = allOk([checkSelectors(body), timeRange('instance_start_time', body.instance_start_time_from, body.instance_start_time_to)] as const);
    if (!given.ok) return given;
    const range = given.value[1];
    const named = await lookUpOptionalUser(this.store, tenantKey, userIdType, body.user_id, 'user_id');
    if (!named.ok) return named;
    const submitter = named.value;
    const scoped = await resolveScope(this.store, tenantKey, body, false);
    if (!scoped.ok) return scoped;
    const scope = scoped.value;
    const status = body.instance_status ?? 'ALL';
    // Only third-party instances have a title to search (Feishu): a title leaves shenpi's own out.
    const own: InstanceFilter | undefined =
      scope.native && !body.instance_title
        ? {
            ...scope.native,
            ...(submitter ? { submitter: submitter.userId } : {}),
            ...(range ? { startFrom: range.from, startTo: range.to } : {}),
            statuses: QUERY_STATUS[status] ?? [],
            // Completed revoke rounds are left out unless asked for (Feishu: with_revoked_instance).
            withoutRevoked: body.with_revoked_instance !== true,
          }
        : undefined;
    const external: ExternalFilter | undefined = scope.external && {
      ...scope.external,
      states: EXTERNAL_QUERY_STATUS[status] ?? [],
      ...(submitter ? { userIds: [submitter.userId] } : {}),
      ...(body.instance_title ? { title: body.instance_title } : {}),
      ...(range ? { from: range.from, to: range.to } : {}),
    };
    const { store } = this;
    const merged = await mergedPage(
      paging.pageToken,
      paging.pageSize ?? DEFAULT_PAGE_SIZE,
      async (token, limit) => {
        const after = readInstanceCursor(token);
        if (!after.ok || !own) return after.ok ? ok({ rows: [], total: 0 }) : after;
        const rows = await store.instances.list(tenantKey, own, after.value, limit);
        return ok({ rows: rows.map((row) => ({ ...row, time: row.instance.startTime })), total: await store.instances.count(tenantKey, own) });
      },
      async (token, limit) => {
        const after = readExternalCursor(token);
        if (!after.ok || !external) return after.ok ? ok({ rows: [], total: 0 }) : after;
        const rows = await store.externals.listInstances(tenantKey, external, after.value, limit);
        return ok({
          rows: rows.map((row) => ({ external: row.instance, cursor: row.cursor, time: row.instance.startTime })),
          total: await store.externals.countInstances(tenantKey, external),
        });
      },
    );
    if (!merged.ok) return merged;
    const page = merged.value;
    const ownInstances = page.items.flatMap((item) => ('external' in item ? [] : [item.instance]));
    const externalInstances = page.items.flatMap((item) => ('external' in item ? [item.external] : []));
    const definitions = await definitionsOf(store, tenantKey, ownInstances);
    const ownerOf = await externalOwners(store, tenantKey, externalInstances);
    const users = await UserDirectory.load(store, tenantKey, [...ownInstances.map((i) => i.submitter), ...externalInstances.map((i) => i.userId)]);
    return ok({
      items: page.items.map((item): ListedSummary =>
        'external' in item
          ? { external: { ...ownerOf(item.external), users } }
          : { instance: item.instance, definition: definitions.get(item.instance.approvalCode), users },
      ),
      hasMore: page.hasMore,
      pageToken: page.pageToken,
      count: page.total,
    });
  }

  /**
   * `POST /instances/cc`: an unread CC entry for each user named, a CC timeline entry, approval_cc CREATE each; or
   * the refusal of the first check it fails, as a value.
   */
  async cc(
    caller: Caller,
    body: { approval_code: string; instance_code: string; user_id: string; cc_user_ids: string[]; comment?: string | undefined },
    userIdType: UserIdType,
  ): Promise<Result<void>> {
    const { tenantKey } = caller;
    return withRetry(this.store, async (read) => {
      // Independent reads, issued together; refused in this order.
      const found = allOk(
        await allInOrder([
          this.lookUpWithDefinition(read, tenantKey, body.approval_code, body.instance_code),
          lookUpUser(read, tenantKey, userIdType, body.user_id, 'user_id'),
          lookUpUserIds(read, tenantKey, userIdType, body.cc_user_ids, 'cc_user_ids'),
        ] as const),
      );
      if (!found.ok) return { refused: found.refusal };
      const [{ definition, instance }, by, users] = found.value;
      const now = this.clock.now();
      const sent = sendCcs({
        instanceCode: instance.code,
        users,
        from: by.userId,
        nodeId: '',
        ...(body.comment ? { comment: body.comment } : {}),
        now,
        ids: this.ids.decimals(now),
      });
      if (!sent) return { done: undefined }; // the schema requires at least one cc_user_id
      const change = ccChange(instance, { timeline: [sent.timeline], events: sent.events, newCcs: sent.ccs });
      return { issue: (tx) => issueTransition(tx, tenantKey, definition, instance, change, now, this.ids), answer: undefined };
    });
  }

  /** Feishu: a uuid creates one instance; any later create with it, even the same request again, answers 60012. */
  private async uuidUnused(store: Store, tenantKey: string, uuid: string): Promise<Result<undefined>> {
    const earlier = await store.instances.findByUuid(tenantKey, uuid);
    return earlier ? refuse(60012, `uuid "${uuid}" was already used by instance ${earlier.code}`) : ok(undefined);
  }

  /** `user_id` wins over `open_id` when both are given (Feishu). */
  private async lookUpSubmitter(store: Store, tenantKey: string, body: CreateInstanceInput): Promise<Result<User>> {
    if (body.user_id) return lookUpUser(store, tenantKey, 'user_id', body.user_id, 'user_id');
    if (body.open_id) return lookUpUser(store, tenantKey, 'open_id', body.open_id, 'open_id');
    return refuse(1390001, 'user_id or open_id (the submitter) is required');
  }

  private departmentOf(submitter: User, departmentId: string | undefined): Result<string> {
    if (!departmentId) return ok(submitter.departmentIds[0] ?? '');
    return submitter.departmentIds.includes(departmentId)
      ? ok(departmentId)
      : refuse(1390001, `department_id "${departmentId}" is not a department of the submitter`);
  }

  /** `<prefix>_user_id_list` ∪ `<prefix>_open_id_list` (the submitter's picks), as user_ids keyed by node. */
  private async chosenUsers(
    store: Store,
    tenantKey: string,
    prefix: 'node_approver' | 'node_cc',
    byUserId: CreateInstanceInput['node_approver_user_id_list'],
    byOpenId: CreateInstanceInput['node_approver_open_id_list'],
  ): Promise<Result<Record<string, string[]>>> {
    const chosen: Record<string, string[]> = {};
    const lists = [
      ['user_id', `${prefix}_user_id_list`, byUserId],
      ['open_id', `${prefix}_open_id_list`, byOpenId],
    ] as const;
    for (const [type, field, list] of lists) {
      for (const [i, entry] of (list ?? []).entries()) {
        const ids = await lookUpUserIds(store, tenantKey, type, entry.value, `${field}[${i}].value`);
        if (!ids.ok) return ids;
        chosen[entry.key] = [...(chosen[entry.key] ?? []), ...ids.value];
      }
    }
    return ok(chosen);
  }
}
