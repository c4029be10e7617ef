/** Tasks, initiated instances and CCs → the items of `GET /tasks/query`. */
import { resolveText } from '../../domain/approval/definition.js';
import type { Instance } from '../../domain/approval/instance.js';
import type { UserIdType } from '../../domain/directory.js';
import type { UserDirectory } from '../../services/directory-lookup.js';
import type { TaskListItem } from '../../services/task-service.js';
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
function statusOf({ task, cc, instance }: TaskListItem): '1' | '2' | '17' | '18' | '33' | '34' {
  if (cc) return cc.status === 'READ' ? '18' : '17';
  if (task) return task.status === 'PENDING' ? '1' : '2';
  if (instance.status === 'PENDING') return '33';
  return instance.status === 'CANCELED' ? '34' : '2';
}

export function formatTaskListItem(item: TaskListItem, topic: TaskTopic, userId: string, users: UserDirectory, type: UserIdType) {
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
