/**
 * Repository ports: what the services need from storage, in domain terms. The SQLite and PostgreSQL
 * adapters (src/storage) implement them; services never see SQL.
 */
import type { AccessToken, TokenKind } from '../domain/access-token.js';
import type { CcEntry } from '../domain/approval/cc.js';
import type { Comment } from '../domain/approval/comment.js';
import type { ApprovalDefinition } from '../domain/approval/definition.js';
import type { ExternalDefinition, ExternalGroup } from '../domain/approval/external-definition.js';
import type { ExternalInstance, ExternalPart, ExternalState } from '../domain/approval/external-instance.js';
import type { Instance, Task, TimelineEntry } from '../domain/approval/instance.js';
import type { App, Department, Tenant, User, UserIdType } from '../domain/directory.js';
import type { EventType } from '../domain/event-types.js';

export interface DirectoryRepository {
  findTenant(tenantKey: string): Promise<Tenant | undefined>;
  upsertTenant(tenant: Tenant): Promise<void>;
  findApp(appId: string): Promise<App | undefined>;
  upsertApp(app: App): Promise<void>;
  findDepartment(tenantKey: string, departmentId: string): Promise<Department | undefined>;
  upsertDepartment(department: Department): Promise<void>;
  findUser(tenantKey: string, idType: UserIdType, id: string): Promise<User | undefined>;
  /** The users among `userIds` (tenant user_ids) that exist; unknown ids are simply absent. */
  findUsers(tenantKey: string, userIds: readonly string[]): Promise<User[]>;
  upsertUser(user: User): Promise<void>;
  counts(): Promise<{ tenants: number; apps: number; users: number; departments: number }>;
  listTenants(): Promise<Tenant[]>;
  listApps(tenantKey: string): Promise<App[]>;
  listUsers(tenantKey: string): Promise<User[]>;
}

export interface TokenRepository {
  /** The most recently issued token of that kind for the app, expired or not. */
  latest(appId: string, kind: TokenKind): Promise<AccessToken | undefined>;
  find(token: string): Promise<AccessToken | undefined>;
  insert(token: AccessToken): Promise<void>;
  /** Drops tokens that expired before `before`, so the table does not grow without bound. */
  purgeExpired(before: number): Promise<number>;
}

/** Small server-wide values that must be shared by every node (the emulator clock offset). */
export interface StateRepository {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

/** Request counts per key and one-minute window, shared by every node on the database. */
export interface RateWindowRepository {
  /** Adds one hit and answers the window's count, this hit included. */
  hit(key: string, windowStart: number): Promise<number>;
  /** The window's count so far (0 when it has none). */
  count(key: string, windowStart: number): Promise<number>;
  /** Drops windows that started before `before`. */
  purge(before: number): Promise<void>;
}

/**
 * Node numbers leased by the processes that write to the database (node-lease.ts): one live holder per number.
 * Times are the holders' wall clocks in ms.
 */
export interface NodeLeaseRepository {
  /** The numbers held at `now`, in order; leases that expired by then are dropped. */
  held(now: number): Promise<number[]>;
  /** Takes `node` for `holder` until `expiresAt`: false when another holder has it. */
  take(node: number, holder: string, expiresAt: number): Promise<boolean>;
  /** Extends `holder`'s lease of `node`: false when it holds it no longer (it expired and was dropped). */
  renew(node: number, holder: string, expiresAt: number): Promise<boolean>;
  release(node: number, holder: string): Promise<void>;
}

/** The rows of every table, by table name; only the storage adapter reads inside. */
export interface StoreDump {
  readonly tables: Readonly<Record<string, readonly Record<string, unknown>[]>>;
}

export interface Store {
  /** True when several nodes may share the database (PostgreSQL): shared state must then live in it. */
  readonly shared: boolean;
  /**
   * True when `reading`'s reads issued together share one round trip (PostgreSQL): a read that a refusal
   * would not need then costs less issued early than awaited later. On SQLite each read costs its own work.
   */
  readonly batchesReads: boolean;
  readonly directory: DirectoryRepository;
  readonly tokens: TokenRepository;
  readonly state: StateRepository;
  readonly approvals: ApprovalRepository;
  readonly instances: InstanceRepository;
  readonly tasks: TaskRepository;
  readonly timeline: TimelineRepository;
  readonly comments: CommentRepository;
  readonly ccs: CcRepository;
  readonly search: SearchRepository;
  readonly outbox: OutboxRepository;
  readonly nodeLeases: NodeLeaseRepository;
  readonly rateWindows: RateWindowRepository;
  readonly subscriptions: SubscriptionRepository;
  readonly deliveries: DeliveryRepository;
  readonly externals: ExternalRepository;
  /** Runs `work` in one transaction: all of its writes land, or none do. Nested calls join the outer one. */
  transaction<T>(work: (tx: Store) => Promise<T>): Promise<T>;
  /**
   * A transaction of statements issued at once: `issue` issues every one without waiting for any and answers
   * their promises. The store may send its commit right behind them (PostgreSQL: in the same write, a round
   * trip fewer), unless one of them failed before it was sent; a statement the database refuses rolls them all
   * back. Settles once all have, with the first failure in the order answered. In a transaction, joins it.
   */
  transactionAtOnce(issue: (tx: Store) => readonly Promise<unknown>[]): Promise<void>;
  /**
   * Runs `work`'s reads on one connection, where those issued together travel together (PostgreSQL: one
   * round trip for the lot). No transaction: each read sees what is committed when it runs. Nested calls, and
   * calls in a transaction, use the connection they are on.
   */
  reading<T>(work: (read: Store) => Promise<T>): Promise<T>;
  /** Throws when the database does not answer. */
  ping(): Promise<void>;
  /** Deletes every row of every table (emulator reset). */
  deleteAll(): Promise<void>;
  /** Every row of every table, read at one moment (emulator snapshot). */
  dump(): Promise<StoreDump>;
  /** Replaces every row of every table by the dump's, in one transaction (emulator restore). */
  load(dump: StoreDump): Promise<void>;
  close(): Promise<void>;
}

export interface ApprovalRepository {
  find(tenantKey: string, approvalCode: string): Promise<ApprovalDefinition | undefined>;
  /** The tenant owning a code, whichever it is: codes are unique across tenants. */
  ownerOf(approvalCode: string): Promise<string | undefined>;
  /** Inserts, or overwrites the stored definition of that code; answers its version (1 when new, +1 per overwrite). */
  save(tenantKey: string, definition: ApprovalDefinition, now: number): Promise<number>;
  /** The codes of every definition of the tenant, oldest first. */
  listCodes(tenantKey: string): Promise<string[]>;
}

/** A page position for lists ordered by creation: start time, then creation sequence, then code. */
export interface InstanceCursor {
  startTime: number;
  seq: string;
  code: string;
}

/** An instance in a list, with the position a next page starts after. */
export interface ListedInstance {
  instance: Instance;
  cursor: InstanceCursor;
}

export interface InstanceFilter {
  approvalCode?: string;
  instanceCode?: string;
  submitter?: string;
  statuses?: Instance['status'][];
  startFrom?: number;
  startTo?: number;
  /** The revoke requests of that instance. */
  revertedInstanceCode?: string;
  /** Leaves out the instances of completed revoke rounds: revoked originals and their approved requests. */
  withoutRevoked?: boolean;
}

export interface InstanceRepository {
  find(tenantKey: string, instanceCode: string): Promise<Instance | undefined>;
  /** The instance created with this uuid (compared case-insensitively). */
  findByUuid(tenantKey: string, uuid: string): Promise<Instance | undefined>;
  /** The tenant owning an instance code, whichever it is (the admin console looks across tenants). */
  ownerOf(instanceCode: string): Promise<string | undefined>;
  /** `createdSeq` sorts instances of one start time by creation (a decimal id: they increase within a millisecond). */
  insert(tenantKey: string, instance: Instance, now: number, createdSeq: string): Promise<void>;
  /**
   * Writes the new state only if the stored version is still `expectedVersion`; false when another writer won.
   * Where a store sends commits early (transactionAtOnce), a miss also aborts the transaction.
   */
  update(tenantKey: string, instance: Instance, expectedVersion: number, now: number): Promise<boolean>;
  /** Up to `limit` instances after `after`, in creation order. */
  list(tenantKey: string, filter: InstanceFilter, after: InstanceCursor | undefined, limit: number): Promise<ListedInstance[]>;
  count(tenantKey: string, filter: InstanceFilter): Promise<number>;
  countByStatus(): Promise<Record<string, number>>;
}

export interface TaskCursor {
  startTime: number;
  id: string;
}

export interface TaskRepository {
  /** The tenant's task of that id. */
  find(tenantKey: string, taskId: string): Promise<Task | undefined>;
  listByInstance(instanceCode: string): Promise<Task[]>;
  insert(tenantKey: string, tasks: readonly Task[]): Promise<void>;
  update(tasks: readonly Task[]): Promise<void>;
  countByUser(tenantKey: string, userId: string, statuses: readonly Task['status'][]): Promise<number>;
  /** A user's tasks in the given statuses, ordered by start time then id. */
  listByUser(
    tenantKey: string,
    userId: string,
    statuses: readonly Task['status'][],
    after: TaskCursor | undefined,
    limit: number,
  ): Promise<Task[]>;
}

export interface TimelineRepository {
  /** Entries keep the order given, after every earlier entry of the instance. */
  append(instanceCode: string, firstSeq: number, entries: readonly TimelineEntry[]): Promise<void>;
  list(instanceCode: string): Promise<TimelineEntry[]>;
}

/** A page position for an instance's top-level comments, ordered by create time, then id. */
export interface CommentCursor {
  createTime: number;
  id: string;
}

export interface CommentRepository {
  /** The comment of that id on that instance, deleted or not. */
  find(instanceCode: string, commentId: string): Promise<Comment | undefined>;
  insert(tenantKey: string, comment: Comment): Promise<void>;
  /**
   * Writes an edit or a deletion (content, mentions, extra, the deleted flag, update time) only while the
   * stored comment is not deleted; false when it was deleted meanwhile.
   */
  update(comment: Comment): Promise<boolean>;
  /** Up to `limit` top-level comments after `after`, ordered by create time, then id. */
  listThreads(instanceCode: string, after: CommentCursor | undefined, limit: number): Promise<Comment[]>;
  /** The replies in those threads, ordered by create time, then id. */
  listReplies(instanceCode: string, threadIds: readonly string[]): Promise<Comment[]>;
  /** Every comment and reply of the instance, deleted or not, ordered by create time, then id. */
  listByInstance(instanceCode: string): Promise<Comment[]>;
  /** Deletes every comment and reply of the instance; answers how many there were. */
  removeAll(instanceCode: string): Promise<number>;
}

/** A page position for a user's CC entries, ordered by create time, then id. */
export interface CcCursor {
  createTime: number;
  id: string;
}

export interface CcRepository {
  insert(tenantKey: string, ccs: readonly CcEntry[]): Promise<void>;
  /** Writes the read state and read time of each entry. */
  markRead(ccs: readonly CcEntry[]): Promise<void>;
  /** The instance's entries, oldest first. */
  listByInstance(instanceCode: string): Promise<CcEntry[]>;
  countByUser(tenantKey: string, userId: string, status: CcEntry['status']): Promise<number>;
  /** Up to `limit` of the user's entries in that read state after `after`, ordered by create time, then id. */
  listByUser(
    tenantKey: string,
    userId: string,
    status: CcEntry['status'],
    after: CcCursor | undefined,
    limit: number,
  ): Promise<CcEntry[]>;
}

/** The instances a search may draw from: those `InstanceFilter` names (a definition, one instance, revoke rounds). */
export type SearchInstances = Pick<InstanceFilter, 'approvalCode' | 'instanceCode' | 'withoutRevoked'>;

export interface TaskSearchFilter {
  instances: SearchInstances;
  /** The assignee's user_id. */
  userId?: string;
  /** Absent: any status. */
  statuses?: readonly Task['status'][];
  startFrom?: number;
  startTo?: number;
}

/** tasks/search's `order`: by start time or update time (a task's end time once it has one), either way. */
export interface TaskOrder {
  by: 'startTime' | 'updateTime';
  descending: boolean;
}

export interface CcSearchFilter {
  instances: SearchInstances;
  /** The CC'd user's user_id. */
  userId?: string;
  status?: CcEntry['status'];
  createFrom?: number;
  createTo?: number;
}

/** A page position for search results: the sort time of the last item, then its id. */
export interface SearchCursor {
  time: number;
  id: string;
}

export interface FoundTask {
  task: Task;
  instance: Instance;
  cursor: SearchCursor;
}

export interface FoundCc {
  cc: CcEntry;
  instance: Instance;
  cursor: SearchCursor;
}

/** `POST /tasks/search` and `POST /instances/search_cc`: tasks and CC entries with their instances, tenant-scoped. */
export interface SearchRepository {
  /** Up to `limit` tasks that have an assignee, after `after` in `order` (ties by task id, the same way). */
  tasks(tenantKey: string, filter: TaskSearchFilter, order: TaskOrder, after: SearchCursor | undefined, limit: number): Promise<FoundTask[]>;
  countTasks(tenantKey: string, filter: TaskSearchFilter): Promise<number>;
  /** Up to `limit` CC entries after `after`, newest first (ties by cc id, descending). */
  ccs(tenantKey: string, filter: CcSearchFilter, after: SearchCursor | undefined, limit: number): Promise<FoundCc[]>;
  countCcs(tenantKey: string, filter: CcSearchFilter): Promise<number>;
}

/** An event waiting in the outbox, written in the same transaction as the change it reports. */
export interface OutboxEvent {
  eventId: string;
  tenantKey: string;
  approvalCode: string;
  /**
   * The key events are sent in order by: the instance an instance event reports; for a definition event
   * (approval.approval.updated_v4) the definition's approval_code, its seq then being the definition version.
   */
  instanceCode: string;
  seq: number;
  eventType: EventType;
  payload: Record<string, unknown>;
  createdAt: number;
}

export interface OutboxRepository {
  append(events: readonly OutboxEvent[]): Promise<void>;
}

/** An app that may receive a definition's events, and the event types it takes (null: the default ones). */
export interface Receiver {
  appId: string;
  eventTypes: readonly string[] | null;
}

export interface SubscriptionRepository {
  /** False when the app was already subscribed to the definition. */
  subscribe(appId: string, approvalCode: string, now: number): Promise<boolean>;
  /** False when the app was not subscribed to the definition. */
  unsubscribe(appId: string, approvalCode: string): Promise<boolean>;
  /** The apps subscribed to a definition that have an event URL to deliver to. */
  receivers(approvalCode: string): Promise<Receiver[]>;
}

/** `dead`: given up after the last retry, until re-driven. */
export type DeliveryStatus = 'pending' | 'delivered' | 'dead';

export interface Delivery {
  eventId: string;
  appId: string;
  instanceCode: string;
  seq: number;
  eventType: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number;
  /** When the last attempt ended (answer or time-out). */
  lastAttemptAt: number | null;
  lastError: string | null;
  deliveredAt: number | null;
}

/**
 * Which deliveries a listing or a re-drive names: one (event and app), or those of an instance, a definition
 * (its instances' events and its own) and/or an app.
 */
export interface DeliveryFilter {
  eventId?: string;
  instanceCode?: string;
  approvalCode?: string;
  appId?: string;
}

/** A delivery taken for sending, with what sending needs. */
export interface ClaimedDelivery extends Delivery {
  event: OutboxEvent;
  app: App;
  /** The event URL that last passed url_verification, if any. */
  verifiedUrl: string | null;
}

export interface DeliveryRepository {
  /**
   * One pending delivery, due at once, per event and app that receives it: subscribed to the event's approval
   * (as the transaction sees the subscriptions), with an event URL, taking the event's type. The events are of
   * one approval. Issues its statements at once (Store.transactionAtOnce) where the store sends commits early.
   */
  enqueue(events: readonly OutboxEvent[], now: number): Promise<void>;
  /**
   * Up to `limit` due deliveries, each the earliest still pending of its app and instance (events
   * of one instance go out in commit order), held for `leaseMs` so that no other node sends them.
   */
  claimDue(now: number, leaseMs: number, limit: number): Promise<ClaimedDelivery[]>;
  settle(
    delivery: Pick<
      Delivery,
      'eventId' | 'appId' | 'status' | 'attempts' | 'nextAttemptAt' | 'lastAttemptAt' | 'lastError' | 'deliveredAt'
    >,
  ): Promise<void>;
  markUrlVerified(appId: string, url: string): Promise<void>;
  list(filter: DeliveryFilter): Promise<Delivery[]>;
  /** Makes the dead deliveries `filter` names pending again, due now, with no attempts; answers them. */
  redrive(filter: DeliveryFilter, now: number): Promise<Delivery[]>;
}

/**
 * A page position in a list of external parts (ordered by create or update time, instance id, part id) or of
 * external instances (by start time, instance id; `id` is '').
 */
export interface ExternalCursor {
  time: number;
  instanceId: string;
  id: string;
}

/** What a list of external tasks, CCs or instances keeps; every field given narrows it. */
export interface ExternalFilter {
  /** Definitions' own codes (ExternalDefinition.code). */
  approvalCodes?: readonly string[];
  instanceIds?: readonly string[];
  /** Tenant user_ids: the assignee of a task, the CC'd user of a CC, the submitter of an instance. */
  userIds?: readonly string[];
  /** A task's status, a CC's read state (READ, UNREAD), an instance's status. */
  states?: readonly string[];
  /** Tasks and CCs of instances in these statuses only. */
  instanceStatuses?: readonly string[];
  /** Instances with at least one task matching this (users and statuses of the task). */
  withTask?: { userIds?: readonly string[]; states?: readonly string[] };
  /** Part of the title (default locale), in any letter case. */
  title?: string;
  /** Inclusive span of the create time (tasks, CCs) or start time (instances), epoch ms. */
  from?: number;
  to?: number;
}

/** The order of a list of external parts: by create time (a task's start) or update time, either way. */
export interface ExternalOrder {
  by: 'createTime' | 'updateTime';
  descending: boolean;
}

/** A task or CC in a list, with its instance and the position a next page starts after. */
export interface ExternalPartListing {
  instance: ExternalInstance;
  part: ExternalPart;
  cursor: ExternalCursor;
}

export interface ExternalInstanceListing {
  instance: ExternalInstance;
  cursor: ExternalCursor;
}

/**
 * Third-party definitions and the instances, tasks and CCs synced to them, per tenant. The list methods
 * serve `GET /tasks/query`, `GET /external_tasks` and the searches (tasks/search, instances/search_cc).
 */
export interface ExternalRepository {
  /** The definition whose own or generated code is `code`. */
  findDefinition(tenantKey: string, code: string): Promise<ExternalDefinition | undefined>;
  /** Definitions by their own codes; unknown codes are simply absent. */
  findDefinitions(tenantKey: string, codes: readonly string[]): Promise<ExternalDefinition[]>;
  /**
   * Inserts, or overwrites the definition of that own code (keeping its generated code and id); answers the
   * stored generated code, which a concurrent creation of the same code may have set first.
   */
  saveDefinition(tenantKey: string, definition: ExternalDefinition, now: number): Promise<string>;
  findGroup(tenantKey: string, groupCode: string): Promise<ExternalGroup | undefined>;
  findGroups(tenantKey: string, groupCodes: readonly string[]): Promise<ExternalGroup[]>;
  saveGroup(tenantKey: string, group: ExternalGroup): Promise<void>;
  /** The stored states of those instance ids; unknown ids are simply absent. */
  findInstances(tenantKey: string, instanceIds: readonly string[]): Promise<ExternalState[]>;
  /**
   * Writes the instance with its tasks and CCs (replacing the stored ones) if its stored version is still
   * `expectedVersion` (undefined: it must not exist yet); false when another writer won.
   */
  saveInstance(tenantKey: string, state: ExternalState, expectedVersion: number | undefined): Promise<boolean>;
  /** The instance shenpi gave this code at its first sync. */
  findInstanceByCode(tenantKey: string, code: string): Promise<ExternalInstance | undefined>;
  /** The own codes of the definitions in this group. */
  definitionCodesOfGroup(tenantKey: string, groupCode: string): Promise<string[]>;
  /** Up to `limit` tasks after `after`, in `order` (create time ascending when absent), then instance id, task id. */
  listTasks(
    tenantKey: string,
    filter: ExternalFilter,
    after: ExternalCursor | undefined,
    limit: number,
    order?: ExternalOrder,
  ): Promise<ExternalPartListing[]>;
  countTasks(tenantKey: string, filter: ExternalFilter): Promise<number>;
  /** Up to `limit` CCs after `after`, in `order` (create time ascending when absent), then instance id, cc id. */
  listCcs(
    tenantKey: string,
    filter: ExternalFilter,
    after: ExternalCursor | undefined,
    limit: number,
    order?: ExternalOrder,
  ): Promise<ExternalPartListing[]>;
  countCcs(tenantKey: string, filter: ExternalFilter): Promise<number>;
  /** Up to `limit` instances after `after`, ordered by start time, instance id. */
  listInstances(
    tenantKey: string,
    filter: ExternalFilter,
    after: ExternalCursor | undefined,
    limit: number,
  ): Promise<ExternalInstanceListing[]>;
  countInstances(tenantKey: string, filter: ExternalFilter): Promise<number>;
}
