/**
 * Comments → the exact `data` of `GET /instances/:instance_id/comments` (the Node SDK's instanceComment.list
 * typings), and the stored comments' entries of GET instance's `comment_list`.
 */
import { parseCommentContent, type Comment } from '../../domain/approval/comment.js';
import type { UserIdType } from '../../domain/directory.js';
import type { CommentPage } from '../../services/comment-service.js';
import type { UserDirectory } from '../../services/directory-lookup.js';
import { ms } from './time.js';

/**
 * One comment or reply. The typings mark `at_info_list` and `extra` optional; shenpi always sends them
 * (`[]`, `""` when unset) so that every item has one shape. A deleted comment keeps its content.
 */
function formatComment(comment: Comment, users: UserDirectory, type: UserIdType) {
  return {
    id: comment.id,
    content: comment.content,
    create_time: ms(comment.createTime),
    update_time: ms(comment.updateTime),
    is_delete: comment.deleted ? 1 : 0,
    at_info_list: comment.atInfoList.map((at) => ({ user_id: users.idOf(at.userId, type), name: at.name, offset: at.offset })),
    commentator: users.idOf(comment.commentator, type),
    extra: comment.extra ?? '',
  };
}

/** `has_more` and `page_token` are absent from the typings, but the SDK's listWithIterator pages on them. */
export function formatCommentPage(page: CommentPage, type: UserIdType) {
  return {
    comments: page.items.map(({ comment, replies }) => {
      const { id, content, create_time, update_time, is_delete, ...rest } = formatComment(comment, page.users, type);
      return {
        id,
        content,
        create_time,
        update_time,
        is_delete,
        replies: replies.map((reply) => formatComment(reply, page.users, type)),
        ...rest,
      };
    }),
    has_more: page.hasMore,
    page_token: page.pageToken,
  };
}

/** A stored comment as an entry of GET instance's `comment_list`: its text and its files. */
export function formatInstanceComment(comment: Comment, users: UserDirectory, type: UserIdType) {
  const parsed = parseCommentContent(comment.content);
  const { text, files } = parsed.ok ? parsed.value : { text: '', files: [] };
  return {
    id: comment.id,
    user_id: users.idOf(comment.commentator, type),
    open_id: users.idOf(comment.commentator, 'open_id'),
    comment: text,
    create_time: ms(comment.createTime),
    files: files.map((f) => ({
      url: f.url,
      ...(f.fileSize !== undefined ? { file_size: f.fileSize } : {}),
      ...(f.title !== undefined ? { title: f.title } : {}),
      ...(f.type !== undefined ? { type: f.type } : {}),
    })),
  };
}
