/** CC entries over kysely (SQL both SQLite and PostgreSQL accept). */
import type { Kysely, Transaction } from 'kysely';
import type { CcEntry } from '../domain/approval/cc.js';
import type { CcRepository } from '../services/ports.js';
import { allInOrder } from '../util/in-order.js';
import { prepared } from './prepared.js';
import type { Database, InstanceCcsTable } from './schema.js';

type Executor = Kysely<Database> | Transaction<Database>;

export const toCc = (row: InstanceCcsTable): CcEntry => ({
  id: row.cc_id,
  instanceCode: row.instance_code,
  userId: row.user_id,
  from: row.from_user_id,
  nodeId: row.node_id,
  createTime: row.create_time,
  status: row.status as CcEntry['status'],
  readTime: row.read_time,
});

const ccsOf = prepared<{ instanceCode: string }, InstanceCcsTable>((db, p) =>
  db.selectFrom('instance_ccs').selectAll().where('instance_code', '=', p('instanceCode')).orderBy('create_time').orderBy('cc_id'),
);

export function ccRepository(db: Executor): CcRepository {
  const ofUser = (tenantKey: string, userId: string, status: CcEntry['status']) =>
    db
      .selectFrom('instance_ccs')
      .where('tenant_key', '=', tenantKey)
      .where('user_id', '=', userId)
      .where('status', '=', status);
  return {
    async insert(tenantKey, ccs) {
      if (ccs.length === 0) return;
      await db
        .insertInto('instance_ccs')
        .values(
          ccs.map((cc) => ({
            cc_id: cc.id,
            tenant_key: tenantKey,
            instance_code: cc.instanceCode,
            user_id: cc.userId,
            from_user_id: cc.from,
            node_id: cc.nodeId,
            create_time: cc.createTime,
            status: cc.status,
            read_time: cc.readTime,
          })),
        )
        .execute();
    },
    async markRead(ccs) {
      // Every update settles before a failure is reported: the rollback that follows must come after all of them.
      await allInOrder(
        ccs.map((cc) => db.updateTable('instance_ccs').set({ status: cc.status, read_time: cc.readTime }).where('cc_id', '=', cc.id).execute()),
      );
    },
    async listByInstance(instanceCode) {
      return (await ccsOf(db, { instanceCode })).rows.map(toCc);
    },
    async countByUser(tenantKey, userId, status) {
      const row = await ofUser(tenantKey, userId, status)
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async listByUser(tenantKey, userId, status, after, limit) {
      let query = ofUser(tenantKey, userId, status).selectAll();
      if (after) {
        query = query.where((eb) =>
          eb.or([
            eb('create_time', '>', after.createTime),
            eb.and([eb('create_time', '=', after.createTime), eb('cc_id', '>', after.id)]),
          ]),
        );
      }
      const rows = await query.orderBy('create_time').orderBy('cc_id').limit(limit).execute();
      return rows.map(toCc);
    },
  };
}
