/** Approval definitions: create or overwrite (API and fixtures), and read. */
import { createHash } from 'node:crypto';
import { Compile } from 'typebox/compile';
import { parseDefinition, type ApprovalDefinition, type DefinitionInput } from '../domain/approval/definition.js';
import type { Clock } from '../domain/clock.js';
import type { UserIdType } from '../domain/directory.js';
import { FeishuError, unwrap } from '../domain/errors.js';
import type { Ids } from '../domain/ids.js';
import { CreateApprovalBody, type CreateApprovalInput } from '../wire/approval-requests.js';
import { requireDefinition } from './approval-lookup.js';
import type { Caller } from './auth-service.js';
import { recordDefinitionUpdate } from './definition-events.js';
import { toUserIds, UserDirectory } from './directory-lookup.js';
import { FixtureError, schemaRefusal, type FixtureApprovals } from './fixture-service.js';
import type { Store } from './ports.js';

export interface DefinitionView {
  definition: ApprovalDefinition;
  users: UserDirectory;
}

const createBody = Compile(CreateApprovalBody);

/** A stable upper-case UUID-shaped code for a tenant's named definition. */
function derivedCode(tenantKey: string, name: string): string {
  const hex = createHash('sha256').update(`${tenantKey}\n${name}`).digest('hex').toUpperCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export class ApprovalService implements FixtureApprovals {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly ids: Ids,
  ) {}

  /** `POST /approvals`: a new definition, or a full overwrite when `approval_code` names one of the tenant's. */
  async create(caller: Caller, body: CreateApprovalInput, userIdType: UserIdType) {
    const definition = await this.store.transaction((tx) => this.save(tx, caller.tenantKey, body, userIdType, 'api'));
    return { approvalCode: definition.code, approvalId: definition.id };
  }

  /** Fixture entries: the same body, user ids as user_id, and `approval_code` may name a new code. */
  async upsert(tx: Store, tenantKey: string, body: Record<string, unknown>, path: string): Promise<string> {
    if (!createBody.Check(body)) throw schemaRefusal(createBody.Errors(body), path, 'not a create-approval body');
    try {
      return (await this.save(tx, tenantKey, body, 'user_id', 'fixture')).code;
    } catch (err) {
      if (err instanceof FeishuError) throw new FixtureError(path, err.reason);
      throw err;
    }
  }

  /** `GET /approvals/:approval_code`. */
  async get(caller: Caller, approvalCode: string): Promise<DefinitionView> {
    const definition = await requireDefinition(this.store, caller.tenantKey, approvalCode);
    const userIds = [
      ...definition.viewers.flatMap((v) => (v.userId ? [v.userId] : [])),
      ...definition.processManagerIds,
    ];
    return { definition, users: await UserDirectory.load(this.store, caller.tenantKey, userIds) };
  }

  private async save(
    store: Store,
    tenantKey: string,
    body: CreateApprovalInput,
    userIdType: UserIdType,
    source: 'api' | 'fixture',
  ): Promise<ApprovalDefinition> {
    const now = this.clock.now();
    const input = await this.withUserIds(store, tenantKey, body, userIdType);
    const draft = unwrap(parseDefinition(input, this.ids.decimals(now)));

    // A fixture entry without a code gets one derived from its name, so that loading it again overwrites it.
    const code = body.approval_code || (source === 'fixture' ? derivedCode(tenantKey, body.approval_name) : undefined);
    const existing = code ? await store.approvals.find(tenantKey, code) : undefined;
    if (code && !existing) {
      if (source === 'api') throw new FeishuError(1390002, `no approval definition "${code}" in this tenant to overwrite`);
      if (await store.approvals.ownerOf(code)) {
        throw new FeishuError(1390001, `approval_code "${code}" already belongs to another tenant`);
      }
    }
    // Nodes keep their system ids across an overwrite, so running instances still find their nodes.
    const nodes = draft.nodes.map((node) => {
      const before = existing?.nodes.find((n) => n.customNodeId === node.customNodeId);
      return before ? { ...node, nodeId: before.nodeId } : node;
    });
    const definition: ApprovalDefinition = {
      ...draft,
      nodes,
      code: code ?? this.ids.code(),
      id: existing?.id ?? this.ids.decimal(now),
      status: existing?.status ?? 'ACTIVE',
    };
    // An unchanged fixture entry is not written again: loading a fixture twice changes nothing. An API
    // overwrite is a new version of the definition even when its content is the same.
    if (!existing || source === 'api' || JSON.stringify(existing) !== JSON.stringify(definition)) {
      const version = await store.approvals.save(tenantKey, definition, now);
      if (existing) await recordDefinitionUpdate(store, tenantKey, definition, version, now, this.ids);
    }
    return definition;
  }

  /** The body with every user id (approvers, viewers, process managers) turned into tenant user_ids. */
  private async withUserIds(
    store: Store,
    tenantKey: string,
    body: CreateApprovalInput,
    type: UserIdType,
  ): Promise<DefinitionInput> {
    const one = async (id: string, field: string) => (await toUserIds(store, tenantKey, type, [id], field, 1390004))[0]!;
    const nodeList = [];
    for (const [i, node] of body.node_list.entries()) {
      const approver = [];
      for (const [j, a] of (node.approver ?? []).entries()) {
        approver.push(a.user_id ? { ...a, user_id: await one(a.user_id, `node_list[${i}].approver[${j}].user_id`) } : a);
      }
      const ccer = [];
      for (const [j, c] of (node.ccer ?? []).entries()) {
        ccer.push(c.user_id ? { ...c, user_id: await one(c.user_id, `node_list[${i}].ccer[${j}].user_id`) } : c);
      }
      nodeList.push({ ...node, approver, ccer });
    }
    const viewers = [];
    for (const [i, v] of body.viewers.entries()) {
      viewers.push(v.viewer_user_id ? { ...v, viewer_user_id: await one(v.viewer_user_id, `viewers[${i}].viewer_user_id`) } : v);
    }
    const processManagerIds = await toUserIds(store, tenantKey, type, body.process_manager_ids ?? [], 'process_manager_ids', 1390004);
    return { ...body, node_list: nodeList, viewers, process_manager_ids: processManagerIds };
  }
}
