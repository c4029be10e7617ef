/** Stored rows → domain entities, where more than one repository reads the same table. */
import type { App, User } from '../domain/directory.js';
import type { AppsTable, UsersTable } from './schema.js';

export const toApp = (row: AppsTable): App => ({
  appId: row.app_id,
  tenantKey: row.tenant_key,
  secretHash: row.secret_hash,
  event: row.event_url ? { url: row.event_url, encryptKey: row.encrypt_key, verificationToken: row.verification_token } : null,
});

export const toUser = (row: UsersTable): User => ({
  tenantKey: row.tenant_key,
  userId: row.user_id,
  openId: row.open_id,
  unionId: row.union_id,
  name: row.name,
  leaderUserId: row.leader_user_id,
  departmentIds: JSON.parse(row.department_ids) as string[],
});
