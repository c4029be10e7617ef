/** Tenants, apps, users and departments: who exists, and how a user is named by each id type. */

export interface Tenant {
  tenantKey: string;
  name: string;
}

export interface AppEventSettings {
  url: string;
  encryptKey: string | null;
  verificationToken: string | null;
  /** The event types the app takes (event-types.ts); null: the default ones. */
  types: readonly string[] | null;
}

export interface App {
  appId: string;
  tenantKey: string;
  /** scrypt hash; the secret itself is never stored. */
  secretHash: string;
  event: AppEventSettings | null;
}

export interface User {
  readonly tenantKey: string;
  readonly userId: string;
  readonly openId: string;
  readonly unionId: string;
  readonly name: string;
  readonly leaderUserId: string | null;
  readonly departmentIds: readonly string[];
}

export interface Department {
  tenantKey: string;
  departmentId: string;
  openDepartmentId: string;
  name: string;
  parentDepartmentId: string;
  leaderUserId: string | null;
}

export const USER_ID_TYPES = ['open_id', 'union_id', 'user_id'] as const;
export type UserIdType = (typeof USER_ID_TYPES)[number];
export const DEFAULT_USER_ID_TYPE: UserIdType = 'open_id';

export function userIdOf(user: User, type: UserIdType): string {
  switch (type) {
    case 'open_id':
      return user.openId;
    case 'union_id':
      return user.unionId;
    case 'user_id':
      return user.userId;
  }
}
