/**
 * The selection rules instances/query, tasks/search and instances/search_cc share (approval-v4.md §3.4, §4.2):
 * at least one of five selectors; `approval_code` ∪ `group_external_id` and `instance_code` ∪
 * `instance_external_id` are unions, everything else intersects; a time range has both ends or neither and
 * spans at most 30 days. Their refusals are answered as values.
 */
import { ok, refuse, type Result } from '../domain/errors.js';
import type { Store } from './ports.js';

export interface Selectors {
  user_id?: string | undefined;
  approval_code?: string | undefined;
  instance_code?: string | undefined;
  instance_external_id?: string | undefined;
  group_external_id?: string | undefined;
}

/** What the selectors name, once looked up. */
export interface Named {
  /** `approval_code` names one of shenpi's own definitions. */
  nativeApproval: boolean;
  /** The own codes of the third-party definitions `approval_code` names or the group `group_external_id` holds. */
  externalApprovals: readonly string[];
  /** `instance_code` names one of shenpi's own instances. */
  nativeInstance: boolean;
  /** The third-party instance ids: `instance_external_id`, and that of the instance `instance_code` names. */
  externalInstances: readonly string[];
}

/** The instances of each kind the unions leave; a kind absent: none of it. */
export interface Scope {
  native?: { approvalCode?: string; instanceCode?: string };
  external?: { approvalCodes?: readonly string[]; instanceIds?: readonly string[] };
}

const THIRTY_DAYS_MS = 30 * 86_400_000;

/** Feishu: the five selectors "不能同时为空" (may not all be empty). */
export function checkSelectors(body: Selectors): Result<void> {
  return body.user_id || body.approval_code || body.instance_code || body.instance_external_id || body.group_external_id
    ? ok(undefined)
    : refuse(1390001, 'one of user_id, approval_code, instance_code, instance_external_id or group_external_id is required');
}

/**
 * The instances the two unions leave. A union that is given keeps the instances of either kind its parts name
 * (a shenpi definition or instance by its code; a third-party one by its code, its group or its instance_id);
 * a kind that neither union excludes is kept whole, and one that either union names nothing of is left out.
 */
export function unionScope(body: Selectors, named: Named): Scope {
  const byDefinition = Boolean(body.approval_code || body.group_external_id);
  const byInstance = Boolean(body.instance_code || body.instance_external_id);
  const native = (!byDefinition || named.nativeApproval) && (!byInstance || named.nativeInstance);
  const external = (!byDefinition || named.externalApprovals.length > 0) && (!byInstance || named.externalInstances.length > 0);
  return {
    ...(native
      ? {
          native: {
            ...(byDefinition && body.approval_code ? { approvalCode: body.approval_code } : {}),
            ...(byInstance && body.instance_code ? { instanceCode: body.instance_code } : {}),
          },
        }
      : {}),
    ...(external
      ? {
          external: {
            ...(byDefinition ? { approvalCodes: named.externalApprovals } : {}),
            ...(byInstance ? { instanceIds: named.externalInstances } : {}),
          },
        }
      : {}),
  };
}

/**
 * Looks up what the selectors name and answers `unionScope`. `strict` (the searches): an `approval_code` that
 * names no definition of the tenant, of either kind, answers 1390002, an `instance_code` that names no instance
 * 1390003; without it (instances/query) they name nothing. An unknown external id or group names nothing.
 */
export async function resolveScope(store: Store, tenantKey: string, body: Selectors, strict: boolean): Promise<Result<Scope>> {
  const { approval_code: approvalCode, instance_code: instanceCode, instance_external_id: externalId, group_external_id: group } = body;
  const nativeApproval = approvalCode ? await store.approvals.find(tenantKey, approvalCode) : undefined;
  const externalApproval = approvalCode && !nativeApproval ? await store.externals.findDefinition(tenantKey, approvalCode) : undefined;
  if (strict && approvalCode && !nativeApproval && !externalApproval) {
    return refuse(1390002, `no approval definition "${approvalCode}" in this tenant`);
  }
  const nativeInstance = instanceCode ? await store.instances.find(tenantKey, instanceCode) : undefined;
  const externalInstance = instanceCode && !nativeInstance ? await store.externals.findInstanceByCode(tenantKey, instanceCode) : undefined;
  if (strict && instanceCode && !nativeInstance && !externalInstance) {
    return refuse(1390003, `no instance "${instanceCode}" in this tenant`);
  }
  const grouped = group ? await store.externals.definitionCodesOfGroup(tenantKey, group) : [];
  return ok(
    unionScope(body, {
      nativeApproval: nativeApproval !== undefined,
      externalApprovals: [...new Set([...(externalApproval ? [externalApproval.code] : []), ...grouped])],
      nativeInstance: nativeInstance !== undefined,
      externalInstances: [...(externalId ? [externalId] : []), ...(externalInstance ? [externalInstance.instanceId] : [])],
    }),
  );
}

/** `<name>_from` and `<name>_to` (epoch ms): both or neither, ordered, at most 30 days apart. */
export function timeRange(name: string, from: string | undefined, to: string | undefined): Result<{ from: number; to: number } | undefined> {
  if (from === undefined && to === undefined) return ok(undefined);
  if (from === undefined || to === undefined) return refuse(1390001, `${name}_from and ${name}_to go together`);
  const range = { from: Number(from), to: Number(to) };
  if (range.to < range.from || range.to - range.from > THIRTY_DAYS_MS) {
    return refuse(1390001, `${name}_from to ${name}_to must be ordered and span at most 30 days`);
  }
  return ok(range);
}
