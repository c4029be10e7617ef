/** Table shapes as kysely sees them; the migrations in ./migrations create them. */

export interface TenantsTable {
  tenant_key: string;
  name: string;
  created_at: number;
}

export interface AppsTable {
  app_id: string;
  tenant_key: string;
  secret_hash: string;
  event_url: string | null;
  encrypt_key: string | null;
  verification_token: string | null;
  /** The event URL that last answered the url_verification challenge. */
  event_verified_url: string | null;
  /** JSON array of the event types the app takes; null: the default ones (migration 0008). */
  event_types: string | null;
  created_at: number;
}

export interface AccessTokensTable {
  token: string;
  kind: string;
  app_id: string;
  tenant_key: string;
  issued_at: number;
  expires_at: number;
}

export interface DepartmentsTable {
  tenant_key: string;
  department_id: string;
  open_department_id: string;
  name: string;
  parent_department_id: string;
  leader_user_id: string | null;
}

export interface UsersTable {
  tenant_key: string;
  user_id: string;
  open_id: string;
  union_id: string;
  name: string;
  leader_user_id: string | null;
  /** JSON array of department_ids, in the user's order (the first is the main one). */
  department_ids: string;
}

export interface ServerStateTable {
  key: string;
  value: string;
}

export interface ApprovalsTable {
  approval_code: string;
  tenant_key: string;
  approval_id: string;
  status: string;
  definition: string;
  created_at: number;
  updated_at: number;
  /** 1 when created, one more at each overwrite (migration 0008). */
  version: number;
}

export interface InstancesTable {
  instance_code: string;
  tenant_key: string;
  approval_code: string;
  submitter: string;
  department_id: string;
  status: string;
  start_time: number;
  end_time: number;
  form: string;
  uuid: string | null;
  uuid_key: string | null;
  /** Unused: a reused uuid answers 60012 whatever the body (the column stays; landed migrations are never edited). */
  request_hash: string | null;
  forbid_revoke: number;
  cancel_bot_notification: number;
  reverted: number;
  /** On a revoke request: the approved instance it revokes. */
  reverted_instance_code: string | null;
  /** On an instance being revoked: its open revoke request. */
  revoke_request_code: string | null;
  /** The instance's own i18n_resources (domain I18nResource[]) as JSON. */
  i18n: string;
  serial_number: string;
  title: string;
  route: string;
  current_node: number;
  version: number;
  updated_at: number;
  /** Sorts instances of one start time by creation (see migration 0006). */
  created_seq: string;
}

export interface TasksTable {
  task_id: string;
  tenant_key: string;
  instance_code: string;
  node_id: string;
  user_id: string;
  status: string;
  type: string;
  start_time: number;
  end_time: number;
  require_signature: number;
  /** The group the task decides in; '' for tasks made before migration 0011 (their node id). */
  task_group: string;
}

export interface TimelineTable {
  instance_code: string;
  seq: number;
  type: string;
  create_time: number;
  entry: string;
}

export interface InstanceCommentsTable {
  comment_id: string;
  tenant_key: string;
  instance_code: string;
  /** The top-level comment a reply belongs to; null for a top-level comment. */
  parent_comment_id: string | null;
  /** The commentator's tenant user_id. */
  commentator: string;
  content: string;
  /** JSON array of {userId, name, offset}, user ids as tenant user_ids. */
  at_info_list: string;
  extra: string | null;
  is_delete: number;
  create_time: number;
  update_time: number;
}

export interface InstanceCcsTable {
  cc_id: string;
  tenant_key: string;
  instance_code: string;
  /** The CC'd user's tenant user_id. */
  user_id: string;
  /** Who sent it; '' when the flow sent it. */
  from_user_id: string;
  /** The node whose CC it is; '' for an API CC. */
  node_id: string;
  create_time: number;
  /** UNREAD or READ. */
  status: string;
  /** 0 while unread. */
  read_time: number;
}

export interface OutboxTable {
  event_id: string;
  tenant_key: string;
  approval_code: string;
  instance_code: string;
  seq: number;
  event_type: string;
  payload: string;
  created_at: number;
}

/** Which process holds which node number, until when (ms since the epoch, the holder's wall clock). */
export interface NodeLeasesTable {
  node: number;
  holder: string;
  expires_at: number;
}

export interface RateWindowsTable {
  key: string;
  window_start: number;
  count: number;
}

export interface SubscriptionsTable {
  app_id: string;
  approval_code: string;
  created_at: number;
}

export interface DeliveriesTable {
  event_id: string;
  app_id: string;
  instance_code: string;
  seq: number;
  status: string;
  attempts: number;
  next_attempt_at: number;
  locked_until: number;
  last_error: string | null;
  delivered_at: number | null;
  /** When the last attempt ended (its answer or time-out); null before the first (migration 0008). */
  last_attempt_at: number | null;
}

export interface ExternalApprovalGroupsTable {
  tenant_key: string;
  group_code: string;
  group_name: string;
}

export interface ExternalApprovalsTable {
  tenant_key: string;
  /** The code the app gave. */
  approval_code: string;
  /** The code shenpi made at creation (migration 0012). */
  generated_code: string;
  approval_id: string;
  group_code: string;
  definition: string;
  created_at: number;
  updated_at: number;
}

export interface ExternalInstancesTable {
  tenant_key: string;
  instance_id: string;
  instance_code: string;
  approval_code: string;
  status: string;
  user_id: string;
  title: string;
  start_time: number;
  end_time: number;
  update_time: number;
  body: string;
  synced_at: number;
  version: number;
}

/** external_tasks and external_ccs (migration 0012): `state` is a task status or a CC read state. */
export interface ExternalPartsTable {
  tenant_key: string;
  instance_id: string;
  part_id: string;
  user_id: string;
  state: string;
  title: string;
  create_time: number;
  update_time: number;
  position: number;
  body: string;
}

export interface Database {
  tenants: TenantsTable;
  apps: AppsTable;
  access_tokens: AccessTokensTable;
  departments: DepartmentsTable;
  users: UsersTable;
  server_state: ServerStateTable;
  approvals: ApprovalsTable;
  instances: InstancesTable;
  tasks: TasksTable;
  timeline: TimelineTable;
  instance_comments: InstanceCommentsTable;
  instance_ccs: InstanceCcsTable;
  outbox: OutboxTable;
  rate_windows: RateWindowsTable;
  node_leases: NodeLeasesTable;
  subscriptions: SubscriptionsTable;
  deliveries: DeliveriesTable;
  external_approval_groups: ExternalApprovalGroupsTable;
  external_approvals: ExternalApprovalsTable;
  external_instances: ExternalInstancesTable;
  external_tasks: ExternalPartsTable;
  external_ccs: ExternalPartsTable;
}
