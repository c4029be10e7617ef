/** Directory reads the approval services share: ids per user_id_type, and the submitter's chains. */
import type { SubmitterContext } from '../domain/approval/approvers.js';
import { userIdOf, type User, type UserIdType } from '../domain/directory.js';
import { ok, refuse, type FeishuCode, type Result } from '../domain/errors.js';
import { allInOrder } from '../util/in-order.js';
import type { Store } from './ports.js';

/** Far deeper than any real org chart; only guards against a leader loop in bad data. */
const MAX_CHAIN = 50;

/** Translates internal user_ids to the ids a response must carry. */
export class UserDirectory {
  private constructor(private readonly users: Map<string, User>) {}

  /** Loads every user among `userIds` in one query. */
  static async load(store: Store, tenantKey: string, userIds: Iterable<string>): Promise<UserDirectory> {
    const found = await store.directory.findUsers(tenantKey, [...new Set(userIds)].filter(Boolean));
    return new UserDirectory(new Map(found.map((u) => [u.userId, u])));
  }

  get(userId: string): User | undefined {
    return this.users.get(userId);
  }

  /** The id of the given type; a user since deleted from the directory keeps their user_id. */
  idOf(userId: string, type: UserIdType): string {
    const user = this.users.get(userId);
    return user ? userIdOf(user, type) : userId;
  }
}

/** The user named by an id of the request's user_id_type, or a refusal with `code`. */
export async function lookUpUser(
  store: Store,
  tenantKey: string,
  type: UserIdType,
  id: string,
  field: string,
  code: FeishuCode = 1390001,
): Promise<Result<User>> {
  const user = await store.directory.findUser(tenantKey, type, id);
  return user ? ok(user) : refuse(code, `${field} "${id}" is not a user of this tenant (user_id_type ${type})`);
}

/** lookUpUser of an id the request may leave out: undefined when it does. */
export async function lookUpOptionalUser(
  store: Store,
  tenantKey: string,
  type: UserIdType,
  id: string | undefined,
  field: string,
): Promise<Result<User | undefined>> {
  return id ? lookUpUser(store, tenantKey, type, id, field) : ok(undefined);
}

/** Maps ids of one type to user_ids, or the refusal that names the first unknown one. */
export async function lookUpUserIds(
  store: Store,
  tenantKey: string,
  type: UserIdType,
  ids: readonly string[],
  field: string,
  code: FeishuCode = 1390001,
): Promise<Result<string[]>> {
  const result: string[] = [];
  for (const id of ids) {
    const user = await lookUpUser(store, tenantKey, type, id, field, code);
    if (!user.ok) return user;
    result.push(user.value.userId);
  }
  return ok(result);
}

/**
 * Each item whose `key` holds an id of `type`, with that id turned into a user_id (items without one as they
 * are); or the refusal naming the first unknown one, `field(i)` naming the item's place in the request.
 */
export async function withUserIdsAt<K extends string, T extends { readonly [P in K]?: string | undefined }>(
  store: Store,
  tenantKey: string,
  type: UserIdType,
  items: readonly T[],
  key: K,
  field: (i: number) => string,
  code: FeishuCode = 1390001,
): Promise<Result<T[]>> {
  const resolved: T[] = [];
  for (const [i, item] of items.entries()) {
    const id = item[key];
    if (!id) {
      resolved.push(item);
      continue;
    }
    const user = await lookUpUser(store, tenantKey, type, id, field(i), code);
    if (!user.ok) return user;
    resolved.push({ ...item, [key]: user.value.userId });
  }
  return ok(resolved);
}

/** The submitter's leader chain and department-leader chain, walked upwards from `departmentId`. */
export async function submitterContext(
  store: Store,
  tenantKey: string,
  submitter: User,
  departmentId: string,
  candidates: readonly string[],
): Promise<SubmitterContext> {
  // Three walks that do not depend on each other, issued together.
  const [leaderChain, departmentLeaderChain, found] = await allInOrder([
    leaderChainOf(store, tenantKey, submitter),
    departmentLeaderChainOf(store, tenantKey, departmentId),
    store.directory.findUsers(tenantKey, candidates),
  ] as const);
  const known = new Set(found.map((u) => u.userId));
  return { userId: submitter.userId, leaderChain, departmentLeaderChain, isUser: (id) => known.has(id) };
}

async function leaderChainOf(store: Store, tenantKey: string, submitter: User): Promise<string[]> {
  const chain: string[] = [];
  for (let id = submitter.leaderUserId; id && chain.length < MAX_CHAIN && !chain.includes(id); ) {
    chain.push(id);
    id = (await store.directory.findUser(tenantKey, 'user_id', id))?.leaderUserId ?? null;
  }
  return chain;
}

async function departmentLeaderChainOf(store: Store, tenantKey: string, departmentId: string): Promise<string[]> {
  const chain: string[] = [];
  const seen = new Set<string>();
  for (let id = departmentId; id && id !== '0' && !seen.has(id) && seen.size < MAX_CHAIN; ) {
    seen.add(id);
    const department = await store.directory.findDepartment(tenantKey, id);
    if (!department) break;
    if (department.leaderUserId) chain.push(department.leaderUserId);
    id = department.parentDepartmentId;
  }
  return chain;
}
