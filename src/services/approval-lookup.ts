import type { ApprovalDefinition } from '../domain/approval/definition.js';
import type { Instance } from '../domain/approval/instance.js';
import { FeishuError } from '../domain/errors.js';
import type { Store } from './ports.js';

/** The definition of this tenant with that code, or 1390002: another tenant's code is "not found", never data. */
export async function requireDefinition(store: Store, tenantKey: string, approvalCode: string): Promise<ApprovalDefinition> {
  const definition = await store.approvals.find(tenantKey, approvalCode);
  if (!definition) throw new FeishuError(1390002, `no approval definition "${approvalCode}" in this tenant`);
  return definition;
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
