/** Definition → the exact `data` of `GET /open-apis/approval/v4/approvals/:approval_code`. */
import { resolveText } from '../../domain/approval/definition.js';
import type { UserIdType } from '../../domain/directory.js';
import type { DefinitionView } from '../../services/approval-service.js';

/** approval-v4.md §2.4: approver_range_type 0 all, 1 role, 2 user. */
const RANGE_TYPE: Record<string, number> = { ALL: 0, ROLE: 1, PERSONAL: 2 };

export function formatApproval(
  { definition, users }: DefinitionView,
  options: { userIdType: UserIdType; locale?: string | undefined; withAdminId?: boolean | undefined },
) {
  const text = (key: string) => resolveText(definition.i18n, key, options.locale);
  const form = definition.form.map((w) => ({ ...w.raw, name: text(w.name) }));
  return {
    approval_name: text(definition.name),
    status: definition.status,
    form: JSON.stringify(form),
    node_list: definition.nodes.map((node) => ({
      name: text(node.name),
      need_approver: node.needApprover,
      node_id: node.nodeId,
      ...(node.customNodeId ? { custom_node_id: node.customNodeId } : {}),
      node_type: node.nodeType,
      approver_chosen_multi: node.approverChosenMulti,
      approver_chosen_range: (node.approverChosenRange ?? []).map((r) => ({
        approver_range_type: RANGE_TYPE[r.type] ?? 0,
        approver_range_ids: r.type === 'PERSONAL' ? r.idList.map((id) => users.idOf(id, options.userIdType)) : r.idList,
      })),
      require_signature: node.requireSignature,
    })),
    viewers: definition.viewers.map((v) => ({
      type: v.type,
      id: v.departmentId ?? (v.userId ? users.idOf(v.userId, options.userIdType) : ''),
      ...(v.userId ? { user_id: users.idOf(v.userId, options.userIdType) } : {}),
    })),
    ...(options.withAdminId
      ? { approval_admin_ids: definition.processManagerIds.map((id) => users.idOf(id, options.userIdType)) }
      : {}),
    form_widget_relation: definition.widgetRelation,
  };
}
