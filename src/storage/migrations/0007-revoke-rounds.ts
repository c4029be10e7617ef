import type { Kysely, Migration } from 'kysely';

/**
 * The revoke round (rules.md "Revoking an approved instance"): a revoke request names the approved
 * instance it revokes, and that instance names its open revoke request while the round runs.
 */
export const revokeRounds: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    // One column per statement: SQLite adds columns one at a time.
    await db.schema.alterTable('instances').addColumn('reverted_instance_code', 'text').execute();
    await db.schema.alterTable('instances').addColumn('revoke_request_code', 'text').execute();
    await db.schema
      .createIndex('instances_by_reverted_instance')
      .on('instances')
      .columns(['tenant_key', 'reverted_instance_code'])
      .execute();
  },
};
