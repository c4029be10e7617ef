import type { Kysely, Migration } from 'kysely';

/**
 * Event delivery: which app subscribed to which definition, one delivery row per outbox event and
 * receiving app (its attempts and schedule), and the event URL each app last proved.
 */
export const eventDelivery: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('subscriptions')
      .addColumn('app_id', 'text', (c) => c.notNull().references('apps.app_id'))
      .addColumn('approval_code', 'text', (c) => c.notNull().references('approvals.approval_code'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('subscriptions_pk', ['app_id', 'approval_code'])
      .execute();

    await db.schema
      .createTable('deliveries')
      .addColumn('event_id', 'text', (c) => c.notNull().references('outbox.event_id'))
      .addColumn('app_id', 'text', (c) => c.notNull())
      .addColumn('instance_code', 'text', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      /** pending, delivered, or failed (given up after the last retry). */
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
      /** A node working on the delivery holds it until then, so that two nodes do not send it at once. */
      .addColumn('locked_until', 'bigint', (c) => c.notNull())
      .addColumn('last_error', 'text')
      .addColumn('delivered_at', 'bigint')
      .addPrimaryKeyConstraint('deliveries_pk', ['event_id', 'app_id'])
      .execute();
    await db.schema
      .createIndex('deliveries_due')
      .on('deliveries')
      .columns(['status', 'next_attempt_at'])
      .execute();
    await db.schema
      .createIndex('deliveries_order')
      .on('deliveries')
      .columns(['app_id', 'instance_code', 'seq'])
      .execute();

    await db.schema.alterTable('apps').addColumn('event_verified_url', 'text').execute();
  },
};
