import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The order instances were created in, finer than their start time: several created in one millisecond
 * still list in creation order. Instances from before this migration share the empty value and fall back
 * to their code.
 */
export const instanceCreationOrder: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('instances')
      .addColumn('created_seq', 'text', (c) => c.notNull().defaultTo(sql`''`))
      .execute();
    await db.schema
      .createIndex('instances_by_approval_in_order')
      .on('instances')
      .columns(['tenant_key', 'approval_code', 'start_time', 'created_seq'])
      .execute();
  },
};
