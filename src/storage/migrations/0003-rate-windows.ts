import type { Kysely, Migration } from 'kysely';

/** Rate-limit counters in the database, so that every node of a cluster counts the same requests. */
export const rateWindows: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('rate_windows')
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('window_start', 'bigint', (c) => c.notNull())
      .addColumn('count', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('rate_windows_pk', ['key', 'window_start'])
      .execute();
  },
};
