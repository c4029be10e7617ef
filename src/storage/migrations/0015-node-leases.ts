import type { Kysely, Migration } from 'kysely';

/**
 * Node numbers leased by the processes that write to the database (services/node-lease.ts): each number is held
 * by one live process at a time, and its ids carry it, so that ids of processes sharing the database never meet.
 */
export const nodeLeases: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('node_leases')
      .addColumn('node', 'integer', (c) => c.primaryKey())
      .addColumn('holder', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};
