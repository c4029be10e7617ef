/**
 * `POST /tasks/search` and `POST /instances/search_cc` over kysely (SQL both SQLite and PostgreSQL accept):
 * tasks or CC entries filtered on their own columns and on their instance's (through `instancesMatching`,
 * the filter instances/query uses), paged by keyset on a sort time and the row id.
 */
import { sql, type Expression, type ExpressionBuilder, type Kysely, type SelectQueryBuilder, type Transaction } from 'kysely';
import type { Instance } from '../domain/approval/instance.js';
import type { CcSearchFilter, SearchInstances, SearchRepository, TaskSearchFilter } from '../services/ports.js';
import { instancesMatching, toInstance, toTask } from './approval-repositories.js';
import { toCc } from './cc-repository.js';
import type { Database } from './schema.js';

type Executor = Kysely<Database> | Transaction<Database>;

/** A task's update time: its end once it has ended, else its start (domain taskUpdateTime, in SQL). */
const taskUpdateTime = (eb: ExpressionBuilder<Database, 'tasks'>) =>
  eb.case().when('tasks.end_time', '>', 0).then(eb.ref('tasks.end_time')).else(eb.ref('tasks.start_time')).end();

export function searchRepository(db: Executor): SearchRepository {
  /** The instances `scope` names with the code `instanceCode` (correlated: one primary-key probe per row). */
  const scoped = (tenantKey: string, scope: SearchInstances, instanceCode: Expression<string>) =>
    instancesMatching(db, tenantKey, scope).select(sql.lit(1).as('one')).where('instances.instance_code', '=', instanceCode);

  const tasksMatching = (tenantKey: string, filter: TaskSearchFilter) => {
    // A node that passed by itself has a task with no assignee: nobody's task, never listed.
    let query = db.selectFrom('tasks').where('tasks.tenant_key', '=', tenantKey).where('tasks.user_id', '!=', '');
    if (filter.userId !== undefined) query = query.where('tasks.user_id', '=', filter.userId);
    if (filter.statuses) query = query.where('tasks.status', 'in', [...filter.statuses]);
    if (filter.startFrom !== undefined) query = query.where('tasks.start_time', '>=', filter.startFrom);
    if (filter.startTo !== undefined) query = query.where('tasks.start_time', '<=', filter.startTo);
    return query.where((eb) => eb.exists(scoped(tenantKey, filter.instances, eb.ref('tasks.instance_code'))));
  };

  const ccsMatching = (tenantKey: string, filter: CcSearchFilter) => {
    let query = db.selectFrom('instance_ccs').where('instance_ccs.tenant_key', '=', tenantKey);
    if (filter.userId !== undefined) query = query.where('instance_ccs.user_id', '=', filter.userId);
    if (filter.status !== undefined) query = query.where('instance_ccs.status', '=', filter.status);
    if (filter.createFrom !== undefined) query = query.where('instance_ccs.create_time', '>=', filter.createFrom);
    if (filter.createTo !== undefined) query = query.where('instance_ccs.create_time', '<=', filter.createTo);
    return query.where((eb) => eb.exists(scoped(tenantKey, filter.instances, eb.ref('instance_ccs.instance_code'))));
  };

  /** The instances of a page's rows, by code, in one query. */
  const instancesOf = async (tenantKey: string, codes: readonly string[]): Promise<Map<string, Instance>> => {
    if (codes.length === 0) return new Map();
    const rows = await db
      .selectFrom('instances')
      .selectAll()
      .where('tenant_key', '=', tenantKey)
      .where('instance_code', 'in', [...new Set(codes)])
      .execute();
    return new Map(rows.map((row) => [row.instance_code, toInstance(row)]));
  };

  const count = async <T extends 'tasks' | 'instance_ccs'>(query: SelectQueryBuilder<Database, T, object>): Promise<number> => {
    const row = await query.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  };

  return {
    async tasks(tenantKey, filter, order, after, limit) {
      const sortTime = (eb: ExpressionBuilder<Database, 'tasks'>) =>
        order.by === 'updateTime' ? taskUpdateTime(eb) : eb.ref('tasks.start_time');
      const direction = order.descending ? 'desc' : 'asc';
      let query = tasksMatching(tenantKey, filter).selectAll('tasks').select((eb) => sortTime(eb).as('sort_time'));
      if (after) {
        const beyond = order.descending ? '<' : '>';
        query = query.where((eb) =>
          eb.or([
            eb(sortTime(eb), beyond, after.time),
            eb.and([eb(sortTime(eb), '=', after.time), eb('tasks.task_id', beyond, after.id)]),
          ]),
        );
      }
      const rows = await query
        .orderBy((eb) => sortTime(eb), direction)
        .orderBy('tasks.task_id', direction)
        .limit(limit)
        .execute();
      const instances = await instancesOf(tenantKey, rows.map((row) => row.instance_code));
      return rows.flatMap((row) => {
        const instance = instances.get(row.instance_code);
        return instance ? [{ task: toTask(row), instance, cursor: { time: Number(row.sort_time), id: row.task_id } }] : [];
      });
    },
    countTasks: (tenantKey, filter) => count(tasksMatching(tenantKey, filter)),
    async ccs(tenantKey, filter, after, limit) {
      let query = ccsMatching(tenantKey, filter).selectAll('instance_ccs');
      if (after) {
        query = query.where((eb) =>
          eb.or([eb('create_time', '<', after.time), eb.and([eb('create_time', '=', after.time), eb('cc_id', '<', after.id)])]),
        );
      }
      const rows = await query.orderBy('create_time', 'desc').orderBy('cc_id', 'desc').limit(limit).execute();
      const instances = await instancesOf(tenantKey, rows.map((row) => row.instance_code));
      return rows.flatMap((row) => {
        const instance = instances.get(row.instance_code);
        return instance ? [{ cc: toCc(row), instance, cursor: { time: row.create_time, id: row.cc_id } }] : [];
      });
    },
    countCcs: (tenantKey, filter) => count(ccsMatching(tenantKey, filter)),
  };
}
