import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Feishu's event policy: the event types each app takes (null = the default, every event 1.0 approval
 * type), a version per definition (it orders the definition's approval.approval.updated_v4 events, and is
 * their version_id), when a delivery was last tried, and `dead` for a delivery given up after its last
 * retry (it was `failed`).
 */
export const eventTypesAndDeadDeliveries: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('apps').addColumn('event_types', 'text').execute();
    await db.schema
      .alterTable('approvals')
      .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
    await db.schema.alterTable('deliveries').addColumn('last_attempt_at', 'bigint').execute();
    await sql`update deliveries set status = 'dead' where status = 'failed'`.execute(db);
  },
};
