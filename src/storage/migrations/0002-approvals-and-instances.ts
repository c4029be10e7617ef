import type { Kysely, Migration } from 'kysely';

/** Definitions, instances, their tasks and timeline, and the event outbox written in the same transactions. */
export const approvalsAndInstances: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('approvals')
      .addColumn('approval_code', 'text', (c) => c.primaryKey())
      .addColumn('tenant_key', 'text', (c) => c.notNull().references('tenants.tenant_key'))
      .addColumn('approval_id', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      /** The parsed definition (domain DefinitionDraft) as JSON. */
      .addColumn('definition', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('approvals_by_tenant').on('approvals').columns(['tenant_key', 'created_at']).execute();

    await db.schema
      .createTable('instances')
      .addColumn('instance_code', 'text', (c) => c.primaryKey())
      .addColumn('tenant_key', 'text', (c) => c.notNull().references('tenants.tenant_key'))
      .addColumn('approval_code', 'text', (c) => c.notNull().references('approvals.approval_code'))
      .addColumn('submitter', 'text', (c) => c.notNull())
      .addColumn('department_id', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('start_time', 'bigint', (c) => c.notNull())
      .addColumn('end_time', 'bigint', (c) => c.notNull())
      .addColumn('form', 'text', (c) => c.notNull())
      .addColumn('uuid', 'text')
      /** Lower-cased uuid (Feishu treats it case-insensitively), unique per tenant. */
      .addColumn('uuid_key', 'text')
      /** Hash of the create body, to tell a retry (same body) from a conflict (60012). */
      .addColumn('request_hash', 'text')
      .addColumn('forbid_revoke', 'integer', (c) => c.notNull())
      .addColumn('cancel_bot_notification', 'integer', (c) => c.notNull())
      .addColumn('reverted', 'integer', (c) => c.notNull())
      .addColumn('serial_number', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('route', 'text', (c) => c.notNull())
      .addColumn('current_node', 'integer', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('instances_uuid', ['tenant_key', 'uuid_key'])
      .execute();
    await db.schema
      .createIndex('instances_by_approval')
      .on('instances')
      .columns(['tenant_key', 'approval_code', 'start_time', 'instance_code'])
      .execute();
    await db.schema
      .createIndex('instances_by_submitter')
      .on('instances')
      .columns(['tenant_key', 'submitter', 'start_time'])
      .execute();

    await db.schema
      .createTable('tasks')
      .addColumn('task_id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_key', 'text', (c) => c.notNull())
      .addColumn('instance_code', 'text', (c) => c.notNull().references('instances.instance_code'))
      .addColumn('node_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('start_time', 'bigint', (c) => c.notNull())
      .addColumn('end_time', 'bigint', (c) => c.notNull())
      .addColumn('require_signature', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('tasks_by_instance').on('tasks').columns(['instance_code', 'start_time']).execute();
    await db.schema.createIndex('tasks_by_user').on('tasks').columns(['tenant_key', 'user_id', 'status']).execute();

    await db.schema
      .createTable('timeline')
      .addColumn('instance_code', 'text', (c) => c.notNull().references('instances.instance_code'))
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('create_time', 'bigint', (c) => c.notNull())
      /** The rest of the entry (user ids, task id, comment, ext, node key) as JSON. */
      .addColumn('entry', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('timeline_pk', ['instance_code', 'seq'])
      .execute();

    await db.schema
      .createTable('outbox')
      .addColumn('event_id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_key', 'text', (c) => c.notNull())
      .addColumn('approval_code', 'text', (c) => c.notNull())
      .addColumn('instance_code', 'text', (c) => c.notNull())
      /** Position in the instance's history: events are delivered in this order per instance. */
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('event_type', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('outbox_order', ['instance_code', 'seq'])
      .execute();
  },
};
