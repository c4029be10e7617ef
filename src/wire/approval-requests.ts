/**
 * The request shapes of the Approval v4 endpoints (approval-v4.md), as TypeBox schemas: the routes
 * validate with them, and fixtures check their `approvals[]` entries with the same create schema.
 * Unknown extra fields are accepted and ignored, as Feishu does.
 */
import Type, { type Static } from 'typebox';
import { USER_ID_TYPES } from '../domain/directory.js';

const Text = Type.String();
const Required = Type.String({ minLength: 1 });

/**
 * A field the Node SDK types as a string and the Python SDK as an int (rules.md "Every Open API request" 3):
 * both are taken, and the validator's `intOrString` keyword hands the route the string form.
 */
const IntOrString = (pattern?: string) => Type.Unsafe<string>({ intOrString: pattern ? { pattern } : {} });

export const UserIdTypeQuery = Type.Object({
  user_id_type: Type.Optional(Type.Union(USER_ID_TYPES.map((t) => Type.Literal(t)))),
});

const Approver = Type.Object({
  type: Required,
  user_id: Type.Optional(Text),
  level: Type.Optional(Type.Union([Type.String(), Type.Integer()])),
});

export const CreateApprovalBody = Type.Object({
  approval_name: Required,
  approval_code: Type.Optional(Text),
  description: Type.Optional(Text),
  viewers: Type.Array(
    Type.Object({
      viewer_type: Type.Optional(Text),
      viewer_user_id: Type.Optional(Text),
      viewer_department_id: Type.Optional(Text),
    }),
    { maxItems: 200 },
  ),
  form: Type.Object({ form_content: Required, widget_relation: Type.Optional(Text) }),
  node_list: Type.Array(
    Type.Object({
      id: Required,
      name: Type.Optional(Text),
      node_type: Type.Optional(Text),
      approver: Type.Optional(Type.Array(Approver)),
      ccer: Type.Optional(Type.Array(Approver)),
      require_signature: Type.Optional(Type.Boolean()),
      approver_chosen_multi: Type.Optional(Type.Boolean()),
      privilege_field: Type.Optional(
        Type.Object({ writable: Type.Optional(Type.Array(Text)), readable: Type.Optional(Type.Array(Text)) }),
      ),
      approver_chosen_range: Type.Optional(
        Type.Array(Type.Object({ type: Type.Optional(Text), id_list: Type.Optional(Type.Array(Text)) })),
      ),
      starter_assignee: Type.Optional(Text),
    }),
  ),
  settings: Type.Optional(
    Type.Object({
      revert_interval: Type.Optional(Type.Integer()),
      revert_option: Type.Optional(Type.Integer()),
      reject_option: Type.Optional(Type.Integer()),
      quick_approval_option: Type.Optional(Type.Integer()),
    }),
  ),
  config: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  icon: Type.Optional(Type.Integer()),
  i18n_resources: Type.Array(
    Type.Object({
      locale: Required,
      texts: Type.Array(Type.Object({ key: Required, value: Text })),
      is_default: Type.Boolean(),
    }),
    { minItems: 1 },
  ),
  process_manager_ids: Type.Optional(Type.Array(Text, { maxItems: 200 })),
});
export type CreateApprovalInput = Static<typeof CreateApprovalBody>;

export const CreateApprovalQuery = Type.Object({
  user_id_type: UserIdTypeQuery.properties.user_id_type,
  department_id_type: Type.Optional(Type.Union([Type.Literal('department_id'), Type.Literal('open_department_id')])),
});

export const GetApprovalQuery = Type.Object({
  user_id_type: UserIdTypeQuery.properties.user_id_type,
  locale: Type.Optional(Text),
  with_admin_id: Type.Optional(Type.Boolean()),
  with_option: Type.Optional(Type.Boolean()),
  user_id: Type.Optional(Text),
});

const NodeIdList = Type.Array(Type.Object({ key: Required, value: Type.Array(Text) }));

/** The locales the Node SDK (1.74) lets an instance's i18n_resources name; the MCP schemas name the first three. */
export const INSTANCE_LOCALES = [
  ...['zh-CN', 'en-US', 'ja-JP', 'zh-HK', 'zh-TW', 'de-DE', 'es-ES', 'fr-FR'],
  ...['id-ID', 'it-IT', 'ko-KR', 'pt-BR', 'th-TH', 'vi-VN', 'ms-MY', 'ru-RU'],
];

export const CreateInstanceBody = Type.Object({
  approval_code: Required,
  user_id: Type.Optional(Text),
  open_id: Type.Optional(Text),
  department_id: Type.Optional(Text),
  form: Text,
  node_approver_user_id_list: Type.Optional(NodeIdList),
  node_approver_open_id_list: Type.Optional(NodeIdList),
  node_cc_user_id_list: Type.Optional(NodeIdList),
  node_cc_open_id_list: Type.Optional(NodeIdList),
  uuid: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  allow_resubmit: Type.Optional(Type.Boolean()),
  allow_submit_again: Type.Optional(Type.Boolean()),
  cancel_bot_notification: Type.Optional(IntOrString('^[0-7]$')),
  forbid_revoke: Type.Optional(Type.Boolean()),
  i18n_resources: Type.Optional(
    Type.Array(
      Type.Object({
        locale: Type.Union(INSTANCE_LOCALES.map((l) => Type.Literal(l))),
        texts: Type.Array(Type.Object({ key: Required, value: Text })),
        is_default: Type.Boolean(),
      }),
    ),
  ),
  title: Type.Optional(Text),
  /** 0: the definition's and the instance's titles, split by a bar; 1: the instance's title only. */
  title_display_method: Type.Optional(Type.Integer({ minimum: 0, maximum: 1 })),
  node_auto_approval_list: Type.Optional(
    Type.Array(
      Type.Object({
        node_id_type: Type.Optional(Type.Union([Type.Literal('CUSTOM'), Type.Literal('NON_CUSTOM')])),
        node_id: Type.Optional(Text),
      }),
      { maxItems: 10 },
    ),
  ),
  byte_extra: Type.Optional(Text),
  with_link: Type.Optional(Type.Boolean()),
});
export type CreateInstanceInput = Static<typeof CreateInstanceBody>;

export const GetInstanceQuery = Type.Object({
  user_id_type: UserIdTypeQuery.properties.user_id_type,
  locale: Type.Optional(Text),
  user_id: Type.Optional(Text),
  nested_mutable_group: Type.Optional(Type.Boolean()),
});

const EPOCH_MS = '^\\d{1,16}$';
export const EpochMs = Type.String({ pattern: EPOCH_MS });
/** Feishu's documented page_size bounds and default, per endpoint (rules.md "Instances and tasks"). */
export const PageSize = (minimum: number, maximum: number, fallback: number) =>
  Type.Optional(Type.Integer({ minimum, maximum, default: fallback }));

export const ListInstancesQuery = Type.Object({
  approval_code: Required,
  start_time: EpochMs,
  end_time: EpochMs,
  page_size: PageSize(1, 100, 100),
  page_token: Type.Optional(Text),
});

/** The query of instances/query, tasks/search and instances/search_cc. */
export const QueryInstancesQuery = Type.Object({
  user_id_type: UserIdTypeQuery.properties.user_id_type,
  page_size: PageSize(5, 200, 10),
  page_token: Type.Optional(Text),
});

/** The selectors of instances/query, tasks/search and instances/search_cc (services/search-scope.ts). */
const SearchSelectors = {
  user_id: Type.Optional(Text),
  approval_code: Type.Optional(Text),
  instance_code: Type.Optional(Text),
  instance_external_id: Type.Optional(Text),
  group_external_id: Type.Optional(Text),
};

export const QueryInstancesBody = Type.Object({
  ...SearchSelectors,
  instance_title: Type.Optional(Text),
  instance_status: Type.Optional(
    Type.Union(['PENDING', 'RECALL', 'REJECT', 'DELETED', 'APPROVED', 'ALL'].map((s) => Type.Literal(s))),
  ),
  instance_start_time_from: Type.Optional(IntOrString(EPOCH_MS)),
  instance_start_time_to: Type.Optional(IntOrString(EPOCH_MS)),
  locale: Type.Optional(Text),
  with_revoked_instance: Type.Optional(Type.Boolean()),
});
export type QueryInstancesInput = Static<typeof QueryInstancesBody>;

/** tasks/search's task statuses; `task_status` also takes ALL. shenpi's tasks never reach RM_REPEAT or PROCESSED. */
export const TASK_SEARCH_STATUSES = ['PENDING', 'REJECTED', 'APPROVED', 'TRANSFERRED', 'DONE', 'RM_REPEAT', 'PROCESSED'] as const;
export type TaskSearchStatus = (typeof TASK_SEARCH_STATUSES)[number];
export const TASK_SEARCH_ORDERS = [0, 1, 2, 3] as const;
export type TaskSearchOrder = (typeof TASK_SEARCH_ORDERS)[number];

export const SearchTasksBody = Type.Object({
  ...SearchSelectors,
  task_title: Type.Optional(Text),
  task_status: Type.Optional(Type.Enum([...TASK_SEARCH_STATUSES, 'ALL'])),
  task_status_list: Type.Optional(Type.Array(Type.Enum(TASK_SEARCH_STATUSES))),
  task_start_time_from: Type.Optional(IntOrString(EPOCH_MS)),
  task_start_time_to: Type.Optional(IntOrString(EPOCH_MS)),
  locale: Type.Optional(Text),
  order: Type.Optional(Type.Enum(TASK_SEARCH_ORDERS, { description: '0/1 update time desc/asc, 2/3 start time desc/asc' })),
  with_revoked_instance: Type.Optional(Type.Boolean()),
});
export type SearchTasksInput = Static<typeof SearchTasksBody>;

/** search_cc's `read_status`: the SDK's upper case, and the lower case of Feishu's own request example. */
export const CC_READ_STATUSES = ['READ', 'UNREAD', 'ALL', 'read', 'unread', 'all'] as const;
export type CcReadStatusName = (typeof CC_READ_STATUSES)[number];

export const SearchCcBody = Type.Object({
  ...SearchSelectors,
  cc_title: Type.Optional(Text),
  read_status: Type.Optional(Type.Enum(CC_READ_STATUSES)),
  cc_create_time_from: Type.Optional(IntOrString(EPOCH_MS)),
  cc_create_time_to: Type.Optional(IntOrString(EPOCH_MS)),
  locale: Type.Optional(Text),
  with_revoked_instance: Type.Optional(Type.Boolean()),
});
export type SearchCcInput = Static<typeof SearchCcBody>;

export const PreviewInstanceBody = Type.Object({
  user_id: Required,
  approval_code: Type.Optional(Text),
  department_id: Type.Optional(Text),
  form: Type.Optional(Text),
  instance_code: Type.Optional(Text),
  locale: Type.Optional(Text),
  task_id: Type.Optional(Text),
});
export type PreviewInstanceInput = Static<typeof PreviewInstanceBody>;

export const CancelInstanceBody = Type.Object({
  approval_code: Required,
  instance_code: Required,
  user_id: Required,
});

export const CcInstanceBody = Type.Object({
  approval_code: Required,
  instance_code: Required,
  user_id: Required,
  cc_user_ids: Type.Array(Required, { minItems: 1, maxItems: 20 }),
  comment: Type.Optional(Text),
});

const oneToThree = (description: string) => Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3)], { description });

/** `POST /instances/add_sign`: every id a user_id. Feishu gives no bound on the users added; shenpi takes 1..100. */
export const AddSignBody = Type.Object({
  approval_code: Required,
  instance_code: Required,
  user_id: Required,
  task_id: Required,
  comment: Type.Optional(Text),
  add_sign_user_ids: Type.Array(Required, { minItems: 1, maxItems: 100 }),
  add_sign_type: oneToThree('1 before the operator, 2 after, 3 in parallel'),
  approval_method: Type.Optional(oneToThree('types 1 and 2: 1 or-sign, 2 and-sign, 3 one after another')),
});

/** `POST /instances/specified_rollback`; `extra` is Feishu's "not open yet" field, taken and ignored. */
export const SpecifiedRollbackBody = Type.Object({
  user_id: Required,
  task_id: Required,
  reason: Type.Optional(Text),
  extra: Type.Optional(Text),
  task_def_key_list: Type.Array(Required, { minItems: 1, maxItems: 100 }),
});

export const TaskActionBody = Type.Object({
  approval_code: Required,
  instance_code: Required,
  user_id: Required,
  task_id: Required,
  comment: Type.Optional(Text),
  form: Type.Optional(Text),
});

/** `POST /tasks/resubmit`: `form` as at create; `comment` a JSON string `{text, files}`. */
export const ResubmitTaskBody = Type.Object({
  approval_code: Required,
  instance_code: Required,
  user_id: Required,
  task_id: Required,
  form: Text,
  comment: Type.Optional(Text),
});

export const TransferTaskBody = Type.Object({
  approval_code: Required,
  instance_code: Required,
  user_id: Required,
  task_id: Required,
  transfer_user_id: Required,
  comment: Type.Optional(Text),
});

/** `GET /tasks/query`'s topics: 1 to do, 2 done, 3 initiated, 17 unread CC, 18 read CC. */
export const TASK_TOPICS = ['1', '2', '3', '17', '18'] as const;
export type TaskTopic = (typeof TASK_TOPICS)[number];

export const QueryTasksQuery = Type.Object({
  user_id: Required,
  topic: Type.Union(TASK_TOPICS.map((t) => Type.Literal(t))),
  page_size: PageSize(1, 200, 100),
  page_token: Type.Optional(Text),
  user_id_type: UserIdTypeQuery.properties.user_id_type,
});

/** The query of every instanceComment endpoint: who acts, named per user_id_type (required but on remove). */
export const CommentUserQuery = Type.Object({
  user_id_type: UserIdTypeQuery.properties.user_id_type,
  user_id: Required,
});

export const RemoveCommentsQuery = Type.Object({
  user_id_type: UserIdTypeQuery.properties.user_id_type,
  user_id: Type.Optional(Required),
});

export const ListCommentsQuery = Type.Object({
  user_id_type: UserIdTypeQuery.properties.user_id_type,
  user_id: Required,
  // Feishu documents no bounds; shenpi takes 1..100, 20 when absent.
  page_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  page_token: Type.Optional(Text),
});

/**
 * `POST /instances/:instance_id/comments`. The SDK types every field as optional; a comment without
 * `content` says nothing, so shenpi requires it (a JSON string, checked by the domain).
 */
export const CreateCommentBody = Type.Object({
  content: Text,
  at_info_list: Type.Optional(
    Type.Array(Type.Object({ user_id: Required, name: Text, offset: IntOrString('^\\d{1,9}$') }), {
      maxItems: 200,
    }),
  ),
  parent_comment_id: Type.Optional(IntOrString()),
  comment_id: Type.Optional(IntOrString()),
  disable_bot: Type.Optional(Type.Boolean()),
  extra: Type.Optional(Text),
});
export type CreateCommentInput = Static<typeof CreateCommentBody>;
