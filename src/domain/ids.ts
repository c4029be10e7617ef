import { randomBytes, randomUUID } from 'node:crypto';
import type { IdSource } from './approval/ids.js';

/** Upper-case UUID, the form of Feishu approval and instance codes. */
export const newCode = (): string => randomUUID().toUpperCase();

/** Feishu-like log id: UTC timestamp to the second, then 20 random upper-case hex digits. */
export function newLogId(now: number = Date.now()): string {
  const stamp = new Date(now).toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return stamp + randomBytes(10).toString('hex').toUpperCase();
}

export const newTenantAccessToken = (): string => `t-${randomBytes(24).toString('base64url')}`;
export const newAppAccessToken = (): string => `a-${randomBytes(24).toString('base64url')}`;
export const newAdminToken = (): string => randomBytes(18).toString('base64url');

let sequence = 0;

/**
 * Decimal id strings (task ids, approval ids, event ids): milliseconds, a per-process sequence and random
 * digits, so they sort by time and do not collide within one millisecond or across nodes in practice.
 */
export function newDecimalId(now: number): string {
  sequence = (sequence + 1) % 1000;
  const rand = randomBytes(4).readUInt32BE(0) % 1000;
  return `${now}${String(sequence).padStart(3, '0')}${String(rand).padStart(3, '0')}`;
}

/** The id source the state machine draws task ids from. */
export const decimalIds = (now: number): IdSource => ({ next: () => newDecimalId(now) });

/** An instance's serial number: 16 digits that sort by creation time. */
export const newSerialNumber = (now: number): string => newDecimalId(now).slice(0, 16);
