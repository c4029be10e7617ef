/** Approval definitions: create or overwrite (API and fixtures), and read. */
import { createHash } from 'node:crypto';
import { Compile } from 'typebox/compile';
import { parseDefinition, type ApprovalDefinition, type DefinitionInput } from '../domain/approval/definition.js';
import type { Clock } from '../domain/clock.js';
import type { UserIdType } from '../domain/directory.js';
import { ok, refuse, type Result } from '../domain/errors.js';
import type { Ids } from '../domain/ids.js';
import { CreateApprovalBody, type CreateApprovalInput } from '../wire/approval-requests.js';
import { lookUpDefinition } from './approval-lookup.js';
import type { Caller } from './auth-service.js';
import { recordDefinitionUpdate } from './definition-events.js';
import { lookUpUserIds, UserDirectory, withUserIdsAt } from './directory-lookup.js';
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

  /**
   * `POST /approvals`: a new definition, or a full overwrite when `approval_code` names one of the tenant's; or
   * the refusal of its body (every check comes before the first write).
   */
  async create(caller: Caller, body: CreateApprovalInput, userIdType: UserIdType): Promise<Result<{ approvalCode: string; approvalId: string }>> {
    const saved = await this.store.transaction((tx) => this.save(tx, caller.tenantKey, body, userIdType, 'api'));
    return saved.ok ? ok({ approvalCode: saved.value.code, approvalId: saved.value.id }) : saved;
  }

  /** Fixture entries: the same body, user ids as user_id, and `approval_code` may name a new code. */
  async upsert(tx: Store, tenantKey: string, body: Record<string, unknown>, path: string): Promise<string> {
    if (!createBody.Check(body)) throw schemaRefusal(createBody.Errors(body), path, 'not a create-approval body');
    const saved = await this.save(tx, tenantKey, body, 'user_id', 'fixture');
    if (!saved.ok) throw new FixtureError(path, saved.refusal.reason);
    return saved.value.code;
  }

  /** `GET /approvals/:approval_code`, or refusal 1390002. */
  async get(caller: Caller, approvalCode: string): Promise<Result<DefinitionView>> {
    const found = await lookUpDefinition(this.store, caller.tenantKey, approvalCode);
    if (!found.ok) return found;
    const definition = found.value;
    const userIds = [
      ...definition.viewers.flatMap((v) => (v.userId ? [v.userId] : [])),
      ...definition.processManagerIds,
    ];
    return ok({ definition, users: await UserDirectory.load(this.store, caller.tenantKey, userIds) });
  }

  private async save(
    store: Store,
    tenantKey: string,
    body: CreateApprovalInput,
    userIdType: UserIdType,
    source: 'api' | 'fixture',
  ): Promise<Result<ApprovalDefinition>> {
    const now = this.clock.now();
    const input = await this.withUserIds(store, tenantKey, body, userIdType);
    if (!input.ok) return input;
    const draft = parseDefinition(input.value, this.ids.decimals(now));
    if (!draft.ok) return draft;

    // A fixture entry without a code gets one derived from its name, so that loading it again overwrites it.
    const code = body.approval_code || (source === 'fixture' ? derivedCode(tenantKey, body.approval_name) : undefined);
    const existing = code ? await store.approvals.find(tenantKey, code) : undefined;
    if (code && !existing) {
      if (source === 'api') return refuse(1390002, `no approval definition "${code}" in this tenant to overwrite`);
      if (await store.approvals.ownerOf(code)) return refuse(1390001, `approval_code "${code}" already belongs to another tenant`);
    }
    // Nodes keep their system ids across an overwrite, so running instances still find their nodes.
    const nodes = draft.value.nodes.map((node) => {
      const before = existing?.nodes.find((n) => n.customNodeId === node.customNodeId);
      return before ? { ...node, nodeId: before.nodeId } : node;
    });
    const definition: ApprovalDefinition = {
      ...draft.value,
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
    return ok(definition);
  }

  /** The body with every user id (approvers, viewers, process managers) turned into tenant user_ids; or 1390004. */
  private async withUserIds(store: Store, tenantKey: string, body: CreateApprovalInput, type: UserIdType): Promise<Result<DefinitionInput>> {
    const resolve = <K extends string, T extends { readonly [P in K]?: string | undefined }>(items: readonly T[], key: K, field: (i: number) => string) =>
      withUserIdsAt(store, tenantKey, type, items, key, field, 1390004);
    const nodeList = [];
    for (const [i, node] of body.node_list.entries()) {
      const approver = await resolve(node.approver ?? [], 'user_id', (j) => `node_list[${i}].approver[${j}].user_id`);
      if (!approver.ok) return approver;
      const ccer = await resolve(node.ccer ?? [], 'user_id', (j) => `node_list[${i}].ccer[${j}].user_id`);
      if (!ccer.ok) return ccer;
      nodeList.push({ ...node, approver: approver.value, ccer: ccer.value });
    }
    const viewers = await resolve(body.viewers, 'viewer_user_id', (i) => `viewers[${i}].viewer_user_id`);
    if (!viewers.ok) return viewers;
    const managers = await lookUpUserIds(store, tenantKey, type, body.process_manager_ids ?? [], 'process_manager_ids', 1390004);
    if (!managers.ok) return managers;
    return ok({ ...body, node_list: nodeList, viewers: viewers.value, process_manager_ids: managers.value });
  }
}
