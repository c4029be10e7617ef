/** Stored rows → domain entities, where more than one repository reads the same table. */
import type { App, User } from '../domain/directory.js';
import type { OutboxEvent } from '../services/ports.js';
import type { AppsTable, OutboxTable, UsersTable } from './schema.js';

export const toApp = (row: AppsTable): App => ({
  appId: row.app_id,
  tenantKey: row.tenant_key,
  secretHash: row.secret_hash,
  event: row.event_url
    ? {
        url: row.event_url,
        encryptKey: row.encrypt_key,
        verificationToken: row.verification_token,
        types: row.event_types === null ? null : (JSON.parse(row.event_types) as string[]),
      }
    : null,
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

export const toOutboxEvent = (row: OutboxTable): OutboxEvent => ({
  eventId: row.event_id,
  tenantKey: row.tenant_key,
  approvalCode: row.approval_code,
  instanceCode: row.instance_code,
  seq: row.seq,
  eventType: row.event_type as OutboxEvent['eventType'],
  payload: JSON.parse(row.payload) as Record<string, unknown>,
  createdAt: row.created_at,
});
