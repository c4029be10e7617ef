/**
 * The `data` of the third-party (external) approval answers, as src/http/formatters/external.ts writes
 * them: each field always written is required, each written only sometimes optional.
 */
import Type from 'typebox';
import { EXTERNAL_INSTANCE_STATUSES, EXTERNAL_TASK_STATUSES } from '../domain/approval/external-instance.js';
import { CreateExternalApprovalBody, SyncExternalInstanceBody } from './external-requests.js';
import { EpochMsText } from './responses.js';

const Text = Type.String();
const Counts = Type.Object({ insert_num: Type.Integer(), update_num: Type.Integer(), delete_num: Type.Integer() });

export const CreatedExternalApproval = Type.Object({
  approval_code: Type.String({ description: 'the code shenpi made when the definition was created; the code the app gave finds it too' }),
});

const { approval_name, description, external } = CreateExternalApprovalBody.properties;

export const ExternalApprovalDetail = Type.Object({
  approval_name,
  approval_code: Type.String({ description: 'the code the app gave' }),
  group_code: Type.String({ description: "'' when in no group" }),
  group_name: Type.Optional(Text),
  description,
  external,
  viewers: Type.Array(
    Type.Object({ viewer_type: Text, viewer_user_id: Type.Optional(Text), viewer_department_id: Type.Optional(Text) }),
  ),
  i18n_resources: Type.Array(
    Type.Object({ locale: Text, texts: Type.Array(Type.Object({ key: Text, value: Text })), is_default: Type.Boolean() }),
  ),
  managers: Type.Array(Text),
});

export const SyncedExternalInstance = Type.Object({
  data: Type.Object(SyncExternalInstanceBody.properties, { description: 'the instance as stored after the sync' }),
  process_record: Type.Object({ instance: Counts, task: Counts, cc: Counts }),
});

export const ExternalInstanceDiffs = Type.Object({
  diff_instances: Type.Array(
    Type.Object({
      instance_id: Text,
      update_time: EpochMsText,
      tasks: Type.Array(Type.Object({ task_id: Text, update_time: EpochMsText })),
    }),
  ),
});

export const ExternalTaskPage = Type.Object({
  data: Type.Array(
    Type.Object({
      instance_id: Text,
      approval_id: Text,
      approval_code: Text,
      status: Type.Enum(EXTERNAL_INSTANCE_STATUSES.filter((s) => s !== 'TERMINATED')),
      update_time: EpochMsText,
      tasks: Type.Array(Type.Object({ id: Text, status: Type.Enum(EXTERNAL_TASK_STATUSES), update_time: EpochMsText })),
    }),
  ),
  page_token: Type.Optional(Text),
  has_more: Type.Boolean(),
});
