/**
 * Instance comments (approval-v4.md §3.6, the `instanceComment` resource of the Node SDK): remarks and
 * replies written on an instance, apart from the comments that go with approving, rejecting or
 * transferring a task (those live in the timeline). The rules here are pure: who may edit or delete a
 * comment, what a reply attaches to, and what a comment's `content` must hold.
 */
import { ok, refuse, type Result } from '../errors.js';
import { isRecord } from './widgets.js';

/** Someone @-mentioned in a comment: who, the name shown, and where in the text (a decimal string). */
export interface AtInfo {
  /** A tenant user_id. */
  userId: string;
  name: string;
  offset: string;
}

export interface Comment {
  /** Decimal string. */
  id: string;
  instanceCode: string;
  /** The comment a reply belongs to (always a top-level one); null for a top-level comment. */
  parentId: string | null;
  /** The tenant user_id of who wrote it. */
  commentator: string;
  /** The JSON string the client sent, kept verbatim: `{"text": "...", "files": [...]}`. */
  content: string;
  atInfoList: AtInfo[];
  /** The client's `extra` JSON string, if it sent one. */
  extra: string | null;
  /** Deleted comments stay listed, flagged, until the instance's comments are removed. */
  deleted: boolean;
  createTime: number;
  updateTime: number;
}

/** An attachment inside `content`, in Feishu's spelling (thumbnailURL, fileSize). */
export interface CommentFile {
  url: string;
  thumbnailURL?: string;
  fileSize?: number;
  title?: string;
  type?: string;
}

export interface CommentContent {
  text: string;
  files: CommentFile[];
}

const invalid = (reason: string) => refuse(1390001, reason);

const CONTENT_EXAMPLE = '{"text":"...","files":[]}';

/**
 * Reads a comment's `content`: a JSON object with `text` (string) and/or `files` (attachments, each with
 * a `url`), not both empty. Feishu documents exactly those keys; other keys are kept and ignored.
 */
export function parseCommentContent(content: string): Result<CommentContent> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    return invalid(`content is not valid JSON; it must be a JSON object string such as ${CONTENT_EXAMPLE}`);
  }
  if (!isRecord(parsed)) return invalid(`content must be a JSON object string such as ${CONTENT_EXAMPLE}`);
  const { text = '', files = [] } = parsed;
  if (typeof text !== 'string') return invalid('content.text must be a string');
  if (!Array.isArray(files)) return invalid('content.files must be an array');
  const checked: CommentFile[] = [];
  for (const [i, file] of files.entries()) {
    if (!isRecord(file)) return invalid(`content.files[${i}] must be an object`);
    const { url, thumbnailURL, fileSize, title, type } = file;
    if (typeof url !== 'string' || url === '') return invalid(`content.files[${i}].url must be a non-empty string`);
    for (const [key, value] of Object.entries({ thumbnailURL, title, type })) {
      if (value !== undefined && typeof value !== 'string') return invalid(`content.files[${i}].${key} must be a string`);
    }
    // fileSize is an int64: a JSON number, or the decimal string some clients send for large values.
    const size = typeof fileSize === 'string' && /^\d{1,18}$/.test(fileSize) ? Number(fileSize) : fileSize;
    if (size !== undefined && !(typeof size === 'number' && Number.isSafeInteger(size) && size >= 0)) {
      return invalid(`content.files[${i}].fileSize must be a non-negative integer`);
    }
    checked.push({
      url,
      ...(thumbnailURL !== undefined ? { thumbnailURL: thumbnailURL as string } : {}),
      ...(size !== undefined ? { fileSize: size } : {}),
      ...(title !== undefined ? { title: title as string } : {}),
      ...(type !== undefined ? { type: type as string } : {}),
    });
  }
  if (text.trim() === '' && checked.length === 0) return invalid('content has neither text nor files');
  return ok({ text, files: checked });
}

/** `extra` is documented as a JSON string; an empty string counts as none. */
export function checkExtra(extra: string | undefined): Result<string | null> {
  if (extra === undefined || extra === '') return ok(null);
  try {
    JSON.parse(extra);
  } catch {
    return invalid('extra must be a JSON string');
  }
  return ok(extra);
}

/**
 * The top-level comment of `comment`'s thread. Replies are one level deep (the list answer nests
 * `replies` under top-level comments only), so a reply to a reply joins the thread of its parent.
 */
export const threadOf = (comment: Comment): string => comment.parentId ?? comment.id;

/** Where a new reply to `parent` goes: into its thread, unless `parent` is deleted. */
export function replyTo(parent: Comment): Result<string> {
  if (parent.deleted) return invalid(`comment "${parent.id}" is deleted and can not be replied to`);
  return ok(threadOf(parent));
}

export interface CommentEdit {
  content: string;
  atInfoList: AtInfo[];
  extra: string | null;
  /** The thread the request named with parent_comment_id, if it named one. */
  thread?: string | null;
}

/** Only its commentator edits a comment, and not once it is deleted; it keeps its place and create_time. */
export function editComment(comment: Comment, by: string, edit: CommentEdit, now: number): Result<Comment> {
  if (comment.commentator !== by) return invalid(`comment "${comment.id}" was written by another user; only its commentator may edit it`);
  if (comment.deleted) return invalid(`comment "${comment.id}" is deleted and can not be edited`);
  if (edit.thread !== undefined && edit.thread !== comment.parentId) {
    return invalid(`parent_comment_id does not match comment "${comment.id}": editing does not move a comment`);
  }
  return ok({ ...comment, content: edit.content, atInfoList: edit.atInfoList, extra: edit.extra, updateTime: now });
}

/** Only its commentator deletes a comment, once; it stays listed with is_delete 1. */
export function deleteComment(comment: Comment, by: string, now: number): Result<Comment> {
  if (comment.commentator !== by) return invalid(`comment "${comment.id}" was written by another user; only its commentator may delete it`);
  if (comment.deleted) return invalid(`comment "${comment.id}" is already deleted`);
  return ok({ ...comment, deleted: true, updateTime: now });
}
