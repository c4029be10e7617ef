/** Instance → the exact `data` of `GET /instances/:instance_id`, and the items of list answers. */
import { isI18nKey, resolveText, resolveTextIn, type ApprovalDefinition } from '../../domain/approval/definition.js';
import type { FormValue } from '../../domain/approval/form.js';
import type { Instance, TimelineEntry } from '../../domain/approval/instance.js';
import type { UserIdType } from '../../domain/directory.js';
import type { UserDirectory } from '../../services/directory-lookup.js';
import type { InstanceSummary, InstanceView, ListedSummary, RoutePreview } from '../../services/instance-service.js';
import { formatInstanceComment } from './comment.js';
import { formatExternalListItem } from './external.js';
import { ms } from './time.js';

const ids = (users: UserDirectory, list: readonly string[], type: UserIdType) => list.map((id) => users.idOf(id, type));

function formatTimelineEntry(entry: TimelineEntry, users: UserDirectory, type: UserIdType) {
  const ext = { ...entry.ext };
  if (Array.isArray(ext['user_id_list'])) ext['user_id_list'] = ids(users, ext['user_id_list'] as string[], type);
  const list = entry.userIdList ?? [];
  return {
    type: entry.type,
    create_time: ms(entry.createTime),
    ...(entry.userId ? { user_id: users.idOf(entry.userId, type), open_id: users.idOf(entry.userId, 'open_id') } : {}),
    ...(list.length && entry.type !== 'CC'
      ? { user_id_list: ids(users, list, type), open_id_list: ids(users, list, 'open_id') }
      : {}),
    ...(entry.type === 'CC'
      ? {
          cc_user_list: list.map((id, i) => ({
            user_id: users.idOf(id, type),
            // Entries written before CC entries existed have no ids of their own.
            cc_id: entry.ccIds?.[i] ?? `${entry.createTime}${i}`,
            open_id: users.idOf(id, 'open_id'),
          })),
        }
      : {}),
    ...(entry.taskId ? { task_id: entry.taskId } : {}),
    ...(entry.comment ? { comment: entry.comment } : {}),
    ext: JSON.stringify(ext),
    ...(entry.nodeKey ? { node_key: entry.nodeKey } : {}),
    // Feishu always sends the list; shenpi's timeline entries carry no attachments.
    files: [],
  };
}

/** The stored values, each with its widget's name, as GET answers the form. */
function formatForm(instance: Instance, definition: ApprovalDefinition, locale: string | undefined): string {
  const values = JSON.parse(instance.form) as FormValue[];
  return JSON.stringify(
    values.map((v) => {
      const widget = definition.form.find((w) => w.id === v.id);
      const name = widget ? resolveText(definition.i18n, widget.name, locale) : '';
      // A text value may be a key of the instance's own i18n_resources (Feishu: "only for text widget values").
      const value = typeof v.value === 'string' && isI18nKey(v.value) ? resolveText(instance.i18n, v.value, locale) : v.value;
      return { id: v.id, name, type: v.type, ext: null, value };
    }),
  );
}

export function formatInstance(view: InstanceView, type: UserIdType, locale?: string) {
  const { instance, definition, tasks, timeline, comments, users } = view;
  const nodeOf = (nodeId: string) => definition.nodes.find((n) => n.nodeId === nodeId);
  return {
    approval_code: instance.approvalCode,
    approval_name: resolveText(definition.i18n, definition.name, locale),
    start_time: ms(instance.startTime),
    end_time: ms(instance.endTime),
    user_id: users.idOf(instance.submitter, type),
    open_id: users.idOf(instance.submitter, 'open_id'),
    serial_number: instance.serialNumber,
    department_id: instance.departmentId,
    status: instance.status,
    uuid: instance.uuid ?? '',
    form: formatForm(instance, definition, locale),
    task_list: tasks.map((task) => {
      const node = nodeOf(task.nodeId);
      return {
        id: task.id,
        user_id: users.idOf(task.userId, type),
        open_id: users.idOf(task.userId, 'open_id'),
        status: task.status,
        node_id: task.nodeId,
        node_name: node ? resolveText(definition.i18n, node.name, locale) : '',
        ...(node?.customNodeId ? { custom_node_id: node.customNodeId } : {}),
        type: task.type,
        start_time: ms(task.startTime),
        end_time: ms(task.endTime),
      };
    }),
    // The instance's comments (not deleted; replies too), then the comments given with task actions.
    comment_list: [
      ...comments.map((c) => formatInstanceComment(c, users, type)),
      ...timeline
        .filter((e) => e.comment && e.userId)
        .map((e, i) => ({
          id: `${e.createTime}${i}`,
          user_id: users.idOf(e.userId!, type),
          open_id: users.idOf(e.userId!, 'open_id'),
          comment: e.comment!,
          create_time: ms(e.createTime),
          files: [],
        })),
    ],
    timeline: timeline.map((e) => formatTimelineEntry(e, users, type)),
    reverted: instance.reverted,
    // Only a revoke request names the approved instance it revokes.
    ...(instance.revertedInstanceCode ? { reverted_instance_code: instance.revertedInstanceCode } : {}),
    instance_code: instance.code,
  };
}

/** `POST /instances/preview`'s `preview_nodes`. */
export function formatPreview({ definition, nodes, users }: RoutePreview, type: UserIdType, locale?: string) {
  return {
    preview_nodes: nodes.map((preview) => {
      const node = definition.nodes.find((n) => n.nodeId === preview.nodeId);
      return {
        node_id: preview.nodeId,
        node_name: node ? resolveText(definition.i18n, node.name, locale) : '',
        node_type: node?.nodeType ?? 'AND',
        comments: [],
        ...(node?.customNodeId ? { custom_node_id: node.customNodeId } : {}),
        user_id_list: ids(users, preview.approvers, type),
        end_cc_id_list: ids(users, preview.ccers, type),
        // A node whose rules find nobody and which the submitter does not fill in.
        is_empty_logic: preview.approvers.length === 0 && !preview.free,
        is_approver_type_free: preview.free,
        has_cc_type_free: false,
      };
    }),
  };
}

/** An item of `POST /instances/query`'s instance_list; statuses are lower case there. */
export function formatInstanceListItem({ instance, definition, users }: InstanceSummary, type: UserIdType, locale?: string) {
  return {
    approval: {
      code: instance.approvalCode,
      name: definition ? resolveText(definition.i18n, definition.name, locale) : '',
      is_external: false,
      external: { batch_cc_read: false },
      approval_id: definition?.id ?? '',
      icon: String(definition?.icon ?? 0),
    },
    group: { external_id: '', name: '' },
    instance: {
      code: instance.code,
      external_id: '',
      user_id: users.idOf(instance.submitter, type),
      start_time: ms(instance.startTime),
      end_time: ms(instance.endTime),
      status: instance.status.toLowerCase() as Lowercase<Instance['status']>,
      title: instanceTitle(instance, definition, locale),
      extra: '',
      serial_id: instance.serialNumber,
      link: { pc_link: '', mobile_link: '' },
    },
  };
}

/** An item of instances/query, of either kind. */
export const formatListedInstance = (item: ListedSummary, type: UserIdType, locale?: string) =>
  'external' in item ? formatExternalListItem(item.external, type, locale).item : formatInstanceListItem(item, type, locale);

/** An instance's own title (plain, or a key of its own texts, then the definition's), in `locale`; '' when it has none. */
export const instanceTitle = (instance: Instance, definition: ApprovalDefinition | undefined, locale?: string): string =>
  resolveTextIn([instance.i18n, definition?.i18n ?? []], instance.title, locale);
