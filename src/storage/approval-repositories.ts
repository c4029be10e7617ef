/** Definitions, instances, tasks, timeline and outbox over kysely (SQL both SQLite and PostgreSQL accept). */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { ApprovalDefinition, DefinitionDraft } from '../domain/approval/definition.js';
import type { Instance, InstanceStatus, Task, TaskStatus, TimelineEntry } from '../domain/approval/instance.js';
import type {
  ApprovalRepository,
  InstanceFilter,
  InstanceRepository,
  OutboxRepository,
  TaskRepository,
  TimelineRepository,
} from '../services/ports.js';
import { allInOrder } from '../util/in-order.js';
import { prepared, preparedInsert } from './prepared.js';
import type { ApprovalsTable, Database, InstancesTable, TasksTable } from './schema.js';

type Executor = Kysely<Database> | Transaction<Database>;

/**
 * Definitions as read from their rows, by approval code: most requests read a definition, and parsing its JSON
 * cost more than the query. A row that differs from the one read is read again, so nothing else (versions,
 * resets, restores) has to keep this in step. Callers never change a definition they were given.
 */
export class ParsedDefinitions {
  private readonly known = new Map<string, { row: ApprovalsTable; definition: ApprovalDefinition }>();

  of(row: ApprovalsTable): ApprovalDefinition {
    const known = this.known.get(row.approval_code);
    if (known && known.row.definition === row.definition && known.row.approval_id === row.approval_id && known.row.status === row.status) {
      return known.definition;
    }
    const draft = JSON.parse(row.definition) as DefinitionDraft;
    const definition = { ...draft, code: row.approval_code, id: row.approval_id, status: row.status as ApprovalDefinition['status'] };
    this.known.set(row.approval_code, { row, definition });
    return definition;
  }
}

const findApproval = prepared<{ tenantKey: string; approvalCode: string }, ApprovalsTable>((db, p) =>
  db.selectFrom('approvals').selectAll().where('tenant_key', '=', p('tenantKey')).where('approval_code', '=', p('approvalCode')),
);

export function approvalRepository(db: Executor, definitions: ParsedDefinitions): ApprovalRepository {
  return {
    async find(tenantKey, approvalCode) {
      const [row] = (await findApproval(db, { tenantKey, approvalCode })).rows;
      return row && definitions.of(row);
    },
    async ownerOf(approvalCode) {
      const row = await db
        .selectFrom('approvals')
        .select('tenant_key')
        .where('approval_code', '=', approvalCode)
        .executeTakeFirst();
      return row?.tenant_key;
    },
    async save(tenantKey, definition, now) {
      const { code, id, status, ...draft } = definition;
      const values = { status, definition: JSON.stringify(draft), updated_at: now };
      // The increment is one statement, so concurrent overwrites of one definition get distinct versions.
      const row = await db
        .insertInto('approvals')
        .values({ approval_code: code, tenant_key: tenantKey, approval_id: id, created_at: now, version: 1, ...values })
        .onConflict((oc) =>
          oc.column('approval_code').doUpdateSet((eb) => ({ ...values, version: eb('approvals.version', '+', 1) })),
        )
        .returning('version')
        .executeTakeFirstOrThrow();
      return row.version;
    },
    async listCodes(tenantKey) {
      const rows = await db
        .selectFrom('approvals')
        .select('approval_code')
        .where('tenant_key', '=', tenantKey)
        .orderBy('created_at')
        .orderBy('approval_code')
        .execute();
      return rows.map((r) => r.approval_code);
    },
  };
}

export const toInstance = (row: InstancesTable): Instance => ({
  code: row.instance_code,
  approvalCode: row.approval_code,
  submitter: row.submitter,
  departmentId: row.department_id,
  status: row.status as InstanceStatus,
  startTime: row.start_time,
  endTime: row.end_time,
  form: row.form,
  uuid: row.uuid,
  forbidRevoke: row.forbid_revoke === 1,
  cancelBotNotification: row.cancel_bot_notification,
  reverted: row.reverted === 1,
  revertedInstanceCode: row.reverted_instance_code,
  revokeRequestCode: row.revoke_request_code,
  i18n: JSON.parse(row.i18n) as Instance['i18n'],
  serialNumber: row.serial_number,
  title: row.title,
  route: JSON.parse(row.route) as Instance['route'],
  currentNode: row.current_node,
  version: row.version,
});

/** The columns an instance's state changes touch. */
const mutableColumns = (instance: Instance, now: number) => ({
  status: instance.status,
  // A resubmitted request (tasks/resubmit) carries a new form.
  form: instance.form,
  end_time: instance.endTime,
  reverted: instance.reverted ? 1 : 0,
  revoke_request_code: instance.revokeRequestCode,
  current_node: instance.currentNode,
  route: JSON.stringify(instance.route),
  version: instance.version,
  updated_at: now,
});

const findInstance = prepared<{ tenantKey: string; instanceCode: string }, InstancesTable>((db, p) =>
  db.selectFrom('instances').selectAll().where('tenant_key', '=', p('tenantKey')).where('instance_code', '=', p('instanceCode')),
);

const findInstanceByUuid = prepared<{ tenantKey: string; uuidKey: string }, InstancesTable>((db, p) =>
  db.selectFrom('instances').selectAll().where('tenant_key', '=', p('tenantKey')).where('uuid_key', '=', p('uuidKey')),
);

const insertInstance = preparedInsert('instances', [
  'instance_code',
  'tenant_key',
  'approval_code',
  'submitter',
  'department_id',
  'start_time',
  'uuid',
  'uuid_key',
  'forbid_revoke',
  'cancel_bot_notification',
  'serial_number',
  'title',
  'reverted_instance_code',
  'i18n',
  'created_seq',
  'status',
  'form',
  'end_time',
  'reverted',
  'revoke_request_code',
  'current_node',
  'route',
  'version',
  'updated_at',
]);

type MutableColumns = ReturnType<typeof mutableColumns>;

type UpdateParams = MutableColumns & { tenantKey: string; instanceCode: string; expectedVersion: number };

/** The instance's state, if it is still at the version its writer read. */
const guardedUpdate = (db: Executor, p: <K extends keyof UpdateParams>(name: K) => UpdateParams[K]) =>
  db
    .updateTable('instances')
    .set({
      status: p('status'),
      form: p('form'),
      end_time: p('end_time'),
      reverted: p('reverted'),
      revoke_request_code: p('revoke_request_code'),
      current_node: p('current_node'),
      route: p('route'),
      version: p('version'),
      updated_at: p('updated_at'),
    })
    .where('tenant_key', '=', p('tenantKey'))
    .where('instance_code', '=', p('instanceCode'))
    .where('version', '=', p('expectedVersion'));

const updateInstance = prepared<UpdateParams, never>(guardedUpdate);

/**
 * The same update, failing with a division by zero (PostgreSQL: 22012) when no row is at that version: a miss
 * then aborts the transaction itself, as a commit sent with the writes, before the miss is known, requires
 * (Store.transactionAtOnce). PostgreSQL only (SQLite has no update in a WITH).
 */
const updateInstanceOrFail = prepared<UpdateParams, { one: number }>((db, p) =>
  db
    .with('landed', () => guardedUpdate(db, p).returning(sql<number>`1`.as('one')))
    .selectFrom('landed')
    .select(sql<number>`1 / count(*)`.as('one')),
);

const DIVISION_BY_ZERO = '22012';

/** The tenant's instances that `filter` names (also the instance scope of a search, see search-repository.ts). */
export function instancesMatching(db: Executor, tenantKey: string, filter: InstanceFilter) {
  let query = db.selectFrom('instances').where('tenant_key', '=', tenantKey);
  if (filter.approvalCode !== undefined) query = query.where('approval_code', '=', filter.approvalCode);
  if (filter.instanceCode !== undefined) query = query.where('instance_code', '=', filter.instanceCode);
  if (filter.submitter !== undefined) query = query.where('submitter', '=', filter.submitter);
  if (filter.statuses?.length) query = query.where('status', 'in', filter.statuses);
  if (filter.startFrom !== undefined) query = query.where('start_time', '>=', filter.startFrom);
  if (filter.startTo !== undefined) query = query.where('start_time', '<=', filter.startTo);
  if (filter.revertedInstanceCode !== undefined) {
    query = query.where('reverted_instance_code', '=', filter.revertedInstanceCode);
  }
  if (filter.withoutRevoked) {
    // A completed round: the revoked original, and its approved revoke request.
    query = query
      .where('reverted', '=', 0)
      .where((eb) => eb.or([eb('reverted_instance_code', 'is', null), eb('status', '!=', 'APPROVED')]));
  }
  return query;
}

/** `failOnMiss`: a guarded update that misses fails (updateInstanceOrFail), for stores that send commits early. */
export function instanceRepository(db: Executor, failOnMiss = false): InstanceRepository {
  const filtered = (tenantKey: string, filter: InstanceFilter) => instancesMatching(db, tenantKey, filter);
  return {
    async find(tenantKey, instanceCode) {
      const [row] = (await findInstance(db, { tenantKey, instanceCode })).rows;
      return row && toInstance(row);
    },
    async ownerOf(instanceCode) {
      const row = await db
        .selectFrom('instances')
        .select('tenant_key')
        .where('instance_code', '=', instanceCode)
        .executeTakeFirst();
      return row?.tenant_key;
    },
    async findByUuid(tenantKey, uuid) {
      const [row] = (await findInstanceByUuid(db, { tenantKey, uuidKey: uuid.toLowerCase() })).rows;
      return row && toInstance(row);
    },
    async insert(tenantKey, instance, now, createdSeq) {
      await insertInstance(db, [
        {
          instance_code: instance.code,
          tenant_key: tenantKey,
          approval_code: instance.approvalCode,
          submitter: instance.submitter,
          department_id: instance.departmentId,
          start_time: instance.startTime,
          uuid: instance.uuid,
          uuid_key: instance.uuid?.toLowerCase() ?? null,
          forbid_revoke: instance.forbidRevoke ? 1 : 0,
          cancel_bot_notification: instance.cancelBotNotification,
          serial_number: instance.serialNumber,
          title: instance.title,
          reverted_instance_code: instance.revertedInstanceCode,
          i18n: JSON.stringify(instance.i18n),
          created_seq: createdSeq,
          ...mutableColumns(instance, now),
        },
      ]);
    },
    async update(tenantKey, instance, expectedVersion, now) {
      const params = { ...mutableColumns(instance, now), tenantKey, instanceCode: instance.code, expectedVersion };
      if (!failOnMiss) return Number((await updateInstance(db, params)).numAffectedRows) === 1;
      try {
        await updateInstanceOrFail(db, params);
        return true;
      } catch (err) {
        if ((err as { code?: unknown }).code === DIVISION_BY_ZERO) return false;
        throw err;
      }
    },
    async list(tenantKey, filter, after, limit) {
      let query = filtered(tenantKey, filter).selectAll();
      if (after) {
        query = query.where((eb) =>
          eb.or([
            eb('start_time', '>', after.startTime),
            eb.and([eb('start_time', '=', after.startTime), eb('created_seq', '>', after.seq)]),
            eb.and([
              eb('start_time', '=', after.startTime),
              eb('created_seq', '=', after.seq),
              eb('instance_code', '>', after.code),
            ]),
          ]),
        );
      }
      const rows = await query.orderBy('start_time').orderBy('created_seq').orderBy('instance_code').limit(limit).execute();
      return rows.map((row) => ({
        instance: toInstance(row),
        cursor: { startTime: row.start_time, seq: row.created_seq, code: row.instance_code },
      }));
    },
    async count(tenantKey, filter) {
      const row = await filtered(tenantKey, filter)
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async countByStatus() {
      const rows = await db
        .selectFrom('instances')
        .select(['status', (eb) => eb.fn.countAll<number | string>().as('n')])
        .groupBy('status')
        .execute();
      return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
    },
  };
}

export const toTask = (row: TasksTable): Task => ({
  id: row.task_id,
  instanceCode: row.instance_code,
  nodeId: row.node_id,
  group: row.task_group || row.node_id,
  userId: row.user_id,
  status: row.status as TaskStatus,
  type: row.type as Task['type'],
  startTime: row.start_time,
  endTime: row.end_time,
  requireSignature: row.require_signature === 1,
});

const findTask = prepared<{ tenantKey: string; taskId: string }, TasksTable>((db, p) =>
  db.selectFrom('tasks').selectAll().where('task_id', '=', p('taskId')).where('tenant_key', '=', p('tenantKey')),
);

const tasksOfInstance = prepared<{ instanceCode: string }, TasksTable>((db, p) =>
  db.selectFrom('tasks').selectAll().where('instance_code', '=', p('instanceCode')).orderBy('start_time').orderBy('task_id'),
);

const insertTasks = preparedInsert('tasks', [
  'task_id',
  'tenant_key',
  'instance_code',
  'node_id',
  'user_id',
  'status',
  'type',
  'start_time',
  'end_time',
  'require_signature',
  'task_group',
]);

const updateTask = prepared<{ id: string; status: string; endTime: number; userId: string }, never>((db, p) =>
  db
    .updateTable('tasks')
    .set({ status: p('status'), end_time: p('endTime'), user_id: p('userId') })
    .where('task_id', '=', p('id')),
);

export function taskRepository(db: Executor): TaskRepository {
  return {
    async find(tenantKey, taskId) {
      const [row] = (await findTask(db, { tenantKey, taskId })).rows;
      return row && toTask(row);
    },
    async listByInstance(instanceCode) {
      return (await tasksOfInstance(db, { instanceCode })).rows.map(toTask);
    },
    async insert(tenantKey, tasks) {
      await insertTasks(
        db,
        tasks.map((t) => ({
            task_id: t.id,
            tenant_key: tenantKey,
            instance_code: t.instanceCode,
            node_id: t.nodeId,
            user_id: t.userId,
            status: t.status,
            type: t.type,
            start_time: t.startTime,
            end_time: t.endTime,
          require_signature: t.requireSignature ? 1 : 0,
          task_group: t.group,
        })),
      );
    },
    async update(tasks) {
      // Every update settles before a failure is reported: the rollback that follows must come after all of them.
      await allInOrder(tasks.map((t) => updateTask(db, { id: t.id, status: t.status, endTime: t.endTime, userId: t.userId })));
    },
    async countByUser(tenantKey, userId, statuses) {
      if (statuses.length === 0) return 0;
      const row = await db
        .selectFrom('tasks')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('tenant_key', '=', tenantKey)
        .where('user_id', '=', userId)
        .where('status', 'in', [...statuses])
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async listByUser(tenantKey, userId, statuses, after, limit) {
      let query = db
        .selectFrom('tasks')
        .selectAll()
        .where('tenant_key', '=', tenantKey)
        .where('user_id', '=', userId)
        .where('status', 'in', [...statuses]);
      if (after) {
        query = query.where((eb) =>
          eb.or([
            eb('start_time', '>', after.startTime),
            eb.and([eb('start_time', '=', after.startTime), eb('task_id', '>', after.id)]),
          ]),
        );
      }
      const rows = await query.orderBy('start_time').orderBy('task_id').limit(limit).execute();
      return rows.map(toTask);
    },
  };
}

const insertTimeline = preparedInsert('timeline', ['instance_code', 'seq', 'type', 'create_time', 'entry']);

const timelineOfInstance = prepared<{ instanceCode: string }, Database['timeline']>((db, p) =>
  db.selectFrom('timeline').selectAll().where('instance_code', '=', p('instanceCode')).orderBy('seq'),
);

export function timelineRepository(db: Executor): TimelineRepository {
  return {
    async append(instanceCode, firstSeq, entries) {
      await insertTimeline(
        db,
        entries.map(({ type, createTime, ...rest }, i) => ({
          instance_code: instanceCode,
          seq: firstSeq + i,
          type,
          create_time: createTime,
          entry: JSON.stringify(rest),
        })),
      );
    },
    async list(instanceCode) {
      const { rows } = await timelineOfInstance(db, { instanceCode });
      return rows.map(
        (r): TimelineEntry => ({
          type: r.type as TimelineEntry['type'],
          createTime: r.create_time,
          ...(JSON.parse(r.entry) as Omit<TimelineEntry, 'type' | 'createTime'>),
        }),
      );
    },
  };
}

const insertOutbox = preparedInsert('outbox', [
  'event_id',
  'tenant_key',
  'approval_code',
  'instance_code',
  'seq',
  'event_type',
  'payload',
  'created_at',
]);

export function outboxRepository(db: Executor): OutboxRepository {
  return {
    async append(events) {
      await insertOutbox(
        db,
        events.map((e) => ({
          event_id: e.eventId,
          tenant_key: e.tenantKey,
          approval_code: e.approvalCode,
          instance_code: e.instanceCode,
          seq: e.seq,
          event_type: e.eventType,
          payload: JSON.stringify(e.payload),
          created_at: e.createdAt,
        })),
      );
    },
  };
}
