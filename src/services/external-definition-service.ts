/** Third-party (external) approval definitions: `POST /external_approvals` and `GET /external_approvals/:approval_code`. */
import { Value } from 'typebox/value';
import {
  parseExternalDefinition,
  type ExternalDefinition,
  type ExternalGroup,
} from '../domain/approval/external-definition.js';
import type { Clock } from '../domain/clock.js';
import type { UserIdType } from '../domain/directory.js';
import { ok, refuse, type Result } from '../domain/errors.js';
import type { Ids } from '../domain/ids.js';
import { CreateExternalApprovalBody, type CreateExternalApprovalInput } from '../wire/external-requests.js';
import type { Caller } from './auth-service.js';
import { lookUpUserIds, UserDirectory, withUserIdsAt } from './directory-lookup.js';
import type { Store } from './ports.js';

export interface ExternalDefinitionView {
  definition: ExternalDefinition;
  group: ExternalGroup | undefined;
  users: UserDirectory;
}

/**
 * The tenant's external definition named by either of its codes; refusal 1390002 otherwise, with a reason that
 * tells a native definition's code from an unknown one.
 */
export async function lookUpExternalDefinition(store: Store, tenantKey: string, code: string): Promise<Result<ExternalDefinition>> {
  const definition = await store.externals.findDefinition(tenantKey, code);
  if (definition) return ok(definition);
  const native = await store.approvals.find(tenantKey, code);
  return refuse(
    1390002,
    native
      ? `approval_code "${code}" names a native definition, not a third-party one (POST /external_approvals makes those)`
      : `no third-party approval definition "${code}" in this tenant`,
  );
}

export class ExternalDefinitionService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly ids: Ids,
  ) {}

  /**
   * Creates the definition, or updates the one either of whose codes is `approval_code`. Answers the code
   * shenpi made when it was created (Feishu answers its own code, "not the value passed").
   */
  async create(caller: Caller, input: CreateExternalApprovalInput, userIdType: UserIdType): Promise<Result<{ approvalCode: string }>> {
    const { tenantKey } = caller;
    // Unknown fields are ignored, and so never stored or echoed by GET.
    const body = Value.Clean(CreateExternalApprovalBody, structuredClone(input)) as CreateExternalApprovalInput;
    // Every refusal comes before the first write.
    return this.store.transaction(async (tx): Promise<Result<{ approvalCode: string }>> => {
      const existing = await tx.externals.findDefinition(tenantKey, body.approval_code);
      if (!existing && (await tx.approvals.find(tenantKey, body.approval_code))) {
        return refuse(1390001, `approval_code "${body.approval_code}" already names a native definition of this tenant`);
      }
      const viewers = await withUserIdsAt(tx, tenantKey, userIdType, body.viewers ?? [], 'viewer_user_id', (i) => `viewers[${i}].viewer_user_id`);
      if (!viewers.ok) return viewers;
      const managers = await lookUpUserIds(tx, tenantKey, userIdType, body.managers ?? [], 'managers');
      if (!managers.ok) return managers;
      const known = body.group_code ? await tx.externals.findGroup(tenantKey, body.group_code) : undefined;
      const parsed = parseExternalDefinition({ ...body, viewers: viewers.value, managers: managers.value }, known);
      if (!parsed.ok) return parsed;
      const { draft, group } = parsed.value;
      const now = this.clock.now();
      const definition: ExternalDefinition = {
        ...draft,
        code: existing?.code ?? body.approval_code,
        generatedCode: existing?.generatedCode ?? this.ids.code(),
        id: existing?.id ?? this.ids.decimal(now),
        // Without a group_code an update keeps the definition's group.
        groupCode: group?.code ?? existing?.groupCode ?? '',
      };
      if (group) await tx.externals.saveGroup(tenantKey, group);
      return ok({ approvalCode: await tx.externals.saveDefinition(tenantKey, definition, now) });
    });
  }

  async get(caller: Caller, code: string): Promise<Result<ExternalDefinitionView>> {
    const { tenantKey } = caller;
    const found = await lookUpExternalDefinition(this.store, tenantKey, code);
    if (!found.ok) return found;
    const definition = found.value;
    const group = definition.groupCode ? await this.store.externals.findGroup(tenantKey, definition.groupCode) : undefined;
    const userIds = [...definition.viewers.flatMap((v) => (v.userId ? [v.userId] : [])), ...definition.managers];
    return ok({ definition, group, users: await UserDirectory.load(this.store, tenantKey, userIds) });
  }
}
