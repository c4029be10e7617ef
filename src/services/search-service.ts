/** `POST /tasks/search` and `POST /instances/search_cc`: tasks and CCs by instance, user, status and time. */
import type { CcEntry } from '../domain/approval/cc.js';
import { SHOWN_EXTERNAL_STATUSES, type ExternalPart } from '../domain/approval/external-instance.js';
import type { Task } from '../domain/approval/instance.js';
import type { User, UserIdType } from '../domain/directory.js';
import { allOk, ok, refuse, type Result } from '../domain/errors.js';
import type { CcReadStatusName, SearchCcInput, SearchTasksInput, TaskSearchOrder, TaskSearchStatus } from '../wire/approval-requests.js';
import { definitionsOf, externalOwners } from './approval-lookup.js';
import type { Caller } from './auth-service.js';
import { lookUpOptionalUser, UserDirectory } from './directory-lookup.js';
import { EXTERNAL_CURSOR } from './external-instance-service.js';
import type { ExternalSummary, InstanceSummary } from './instance-service.js';
import { mergedPage, readOptionalCursor, type MergedSource, type Page } from './paging.js';
import type { CcSearchFilter, ExternalFilter, ExternalOrder, ExternalPartListing, FoundCc, FoundTask, Store, TaskOrder, TaskSearchFilter } from './ports.js';
import { checkSelectors, resolveScope, timeRange, type Scope } from './search-scope.js';

/** A task of either kind, with its instance as the lists show it. */
export type TaskSearchItem = (InstanceSummary & { task: Task }) | { external: ExternalSummary & { task: ExternalPart } };

/** A CC of either kind, with its instance as the lists show it. */
export type CcSearchItem = (InstanceSummary & { cc: CcEntry }) | { external: ExternalSummary & { cc: ExternalPart } };

export type SearchPage<T> = Page<T> & { count: number };

export interface Paging {
  /** 5..200 (the route's schema), 10 when absent. */
  pageSize?: number | undefined;
  pageToken?: string | undefined;
}

const DEFAULT_PAGE_SIZE = 10;

/** tasks/search's status names → stored statuses; RM_REPEAT (去重) and PROCESSED (已处理) are never stored. */
const TASK_STATUSES: Record<TaskSearchStatus, Task['status'][]> = {
  PENDING: ['PENDING'],
  REJECTED: ['REJECTED'],
  APPROVED: ['APPROVED'],
  TRANSFERRED: ['TRANSFERRED'],
  DONE: ['DONE'],
  RM_REPEAT: [],
  PROCESSED: [],
};

/** search_cc's `read_status`, either case (Feishu's request example sends "read") → the stored state; ALL: either. */
const READ_STATUSES: Record<CcReadStatusName, CcEntry['status'] | undefined> = {
  READ: 'READ',
  read: 'READ',
  UNREAD: 'UNREAD',
  unread: 'UNREAD',
  ALL: undefined,
  all: undefined,
};

/** tasks/search's `order`; 2 when absent (Feishu's default). */
const ORDERS: Record<TaskSearchOrder, TaskOrder> = {
  0: { by: 'updateTime', descending: true },
  1: { by: 'updateTime', descending: false },
  2: { by: 'startTime', descending: true },
  3: { by: 'startTime', descending: false },
};
const DEFAULT_ORDER = 2;

/** The same orders over third-party tasks, whose start is their create time. */
const EXTERNAL_ORDERS: Record<TaskSearchOrder, ExternalOrder> = {
  0: { by: 'updateTime', descending: true },
  1: { by: 'updateTime', descending: false },
  2: { by: 'createTime', descending: true },
  3: { by: 'createTime', descending: false },
};

/** search_cc's one order: newest first. */
const CC_ORDER = 0;
const NEWEST_FIRST: ExternalOrder = { by: 'createTime', descending: true };

const SEARCH_CURSOR = { time: 'number', id: 'string' } as const;

/** One kind's rows of a search (absent: the scope leaves none of that kind), after a cursor, and their total. */
interface Query<C, R> {
  list(after: C | undefined, limit: number): Promise<R[]>;
  count(): Promise<number>;
}

export class SearchService {
  constructor(private readonly store: Store) {}

  /** `POST /tasks/search`: shenpi's own tasks and third-party ones, merged in the order asked for; or a refusal. */
  async tasks(caller: Caller, body: SearchTasksInput, userIdType: UserIdType, paging: Paging): Promise<Result<SearchPage<TaskSearchItem>>> {
    const { tenantKey } = caller;
    const checked = await this.checked(tenantKey, body, timeRange('task_start_time', body.task_start_time_from, body.task_start_time_to), userIdType);
    if (!checked.ok) return checked;
    const { range, scope, user: assignee } = checked.value;
    const order = body.order ?? DEFAULT_ORDER;
    const statuses = taskStatuses(body);
    const none = statuses?.length === 0;
    // Only third-party tasks have a title: a title leaves shenpi's own out.
    const own: TaskSearchFilter | undefined =
      scope.native && !none && !body.task_title
        ? {
            instances: ownInstances(scope.native, body.with_revoked_instance),
            ...(assignee ? { userId: assignee.userId } : {}),
            ...(statuses ? { statuses } : {}),
            ...(range ? { startFrom: range.from, startTo: range.to } : {}),
          }
        : undefined;
    const external = scope.external && !none ? externalFilter(scope.external, assignee?.userId, statuses, body.task_title, range) : undefined;
    const { store } = this;
    const page = await this.search(
      paging,
      order,
      own && {
        list: (after, limit) => store.search.tasks(tenantKey, own, ORDERS[order], after, limit),
        count: () => store.search.countTasks(tenantKey, own),
      },
      external && {
        list: (after, limit) => store.externals.listTasks(tenantKey, external, after, limit, EXTERNAL_ORDERS[order]),
        count: () => store.externals.countTasks(tenantKey, external),
      },
    );
    if (!page.ok) return page;
    return ok({
      ...page.value,
      items: await this.withInstances<FoundTask, TaskSearchItem>(
        tenantKey,
        page.value.items,
        (found) => found.task.userId,
        (found, summary) => ({ ...summary, task: found.task }),
        (found, summary) => ({ external: { ...summary, task: found.part } }),
      ),
    });
  }

  /** `POST /instances/search_cc`: shenpi's own CCs and third-party ones, newest first; or a refusal. */
  async ccs(caller: Caller, body: SearchCcInput, userIdType: UserIdType, paging: Paging): Promise<Result<SearchPage<CcSearchItem>>> {
    const { tenantKey } = caller;
    const checked = await this.checked(tenantKey, body, timeRange('cc_create_time', body.cc_create_time_from, body.cc_create_time_to), userIdType);
    if (!checked.ok) return checked;
    const { range, scope, user: ccUser } = checked.value;
    const readStatus = body.read_status && READ_STATUSES[body.read_status];
    // Only third-party CCs have a title: a title leaves shenpi's own out.
    const own: CcSearchFilter | undefined =
      scope.native && !body.cc_title
        ? {
            instances: ownInstances(scope.native, body.with_revoked_instance),
            ...(ccUser ? { userId: ccUser.userId } : {}),
            ...(readStatus ? { status: readStatus } : {}),
            ...(range ? { createFrom: range.from, createTo: range.to } : {}),
          }
        : undefined;
    const external = scope.external && externalFilter(scope.external, ccUser?.userId, readStatus && [readStatus], body.cc_title, range);
    const { store } = this;
    const page = await this.search(
      paging,
      CC_ORDER,
      own && {
        list: (after, limit) => store.search.ccs(tenantKey, own, after, limit),
        count: () => store.search.countCcs(tenantKey, own),
      },
      external && {
        list: (after, limit) => store.externals.listCcs(tenantKey, external, after, limit, NEWEST_FIRST),
        count: () => store.externals.countCcs(tenantKey, external),
      },
    );
    if (!page.ok) return page;
    return ok({
      ...page.value,
      items: await this.withInstances<FoundCc, CcSearchItem>(
        tenantKey,
        page.value.items,
        (found) => found.cc.userId,
        (found, summary) => ({ ...summary, cc: found.cc }),
        (found, summary) => ({ external: { ...summary, cc: found.part } }),
      ),
    });
  }

  /** The checks both searches make, in their order: a selector, the time range, what the selectors name, the user. */
  private async checked(
    tenantKey: string,
    body: SearchTasksInput | SearchCcInput,
    range: Result<{ from: number; to: number } | undefined>,
    userIdType: UserIdType,
  ): Promise<Result<{ range: { from: number; to: number } | undefined; scope: Scope; user: User | undefined }>> {
    const given = allOk([checkSelectors(body), range] as const);
    if (!given.ok) return given;
    const scope = await resolveScope(this.store, tenantKey, body, true);
    if (!scope.ok) return scope;
    const user = await lookUpOptionalUser(this.store, tenantKey, userIdType, body.user_id, 'user_id');
    return user.ok ? ok({ range: given.value[1], scope: scope.value, user: user.value }) : user;
  }

  /**
   * A page of both kinds merged by sort time, newest first unless the order is ascending, `count` the total of
   * both. Each kind's position in the page token carries the order it was issued for.
   */
  private async search<R extends FoundTask | FoundCc>(
    paging: Paging,
    order: number,
    own: Query<FoundTask['cursor'], R> | undefined,
    external: Query<ExternalPartListing['cursor'], ExternalPartListing> | undefined,
  ): Promise<Result<SearchPage<R | ExternalPartListing>>> {
    const descending = order === 0 || order === 2;
    const page = await mergedPage(
      paging.pageToken,
      paging.pageSize ?? DEFAULT_PAGE_SIZE,
      source(order, SEARCH_CURSOR, own),
      source(order, EXTERNAL_CURSOR, external),
      descending,
    );
    if (!page.ok) return page;
    const { items, hasMore, pageToken, total } = page.value;
    return ok({ items, hasMore, pageToken, count: total });
  }

  /** Each row built with its instance's summary; one directory holds the submitters and every row's user. */
  private async withInstances<T extends FoundTask | FoundCc, R>(
    tenantKey: string,
    rows: readonly (T | ExternalPartListing)[],
    userOf: (row: T) => string,
    build: (row: T, summary: InstanceSummary) => R,
    buildExternal: (row: ExternalPartListing, summary: ExternalSummary) => R,
  ): Promise<R[]> {
    const own = rows.filter((row): row is T => !('part' in row));
    const external = rows.filter((row): row is ExternalPartListing => 'part' in row);
    const definitions = await definitionsOf(this.store, tenantKey, own.map((row) => row.instance));
    const ownerOf = await externalOwners(this.store, tenantKey, external.map((row) => row.instance));
    const users = await UserDirectory.load(this.store, tenantKey, [
      ...own.flatMap((row) => [row.instance.submitter, userOf(row)]),
      ...external.flatMap((row) => [row.instance.userId, row.part.userId]),
    ]);
    return rows.map((row) => {
      if ('part' in row) return buildExternal(row, { ...ownerOf(row.instance), users });
      const { instance } = row;
      return build(row, { instance, definition: definitions.get(instance.approvalCode), users });
    });
  }
}

/** The page-token side of one kind: its rows with their sort time, and cursors that carry the order. */
function source<C extends { time: number }, R extends { cursor: C }>(
  order: number,
  shape: Record<keyof C & string, 'number' | 'string'>,
  query: Query<C, R> | undefined,
): MergedSource<R & { time: number; cursor: C & { order: number } }> {
  return async (token, limit) => {
    const after = readOptionalCursor<C & { order: number }>(token, { ...shape, order: 'number' });
    if (!after.ok) return after;
    // A token of another order is refused rather than misread.
    if (after.value && after.value.order !== order) return refuse(1390001, `page_token "${token}" was issued for another order`);
    if (!query) return ok({ rows: [], total: 0 });
    const rows = await query.list(after.value, limit);
    return ok({ rows: rows.map((row) => ({ ...row, time: row.cursor.time, cursor: { ...row.cursor, order } })), total: await query.count() });
  };
}

/** shenpi's own instances of the scope; completed revoke rounds are left out unless asked for (with_revoked_instance). */
const ownInstances = (scope: NonNullable<Scope['native']>, withRevoked: boolean | undefined) => ({ ...scope, withoutRevoked: withRevoked !== true });

/** The third-party tasks or CCs of the scope whose instance shows in the approval centre, by the search's filters. */
function externalFilter(
  scope: NonNullable<Scope['external']>,
  userId: string | undefined,
  states: readonly string[] | undefined,
  title: string | undefined,
  range: { from: number; to: number } | undefined,
): ExternalFilter {
  return {
    ...scope,
    instanceStatuses: SHOWN_EXTERNAL_STATUSES,
    ...(userId ? { userIds: [userId] } : {}),
    ...(states ? { states } : {}),
    ...(title ? { title } : {}),
    ...(range ? { from: range.from, to: range.to } : {}),
  };
}

/** The stored statuses asked for; `undefined` for all. `task_status_list`, when it names any, overrides `task_status`. */
function taskStatuses(body: SearchTasksInput): Task['status'][] | undefined {
  const stored = (named: readonly TaskSearchStatus[]) => [...new Set(named.flatMap((status) => TASK_STATUSES[status]))];
  if (body.task_status_list?.length) return stored(body.task_status_list);
  return body.task_status && body.task_status !== 'ALL' ? stored([body.task_status]) : undefined;
}
