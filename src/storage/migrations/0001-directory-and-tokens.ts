import type { Kysely, Migration } from 'kysely';

export const directoryAndTokens: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('tenants')
      .addColumn('tenant_key', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('apps')
      .addColumn('app_id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_key', 'text', (c) => c.notNull().references('tenants.tenant_key'))
      .addColumn('secret_hash', 'text', (c) => c.notNull())
      .addColumn('event_url', 'text')
      .addColumn('encrypt_key', 'text')
      .addColumn('verification_token', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('access_tokens')
      .addColumn('token', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('app_id', 'text', (c) => c.notNull())
      .addColumn('tenant_key', 'text', (c) => c.notNull())
      .addColumn('issued_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('access_tokens_by_app')
      .on('access_tokens')
      .columns(['app_id', 'kind', 'issued_at'])
      .execute();

    await db.schema
      .createTable('departments')
      .addColumn('tenant_key', 'text', (c) => c.notNull().references('tenants.tenant_key'))
      .addColumn('department_id', 'text', (c) => c.notNull())
      .addColumn('open_department_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('parent_department_id', 'text', (c) => c.notNull())
      .addColumn('leader_user_id', 'text')
      .addPrimaryKeyConstraint('departments_pk', ['tenant_key', 'department_id'])
      .addUniqueConstraint('departments_open_id', ['tenant_key', 'open_department_id'])
      .execute();

    await db.schema
      .createTable('users')
      .addColumn('tenant_key', 'text', (c) => c.notNull().references('tenants.tenant_key'))
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('open_id', 'text', (c) => c.notNull())
      .addColumn('union_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('leader_user_id', 'text')
      .addColumn('department_ids', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('users_pk', ['tenant_key', 'user_id'])
      .addUniqueConstraint('users_open_id', ['tenant_key', 'open_id'])
      .addUniqueConstraint('users_union_id', ['tenant_key', 'union_id'])
      .execute();

    await db.schema
      .createTable('server_state')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
  },
};
