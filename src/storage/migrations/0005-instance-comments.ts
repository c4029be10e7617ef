import type { Kysely, Migration } from 'kysely';

/**
 * Instance comments and their replies (the `instanceComment` endpoints). A reply names its top-level
 * comment, which must exist: a reply can never outlive the comments of its instance being removed.
 */
export const instanceComments: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('instance_comments')
      .addColumn('comment_id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_key', 'text', (c) => c.notNull())
      .addColumn('instance_code', 'text', (c) => c.notNull().references('instances.instance_code'))
      .addColumn('parent_comment_id', 'text', (c) => c.references('instance_comments.comment_id'))
      .addColumn('commentator', 'text', (c) => c.notNull())
      /** The content JSON string as the client sent it. */
      .addColumn('content', 'text', (c) => c.notNull())
      .addColumn('at_info_list', 'text', (c) => c.notNull())
      .addColumn('extra', 'text')
      .addColumn('is_delete', 'integer', (c) => c.notNull())
      .addColumn('create_time', 'bigint', (c) => c.notNull())
      .addColumn('update_time', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('instance_comments_by_thread')
      .on('instance_comments')
      .columns(['instance_code', 'parent_comment_id', 'create_time', 'comment_id'])
      .execute();
    // Deleting a comment checks that no reply names it; without this the check reads the whole table.
    await db.schema.createIndex('instance_comments_by_parent').on('instance_comments').column('parent_comment_id').execute();
  },
};
