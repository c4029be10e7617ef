/** Third-party (external) definitions and instances → the exact JSON of their Feishu answers. */
import type { I18nResource } from '../../domain/approval/definition.js';
import type { ExternalState, ExternalTaskStatus, ProcessRecord } from '../../domain/approval/external-instance.js';
import type { UserIdType } from '../../domain/directory.js';
import type { ExternalDefinitionView } from '../../services/external-definition-service.js';
import type { ExternalTaskStates } from '../../services/external-instance-service.js';
import type { SyncExternalInstanceInput } from '../../wire/external-requests.js';

const i18nResources = (i18n: readonly I18nResource[]) =>
  i18n.map((r) => ({
    locale: r.locale,
    texts: Object.entries(r.texts).map(([key, value]) => ({ key, value })),
    is_default: r.isDefault,
  }));

/** `GET /external_approvals/:approval_code`: names as the i18n keys given, users per user_id_type. */
export function formatExternalApproval({ definition, group, users }: ExternalDefinitionView, type: UserIdType) {
  return {
    approval_name: definition.name,
    approval_code: definition.code,
    group_code: definition.groupCode,
    ...(group ? { group_name: group.name } : {}),
    ...(definition.description ? { description: definition.description } : {}),
    external: definition.external,
    viewers: definition.viewers.map((v) => ({
      viewer_type: v.type,
      ...(v.userId ? { viewer_user_id: users.idOf(v.userId, type) } : {}),
      ...(v.departmentId ? { viewer_department_id: v.departmentId } : {}),
    })),
    i18n_resources: i18nResources(definition.i18n),
    managers: definition.managers.map((id) => users.idOf(id, type)),
  };
}

/** `POST /external_instances`: the instance as stored after the sync, and what the sync did. */
export function formatSyncedInstance({ instance, tasks, ccs }: ExternalState, record: ProcessRecord) {
  // Every part was stored as a request checked (and cleaned) by the sync schema.
  const data = { ...instance.body, task_list: tasks.map((t) => t.body), cc_list: ccs.map((c) => c.body) } as SyncExternalInstanceInput;
  return { data, process_record: record };
}

/** `GET /external_tasks` item. Its status set has no TERMINATED: a terminated instance reads CANCELED. */
export function formatTaskStates({ state, approvalId, approvalCode }: ExternalTaskStates) {
  const { instance, tasks } = state;
  return {
    instance_id: instance.instanceId,
    approval_id: approvalId,
    approval_code: approvalCode,
    status: instance.status === 'TERMINATED' ? 'CANCELED' : instance.status,
    update_time: String(instance.updateTime),
    tasks: tasks.map((t) => ({ id: t.id, status: t.state as ExternalTaskStatus, update_time: String(t.updateTime) })),
  };
}
