import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Two fewer index entries written with every instance. `instances_by_approval` (tenant, approval, start time, code)
 * is covered by `instances_by_approval_in_order` (0006), which the queries by approval use. The index by reverted
 * instance holds only revoke requests: every other instance has no reverted instance, and the only query naming one
 * asks for equality, which a partial index serves.
 */
export const lighterInstanceIndexes: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('instances_by_approval').execute();
    await db.schema.dropIndex('instances_by_reverted_instance').execute();
    await db.schema
      .createIndex('instances_by_reverted_instance')
      .on('instances')
      .columns(['tenant_key', 'reverted_instance_code'])
      .where(sql.ref('reverted_instance_code'), 'is not', null)
      .execute();
  },
};
