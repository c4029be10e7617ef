/**
 * The request shapes of the third-party (external) approval endpoints (workflow-operations.md §6-§10), as
 * TypeBox schemas. Unknown extra fields are accepted and ignored, as Feishu does.
 */
import Type, { type Static } from 'typebox';
import { EXTERNAL_INSTANCE_STATUSES, EXTERNAL_TASK_STATUSES } from '../domain/approval/external-instance.js';
import { EpochMs, INSTANCE_LOCALES, PageSize, UserIdTypeQuery } from './approval-requests.js';

const Text = Type.String();
const Required = Type.String({ minLength: 1 });
const Flag = Type.Optional(Type.Boolean());
const Enum = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

const I18nResources = Type.Array(
  Type.Object({
    locale: Enum(INSTANCE_LOCALES),
    texts: Type.Array(Type.Object({ key: Required, value: Text })),
    is_default: Type.Boolean(),
  }),
);

export const CreateExternalApprovalQuery = Type.Object({
  user_id_type: UserIdTypeQuery.properties.user_id_type,
  department_id_type: Type.Optional(Enum(['department_id', 'open_department_id'])),
});

export const CreateExternalApprovalBody = Type.Object({
  approval_name: Required,
  approval_code: Type.String({ minLength: 1, maxLength: 128 }),
  group_code: Type.Optional(Text),
  group_name: Type.Optional(Text),
  description: Type.Optional(Text),
  external: Type.Object({
    biz_name: Type.Optional(Text),
    biz_type: Type.Optional(Text),
    create_link_mobile: Type.Optional(Text),
    create_link_pc: Type.Optional(Text),
    support_pc: Flag,
    support_mobile: Flag,
    support_batch_read: Flag,
    enable_mark_readed: Flag,
    enable_quick_operate: Flag,
    action_callback_url: Type.Optional(Text),
    action_callback_token: Type.Optional(Text),
    action_callback_key: Type.Optional(Text),
    allow_batch_operate: Flag,
    exclude_efficiency_statistics: Flag,
  }),
  viewers: Type.Optional(
    Type.Array(
      Type.Object({
        viewer_type: Type.Optional(Enum(['TENANT', 'DEPARTMENT', 'USER', 'NONE'])),
        viewer_user_id: Type.Optional(Text),
        viewer_department_id: Type.Optional(Text),
      }),
      { maxItems: 200 },
    ),
  ),
  i18n_resources: Type.Optional(I18nResources),
  managers: Type.Optional(Type.Array(Required, { maxItems: 200 })),
});
export type CreateExternalApprovalInput = Static<typeof CreateExternalApprovalBody>;

const Links = Type.Object({ pc_link: Text, mobile_link: Type.Optional(Text) });
const DisplayMethod = Type.Optional(Enum(['BROWSER', 'SIDEBAR', 'NORMAL', 'TRUSTEESHIP']));

const ExternalTaskBody = Type.Object({
  task_id: Required,
  user_id: Type.Optional(Text),
  open_id: Type.Optional(Text),
  title: Type.Optional(Text),
  links: Links,
  status: Enum(EXTERNAL_TASK_STATUSES),
  extra: Type.Optional(Text),
  create_time: EpochMs,
  end_time: EpochMs,
  update_time: Type.Optional(EpochMs),
  action_context: Type.Optional(Text),
  action_configs: Type.Optional(
    Type.Array(
      Type.Object({
        action_type: Required,
        action_name: Type.Optional(Text),
        is_need_reason: Flag,
        is_reason_required: Flag,
        is_need_attachment: Flag,
      }),
    ),
  ),
  display_method: DisplayMethod,
  exclude_statistics: Flag,
  node_id: Type.Optional(Text),
  node_name: Type.Optional(Text),
  generate_type: Type.Optional(Enum(['EXTERNAL_CONSIGN', 'DEFAULT'])),
});

const ExternalCcBody = Type.Object({
  cc_id: Required,
  user_id: Type.Optional(Text),
  open_id: Type.Optional(Text),
  links: Links,
  read_status: Enum(['READ', 'UNREAD']),
  extra: Type.Optional(Text),
  title: Type.Optional(Text),
  create_time: EpochMs,
  update_time: EpochMs,
  display_method: DisplayMethod,
});

export const SyncExternalInstanceBody = Type.Object({
  approval_code: Required,
  status: Enum(EXTERNAL_INSTANCE_STATUSES),
  extra: Type.Optional(Text),
  instance_id: Required,
  links: Links,
  title: Type.Optional(Text),
  form: Type.Optional(Type.Array(Type.Object({ name: Type.Optional(Text), value: Type.Optional(Text) }))),
  user_id: Type.Optional(Text),
  user_name: Type.Optional(Text),
  open_id: Type.Optional(Text),
  department_id: Type.Optional(Text),
  department_name: Type.Optional(Text),
  start_time: EpochMs,
  end_time: EpochMs,
  update_time: EpochMs,
  display_method: DisplayMethod,
  update_mode: Type.Optional(Enum(['REPLACE', 'UPDATE'])),
  task_list: Type.Optional(Type.Array(ExternalTaskBody, { maxItems: 300 })),
  cc_list: Type.Optional(Type.Array(ExternalCcBody, { maxItems: 200 })),
  i18n_resources: I18nResources,
  trusteeship_url_token: Type.Optional(Text),
  trusteeship_user_id_type: Type.Optional(Text),
  trusteeship_urls: Type.Optional(
    Type.Object({
      form_detail_url: Type.Optional(Text),
      action_definition_url: Type.Optional(Text),
      approval_node_url: Type.Optional(Text),
      action_callback_url: Type.Optional(Text),
      pull_business_data_url: Type.Optional(Text),
    }),
  ),
  trusteeship_cache_config: Type.Optional(
    Type.Object({
      form_policy: Type.Optional(Enum(['DISABLE', 'IMMUTABLE', 'BY_NODE', 'BY_USER'])),
      form_vary_with_locale: Flag,
      form_version: Type.Optional(Text),
    }),
  ),
  resource_region: Type.Optional(Text),
});
export type SyncExternalInstanceInput = Static<typeof SyncExternalInstanceBody>;

export const CheckExternalInstancesBody = Type.Object({
  instances: Type.Array(
    Type.Object({
      instance_id: Required,
      update_time: EpochMs,
      tasks: Type.Array(Type.Object({ task_id: Required, update_time: EpochMs })),
    }),
  ),
});

export const ListExternalTasksQuery = Type.Object({
  page_size: PageSize(1, 500, 50),
  page_token: Type.Optional(Text),
});

export const ListExternalTasksBody = Type.Object({
  approval_codes: Type.Optional(Type.Array(Required, { maxItems: 20 })),
  instance_ids: Type.Optional(Type.Array(Required, { maxItems: 20 })),
  user_ids: Type.Optional(Type.Array(Required)),
  status: Type.Optional(Enum(EXTERNAL_TASK_STATUSES)),
});
