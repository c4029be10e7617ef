/** Third-party definitions, groups, instances, tasks and CCs over kysely (SQL both SQLite and PostgreSQL accept). */
import { sql, type ExpressionBuilder, type Kysely, type SelectQueryBuilder, type SqlBool, type Transaction } from 'kysely';
import type { ExternalDefinition } from '../domain/approval/external-definition.js';
import type { ExternalInstance, ExternalPart, ExternalState } from '../domain/approval/external-instance.js';
import type { ExternalCursor, ExternalFilter, ExternalOrder, ExternalPartListing, ExternalRepository } from '../services/ports.js';
import type { Database, ExternalApprovalsTable, ExternalInstancesTable, ExternalPartsTable } from './schema.js';

type Executor = Kysely<Database> | Transaction<Database>;
/** Both part tables have the same columns; the queries are written once, over this name. */
type PartTable = 'external_tasks' | 'external_ccs';
type PartQuery = SelectQueryBuilder<Database, 'external_tasks', object>;
type InstanceQuery = SelectQueryBuilder<Database, 'external_instances', object>;

/** Rows per IN list, well under both databases' limits on bound parameters. */
const IN_CHUNK = 500;

const toDefinition = (row: ExternalApprovalsTable): ExternalDefinition => ({
  ...(JSON.parse(row.definition) as Omit<ExternalDefinition, 'code' | 'generatedCode' | 'id' | 'groupCode'>),
  code: row.approval_code,
  generatedCode: row.generated_code,
  id: row.approval_id,
  groupCode: row.group_code,
});

const toInstance = (row: ExternalInstancesTable): ExternalInstance => ({
  instanceId: row.instance_id,
  code: row.instance_code,
  approvalCode: row.approval_code,
  status: row.status as ExternalInstance['status'],
  userId: row.user_id,
  title: row.title,
  startTime: row.start_time,
  endTime: row.end_time,
  updateTime: row.update_time,
  body: JSON.parse(row.body) as ExternalInstance['body'],
  syncedAt: row.synced_at,
  version: row.version,
});

const toPart = (row: ExternalPartsTable): ExternalPart => ({
  id: row.part_id,
  userId: row.user_id,
  state: row.state,
  title: row.title,
  createTime: row.create_time,
  updateTime: row.update_time,
  body: JSON.parse(row.body) as ExternalPart['body'],
});

/** `column in (list)`; an empty list matches nothing (SQL has no `in ()`). */
function isIn<T extends keyof Database>(eb: ExpressionBuilder<Database, T>, column: string, list: readonly string[]) {
  type Column = Parameters<ExpressionBuilder<Database, T>>[0];
  return list.length > 0 ? eb(column as Column, 'in', [...list]) : sql<SqlBool>`1 = 0`;
}

/**
 * The column holds `text`, in any letter case. The escape is named: SQLite's LIKE has none by default,
 * PostgreSQL's is the backslash, so `%`, `_` and `\` in the text match only themselves on both.
 */
const titleHas = (column: string, text: string) =>
  sql<SqlBool>`lower(${sql.ref(column)}) like ${`%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`} escape '\\'`;

const chunks = <T>(list: readonly T[]): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += IN_CHUNK) out.push(list.slice(i, i + IN_CHUNK));
  return out;
};

export function externalRepository(db: Executor): ExternalRepository {
  const parts = (table: PartTable) => db.selectFrom(table as 'external_tasks');

  const instanceWhere = (tenantKey: string, filter: ExternalFilter): InstanceQuery => {
    const { approvalCodes, instanceIds, userIds, states, title, from, to, withTask } = filter;
    let q = db.selectFrom('external_instances').where('external_instances.tenant_key', '=', tenantKey);
    if (approvalCodes) q = q.where((eb) => isIn(eb, 'external_instances.approval_code', approvalCodes));
    if (instanceIds) q = q.where((eb) => isIn(eb, 'external_instances.instance_id', instanceIds));
    if (userIds) q = q.where((eb) => isIn(eb, 'external_instances.user_id', userIds));
    if (states) q = q.where((eb) => isIn(eb, 'external_instances.status', states));
    if (title) q = q.where(titleHas('external_instances.title', title));
    if (from !== undefined) q = q.where('external_instances.start_time', '>=', from);
    if (to !== undefined) q = q.where('external_instances.start_time', '<=', to);
    if (withTask) {
      const { userIds: assignees, states: statuses } = withTask;
      q = q.where((eb) => {
        let tasks = eb
          .selectFrom('external_tasks')
          .select('external_tasks.part_id')
          .whereRef('external_tasks.tenant_key', '=', 'external_instances.tenant_key')
          .whereRef('external_tasks.instance_id', '=', 'external_instances.instance_id');
        if (assignees) tasks = tasks.where((inner) => isIn(inner, 'external_tasks.user_id', assignees));
        if (statuses) tasks = tasks.where((inner) => isIn(inner, 'external_tasks.state', statuses));
        return eb.exists(tasks);
      });
    }
    return q;
  };

  const partWhere = (table: PartTable, tenantKey: string, filter: ExternalFilter): PartQuery => {
    const { approvalCodes, instanceStatuses, instanceIds, userIds, states, title, from, to } = filter;
    let q = parts(table).where('tenant_key', '=', tenantKey);
    if (instanceIds) q = q.where((eb) => isIn(eb, 'instance_id', instanceIds));
    if (userIds) q = q.where((eb) => isIn(eb, 'user_id', userIds));
    if (states) q = q.where((eb) => isIn(eb, 'state', states));
    if (title) q = q.where(titleHas('title', title));
    if (from !== undefined) q = q.where('create_time', '>=', from);
    if (to !== undefined) q = q.where('create_time', '<=', to);
    if (approvalCodes || instanceStatuses) {
      // The instance's own filters, on its row.
      let owners = db.selectFrom('external_instances').select('instance_id').where('tenant_key', '=', tenantKey);
      if (approvalCodes) owners = owners.where((eb) => isIn(eb, 'approval_code', approvalCodes));
      if (instanceStatuses) owners = owners.where((eb) => isIn(eb, 'status', instanceStatuses));
      q = q.where('instance_id', 'in', owners);
    }
    return q;
  };

  const instancesByIds = async (tenantKey: string, ids: readonly string[]) => {
    const rows: ExternalInstancesTable[] = [];
    for (const chunk of chunks([...new Set(ids)])) {
      rows.push(...(await db.selectFrom('external_instances').selectAll().where('tenant_key', '=', tenantKey).where('instance_id', 'in', chunk).execute()));
    }
    return new Map(rows.map((row) => [row.instance_id, toInstance(row)]));
  };

  const listParts = async (
    table: PartTable,
    tenantKey: string,
    filter: ExternalFilter,
    after: ExternalCursor | undefined,
    limit: number,
    order: ExternalOrder = { by: 'createTime', descending: false },
  ) => {
    const time = order.by === 'createTime' ? 'create_time' : 'update_time';
    const beyond = order.descending ? '<' : '>';
    const direction = order.descending ? 'desc' : 'asc';
    let q = partWhere(table, tenantKey, filter).selectAll();
    if (after) {
      q = q.where((eb) =>
        eb.or([
          eb(time, beyond, after.time),
          eb.and([eb(time, '=', after.time), eb('instance_id', beyond, after.instanceId)]),
          eb.and([eb(time, '=', after.time), eb('instance_id', '=', after.instanceId), eb('part_id', beyond, after.id)]),
        ]),
      );
    }
    const rows = await q.orderBy(time, direction).orderBy('instance_id', direction).orderBy('part_id', direction).limit(limit).execute();
    const instances = await instancesByIds(tenantKey, rows.map((r) => r.instance_id));
    return rows.flatMap((row): ExternalPartListing[] => {
      const instance = instances.get(row.instance_id);
      if (!instance) return [];
      return [{ instance, part: toPart(row), cursor: { time: row[time], instanceId: row.instance_id, id: row.part_id } }];
    });
  };

  const countOf = async <T extends keyof Database>(query: SelectQueryBuilder<Database, T, object>) => {
    const row = await query.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  };

  const writeParts = async (table: PartTable, tenantKey: string, instanceId: string, list: readonly ExternalPart[]) => {
    await db.deleteFrom(table as 'external_tasks').where('tenant_key', '=', tenantKey).where('instance_id', '=', instanceId).execute();
    for (const chunk of chunks(list.map((part, position) => ({ part, position })))) {
      await db
        .insertInto(table as 'external_tasks')
        .values(
          chunk.map(({ part, position }) => ({
            tenant_key: tenantKey,
            instance_id: instanceId,
            part_id: part.id,
            user_id: part.userId,
            state: part.state,
            title: part.title,
            create_time: part.createTime,
            update_time: part.updateTime,
            position,
            body: JSON.stringify(part.body),
          })),
        )
        .execute();
    }
  };

  return {
    async findDefinition(tenantKey, code) {
      const row = await db
        .selectFrom('external_approvals')
        .selectAll()
        .where('tenant_key', '=', tenantKey)
        .where((eb) => eb.or([eb('approval_code', '=', code), eb('generated_code', '=', code)]))
        // An app's own code wins over another definition's generated code.
        .orderBy((eb) => eb.case().when('approval_code', '=', code).then(0).else(1).end())
        .executeTakeFirst();
      return row && toDefinition(row);
    },
    async findDefinitions(tenantKey, codes) {
      const found: ExternalDefinition[] = [];
      for (const chunk of chunks([...new Set(codes)])) {
        const rows = await db.selectFrom('external_approvals').selectAll().where('tenant_key', '=', tenantKey).where('approval_code', 'in', chunk).execute();
        found.push(...rows.map(toDefinition));
      }
      return found;
    },
    async saveDefinition(tenantKey, definition, now) {
      const { code, generatedCode, id, groupCode, ...rest } = definition;
      const values = { group_code: groupCode, definition: JSON.stringify(rest), updated_at: now };
      const row = await db
        .insertInto('external_approvals')
        .values({ tenant_key: tenantKey, approval_code: code, generated_code: generatedCode, approval_id: id, created_at: now, ...values })
        .onConflict((oc) => oc.columns(['tenant_key', 'approval_code']).doUpdateSet(values))
        .returning('generated_code')
        .executeTakeFirstOrThrow();
      return row.generated_code;
    },
    async findGroup(tenantKey, groupCode) {
      const row = await db
        .selectFrom('external_approval_groups')
        .selectAll()
        .where('tenant_key', '=', tenantKey)
        .where('group_code', '=', groupCode)
        .executeTakeFirst();
      return row && { code: row.group_code, name: row.group_name };
    },
    async findGroups(tenantKey, groupCodes) {
      const codes = [...new Set(groupCodes)].filter(Boolean);
      if (codes.length === 0) return [];
      const rows = await db.selectFrom('external_approval_groups').selectAll().where('tenant_key', '=', tenantKey).where('group_code', 'in', codes).execute();
      return rows.map((row) => ({ code: row.group_code, name: row.group_name }));
    },
    async saveGroup(tenantKey, group) {
      await db
        .insertInto('external_approval_groups')
        .values({ tenant_key: tenantKey, group_code: group.code, group_name: group.name })
        .onConflict((oc) => oc.columns(['tenant_key', 'group_code']).doUpdateSet({ group_name: group.name }))
        .execute();
    },
    async findInstances(tenantKey, instanceIds) {
      const instances = await instancesByIds(tenantKey, instanceIds);
      const states = new Map<string, ExternalState>([...instances].map(([id, instance]) => [id, { instance, tasks: [], ccs: [] }]));
      for (const [table, key] of [
        ['external_tasks', 'tasks'],
        ['external_ccs', 'ccs'],
      ] as const) {
        for (const chunk of chunks([...states.keys()])) {
          const rows = await parts(table)
            .selectAll()
            .where('tenant_key', '=', tenantKey)
            .where('instance_id', 'in', chunk)
            .orderBy('instance_id')
            .orderBy('position')
            .execute();
          for (const row of rows) states.get(row.instance_id)?.[key].push(toPart(row));
        }
      }
      return [...states.values()];
    },
    async saveInstance(tenantKey, { instance, tasks, ccs }, expectedVersion) {
      const values = {
        approval_code: instance.approvalCode,
        status: instance.status,
        user_id: instance.userId,
        title: instance.title,
        start_time: instance.startTime,
        end_time: instance.endTime,
        update_time: instance.updateTime,
        body: JSON.stringify(instance.body),
        synced_at: instance.syncedAt,
        version: instance.version,
      };
      const written =
        expectedVersion === undefined
          ? await db
              .insertInto('external_instances')
              .values({ tenant_key: tenantKey, instance_id: instance.instanceId, instance_code: instance.code, ...values })
              .onConflict((oc) => oc.columns(['tenant_key', 'instance_id']).doNothing())
              .executeTakeFirst()
              .then((r) => Number(r.numInsertedOrUpdatedRows ?? 0))
          : await db
              .updateTable('external_instances')
              .set(values)
              .where('tenant_key', '=', tenantKey)
              .where('instance_id', '=', instance.instanceId)
              .where('version', '=', expectedVersion)
              .executeTakeFirst()
              .then((r) => Number(r.numUpdatedRows));
      if (written !== 1) return false;
      await writeParts('external_tasks', tenantKey, instance.instanceId, tasks);
      await writeParts('external_ccs', tenantKey, instance.instanceId, ccs);
      return true;
    },
    async findInstanceByCode(tenantKey, code) {
      const row = await db.selectFrom('external_instances').selectAll().where('tenant_key', '=', tenantKey).where('instance_code', '=', code).executeTakeFirst();
      return row && toInstance(row);
    },
    async definitionCodesOfGroup(tenantKey, groupCode) {
      const rows = await db.selectFrom('external_approvals').select('approval_code').where('tenant_key', '=', tenantKey).where('group_code', '=', groupCode).execute();
      return rows.map((row) => row.approval_code);
    },
    listTasks: (tenantKey, filter, after, limit, order) => listParts('external_tasks', tenantKey, filter, after, limit, order),
    countTasks: (tenantKey, filter) => countOf(partWhere('external_tasks', tenantKey, filter)),
    listCcs: (tenantKey, filter, after, limit, order) => listParts('external_ccs', tenantKey, filter, after, limit, order),
    countCcs: (tenantKey, filter) => countOf(partWhere('external_ccs', tenantKey, filter)),
    async listInstances(tenantKey, filter, after, limit) {
      let q = instanceWhere(tenantKey, filter).selectAll();
      if (after) {
        q = q.where((eb) =>
          eb.or([
            eb('start_time', '>', after.time),
            eb.and([eb('start_time', '=', after.time), eb('instance_id', '>', after.instanceId)]),
          ]),
        );
      }
      const rows = await q.orderBy('start_time').orderBy('instance_id').limit(limit).execute();
      return rows.map((row) => ({ instance: toInstance(row), cursor: { time: row.start_time, instanceId: row.instance_id, id: '' } }));
    },
    countInstances: (tenantKey, filter) => countOf(instanceWhere(tenantKey, filter)),
  };
}

