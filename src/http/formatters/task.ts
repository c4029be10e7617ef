/** Tasks, initiated instances and CCs → the items of `GET /tasks/query`. */
import { resolveText } from '../../domain/approval/definition.js';
import type { ExternalInstanceStatus } from '../../domain/approval/external-instance.js';
import type { Instance } from '../../domain/approval/instance.js';
import type { UserIdType } from '../../domain/directory.js';
import type { UserDirectory } from '../../services/directory-lookup.js';
import type { ExternalTaskListItem, TaskListItem, TaskQueryItem } from '../../services/task-service.js';
import type { TaskTopic } from '../../wire/approval-requests.js';
import { instanceTitle } from './instance.js';

/**
 * `process_status`, Feishu's instance state (查询用户的任务列表): 0 none, 1 in progress (流转中), 2 approved,
 * 3 rejected, 4 revoked (已撤销, shenpi: any withdrawn instance), 5 terminated (已终止, shenpi: deleted).
 */
const PROCESS_STATUS = {
  PENDING: '1',
  APPROVED: '2',
  REJECTED: '3',
  CANCELED: '4',
  DELETED: '5',
} as const satisfies Record<Instance['status'], string>;

/**
 * `status`, from Feishu's set: 1 to do (待办), 2 done (已办), 17 unread CC, 18 read CC, 33 in progress (处理中),
 * 34 withdrawn (撤回). An initiated instance (topic 3) is 33 while under approval, 34 once withdrawn, else 2.
 */
function listStatus(
  cc: { read: boolean } | undefined,
  task: { pending: boolean } | undefined,
  instanceStatus: string,
): '1' | '2' | '17' | '18' | '33' | '34' {
  if (cc) return cc.read ? '18' : '17';
  if (task) return task.pending ? '1' : '2';
  if (instanceStatus === 'PENDING') return '33';
  return instanceStatus === 'CANCELED' ? '34' : '2';
}

const statusOf = ({ task, cc, instance }: TaskListItem) =>
  listStatus(cc && { read: cc.status === 'READ' }, task && { pending: task.status === 'PENDING' }, instance.status);

export function formatTaskListItem(item: TaskQueryItem, topic: TaskTopic, userId: string, users: UserDirectory, type: UserIdType) {
  if ('external' in item) return formatExternalItem(item, topic, userId, users, type);
  const { task, cc, instance, definition } = item;
  const name = definition ? resolveText(definition.i18n, definition.name) : '';
  return {
    topic,
    user_id: userId,
    title: instanceTitle(instance, definition) || name,
    urls: { helpdesk: '', mobile: '', pc: '' },
    process_external_id: '',
    task_external_id: '',
    status: statusOf(item),
    process_status: PROCESS_STATUS[instance.status],
    definition_code: instance.approvalCode,
    initiators: [users.idOf(instance.submitter, type)],
    initiator_names: [users.get(instance.submitter)?.name ?? ''],
    // A CC is the CC'd user's task in Feishu's task centre: its id is the CC's id.
    task_id: task?.id ?? cc?.id ?? '',
    process_id: instance.code,
    process_code: instance.code,
    definition_group_id: '',
    definition_group_name: '',
    definition_id: definition?.id ?? '',
    definition_name: name,
  };
}

/** `process_status` of a third-party instance: as a native one's, a terminated one as 5 (已终止). */
const EXTERNAL_PROCESS_STATUS = {
  ...PROCESS_STATUS,
  HIDDEN: '5',
  TERMINATED: '5',
} as const satisfies Record<ExternalInstanceStatus, string>;

/**
 * A third-party task, CC or initiated instance: its links as `urls`, the third party's ids as
 * `process_external_id` / `task_external_id`, the instance code shenpi made as `process_id` / `process_code`.
 */
function formatExternalItem({ external }: ExternalTaskListItem, topic: TaskTopic, userId: string, users: UserDirectory, type: UserIdType) {
  const { task, cc, instance, definition, group } = external;
  const part = task ?? cc;
  const i18n = definition?.i18n ?? [];
  const name = definition ? resolveText(i18n, definition.name) : '';
  const links = (part?.body.links ?? instance.body.links) as { pc_link: string; mobile_link?: string };
  return {
    topic,
    user_id: userId,
    title: part?.title || instance.title || name,
    urls: { helpdesk: '', mobile: links.mobile_link ?? '', pc: links.pc_link },
    process_external_id: instance.instanceId,
    task_external_id: part?.id ?? '',
    status: listStatus(cc && { read: cc.state === 'READ' }, task && { pending: task.state === 'PENDING' }, instance.status),
    process_status: EXTERNAL_PROCESS_STATUS[instance.status],
    definition_code: instance.approvalCode,
    initiators: instance.userId ? [users.idOf(instance.userId, type)] : [],
    initiator_names: instance.userId ? [users.get(instance.userId)?.name ?? ''] : [],
    task_id: part?.id ?? '',
    process_id: instance.code,
    process_code: instance.code,
    definition_group_id: group?.code ?? '',
    definition_group_name: group ? resolveText(i18n, group.name) : '',
    definition_id: definition?.id ?? '',
    definition_name: name,
  };
}
