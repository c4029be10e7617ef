/** `POST /tasks/search` and `POST /instances/search_cc`: tasks and CCs by instance, user, status and time. */
import type { CcEntry } from '../domain/approval/cc.js';
import type { Task } from '../domain/approval/instance.js';
import type { UserIdType } from '../domain/directory.js';
import { FeishuError } from '../domain/errors.js';
import type { CcReadStatusName, SearchCcInput, SearchTasksInput, TaskSearchOrder, TaskSearchStatus } from '../wire/approval-requests.js';
import { definitionsOf, requireDefinition } from './approval-lookup.js';
import type { Caller } from './auth-service.js';
import { requireUser, UserDirectory } from './directory-lookup.js';
import type { InstanceSummary } from './instance-service.js';
import { decodeCursor, pageOf, type Page } from './paging.js';
import type { FoundCc, FoundTask, SearchCursor, SearchInstances, Store, TaskOrder } from './ports.js';
import { requireSelector, timeRange, unionScope, type Selectors } from './search-scope.js';

export interface TaskSearchItem extends InstanceSummary {
  task: Task;
}

export interface CcSearchItem extends InstanceSummary {
  cc: CcEntry;
}

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

/** A search page token: the cursor, and the order it was issued in (search_cc has one order, 0). */
type SearchToken = SearchCursor & { order: number };

const empty = <T>(): SearchPage<T> => ({ items: [], hasMore: false, pageToken: '', count: 0 });

export class SearchService {
  constructor(private readonly store: Store) {}

  /** `POST /tasks/search`. */
  async tasks(caller: Caller, body: SearchTasksInput, userIdType: UserIdType, paging: Paging): Promise<SearchPage<TaskSearchItem>> {
    const { tenantKey } = caller;
    requireSelector(body);
    const range = timeRange('task_start_time', body.task_start_time_from, body.task_start_time_to);
    const order = body.order ?? DEFAULT_ORDER;
    const after = this.after(paging.pageToken, order);
    const instances = await this.scope(tenantKey, body, body.with_revoked_instance);
    const assignee = body.user_id ? await requireUser(this.store, tenantKey, userIdType, body.user_id, 'user_id') : undefined;
    const statuses = taskStatuses(body);
    // Only external (third-party) tasks have a title, and none is stored yet: a title matches nothing.
    if (!instances || body.task_title || statuses?.length === 0) return empty();
    const filter = {
      instances,
      ...(assignee ? { userId: assignee.userId } : {}),
      ...(statuses ? { statuses } : {}),
      ...(range ? { startFrom: range.from, startTo: range.to } : {}),
    };
    const pageSize = paging.pageSize ?? DEFAULT_PAGE_SIZE;
    const rows = await this.store.search.tasks(tenantKey, filter, ORDERS[order], after, pageSize + 1);
    const page = pageOf(rows, pageSize, (last) => ({ ...last.cursor, order }));
    return {
      ...page,
      count: await this.store.search.countTasks(tenantKey, filter),
      items: await this.withInstances(
        tenantKey,
        page.items,
        (found) => found.task.userId,
        (found, summary) => ({ ...summary, task: found.task }),
      ),
    };
  }

  /** `POST /instances/search_cc`: newest first. */
  async ccs(caller: Caller, body: SearchCcInput, userIdType: UserIdType, paging: Paging): Promise<SearchPage<CcSearchItem>> {
    const { tenantKey } = caller;
    requireSelector(body);
    const range = timeRange('cc_create_time', body.cc_create_time_from, body.cc_create_time_to);
    const after = this.after(paging.pageToken, 0);
    const instances = await this.scope(tenantKey, body, body.with_revoked_instance);
    const ccUser = body.user_id ? await requireUser(this.store, tenantKey, userIdType, body.user_id, 'user_id') : undefined;
    // Only external (third-party) CCs have a title, and none is stored yet: a title matches nothing.
    if (!instances || body.cc_title) return empty();
    const readStatus = body.read_status && READ_STATUSES[body.read_status];
    const filter = {
      instances,
      ...(ccUser ? { userId: ccUser.userId } : {}),
      ...(readStatus ? { status: readStatus } : {}),
      ...(range ? { createFrom: range.from, createTo: range.to } : {}),
    };
    const pageSize = paging.pageSize ?? DEFAULT_PAGE_SIZE;
    const rows = await this.store.search.ccs(tenantKey, filter, after, pageSize + 1);
    const page = pageOf(rows, pageSize, (last) => ({ ...last.cursor, order: 0 }));
    return {
      ...page,
      count: await this.store.search.countCcs(tenantKey, filter),
      items: await this.withInstances(
        tenantKey,
        page.items,
        (found) => found.cc.userId,
        (found, summary) => ({ ...summary, cc: found.cc }),
      ),
    };
  }

  /**
   * The instances a search may draw from, once `approval_code` names a definition of this tenant (else 1390002) and
   * `instance_code` an instance of it (else 1390003); `undefined` when the unions select none.
   */
  private async scope(tenantKey: string, body: Selectors, withRevoked: boolean | undefined): Promise<SearchInstances | undefined> {
    if (body.approval_code) await requireDefinition(this.store, tenantKey, body.approval_code);
    if (body.instance_code && !(await this.store.instances.find(tenantKey, body.instance_code))) {
      throw new FeishuError(1390003, `no instance "${body.instance_code}" in this tenant`);
    }
    const union = unionScope(body);
    // Completed revoke rounds are left out unless asked for, as instances/query does (Feishu: with_revoked_instance).
    return union && { ...union, withoutRevoked: withRevoked !== true };
  }

  /** The cursor a page token carries; a token of another order is refused rather than misread. */
  private after(pageToken: string | undefined, order: number): SearchCursor | undefined {
    if (!pageToken) return undefined;
    const token = decodeCursor<SearchToken>(pageToken, { time: 'number', id: 'string', order: 'number' });
    if (token.order !== order) throw new FeishuError(1390001, `page_token "${pageToken}" was issued for another order`);
    return { time: token.time, id: token.id };
  }

  /** Each row built with its instance's summary; one directory holds the submitters and every row's user. */
  private async withInstances<T extends FoundTask | FoundCc, R>(
    tenantKey: string,
    rows: readonly T[],
    userOf: (row: T) => string,
    build: (row: T, summary: InstanceSummary) => R,
  ): Promise<R[]> {
    const definitions = await definitionsOf(this.store, tenantKey, rows.map((row) => row.instance));
    const users = await UserDirectory.load(this.store, tenantKey, rows.flatMap((row) => [row.instance.submitter, userOf(row)]));
    return rows.map((row) => {
      const { instance } = row;
      return build(row, { instance, definition: definitions.get(instance.approvalCode), users });
    });
  }
}

/** The stored statuses asked for; `undefined` for all. `task_status_list`, when it names any, overrides `task_status`. */
function taskStatuses(body: SearchTasksInput): Task['status'][] | undefined {
  const stored = (named: readonly TaskSearchStatus[]) => [...new Set(named.flatMap((status) => TASK_STATUSES[status]))];
  if (body.task_status_list?.length) return stored(body.task_status_list);
  return body.task_status && body.task_status !== 'ALL' ? stored([body.task_status]) : undefined;
}
