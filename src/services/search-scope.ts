/**
 * The selection rules instances/query, tasks/search and instances/search_cc share (approval-v4.md §3.4, §4.2):
 * at least one of five selectors; `approval_code` ∪ `group_external_id` and `instance_code` ∪
 * `instance_external_id` are unions, everything else intersects; a time range has both ends or neither and
 * spans at most 30 days.
 */
import { FeishuError } from '../domain/errors.js';

export interface Selectors {
  user_id?: string | undefined;
  approval_code?: string | undefined;
  instance_code?: string | undefined;
  instance_external_id?: string | undefined;
  group_external_id?: string | undefined;
}

const THIRTY_DAYS_MS = 30 * 86_400_000;

/** Feishu: the five selectors "不能同时为空" (may not all be empty). */
export function requireSelector(body: Selectors): void {
  if (!body.user_id && !body.approval_code && !body.instance_code && !body.instance_external_id && !body.group_external_id) {
    throw new FeishuError(1390001, 'one of user_id, approval_code, instance_code, instance_external_id or group_external_id is required');
  }
}

/**
 * The instances the two unions leave, or `undefined` when they leave none. External (third-party) instances are
 * not stored yet, so an external id selects nothing: a union given only by its external id selects no instance.
 * Once they are, the external ids join these unions here.
 */
export function unionScope(body: Selectors): { approvalCode?: string; instanceCode?: string } | undefined {
  if (!body.approval_code && body.group_external_id) return undefined;
  if (!body.instance_code && body.instance_external_id) return undefined;
  return {
    ...(body.approval_code ? { approvalCode: body.approval_code } : {}),
    ...(body.instance_code ? { instanceCode: body.instance_code } : {}),
  };
}

/** `<name>_from` and `<name>_to` (epoch ms): both or neither, ordered, at most 30 days apart. */
export function timeRange(name: string, from: string | undefined, to: string | undefined): { from: number; to: number } | undefined {
  if (from === undefined && to === undefined) return undefined;
  if (from === undefined || to === undefined) throw new FeishuError(1390001, `${name}_from and ${name}_to go together`);
  const range = { from: Number(from), to: Number(to) };
  if (range.to < range.from || range.to - range.from > THIRTY_DAYS_MS) {
    throw new FeishuError(1390001, `${name}_from to ${name}_to must be ordered and span at most 30 days`);
  }
  return range;
}
