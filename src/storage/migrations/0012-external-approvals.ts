import type { Kysely, Migration } from 'kysely';

/**
 * Third-party (external) approvals: definitions and their groups, and the instances, tasks and CCs a
 * third-party system syncs. Feishu only shows them (no flow runs here), so each part keeps the JSON it was
 * synced with beside the columns the lists filter and sort on. Every key starts with the tenant: the codes
 * and ids are the third party's own, and two tenants may use the same ones.
 */
export const externalApprovals: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('external_approval_groups')
      .addColumn('tenant_key', 'text', (c) => c.notNull())
      .addColumn('group_code', 'text', (c) => c.notNull())
      /** An i18n key, resolved with the texts of the definition shown. */
      .addColumn('group_name', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('external_approval_groups_pk', ['tenant_key', 'group_code'])
      .execute();

    await db.schema
      .createTable('external_approvals')
      .addColumn('tenant_key', 'text', (c) => c.notNull())
      /** The code the app gave. */
      .addColumn('approval_code', 'text', (c) => c.notNull())
      /** The code shenpi made at creation, which create answers; unique across tenants. */
      .addColumn('generated_code', 'text', (c) => c.notNull().unique())
      .addColumn('approval_id', 'text', (c) => c.notNull())
      /** '' when the definition is in no group. */
      .addColumn('group_code', 'text', (c) => c.notNull())
      /** The rest of the definition (domain ExternalDefinition) as JSON. */
      .addColumn('definition', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('external_approvals_pk', ['tenant_key', 'approval_code'])
      .execute();

    await db.schema
      .createTable('external_instances')
      .addColumn('tenant_key', 'text', (c) => c.notNull())
      .addColumn('instance_id', 'text', (c) => c.notNull())
      /** The code shenpi made at the first sync (Feishu's instance code of a third-party instance). */
      .addColumn('instance_code', 'text', (c) => c.notNull().unique())
      /** The definition's own code (external_approvals.approval_code). */
      .addColumn('approval_code', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      /** The submitter's tenant user_id; '' when none. */
      .addColumn('user_id', 'text', (c) => c.notNull())
      /** The title in the default locale ('' when none): what a title search matches. */
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('start_time', 'bigint', (c) => c.notNull())
      .addColumn('end_time', 'bigint', (c) => c.notNull())
      .addColumn('update_time', 'bigint', (c) => c.notNull())
      /** The instance's fields as synced (without its tasks and CCs), as JSON. */
      .addColumn('body', 'text', (c) => c.notNull())
      /** Server time of the last accepted sync: a sync of the same instance too soon after answers 1390014. */
      .addColumn('synced_at', 'bigint', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('external_instances_pk', ['tenant_key', 'instance_id'])
      .execute();
    await db.schema
      .createIndex('external_instances_by_approval')
      .on('external_instances')
      .columns(['tenant_key', 'approval_code', 'instance_id'])
      .execute();
    await db.schema
      .createIndex('external_instances_by_submitter')
      .on('external_instances')
      .columns(['tenant_key', 'user_id', 'start_time'])
      .execute();

    // Tasks and CCs have the same shape: `state` is a task's status, or a CC's read state (READ, UNREAD).
    for (const table of ['external_tasks', 'external_ccs']) {
      await db.schema
        .createTable(table)
        .addColumn('tenant_key', 'text', (c) => c.notNull())
        .addColumn('instance_id', 'text', (c) => c.notNull())
        /** The task_id or cc_id the third party gave. */
        .addColumn('part_id', 'text', (c) => c.notNull())
        /** The assignee's (or CC'd user's) tenant user_id. */
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        /** The title in the default locale, '' when none. */
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('create_time', 'bigint', (c) => c.notNull())
        .addColumn('update_time', 'bigint', (c) => c.notNull())
        /** Where it stands among the instance's parts, in the order they were synced. */
        .addColumn('position', 'integer', (c) => c.notNull())
        /** The part as synced, as JSON. */
        .addColumn('body', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint(`${table}_pk`, ['tenant_key', 'instance_id', 'part_id'])
        .execute();
      await db.schema
        .createIndex(`${table}_by_user`)
        .on(table)
        .columns(['tenant_key', 'user_id', 'state', 'create_time'])
        .execute();
    }
  },
};
