/** Third-party (external) definitions and instances → the exact JSON of their Feishu answers. */
import { parseI18n, resolveText, type I18nResource } from '../../domain/approval/definition.js';
import type {
  ExternalInstanceStatus,
  ExternalPart,
  ExternalState,
  ExternalTaskStatus,
  ProcessRecord,
  SyncedJson,
} from '../../domain/approval/external-instance.js';
import type { UserIdType } from '../../domain/directory.js';
import { unwrap } from '../../domain/errors.js';
import type { ExternalDefinitionView } from '../../services/external-definition-service.js';
import type { ExternalTaskStates } from '../../services/external-instance-service.js';
import type { ExternalSummary } from '../../services/instance-service.js';
import type { SyncExternalInstanceInput } from '../../wire/external-requests.js';
import { ms } from './time.js';

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

/** The list answers' instance statuses: a terminated instance reads withdrawn (the set has no terminated). */
const LIST_STATUS = {
  PENDING: 'pending',
  APPROVED: 'approved',
  REJECTED: 'rejected',
  CANCELED: 'canceled',
  DELETED: 'deleted',
  HIDDEN: 'deleted',
  TERMINATED: 'canceled',
} as const satisfies Record<ExternalInstanceStatus, string>;

/** What the lists show of a synced instance, task or CC: its title in `locale`, its extra and its links. */
function shown(body: SyncedJson, i18n: readonly I18nResource[], locale: string | undefined) {
  const links = body.links as { pc_link: string; mobile_link?: string };
  return {
    title: typeof body.title === 'string' ? resolveText(i18n, body.title, locale) : '',
    extra: typeof body.extra === 'string' ? body.extra : '',
    link: { pc_link: links.pc_link, mobile_link: links.mobile_link ?? '' },
  };
}

/** The serial number a third party may give as `business_key` in the instance's `extra` JSON; '' when none. */
function serialOf(extra: string): string {
  try {
    const key = (JSON.parse(extra) as { business_key?: unknown } | null)?.business_key;
    return typeof key === 'string' ? key : '';
  } catch {
    return '';
  }
}

/**
 * The definition, group and instance of a third-party item of instances/query, tasks/search and search_cc, and
 * a formatter of its task or CC: Feishu fills titles, extras and links for these.
 */
export function formatExternalListItem({ instance, definition, group, users }: ExternalSummary, type: UserIdType, locale?: string) {
  // The synced texts were checked by the sync.
  const i18n = unwrap(parseI18n(instance.body.i18n_resources as Parameters<typeof parseI18n>[0]));
  const names = definition?.i18n ?? [];
  const own = shown(instance.body, i18n, locale);
  const item = {
    approval: {
      code: instance.approvalCode,
      name: definition ? resolveText(names, definition.name, locale) : '',
      is_external: true,
      external: { batch_cc_read: definition?.external.support_batch_read === true },
      approval_id: definition?.id ?? '',
      icon: '0',
    },
    group: { external_id: group?.code ?? '', name: group ? resolveText(names, group.name, locale) : '' },
    instance: {
      code: instance.code,
      external_id: instance.instanceId,
      user_id: instance.userId ? users.idOf(instance.userId, type) : '',
      start_time: ms(instance.startTime),
      end_time: ms(instance.endTime),
      status: LIST_STATUS[instance.status],
      ...own,
      serial_id: serialOf(own.extra),
    },
  };
  const part = (p: ExternalPart) => ({ user_id: users.idOf(p.userId, type), ...shown(p.body, i18n, locale) });
  return { item, part };
}
