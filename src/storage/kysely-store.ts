/**
 * The Store port over kysely. The queries are plain SQL that SQLite and PostgreSQL both accept, so both
 * adapters share this file and differ only in how the connection is opened (sqlite.ts, postgres.ts).
 */
import { Migrator, sql, type Kysely, type Transaction } from 'kysely';
import type { AccessToken, TokenKind } from '../domain/access-token.js';
import type { App, Department, Tenant, User, UserIdType } from '../domain/directory.js';
import type {
  ApprovalRepository,
  DirectoryRepository,
  NodeLeaseRepository,
  RateWindowRepository,
  Receiver,
  StateRepository,
  Store,
  SubscriptionRepository,
  TokenRepository,
} from '../services/ports.js';
import { allInOrder } from '../util/in-order.js';
import {
  approvalRepository,
  ParsedDefinitions,
  instanceRepository,
  outboxRepository,
  taskRepository,
  timelineRepository,
} from './approval-repositories.js';
import { ccRepository } from './cc-repository.js';
import { searchRepository } from './search-repository.js';
import { commentRepository } from './comment-repository.js';
import { deliveryRepository, subscriptionRepository } from './delivery-repositories.js';
import { dumpTables, loadTables } from './dump.js';
import { externalRepository } from './external-repository.js';
import { GroupCommit } from './group-commit.js';
import { migrationProvider, TABLES_CHILD_FIRST } from './migrations/index.js';
import { toApp, toUser } from './rows.js';
import { prepared, preparedIn } from './prepared.js';
import { RowCache, type TableChanges } from './row-cache.js';
import type { AccessTokensTable, Database, UsersTable } from './schema.js';

type Executor = Kysely<Database> | Transaction<Database>;

const userBy = (column: UserIdType) =>
  prepared<{ tenantKey: string; id: string }, UsersTable>((db, p) =>
    db.selectFrom('users').selectAll().where('tenant_key', '=', p('tenantKey')).where(column, '=', p('id')),
  );

const FIND_USER: Record<UserIdType, ReturnType<typeof userBy>> = {
  open_id: userBy('open_id'),
  union_id: userBy('union_id'),
  user_id: userBy('user_id'),
};

const findUsers = preparedIn<{ tenantKey: string }, string, UsersTable>((db, p, userIds) =>
  db.selectFrom('users').selectAll().where('tenant_key', '=', p('tenantKey')).where('user_id', 'in', userIds),
);

const findToken = prepared<{ token: string }, AccessTokensTable>((db, p) =>
  db.selectFrom('access_tokens').selectAll().where('token', '=', p('token')),
);

const stateValue = prepared<{ key: string }, { value: string }>((db, p) =>
  db.selectFrom('server_state').select('value').where('key', '=', p('key')),
);

function directoryRepository(db: Executor): DirectoryRepository {
  return {
    async findTenant(tenantKey) {
      const row = await db.selectFrom('tenants').selectAll().where('tenant_key', '=', tenantKey).executeTakeFirst();
      return row && { tenantKey: row.tenant_key, name: row.name };
    },
    async upsertTenant(tenant: Tenant) {
      await db
        .insertInto('tenants')
        .values({ tenant_key: tenant.tenantKey, name: tenant.name, created_at: Date.now() })
        .onConflict((oc) => oc.column('tenant_key').doUpdateSet({ name: tenant.name }))
        .execute();
    },
    async findApp(appId) {
      const row = await db.selectFrom('apps').selectAll().where('app_id', '=', appId).executeTakeFirst();
      return row && toApp(row);
    },
    async listTenants() {
      const rows = await db.selectFrom('tenants').selectAll().orderBy('tenant_key').execute();
      return rows.map((r) => ({ tenantKey: r.tenant_key, name: r.name }));
    },
    async listApps(tenantKey) {
      const rows = await db.selectFrom('apps').selectAll().where('tenant_key', '=', tenantKey).orderBy('app_id').execute();
      return rows.map(toApp);
    },
    async listUsers(tenantKey) {
      const rows = await db.selectFrom('users').selectAll().where('tenant_key', '=', tenantKey).orderBy('user_id').execute();
      return rows.map(toUser);
    },
    async upsertApp(app: App) {
      const values = {
        tenant_key: app.tenantKey,
        secret_hash: app.secretHash,
        event_url: app.event?.url ?? null,
        encrypt_key: app.event?.encryptKey ?? null,
        verification_token: app.event?.verificationToken ?? null,
        event_types: app.event?.types ? JSON.stringify(app.event.types) : null,
      };
      await db
        .insertInto('apps')
        .values({ app_id: app.appId, created_at: Date.now(), ...values })
        .onConflict((oc) => oc.column('app_id').doUpdateSet(values))
        .execute();
    },
    async findDepartment(tenantKey, departmentId) {
      const row = await db
        .selectFrom('departments')
        .selectAll()
        .where('tenant_key', '=', tenantKey)
        .where('department_id', '=', departmentId)
        .executeTakeFirst();
      return (
        row && {
          tenantKey: row.tenant_key,
          departmentId: row.department_id,
          openDepartmentId: row.open_department_id,
          name: row.name,
          parentDepartmentId: row.parent_department_id,
          leaderUserId: row.leader_user_id,
        }
      );
    },
    async upsertDepartment(d: Department) {
      const values = {
        open_department_id: d.openDepartmentId,
        name: d.name,
        parent_department_id: d.parentDepartmentId,
        leader_user_id: d.leaderUserId,
      };
      await db
        .insertInto('departments')
        .values({ tenant_key: d.tenantKey, department_id: d.departmentId, ...values })
        .onConflict((oc) => oc.columns(['tenant_key', 'department_id']).doUpdateSet(values))
        .execute();
    },
    async findUser(tenantKey, idType, id) {
      const [row] = (await FIND_USER[idType](db, { tenantKey, id })).rows;
      return row && toUser(row);
    },
    async findUsers(tenantKey, userIds) {
      if (userIds.length === 0) return [];
      const { rows } = await findUsers(db, { tenantKey }, [...new Set(userIds)]);
      return rows.map(toUser);
    },
    async upsertUser(u: User) {
      const values = {
        open_id: u.openId,
        union_id: u.unionId,
        name: u.name,
        leader_user_id: u.leaderUserId,
        department_ids: JSON.stringify(u.departmentIds),
      };
      await db
        .insertInto('users')
        .values({ tenant_key: u.tenantKey, user_id: u.userId, ...values })
        .onConflict((oc) => oc.columns(['tenant_key', 'user_id']).doUpdateSet(values))
        .execute();
    },
    async counts() {
      const count = async (table: 'tenants' | 'apps' | 'users' | 'departments') => {
        const row = await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .executeTakeFirstOrThrow();
        return Number(row.n);
      };
      return {
        tenants: await count('tenants'),
        apps: await count('apps'),
        users: await count('users'),
        departments: await count('departments'),
      };
    },
  };
}

/**
 * Tokens found by `find`, for TOKEN_CACHE_MS of real time: every Open API request looks its token up. An issued
 * token never changes; it leaves the table only when expired (the caller checks expiry at every use) or with
 * every row (reset, restore), which clears the cache of this node at once and of other nodes within the bound.
 */
export const TOKEN_CACHE_MS = 1000;
const TOKEN_CACHE_SIZE = 10_000;

class TokenCache {
  private readonly entries = new Map<string, { token: AccessToken; until: number }>();

  get(token: string): AccessToken | undefined {
    const entry = this.entries.get(token);
    if (entry && entry.until > Date.now()) return entry.token;
    if (entry) this.entries.delete(token);
    return undefined;
  }

  set(token: AccessToken): void {
    if (this.entries.size >= TOKEN_CACHE_SIZE) this.entries.clear();
    this.entries.set(token.token, { token, until: Date.now() + TOKEN_CACHE_MS });
  }

  clear(): void {
    this.entries.clear();
  }
}

/** `cache`: for reads outside a transaction only, whose rows are committed. */
function tokenRepository(db: Executor, cache: TokenCache | undefined): TokenRepository {
  const toToken = (row: Database['access_tokens']): AccessToken => ({
    token: row.token,
    kind: row.kind as TokenKind,
    appId: row.app_id,
    tenantKey: row.tenant_key,
    issuedAt: row.issued_at,
    expiresAt: row.expires_at,
  });
  return {
    async latest(appId, kind) {
      const row = await db
        .selectFrom('access_tokens')
        .selectAll()
        .where('app_id', '=', appId)
        .where('kind', '=', kind)
        .orderBy('issued_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row && toToken(row);
    },
    async find(token) {
      const cached = cache?.get(token);
      if (cached) return cached;
      const [row] = (await findToken(db, { token })).rows;
      const found = row && toToken(row);
      if (found) cache?.set(found);
      return found;
    },
    async insert(t) {
      await db
        .insertInto('access_tokens')
        .values({
          token: t.token,
          kind: t.kind,
          app_id: t.appId,
          tenant_key: t.tenantKey,
          issued_at: t.issuedAt,
          expires_at: t.expiresAt,
        })
        .execute();
    },
    async purgeExpired(before) {
      const result = await db.deleteFrom('access_tokens').where('expires_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

function stateRepository(db: Executor): StateRepository {
  return {
    async get(key) {
      const [row] = (await stateValue(db, { key })).rows;
      return row?.value;
    },
    async set(key, value) {
      await db
        .insertInto('server_state')
        .values({ key, value })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
        .execute();
    },
  };
}

function rateWindowRepository(db: Executor): RateWindowRepository {
  return {
    async hit(key, windowStart) {
      const row = await db
        .insertInto('rate_windows')
        .values({ key, window_start: windowStart, count: 1 })
        .onConflict((oc) =>
          oc.columns(['key', 'window_start']).doUpdateSet((eb) => ({ count: eb('rate_windows.count', '+', 1) })),
        )
        .returning('count')
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },
    async count(key, windowStart) {
      const row = await db
        .selectFrom('rate_windows')
        .select('count')
        .where('key', '=', key)
        .where('window_start', '=', windowStart)
        .executeTakeFirst();
      return Number(row?.count ?? 0);
    },
    async purge(before) {
      await db.deleteFrom('rate_windows').where('window_start', '<', before).execute();
    },
  };
}

function nodeLeaseRepository(db: Executor): NodeLeaseRepository {
  return {
    async held(now) {
      await db.deleteFrom('node_leases').where('expires_at', '<=', now).execute();
      const rows = await db.selectFrom('node_leases').select('node').orderBy('node').execute();
      return rows.map((r) => Number(r.node));
    },
    async take(node, holder, expiresAt) {
      const taken = await db
        .insertInto('node_leases')
        .values({ node, holder, expires_at: expiresAt })
        .onConflict((oc) => oc.column('node').doNothing())
        .returning('node')
        .execute();
      return taken.length > 0;
    },
    async renew(node, holder, expiresAt) {
      const result = await db
        .updateTable('node_leases')
        .set({ expires_at: expiresAt })
        .where('node', '=', node)
        .where('holder', '=', holder)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async release(node, holder) {
      await db.deleteFrom('node_leases').where('node', '=', node).where('holder', '=', holder).execute();
    },
  };
}

/**
 * Definitions, users and departments read outside a transaction come from `cache` while the database has not
 * changed (row-cache.ts). The cached objects are shared by every request, so they are frozen: nothing may change
 * them.
 */
function cachedReads(directory: DirectoryRepository, approvals: ApprovalRepository, cache: RowCache) {
  const userKey = (tenantKey: string, type: UserIdType, id: string) => `u\0${tenantKey}\0${type}\0${id}`;
  const frozen = (user: User | undefined) => user && Object.freeze({ ...user, departmentIds: Object.freeze([...user.departmentIds]) });
  return {
    directory: {
      ...directory,
      findUser: (tenantKey, type, id) => cache.get(userKey(tenantKey, type, id), async () => frozen(await directory.findUser(tenantKey, type, id))),
      async findUsers(tenantKey, userIds) {
        const ids = [...new Set(userIds)];
        const users = await cache.getMany(
          ids.map((id) => userKey(tenantKey, 'user_id', id)),
          async () => {
            const found = new Map((await directory.findUsers(tenantKey, ids)).map((u) => [u.userId, u]));
            return ids.map((id) => frozen(found.get(id)));
          },
        );
        return users.filter((u): u is User => u !== undefined);
      },
      findDepartment: (tenantKey, departmentId) =>
        cache.get(`d\0${tenantKey}\0${departmentId}`, async () => {
          const department = await directory.findDepartment(tenantKey, departmentId);
          return department && Object.freeze(department);
        }),
    } satisfies DirectoryRepository,
    approvals: {
      ...approvals,
      find: (tenantKey, approvalCode) => cache.get(`a\0${tenantKey}\0${approvalCode}`, () => approvals.find(tenantKey, approvalCode)),
    } satisfies ApprovalRepository,
  };
}

/**
 * The apps that receive an approval's events, from `cache` on SQLite: every transition reads them in its
 * transaction, and almost nothing writes them. Unlike the rows above they are cached inside transactions too,
 * which is safe on SQLite's one connection: a write to the subscriptions or the apps through it, or a rollback,
 * moves the cache's generation as it runs, so a transaction never reads a list from before its own change, and
 * no other writer can commit while it holds the write lock.
 */
function cachedReceivers(subscriptions: SubscriptionRepository, cache: RowCache): SubscriptionRepository {
  const frozen = (receivers: Receiver[]) => Object.freeze(receivers.map((r) => Object.freeze({ ...r }))) as Receiver[];
  return {
    ...subscriptions,
    receivers: (approvalCode) => cache.get(`r\0${approvalCode}`, async () => frozen(await subscriptions.receivers(approvalCode))),
  };
}

/** How a store outside a transaction opens one: its own, or a place in the next group commit (SQLite). */
export type Transact = <T>(work: (trx: Transaction<Database>) => Promise<T>) => Promise<T>;

/** Runs statements issued at once (Store.transactionAtOnce) in a transaction whose commit may travel with them. */
export type TransactAtOnce = (issue: (trx: Transaction<Database>) => readonly Promise<unknown>[]) => Promise<void>;

/** Lends one connection to `work` (PostgreSQL's pool); statements issued together are sent together. */
export type Pin = <T>(work: (db: Kysely<Database>) => Promise<T>) => Promise<T>;

/** What every store of one database shares, transactions included. */
interface Shared {
  root: Kysely<Database>;
  /** True when several nodes may use the database. */
  shared: boolean;
  transact: Transact;
  /**
   * Where commits travel with the statements (PostgreSQL); absent, such work runs as any transaction. Its
   * commit is sent before a version guard's miss is known, so there a miss must abort the transaction itself.
   */
  transactAtOnce: TransactAtOnce | undefined;
  /** Absent where a store has one connection anyway (SQLite). */
  pin: Pin | undefined;
  tokens: TokenCache;
  definitions: ParsedDefinitions;
  /** SQLite's definitions, users and event receivers in memory; none on PostgreSQL, where other nodes write unseen. */
  rows: RowCache | undefined;
}

/** `pinned`: `db` is a connection lent to a `reading`, which nested readings share. */
function storeOver(db: Executor, common: Shared, pinned = false): Store {
  const { root, shared, transact, tokens } = common;
  const inTransaction = db.isTransaction;
  const directory = directoryRepository(db);
  const approvals = approvalRepository(db, common.definitions);
  // In a transaction the reads see its own writes, which the cache must never hold.
  const reads = common.rows && !inTransaction ? cachedReads(directory, approvals, common.rows) : { directory, approvals };
  const subscriptions = common.rows ? cachedReceivers(subscriptionRepository(db), common.rows) : subscriptionRepository(db);
  const storeIn = (trx: Transaction<Database>) => storeOver(trx, common);
  const store: Store = {
    shared,
    batchesReads: common.pin !== undefined,
    ...reads,
    tokens: tokenRepository(db, inTransaction ? undefined : tokens),
    state: stateRepository(db),
    instances: instanceRepository(db, common.transactAtOnce !== undefined),
    tasks: taskRepository(db),
    timeline: timelineRepository(db),
    comments: commentRepository(db),
    ccs: ccRepository(db),
    search: searchRepository(db),
    outbox: outboxRepository(db),
    rateWindows: rateWindowRepository(db),
    nodeLeases: nodeLeaseRepository(db),
    subscriptions,
    deliveries: deliveryRepository(db, common.rows ? subscriptions.receivers : undefined),
    externals: externalRepository(db),
    transaction: (work) => (inTransaction ? work(store) : transact((trx) => work(storeIn(trx)))),
    async transactionAtOnce(issue) {
      if (common.transactAtOnce && !inTransaction) return common.transactAtOnce((trx) => issue(storeIn(trx)));
      await store.transaction((tx) => allInOrder(issue(tx)));
    },
    reading: (work) =>
      inTransaction || pinned || !common.pin ? work(store) : common.pin((connection) => work(storeOver(connection, common, true))),
    async ping() {
      await sql`select 1`.execute(db);
    },
    async deleteAll() {
      const wipe = async (executor: Executor) => {
        for (const table of TABLES_CHILD_FIRST) await executor.deleteFrom(table).execute();
      };
      await (inTransaction ? wipe(db) : root.transaction().execute(wipe));
      tokens.clear();
    },
    dump: () => dumpTables(root),
    async load(dump) {
      await (inTransaction ? loadTables(db, dump) : root.transaction().execute((trx) => loadTables(trx, dump)));
      tokens.clear();
    },
    close: () => root.destroy(),
  };
  return store;
}

/**
 * `groupCommit`: concurrent transactions share commits (for SQLite's one connection; see group-commit.ts);
 * `transact`: how transactions run otherwise (kysely's own when absent); `transactAtOnce`: how statements issued
 * at once run, when their commit can travel with them; `pin`: how `reading` holds a connection.
 */
export function kyselyStore(
  db: Kysely<Database>,
  options: {
    shared: boolean;
    groupCommit?: boolean;
    transact?: Transact;
    transactAtOnce?: TransactAtOnce;
    pin?: Pin;
    changes?: TableChanges;
  },
): Store {
  const group = options.groupCommit ? new GroupCommit(db) : undefined;
  const transact: Transact = group ? (work) => group.run(work) : (options.transact ?? ((work) => db.transaction().execute(work)));
  const rows = options.changes && new RowCache(options.changes);
  return storeOver(db, {
    root: db,
    shared: options.shared,
    transact,
    transactAtOnce: options.transactAtOnce,
    pin: options.pin,
    tokens: new TokenCache(),
    definitions: new ParsedDefinitions(),
    rows,
  });
}

/** Brings the schema up to date; safe to run at every start and from several nodes in turn. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
