/**
 * Instance comments, the `instanceComment` endpoints under `/instances/:instance_id/comments`: create
 * (or edit, or reply), list, delete one, remove all. The instance is named by its code or its create
 * uuid, in the caller's tenant (else 1390003); the acting user by the request's user_id_type (else
 * 1390001). Every write runs in one transaction.
 */
import {
  checkExtra,
  deleteComment,
  editComment,
  parseCommentContent,
  replyTo,
  threadOf,
  type AtInfo,
  type Comment,
} from '../domain/approval/comment.js';
import type { Clock } from '../domain/clock.js';
import type { UserIdType } from '../domain/directory.js';
import { FeishuError, unwrap } from '../domain/errors.js';
import type { Ids } from '../domain/ids.js';
import type { CreateCommentInput } from '../wire/approval-requests.js';
import type { Caller } from './auth-service.js';
import { requireUser, UserDirectory } from './directory-lookup.js';
import type { InstanceService } from './instance-service.js';
import { decodeCursor, pageOf, type Page } from './paging.js';
import type { CommentCursor, Store } from './ports.js';

/** Who acts: a user id of the request's user_id_type. */
export interface Actor {
  userId: string;
  userIdType: UserIdType;
}

/** A top-level comment with its replies, oldest first. */
export interface CommentThread {
  comment: Comment;
  replies: Comment[];
}

export interface CommentPage extends Page<CommentThread> {
  users: UserDirectory;
}

export const DEFAULT_COMMENT_PAGE_SIZE = 20;

export class CommentService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly ids: Ids,
    private readonly instances: InstanceService,
  ) {}

  /**
   * `POST /instances/:instance_id/comments`: a new comment; a reply when `parent_comment_id` names a
   * comment of the instance; an edit of the actor's own comment when `comment_id` names one. An empty
   * `parent_comment_id` or `comment_id` counts as none. `disable_bot` is accepted and has no effect:
   * shenpi sends no bot messages.
   */
  async create(caller: Caller, instanceId: string, actor: Actor, body: CreateCommentInput): Promise<{ commentId: string }> {
    const { tenantKey } = caller;
    return this.store.transaction(async (tx) => {
      const instance = await this.instances.requireById(tx, tenantKey, instanceId);
      const user = await requireUser(tx, tenantKey, actor.userIdType, actor.userId, 'user_id');
      unwrap(parseCommentContent(body.content));
      const extra = unwrap(checkExtra(body.extra));
      const atInfoList = await this.mentions(tx, tenantKey, actor.userIdType, body.at_info_list ?? []);
      const parent = body.parent_comment_id
        ? await this.requireComment(tx, instance.code, body.parent_comment_id, 'parent_comment_id')
        : undefined;
      const now = this.clock.now();

      if (body.comment_id) {
        const existing = await this.requireComment(tx, instance.code, body.comment_id, 'comment_id');
        const edit = { content: body.content, atInfoList, extra, ...(parent ? { thread: threadOf(parent) } : {}) };
        const edited = unwrap(editComment(existing, user.userId, edit, now));
        if (!(await tx.comments.update(edited))) {
          throw new FeishuError(1390001, `comment "${existing.id}" is deleted and can not be edited`);
        }
        return { commentId: existing.id };
      }

      const comment: Comment = {
        id: this.ids.decimal(now),
        instanceCode: instance.code,
        parentId: parent ? unwrap(replyTo(parent)) : null,
        commentator: user.userId,
        content: body.content,
        atInfoList,
        extra,
        deleted: false,
        createTime: now,
        updateTime: now,
      };
      await tx.comments.insert(tenantKey, comment);
      return { commentId: comment.id };
    });
  }

  /**
   * `GET /instances/:instance_id/comments`: top-level comments oldest first, each with its replies;
   * deleted ones stay listed with is_delete 1. Pages count top-level comments. `user_id` (who reads)
   * must be a user of the tenant; shenpi does not restrict who may read an instance's comments.
   */
  async list(
    caller: Caller,
    instanceId: string,
    actor: Actor,
    paging: { pageSize?: number; pageToken?: string },
  ): Promise<CommentPage> {
    const { tenantKey } = caller;
    const instance = await this.instances.requireById(this.store, tenantKey, instanceId);
    await requireUser(this.store, tenantKey, actor.userIdType, actor.userId, 'user_id');
    const pageSize = paging.pageSize ?? DEFAULT_COMMENT_PAGE_SIZE;
    const after = paging.pageToken
      ? decodeCursor<CommentCursor>(paging.pageToken, { createTime: 'number', id: 'string' })
      : undefined;
    const rows = await this.store.comments.listThreads(instance.code, after, pageSize + 1);
    const page = pageOf(rows, pageSize, (last): CommentCursor => ({ createTime: last.createTime, id: last.id }));
    const replies = await this.store.comments.listReplies(instance.code, page.items.map((c) => c.id));
    const threads = page.items.map((comment) => ({ comment, replies: replies.filter((r) => r.parentId === comment.id) }));
    const everyone = [...page.items, ...replies];
    const users = await UserDirectory.load(this.store, tenantKey, [
      ...everyone.map((c) => c.commentator),
      ...everyone.flatMap((c) => c.atInfoList.map((a) => a.userId)),
    ]);
    return { ...page, items: threads, users };
  }

  /** `DELETE /instances/:instance_id/comments/:comment_id`: only by its commentator, once. */
  async delete(caller: Caller, instanceId: string, commentId: string, actor: Actor): Promise<{ commentId: string }> {
    const { tenantKey } = caller;
    return this.store.transaction(async (tx) => {
      const instance = await this.instances.requireById(tx, tenantKey, instanceId);
      const user = await requireUser(tx, tenantKey, actor.userIdType, actor.userId, 'user_id');
      const comment = await this.requireComment(tx, instance.code, commentId, 'comment_id');
      const deleted = unwrap(deleteComment(comment, user.userId, this.clock.now()));
      if (!(await tx.comments.update(deleted))) throw new FeishuError(1390001, `comment "${comment.id}" is already deleted`);
      return { commentId: comment.id };
    });
  }

  /**
   * `POST /instances/:instance_id/comments/remove`: every comment and reply of the instance goes,
   * deleted ones included. `user_id` is optional there (SDK typings); when given it must be a user of
   * the tenant. Answers the instance code and its create uuid, the tenant's own id for the instance
   * (Feishu's `external_id`), or "" when it was created without one.
   */
  async remove(caller: Caller, instanceId: string, actor: Partial<Actor> & Pick<Actor, 'userIdType'>) {
    const { tenantKey } = caller;
    return this.store.transaction(async (tx) => {
      const instance = await this.instances.requireById(tx, tenantKey, instanceId);
      if (actor.userId !== undefined) await requireUser(tx, tenantKey, actor.userIdType, actor.userId, 'user_id');
      await tx.comments.removeAll(instance.code);
      return { instanceCode: instance.code, externalId: instance.uuid ?? '' };
    });
  }

  private async requireComment(tx: Store, instanceCode: string, commentId: string, field: string): Promise<Comment> {
    const comment = await tx.comments.find(instanceCode, commentId);
    if (!comment) throw new FeishuError(1390001, `${field} "${commentId}" is not a comment of instance "${instanceCode}"`);
    return comment;
  }

  /** at_info_list, each user named per user_id_type and stored as a tenant user_id. */
  private async mentions(
    tx: Store,
    tenantKey: string,
    type: UserIdType,
    list: readonly { user_id: string; name: string; offset: string }[],
  ): Promise<AtInfo[]> {
    const result: AtInfo[] = [];
    for (const [i, at] of list.entries()) {
      const user = await requireUser(tx, tenantKey, type, at.user_id, `at_info_list[${i}].user_id`);
      result.push({ userId: user.userId, name: at.name, offset: at.offset });
    }
    return result;
  }
}
