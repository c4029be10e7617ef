import type { Kysely, Migration } from 'kysely';

/**
 * CC entries (抄送): one row per CC'd user, with its read state. Listed per user and read state by
 * `GET /tasks/query` topics 17 and 18, and per instance when its user opens it.
 */
export const instanceCcs: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('instance_ccs')
      .addColumn('cc_id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_key', 'text', (c) => c.notNull())
      .addColumn('instance_code', 'text', (c) => c.notNull().references('instances.instance_code'))
      /** The CC'd user's tenant user_id. */
      .addColumn('user_id', 'text', (c) => c.notNull())
      /** Who sent it; '' when the flow sent it on passing a node. */
      .addColumn('from_user_id', 'text', (c) => c.notNull())
      /** The node whose CC it is; '' for one sent with POST /instances/cc. */
      .addColumn('node_id', 'text', (c) => c.notNull())
      .addColumn('create_time', 'bigint', (c) => c.notNull())
      /** UNREAD or READ. */
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('read_time', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('instance_ccs_by_user')
      .on('instance_ccs')
      .columns(['tenant_key', 'user_id', 'status', 'create_time', 'cc_id'])
      .execute();
    await db.schema.createIndex('instance_ccs_by_instance').on('instance_ccs').column('instance_code').execute();
  },
};
