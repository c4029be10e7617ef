/**
 * approval.approval.updated_v4 (approval-v4.md §5.1): when a definition is overwritten, an outbox event for
 * every app subscribed to it that takes this type, written in the overwrite's transaction. A definition's
 * events are ordered by its code and version, apart from any instance's.
 */
import { resolveText, type ApprovalDefinition } from '../domain/approval/definition.js';
import { DEFINITION_UPDATED } from '../domain/event-types.js';
import type { Ids } from '../domain/ids.js';
import type { OutboxEvent, Store } from './ports.js';

/** `event.object` of the push: field types as the Node SDK declares them. */
function updatedObject(definition: ApprovalDefinition, version: number, now: number) {
  return {
    approval_id: definition.id,
    approval_code: definition.code,
    version_id: String(version),
    // 0: the definition uses no widget group (leave, overtime, trip, ...); shenpi has none.
    widget_group_type: 0,
    form_definition_id: '',
    // The process as the definition stores it: its nodes in order.
    process_obj: JSON.stringify(
      definition.nodes.map((node) => ({
        node_id: node.nodeId,
        custom_node_id: node.customNodeId,
        name: resolveText(definition.i18n, node.name),
        node_type: node.nodeType,
      })),
    ),
    // Seconds, as the Feishu page says, in a string, as the Node SDK types it.
    timestamp: String(Math.floor(now / 1000)),
    extra: '',
  };
}

/** Records that `definition` is now at `version` (of an overwrite, never of a creation). */
export async function recordDefinitionUpdate(
  tx: Store,
  tenantKey: string,
  definition: ApprovalDefinition,
  version: number,
  now: number,
  ids: Ids,
): Promise<void> {
  const event: OutboxEvent = {
    eventId: ids.eventId(),
    tenantKey,
    approvalCode: definition.code,
    instanceCode: definition.code,
    seq: version,
    eventType: DEFINITION_UPDATED,
    payload: updatedObject(definition, version, now),
    createdAt: now,
  };
  await tx.outbox.append([event]);
  await tx.deliveries.enqueue([event], now);
}
