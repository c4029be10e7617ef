/** Tasks → the items of `GET /tasks/query`. */
import { resolveText } from '../../domain/approval/definition.js';
import type { Instance } from '../../domain/approval/instance.js';
import type { UserIdType } from '../../domain/directory.js';
import type { UserDirectory } from '../../services/directory-lookup.js';
import type { TaskListItem } from '../../services/task-service.js';

/**
 * Feishu does not document these numbers; shenpi's choice: task status 1 = to do, 2 = done;
 * process_status 1 pending, 2 approved, 3 rejected, 4 withdrawn, 5 deleted.
 */
const PROCESS_STATUS: Record<Instance['status'], string> = {
  PENDING: '1',
  APPROVED: '2',
  REJECTED: '3',
  CANCELED: '4',
  DELETED: '5',
};

export function formatTaskListItem(item: TaskListItem, topic: string, userId: string, users: UserDirectory, type: UserIdType) {
  const { task, instance, definition } = item;
  const name = definition ? resolveText(definition.i18n, definition.name) : '';
  return {
    topic,
    user_id: userId,
    title: instance.title || name,
    urls: { helpdesk: '', mobile: '', pc: '' },
    process_external_id: '',
    task_external_id: '',
    status: task ? (task.status === 'PENDING' ? '1' : '2') : PROCESS_STATUS[instance.status],
    process_status: PROCESS_STATUS[instance.status],
    definition_code: instance.approvalCode,
    initiators: [users.idOf(instance.submitter, type)],
    initiator_names: [users.get(instance.submitter)?.name ?? ''],
    task_id: task?.id ?? '',
    process_id: instance.code,
    process_code: instance.code,
    definition_group_id: '',
    definition_group_name: '',
    definition_id: definition?.id ?? '',
    definition_name: name,
  };
}
