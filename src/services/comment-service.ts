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
import type { Instance } from '../domain/approval/instance.js';
import type { User, UserIdType } from '../domain/directory.js';
import { ok, refuse, type Result } from '../domain/errors.js';
import type { Ids } from '../domain/ids.js';
import type { CreateCommentInput } from '../wire/approval-requests.js';
import type { Caller } from './auth-service.js';
import { lookUpUser, UserDirectory } from './directory-lookup.js';
import type { InstanceService } from './instance-service.js';
import { pageOf, readOptionalCursor, type Page } from './paging.js';
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
   * shenpi sends no bot messages. Refusals, here and below, are answered as values; none comes after a write.
   */
  async create(caller: Caller, instanceId: string, actor: Actor, body: CreateCommentInput): Promise<Result<{ commentId: string }>> {
    const { tenantKey } = caller;
    return this.store.transaction(async (tx): Promise<Result<{ commentId: string }>> => {
      const acting = await this.lookUpActing(tx, tenantKey, instanceId, actor);
      if (!acting.ok) return acting;
      const { instance, user } = acting.value;
      const content = parseCommentContent(body.content);
      if (!content.ok) return content;
      const extra = checkExtra(body.extra);
      if (!extra.ok) return extra;
      const atInfoList = await this.mentions(tx, tenantKey, actor.userIdType, body.at_info_list ?? []);
      if (!atInfoList.ok) return atInfoList;
      const parent = body.parent_comment_id
        ? await this.lookUpComment(tx, instance.code, body.parent_comment_id, 'parent_comment_id')
        : ok(undefined);
      if (!parent.ok) return parent;
      const now = this.clock.now();

      if (body.comment_id) {
        const existing = await this.lookUpComment(tx, instance.code, body.comment_id, 'comment_id');
        if (!existing.ok) return existing;
        const thread = parent.value ? { thread: threadOf(parent.value) } : {};
        const edit = { content: body.content, atInfoList: atInfoList.value, extra: extra.value, ...thread };
        const edited = editComment(existing.value, user.userId, edit, now);
        if (!edited.ok) return edited;
        if (!(await tx.comments.update(edited.value))) {
          return refuse(1390001, `comment "${existing.value.id}" is deleted and can not be edited`);
        }
        return ok({ commentId: existing.value.id });
      }

      const parentId = parent.value ? replyTo(parent.value) : ok(null);
      if (!parentId.ok) return parentId;
      const comment: Comment = {
        id: this.ids.decimal(now),
        instanceCode: instance.code,
        parentId: parentId.value,
        commentator: user.userId,
        content: body.content,
        atInfoList: atInfoList.value,
        extra: extra.value,
        deleted: false,
        createTime: now,
        updateTime: now,
      };
      await tx.comments.insert(tenantKey, comment);
      return ok({ commentId: comment.id });
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
  ): Promise<Result<CommentPage>> {
    const { tenantKey } = caller;
    const acting = await this.lookUpActing(this.store, tenantKey, instanceId, actor);
    if (!acting.ok) return acting;
    const { instance } = acting.value;
    const pageSize = paging.pageSize ?? DEFAULT_COMMENT_PAGE_SIZE;
    const after = readOptionalCursor<CommentCursor>(paging.pageToken, { createTime: 'number', id: 'string' });
    if (!after.ok) return after;
    const rows = await this.store.comments.listThreads(instance.code, after.value, pageSize + 1);
    const page = pageOf(rows, pageSize, (last): CommentCursor => ({ createTime: last.createTime, id: last.id }));
    const replies = await this.store.comments.listReplies(instance.code, page.items.map((c) => c.id));
    const threads = page.items.map((comment) => ({ comment, replies: replies.filter((r) => r.parentId === comment.id) }));
    const everyone = [...page.items, ...replies];
    const users = await UserDirectory.load(this.store, tenantKey, [
      ...everyone.map((c) => c.commentator),
      ...everyone.flatMap((c) => c.atInfoList.map((a) => a.userId)),
    ]);
    return ok({ ...page, items: threads, users });
  }

  /** `DELETE /instances/:instance_id/comments/:comment_id`: only by its commentator, once. */
  async delete(caller: Caller, instanceId: string, commentId: string, actor: Actor): Promise<Result<{ commentId: string }>> {
    const { tenantKey } = caller;
    return this.store.transaction(async (tx): Promise<Result<{ commentId: string }>> => {
      const acting = await this.lookUpActing(tx, tenantKey, instanceId, actor);
      if (!acting.ok) return acting;
      const { instance, user } = acting.value;
      const comment = await this.lookUpComment(tx, instance.code, commentId, 'comment_id');
      if (!comment.ok) return comment;
      const deleted = deleteComment(comment.value, user.userId, this.clock.now());
      if (!deleted.ok) return deleted;
      if (!(await tx.comments.update(deleted.value))) return refuse(1390001, `comment "${comment.value.id}" is already deleted`);
      return ok({ commentId: comment.value.id });
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
    return this.store.transaction(async (tx): Promise<Result<{ instanceCode: string; externalId: string }>> => {
      const instance = await this.instances.lookUpById(tx, tenantKey, instanceId);
      if (!instance.ok) return instance;
      if (actor.userId !== undefined) {
        const user = await lookUpUser(tx, tenantKey, actor.userIdType, actor.userId, 'user_id');
        if (!user.ok) return user;
      }
      await tx.comments.removeAll(instance.value.code);
      return ok({ instanceCode: instance.value.code, externalId: instance.value.uuid ?? '' });
    });
  }

  /** The instance (1390003) and the acting user (1390001), checked in that order. */
  private async lookUpActing(
    store: Store,
    tenantKey: string,
    instanceId: string,
    actor: Actor,
  ): Promise<Result<{ instance: Instance; user: User }>> {
    const instance = await this.instances.lookUpById(store, tenantKey, instanceId);
    if (!instance.ok) return instance;
    const user = await lookUpUser(store, tenantKey, actor.userIdType, actor.userId, 'user_id');
    return user.ok ? ok({ instance: instance.value, user: user.value }) : user;
  }

  private async lookUpComment(tx: Store, instanceCode: string, commentId: string, field: string): Promise<Result<Comment>> {
    const comment = await tx.comments.find(instanceCode, commentId);
    return comment ? ok(comment) : refuse(1390001, `${field} "${commentId}" is not a comment of instance "${instanceCode}"`);
  }

  /** at_info_list, each user named per user_id_type and stored as a tenant user_id. */
  private async mentions(
    tx: Store,
    tenantKey: string,
    type: UserIdType,
    list: readonly { user_id: string; name: string; offset: string }[],
  ): Promise<Result<AtInfo[]>> {
    const result: AtInfo[] = [];
    for (const [i, at] of list.entries()) {
      const user = await lookUpUser(tx, tenantKey, type, at.user_id, `at_info_list[${i}].user_id`);
      if (!user.ok) return user;
      result.push({ userId: user.value.userId, name: at.name, offset: at.offset });
    }
    return ok(result);
  }
}
