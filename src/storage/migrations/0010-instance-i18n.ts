import type { Kysely, Migration } from 'kysely';

/** An instance's own i18n_resources (create), resolving its title and text values per locale; '[]' when none. */
export const instanceI18n: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('instances').addColumn('i18n', 'text', (c) => c.notNull().defaultTo('[]')).execute();
  },
};
