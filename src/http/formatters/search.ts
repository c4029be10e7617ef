/** Search results → the items of `POST /tasks/search` and `POST /instances/search_cc`; statuses are lower case there. */
import type { ExternalTaskStatus } from '../../domain/approval/external-instance.js';
import { taskUpdateTime } from '../../domain/approval/task.js';
import type { UserIdType } from '../../domain/directory.js';
import type { CcSearchItem, TaskSearchItem } from '../../services/search-service.js';
import { formatExternalListItem } from './external.js';
import { formatInstanceListItem } from './instance.js';
import { ms } from './time.js';

/** Feishu fills titles, links and extras only for external (third-party) approvals. */
const NOT_EXTERNAL = { title: '', extra: '', link: { pc_link: '', mobile_link: '' } };

export function formatTaskSearchItem(item: TaskSearchItem, type: UserIdType, locale?: string) {
  if ('external' in item) {
    const { task } = item.external;
    const { item: listed, part } = formatExternalListItem(item.external, type, locale);
    return {
      ...listed,
      task: {
        ...part(task),
        start_time: ms(task.createTime),
        end_time: ms(Number(task.body.end_time)),
        status: task.state.toLowerCase() as Lowercase<ExternalTaskStatus>,
        task_id: task.id,
        update_time: ms(task.updateTime),
        task_external_id: task.id,
      },
    };
  }
  const { task, users } = item;
  return {
    ...formatInstanceListItem(item, type, locale),
    task: {
      user_id: users.idOf(task.userId, type),
      start_time: ms(task.startTime),
      end_time: ms(task.endTime),
      status: task.status.toLowerCase() as Lowercase<typeof task.status>,
      ...NOT_EXTERNAL,
      task_id: task.id,
      update_time: ms(taskUpdateTime(task)),
      task_external_id: '',
    },
  };
}

export function formatCcSearchItem(item: CcSearchItem, type: UserIdType, locale?: string) {
  if ('external' in item) {
    const { cc } = item.external;
    const { item: listed, part } = formatExternalListItem(item.external, type, locale);
    return {
      ...listed,
      cc: { ...part(cc), create_time: ms(cc.createTime), read_status: cc.state.toLowerCase() as 'read' | 'unread' },
    };
  }
  const { cc, users } = item;
  return {
    ...formatInstanceListItem(item, type, locale),
    cc: {
      // The CC'd user (the entry's owner, whom `user_id` selects), as task.user_id is the task's assignee.
      user_id: users.idOf(cc.userId, type),
      create_time: ms(cc.createTime),
      read_status: cc.status.toLowerCase() as Lowercase<typeof cc.status>,
      ...NOT_EXTERNAL,
    },
  };
}
