/**
 * What the admin console shows and changes, across tenants: tenants with their apps (and where their
 * events go) and users, the
 * definitions with their revoke settings (the console boxes 允许撤销审批中的申请 and 允许撤销 x 天内通过的审批),
 * instances, and one instance in full.
 */
import { resolveText, type ApprovalDefinition } from '../domain/approval/definition.js';
import type { Clock } from '../domain/clock.js';
import type { App, AppEventSettings } from '../domain/directory.js';
import { unwrap } from '../domain/errors.js';
import { unknownEventType } from '../domain/event-types.js';
import type { Ids } from '../domain/ids.js';
import { recordDefinitionUpdate } from './definition-events.js';
import { EventUrlRefused, type EventUrlPolicy } from './event-url-policy.js';
import type { InstanceService, InstanceView } from './instance-service.js';
import type { Store } from './ports.js';

export class NotFoundError extends Error {
  readonly statusCode = 404;
  override name = 'NotFoundError';
}

/** An admin request that names something impossible (answered 400 `{"error": ...}`). */
export class InvalidRequestError extends Error {
  readonly statusCode = 400;
  override name = 'InvalidRequestError';
}

export interface DefinitionPatch {
  revertOption?: 0 | 1;
  revertInterval?: number;
  /** node_id → whether approving or rejecting that node's new tasks needs a handwritten signature. */
  requireSignature?: Record<string, boolean>;
}

const CONSOLE_LIST_LIMIT = 500;

export class ConsoleService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly ids: Ids,
    private readonly instances: InstanceService,
    private readonly eventUrls: EventUrlPolicy,
  ) {}

  async tenants() {
    const tenants = await this.store.directory.listTenants();
    return Promise.all(
      tenants.map(async (tenant) => ({
        tenant_key: tenant.tenantKey,
        name: tenant.name,
        apps: (await this.store.directory.listApps(tenant.tenantKey)).map(appSummary),
        users: (await this.store.directory.listUsers(tenant.tenantKey)).map((u) => ({
          user_id: u.userId,
          open_id: u.openId,
          name: u.name,
        })),
      })),
    );
  }

  /** Sets where an app's events go (rules.md "Events": console or fixture); null stops delivery to it. */
  async setAppEvent(appId: string, event: AppEventSettings | null) {
    const app = await this.store.directory.findApp(appId);
    if (!app) throw new NotFoundError(`no app "${appId}"`);
    const unknown = event?.types && unknownEventType(event.types);
    if (unknown) throw new InvalidRequestError(unknown.reason);
    if (event) {
      await this.eventUrls.check(event.url).catch((err: unknown) => {
        throw err instanceof EventUrlRefused ? new InvalidRequestError(err.message) : err;
      });
    }
    const settings = event && { ...event, types: event.types && [...new Set(event.types)] };
    await this.store.directory.upsertApp({ ...app, event: settings });
    return appSummary({ ...app, event: settings });
  }

  async definitions(tenantKey: string) {
    const codes = await this.store.approvals.listCodes(tenantKey);
    const definitions = await Promise.all(codes.map((code) => this.store.approvals.find(tenantKey, code)));
    return definitions.filter((d) => d !== undefined).map(summary);
  }

  /**
   * Changes the revoke settings and node signature marks of a definition; running instances follow at once.
   * A change that changes something is an overwrite: subscribed apps get approval.approval.updated_v4.
   */
  async updateDefinition(approvalCode: string, patch: DefinitionPatch) {
    const { tenantKey, definition } = await this.definition(approvalCode);
    for (const nodeId of Object.keys(patch.requireSignature ?? {})) {
      if (!definition.nodes.some((n) => n.nodeId === nodeId)) {
        throw new NotFoundError(`no node "${nodeId}" in approval "${approvalCode}"`);
      }
    }
    const updated: ApprovalDefinition = {
      ...definition,
      settings: {
        ...definition.settings,
        ...(patch.revertOption !== undefined ? { revertOption: patch.revertOption } : {}),
        ...(patch.revertInterval !== undefined ? { revertInterval: patch.revertInterval } : {}),
      },
      nodes: definition.nodes.map((node) => ({
        ...node,
        requireSignature: patch.requireSignature?.[node.nodeId] ?? node.requireSignature,
      })),
    };
    if (JSON.stringify(updated) !== JSON.stringify(definition)) {
      await this.store.transaction(async (tx) => {
        const now = this.clock.now();
        await recordDefinitionUpdate(tx, tenantKey, updated, await tx.approvals.save(tenantKey, updated, now), now, this.ids);
      });
    }
    return summary(updated);
  }

  async instancesOf(approvalCode: string) {
    const { tenantKey } = await this.definition(approvalCode);
    const instances = await this.store.instances.list(tenantKey, { approvalCode }, undefined, CONSOLE_LIST_LIMIT);
    return instances.map(({ instance: i }) => ({
      instance_code: i.code,
      status: i.status,
      reverted: i.reverted,
      submitter: i.submitter,
      start_time: i.startTime,
      end_time: i.endTime,
    }));
  }

  /** One instance in full, with the revoke requests made of it (a revoke request names its original itself). */
  async instance(instanceCode: string): Promise<{ view: InstanceView; revokeRequests: { instance_code: string; status: string }[] }> {
    const tenantKey = await this.store.instances.ownerOf(instanceCode);
    if (!tenantKey) throw new NotFoundError(`no instance "${instanceCode}"`);
    const view = unwrap(await this.instances.get({ tenantKey, appId: '' }, instanceCode));
    const requests = await this.store.instances.list(tenantKey, { revertedInstanceCode: instanceCode }, undefined, CONSOLE_LIST_LIMIT);
    return {
      view,
      revokeRequests: requests.map(({ instance: r }) => ({ instance_code: r.code, status: r.status })),
    };
  }

  private async definition(approvalCode: string) {
    const tenantKey = await this.store.approvals.ownerOf(approvalCode);
    const definition = tenantKey ? await this.store.approvals.find(tenantKey, approvalCode) : undefined;
    if (!tenantKey || !definition) throw new NotFoundError(`no approval "${approvalCode}"`);
    return { tenantKey, definition };
  }
}

function appSummary(app: App) {
  return {
    app_id: app.appId,
    event_url: app.event?.url ?? null,
    encrypt_key: app.event?.encryptKey ?? null,
    verification_token: app.event?.verificationToken ?? null,
    /** null: the default types (every event 1.0 approval type). */
    event_types: app.event?.types ?? null,
  };
}

function summary(definition: ApprovalDefinition) {
  return {
    approval_code: definition.code,
    name: resolveText(definition.i18n, definition.name),
    revert_option: definition.settings.revertOption,
    revert_interval: definition.settings.revertInterval,
    nodes: definition.nodes.map((node) => ({
      node_id: node.nodeId,
      custom_node_id: node.customNodeId,
      name: resolveText(definition.i18n, node.name),
      node_type: node.nodeType,
      require_signature: node.requireSignature,
    })),
  };
}
