import type { Kysely, Migration } from 'kysely';

/**
 * The group a task decides in (domain task-groups.ts): a node's own approvers in one pass of the node, or the users
 * one add_sign added. '' on tasks made before: they belong to their node's first pass, whose group is the node id.
 */
export const taskGroups: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('tasks').addColumn('task_group', 'text', (c) => c.notNull().defaultTo('')).execute();
  },
};
