import type { ApprovalDefinition } from '../domain/approval/definition.js';
import type { ExternalDefinition, ExternalGroup } from '../domain/approval/external-definition.js';
import type { ExternalInstance } from '../domain/approval/external-instance.js';
import type { Instance } from '../domain/approval/instance.js';
import { ok, refuse, unwrap, type Result } from '../domain/errors.js';
import type { Store } from './ports.js';

/** The definition of this tenant with that code, or refusal 1390002: another tenant's code is "not found", never data. */
export async function lookUpDefinition(store: Store, tenantKey: string, approvalCode: string): Promise<Result<ApprovalDefinition>> {
  const definition = await store.approvals.find(tenantKey, approvalCode);
  return definition ? ok(definition) : refuse(1390002, `no approval definition "${approvalCode}" in this tenant`);
}

/** lookUpDefinition, stopping the request on a refusal. */
export async function requireDefinition(store: Store, tenantKey: string, approvalCode: string): Promise<ApprovalDefinition> {
  return unwrap(await lookUpDefinition(store, tenantKey, approvalCode));
}

/** The definitions of these instances by approval code, each read once (the lists show every instance's definition). */
export async function definitionsOf(
  store: Store,
  tenantKey: string,
  instances: readonly Instance[],
): Promise<Map<string, ApprovalDefinition | undefined>> {
  const definitions = new Map<string, ApprovalDefinition | undefined>();
  for (const { approvalCode } of instances) {
    if (!definitions.has(approvalCode)) definitions.set(approvalCode, await store.approvals.find(tenantKey, approvalCode));
  }
  return definitions;
}

/** A third-party instance with its definition and the definition's group, as the lists show it. */
export interface ExternalOwner {
  instance: ExternalInstance;
  definition: ExternalDefinition | undefined;
  group: ExternalGroup | undefined;
}

/** The definitions and groups of these third-party instances, read once; answers each instance with its own. */
export async function externalOwners(
  store: Store,
  tenantKey: string,
  instances: readonly ExternalInstance[],
): Promise<(instance: ExternalInstance) => ExternalOwner> {
  const definitions = await store.externals.findDefinitions(tenantKey, instances.map((i) => i.approvalCode));
  const groups = await store.externals.findGroups(tenantKey, definitions.map((d) => d.groupCode));
  return (instance) => {
    const definition = definitions.find((d) => d.code === instance.approvalCode);
    return { instance, definition, group: groups.find((g) => g.code === definition?.groupCode) };
  };
}
