/** Third-party (external) approval definitions: `POST /external_approvals` and `GET /external_approvals/:approval_code`. */
import { Value } from 'typebox/value';
import {
  parseExternalDefinition,
  type ExternalDefinition,
  type ExternalGroup,
} from '../domain/approval/external-definition.js';
import type { Clock } from '../domain/clock.js';
import type { UserIdType } from '../domain/directory.js';
import { FeishuError, unwrap } from '../domain/errors.js';
import type { Ids } from '../domain/ids.js';
import { CreateExternalApprovalBody, type CreateExternalApprovalInput } from '../wire/external-requests.js';
import type { Caller } from './auth-service.js';
import { toUserIds, UserDirectory } from './directory-lookup.js';
import type { Store } from './ports.js';

export interface ExternalDefinitionView {
  definition: ExternalDefinition;
  group: ExternalGroup | undefined;
  users: UserDirectory;
}

/**
 * The tenant's external definition named by either of its codes; 1390002 otherwise, with a reason that
 * tells a native definition's code from an unknown one.
 */
export async function requireExternalDefinition(store: Store, tenantKey: string, code: string): Promise<ExternalDefinition> {
  const definition = await store.externals.findDefinition(tenantKey, code);
  if (definition) return definition;
  const native = await store.approvals.find(tenantKey, code);
  throw new FeishuError(
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
  async create(caller: Caller, input: CreateExternalApprovalInput, userIdType: UserIdType): Promise<{ approvalCode: string }> {
    const { tenantKey } = caller;
    // Unknown fields are ignored, and so never stored or echoed by GET.
    const body = Value.Clean(CreateExternalApprovalBody, structuredClone(input)) as CreateExternalApprovalInput;
    return this.store.transaction(async (tx) => {
      const existing = await tx.externals.findDefinition(tenantKey, body.approval_code);
      if (!existing && (await tx.approvals.find(tenantKey, body.approval_code))) {
        throw new FeishuError(1390001, `approval_code "${body.approval_code}" already names a native definition of this tenant`);
      }
      const viewers = [];
      for (const [i, viewer] of (body.viewers ?? []).entries()) {
        const { viewer_user_id: id } = viewer;
        viewers.push(id ? { ...viewer, viewer_user_id: (await toUserIds(tx, tenantKey, userIdType, [id], `viewers[${i}].viewer_user_id`))[0] } : viewer);
      }
      const managers = await toUserIds(tx, tenantKey, userIdType, body.managers ?? [], 'managers');
      const known = body.group_code ? await tx.externals.findGroup(tenantKey, body.group_code) : undefined;
      const { draft, group } = unwrap(parseExternalDefinition({ ...body, viewers, managers }, known));
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
      return { approvalCode: await tx.externals.saveDefinition(tenantKey, definition, now) };
    });
  }

  async get(caller: Caller, code: string): Promise<ExternalDefinitionView> {
    const { tenantKey } = caller;
    const definition = await requireExternalDefinition(this.store, tenantKey, code);
    const group = definition.groupCode ? await this.store.externals.findGroup(tenantKey, definition.groupCode) : undefined;
    const userIds = [...definition.viewers.flatMap((v) => (v.userId ? [v.userId] : [])), ...definition.managers];
    return { definition, group, users: await UserDirectory.load(this.store, tenantKey, userIds) };
  }
}
