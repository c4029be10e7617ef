/** Instance comments over kysely (SQL both SQLite and PostgreSQL accept). */
import type { Kysely, Transaction } from 'kysely';
import type { AtInfo, Comment } from '../domain/approval/comment.js';
import type { CommentRepository } from '../services/ports.js';
import { prepared } from './prepared.js';
import type { Database, InstanceCommentsTable } from './schema.js';

type Executor = Kysely<Database> | Transaction<Database>;

const toComment = (row: InstanceCommentsTable): Comment => ({
  id: row.comment_id,
  instanceCode: row.instance_code,
  parentId: row.parent_comment_id,
  commentator: row.commentator,
  content: row.content,
  atInfoList: JSON.parse(row.at_info_list) as AtInfo[],
  extra: row.extra,
  deleted: row.is_delete === 1,
  createTime: row.create_time,
  updateTime: row.update_time,
});

const commentsOf = prepared<{ instanceCode: string }, InstanceCommentsTable>((db, p) =>
  db
    .selectFrom('instance_comments')
    .selectAll()
    .where('instance_code', '=', p('instanceCode'))
    .orderBy('create_time')
    .orderBy('comment_id'),
);

export function commentRepository(db: Executor): CommentRepository {
  const ofInstance = (instanceCode: string) =>
    db.selectFrom('instance_comments').selectAll().where('instance_code', '=', instanceCode);
  return {
    async find(instanceCode, commentId) {
      const row = await ofInstance(instanceCode).where('comment_id', '=', commentId).executeTakeFirst();
      return row && toComment(row);
    },
    async insert(tenantKey, c) {
      await db
        .insertInto('instance_comments')
        .values({
          comment_id: c.id,
          tenant_key: tenantKey,
          instance_code: c.instanceCode,
          parent_comment_id: c.parentId,
          commentator: c.commentator,
          content: c.content,
          at_info_list: JSON.stringify(c.atInfoList),
          extra: c.extra,
          is_delete: c.deleted ? 1 : 0,
          create_time: c.createTime,
          update_time: c.updateTime,
        })
        .execute();
    },
    async update(c) {
      const result = await db
        .updateTable('instance_comments')
        .set({
          content: c.content,
          at_info_list: JSON.stringify(c.atInfoList),
          extra: c.extra,
          is_delete: c.deleted ? 1 : 0,
          update_time: c.updateTime,
        })
        .where('instance_code', '=', c.instanceCode)
        .where('comment_id', '=', c.id)
        .where('is_delete', '=', 0)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async listThreads(instanceCode, after, limit) {
      let query = ofInstance(instanceCode).where('parent_comment_id', 'is', null);
      if (after) {
        query = query.where((eb) =>
          eb.or([
            eb('create_time', '>', after.createTime),
            eb.and([eb('create_time', '=', after.createTime), eb('comment_id', '>', after.id)]),
          ]),
        );
      }
      const rows = await query.orderBy('create_time').orderBy('comment_id').limit(limit).execute();
      return rows.map(toComment);
    },
    async listReplies(instanceCode, threadIds) {
      if (threadIds.length === 0) return [];
      const rows = await ofInstance(instanceCode)
        .where('parent_comment_id', 'in', [...threadIds])
        .orderBy('create_time')
        .orderBy('comment_id')
        .execute();
      return rows.map(toComment);
    },
    async listByInstance(instanceCode) {
      return (await commentsOf(db, { instanceCode })).rows.map(toComment);
    },
    async removeAll(instanceCode) {
      // Replies first: a top-level comment can not go while a reply names it.
      const replies = await db
        .deleteFrom('instance_comments')
        .where('instance_code', '=', instanceCode)
        .where('parent_comment_id', 'is not', null)
        .executeTakeFirst();
      const threads = await db.deleteFrom('instance_comments').where('instance_code', '=', instanceCode).executeTakeFirst();
      return Number(replies.numDeletedRows) + Number(threads.numDeletedRows);
    },
  };
}
