/**
 * The `data` of every Approval v4 answer, as the formatters (src/http/formatters) write it: each field
 * they always write is required, each they write only sometimes is optional. Documentation and typing
 * only (see responses.ts); a test checks real answers against them with no other field allowed.
 */
import Type from 'typebox';
import { TASK_TOPICS } from './approval-requests.js';
import { EpochMsText } from './responses.js';

const Text = Type.String();
const Ids = Type.Array(Text);

const NODE_TYPES = ['AND', 'OR', 'SEQUENTIAL'] as const;
const INSTANCE_STATUSES = ['PENDING', 'APPROVED', 'REJECTED', 'CANCELED', 'DELETED'] as const;
/** approval-v4.md §4.4. */
const TIMELINE_TYPES = [
  'START', 'PASS', 'REJECT', 'AUTO_PASS', 'AUTO_REJECT', 'REMOVE_REPEAT', 'TRANSFER', 'ADD_APPROVER_BEFORE',
  'ADD_APPROVER', 'ADD_APPROVER_AFTER', 'DELETE_APPROVER', 'ROLLBACK_SELECTED', 'ROLLBACK', 'CANCEL', 'DELETE', 'CC',
] as const;

export const CreatedApproval = Type.Object({ approval_code: Text, approval_id: Text });

export const ApprovalDetail = Type.Object({
  approval_name: Text,
  status: Type.Enum(['ACTIVE', 'INACTIVE', 'DELETED']),
  form: Type.String({ description: 'the widgets as a JSON string, names in the asked locale' }),
  node_list: Type.Array(
    Type.Object({
      name: Text,
      need_approver: Type.Boolean(),
      node_id: Text,
      custom_node_id: Type.Optional(Text),
      node_type: Type.Enum(NODE_TYPES),
      approver_chosen_multi: Type.Boolean(),
      approver_chosen_range: Type.Array(
        Type.Object({
          approver_range_type: Type.Integer({ minimum: 0, maximum: 2, description: '0 all, 1 role, 2 user' }),
          approver_range_ids: Ids,
        }),
      ),
      require_signature: Type.Boolean(),
    }),
  ),
  viewers: Type.Array(Type.Object({ type: Text, id: Text, user_id: Type.Optional(Text) })),
  approval_admin_ids: Type.Optional(Type.Array(Text, { description: 'only with with_admin_id=true' })),
  form_widget_relation: Text,
});

export const CreatedInstance = Type.Object({
  instance_code: Text,
  instance_link: Type.Optional(Type.String({ description: "only with with_link: the instance in shenpi's console" })),
});

export const InstanceCodePage = Type.Object({ instance_code_list: Ids, page_token: Text, has_more: Type.Boolean() });

/** An attachment; timeline entries and task-action comments carry none (`[]`). */
const File = Type.Object({
  url: Text,
  file_size: Type.Optional(Type.Number()),
  title: Type.Optional(Text),
  type: Type.Optional(Text),
});

const TimelineEntry = Type.Object({
  type: Type.Enum(TIMELINE_TYPES),
  create_time: EpochMsText,
  user_id: Type.Optional(Text),
  open_id: Type.Optional(Text),
  user_id_list: Type.Optional(Ids),
  open_id_list: Type.Optional(Ids),
  cc_user_list: Type.Optional(Type.Array(Type.Object({ user_id: Text, cc_id: Text, open_id: Text }))),
  task_id: Type.Optional(Text),
  comment: Type.Optional(Text),
  ext: Type.String({ description: 'a JSON object as a string' }),
  node_key: Type.Optional(Text),
  files: Type.Array(File),
});

export const InstanceDetail = Type.Object({
  approval_code: Text,
  approval_name: Text,
  start_time: EpochMsText,
  end_time: EpochMsText,
  user_id: Text,
  open_id: Text,
  serial_number: Text,
  department_id: Text,
  status: Type.Enum(INSTANCE_STATUSES),
  uuid: Text,
  form: Type.String({ description: 'the values as a JSON string, each with its widget name' }),
  task_list: Type.Array(
    Type.Object({
      id: Text,
      user_id: Text,
      open_id: Text,
      status: Type.Enum(['PENDING', 'APPROVED', 'REJECTED', 'TRANSFERRED', 'DONE']),
      node_id: Text,
      node_name: Text,
      custom_node_id: Type.Optional(Text),
      type: Type.Enum([...NODE_TYPES, 'AUTO_PASS']),
      start_time: EpochMsText,
      end_time: EpochMsText,
    }),
  ),
  comment_list: Type.Array(
    Type.Object({ id: Text, user_id: Text, open_id: Text, comment: Text, create_time: EpochMsText, files: Type.Array(File) }),
  ),
  timeline: Type.Array(TimelineEntry),
  reverted: Type.Boolean(),
  reverted_instance_code: Type.Optional(Type.String({ description: 'only on a revoke request' })),
  instance_code: Text,
});

const Link = Type.Object({ pc_link: Text, mobile_link: Text });

/** The definition, group and instance of an item of instances/query, tasks/search and instances/search_cc. */
const InstanceListItem = {
  approval: Type.Object({
    code: Text,
    name: Text,
    is_external: Type.Boolean(),
    external: Type.Object({ batch_cc_read: Type.Boolean() }),
    approval_id: Text,
    icon: Text,
  }),
  group: Type.Object({ external_id: Text, name: Text }),
  instance: Type.Object({
    code: Text,
    external_id: Text,
    user_id: Text,
    start_time: EpochMsText,
    end_time: EpochMsText,
    status: Type.Enum(['pending', 'approved', 'rejected', 'canceled', 'deleted']),
    title: Text,
    extra: Text,
    serial_id: Text,
    link: Link,
  }),
};

export const InstanceQueryPage = Type.Object({
  count: Type.Integer(),
  instance_list: Type.Array(Type.Object(InstanceListItem)),
  page_token: Text,
  has_more: Type.Boolean(),
});

export const TaskSearchPage = Type.Object({
  count: Type.Integer({ description: 'every task the filters match, not only this page' }),
  task_list: Type.Array(
    Type.Object({
      ...InstanceListItem,
      task: Type.Object({
        user_id: Text,
        start_time: EpochMsText,
        end_time: EpochMsText,
        status: Type.Enum(['pending', 'approved', 'rejected', 'transferred', 'done']),
        title: Text,
        extra: Text,
        link: Link,
        task_id: Text,
        update_time: EpochMsText,
        task_external_id: Text,
      }),
    }),
  ),
  page_token: Text,
  has_more: Type.Boolean(),
});

export const CcSearchPage = Type.Object({
  count: Type.Integer({ description: 'every CC the filters match, not only this page' }),
  cc_list: Type.Array(
    Type.Object({
      ...InstanceListItem,
      cc: Type.Object({
        user_id: Type.String({ description: "the CC'd user" }),
        create_time: EpochMsText,
        read_status: Type.Enum(['read', 'unread']),
        title: Text,
        extra: Text,
        link: Link,
      }),
    }),
  ),
  page_token: Text,
  has_more: Type.Boolean(),
});

export const RoutePreview = Type.Object({
  preview_nodes: Type.Array(
    Type.Object({
      node_id: Text,
      node_name: Text,
      node_type: Type.Enum(NODE_TYPES),
      comments: Type.Array(Text),
      custom_node_id: Type.Optional(Text),
      user_id_list: Ids,
      end_cc_id_list: Ids,
      is_empty_logic: Type.Boolean(),
      is_approver_type_free: Type.Boolean(),
      has_cc_type_free: Type.Boolean(),
    }),
  ),
});

export const CommentId = Type.Object({ comment_id: Text });

const commentFields = {
  id: Text,
  content: Type.String({ description: 'the JSON string the commentator sent: {"text":...,"files":[...]}' }),
  create_time: EpochMsText,
  update_time: EpochMsText,
  is_delete: Type.Integer({ minimum: 0, maximum: 1 }),
  at_info_list: Type.Array(Type.Object({ user_id: Text, name: Text, offset: Text })),
  commentator: Text,
  extra: Text,
};

export const CommentPage = Type.Object({
  comments: Type.Array(Type.Object({ ...commentFields, replies: Type.Array(Type.Object(commentFields)) })),
  has_more: Type.Boolean(),
  page_token: Text,
});

export const RemovedComments = Type.Object({
  instance_id: Text,
  external_id: Type.String({ description: "the instance's create uuid, or empty" }),
});

export const TaskPage = Type.Object({
  tasks: Type.Array(
    Type.Object({
      topic: Type.Enum(TASK_TOPICS),
      user_id: Text,
      title: Text,
      urls: Type.Object({ helpdesk: Text, mobile: Text, pc: Text }),
      process_external_id: Text,
      task_external_id: Text,
      status: Type.Enum(['1', '2', '17', '18', '33', '34']),
      process_status: Type.Enum(['1', '2', '3', '4', '5']),
      definition_code: Text,
      initiators: Ids,
      initiator_names: Ids,
      task_id: Text,
      process_id: Text,
      process_code: Text,
      definition_group_id: Text,
      definition_group_name: Text,
      definition_id: Text,
      definition_name: Text,
    }),
  ),
  page_token: Text,
  has_more: Type.Boolean(),
  count: Type.Object({ total: Type.Integer({ maximum: 999 }), has_more: Type.Boolean() }),
});
