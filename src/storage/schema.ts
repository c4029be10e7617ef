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

export interface Database {
  tenants: TenantsTable;
  apps: AppsTable;
  access_tokens: AccessTokensTable;
  departments: DepartmentsTable;
  users: UsersTable;
  server_state: ServerStateTable;
}
