/** The instance timeline (approval-v4.md §4.4): what happened, by whom, in order. */

/** The 16 timeline types of approval-v4.md §4.4. */
export type TimelineType =
  | 'START'
  | 'PASS'
  | 'REJECT'
  | 'AUTO_PASS'
  | 'AUTO_REJECT'
  | 'REMOVE_REPEAT'
  | 'TRANSFER'
  | 'ADD_APPROVER_BEFORE'
  | 'ADD_APPROVER'
  | 'ADD_APPROVER_AFTER'
  | 'DELETE_APPROVER'
  | 'ROLLBACK_SELECTED'
  | 'ROLLBACK'
  | 'CANCEL'
  | 'DELETE'
  | 'CC';

export interface TimelineEntry {
  type: TimelineType;
  createTime: number;
  userId?: string;
  userIdList?: string[];
  /** A CC entry: the id of each CC'd user's entry, in userIdList's order (`cc_user_list[].cc_id`). */
  ccIds?: string[];
  taskId?: string;
  comment?: string;
  ext?: Record<string, unknown>;
  nodeKey?: string;
}
