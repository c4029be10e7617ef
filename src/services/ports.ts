/**
 * Repository ports: what the services need from storage, in domain terms. The SQLite and PostgreSQL
 * adapters (src/storage) implement them; services never see SQL.
 */
import type { AccessToken, TokenKind } from '../domain/access-token.js';
import type { App, Department, Tenant, User, UserIdType } from '../domain/directory.js';

export interface DirectoryRepository {
  findTenant(tenantKey: string): Promise<Tenant | undefined>;
  upsertTenant(tenant: Tenant): Promise<void>;
  findApp(appId: string): Promise<App | undefined>;
  upsertApp(app: App): Promise<void>;
  findDepartment(tenantKey: string, departmentId: string): Promise<Department | undefined>;
  upsertDepartment(department: Department): Promise<void>;
  findUser(tenantKey: string, idType: UserIdType, id: string): Promise<User | undefined>;
  upsertUser(user: User): Promise<void>;
  counts(): Promise<{ tenants: number; apps: number; users: number; departments: number }>;
}

export interface TokenRepository {
  /** The most recently issued token of that kind for the app, expired or not. */
  latest(appId: string, kind: TokenKind): Promise<AccessToken | undefined>;
  find(token: string): Promise<AccessToken | undefined>;
  insert(token: AccessToken): Promise<void>;
  /** Drops tokens that expired before `before`, so the table does not grow without bound. */
  purgeExpired(before: number): Promise<number>;
}

/** Small server-wide values that must be shared by every node (the emulator clock offset). */
export interface StateRepository {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

export interface Store {
  readonly directory: DirectoryRepository;
  readonly tokens: TokenRepository;
  readonly state: StateRepository;
  /** Runs `work` in one transaction: all of its writes land, or none do. Nested calls join the outer one. */
  transaction<T>(work: (tx: Store) => Promise<T>): Promise<T>;
  /** Throws when the database does not answer. */
  ping(): Promise<void>;
  /** Deletes every row of every table (emulator reset). */
  deleteAll(): Promise<void>;
  close(): Promise<void>;
}
