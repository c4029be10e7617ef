import { Compile } from 'typebox/compile';
import type { Department, User } from '../domain/directory.js';
import { unknownEventType } from '../domain/event-types.js';
import { hashSecret, verifySecret } from './app-secret.js';
import { EventUrlRefused, type EventUrlPolicy } from './event-url-policy.js';
import { FixtureSchema, type Fixture, type FixtureTenant } from './fixture-schema.js';
import type { Store } from './ports.js';
import { jsonPath } from '../util/json-path.js';

/** A fixture refused as a whole; `message` starts with the JSON path at fault. */
export class FixtureError extends Error {
  readonly statusCode = 400;

  constructor(path: string, problem: string) {
    super(`${path || '(root)'}: ${problem}`);
    this.name = 'FixtureError';
  }
}

/** How approval definitions inside a fixture are checked and stored; the approval service provides it. */
export interface FixtureApprovals {
  /** Stores one create-approval body for the tenant; throws FixtureError naming `path` when it is refused. */
  upsert(tx: Store, tenantKey: string, body: Record<string, unknown>, path: string): Promise<string>;
}

export interface FixtureSummary {
  tenants: number;
  apps: number;
  departments: number;
  users: number;
  approvals: string[];
}

const validator = Compile(FixtureSchema);

export class FixtureService {
  constructor(
    private readonly store: Store,
    private readonly eventUrls: EventUrlPolicy,
    private readonly approvals?: FixtureApprovals,
  ) {}

  /** Validates the whole document, then upserts it in one transaction: all of it lands, or nothing does. */
  async load(document: unknown): Promise<FixtureSummary> {
    const fixture = parse(document);
    checkUniqueTenants(fixture);
    await this.checkEventUrls(fixture);
    return this.store.transaction(async (tx) => {
      const summary: FixtureSummary = { tenants: 0, apps: 0, departments: 0, users: 0, approvals: [] };
      for (const [index, tenant] of fixture.tenants.entries()) {
        await this.loadTenant(tx, tenant, `tenants[${index}]`, summary);
      }
      return summary;
    });
  }

  /** Before the transaction: an event URL may need a DNS look-up, which no open transaction should wait for. */
  private async checkEventUrls(fixture: Fixture): Promise<void> {
    for (const [t, tenant] of fixture.tenants.entries()) {
      for (const [a, app] of (tenant.apps ?? []).entries()) {
        if (!app.event) continue;
        await this.eventUrls.check(app.event.url).catch((err: unknown) => {
          if (err instanceof EventUrlRefused) throw new FixtureError(`tenants[${t}].apps[${a}].event.url`, err.message);
          throw err;
        });
      }
    }
  }

  private async loadTenant(tx: Store, t: FixtureTenant, path: string, summary: FixtureSummary): Promise<void> {
    const tenantKey = t.tenant_key;
    await tx.directory.upsertTenant({ tenantKey, name: t.name ?? tenantKey });
    summary.tenants += 1;

    for (const [i, a] of (t.apps ?? []).entries()) {
      const existing = await tx.directory.findApp(a.app_id);
      if (existing && existing.tenantKey !== tenantKey) {
        throw new FixtureError(`${path}.apps[${i}].app_id`, `"${a.app_id}" already belongs to tenant "${existing.tenantKey}"`);
      }
      const types = a.event?.types;
      const unknown = types && unknownEventType(types);
      if (unknown) throw new FixtureError(`${path}.apps[${i}].event.types[${unknown.index}]`, unknown.reason);
      // Keep the stored hash when the secret is unchanged, so loading a file twice changes nothing.
      const keep = existing && (await verifySecret(a.app_secret, existing.secretHash));
      await tx.directory.upsertApp({
        appId: a.app_id,
        tenantKey,
        secretHash: keep ? existing.secretHash : await hashSecret(a.app_secret),
        event: a.event
          ? {
              url: a.event.url,
              encryptKey: a.event.encrypt_key ?? null,
              verificationToken: a.event.verification_token ?? null,
              types: types ? [...new Set(types)] : null,
            }
          : null,
      });
      summary.apps += 1;
    }

    const users = (t.users ?? []).map(
      (u): User => ({
        tenantKey,
        userId: u.user_id,
        openId: u.open_id ?? `ou_${u.user_id}`,
        unionId: u.union_id ?? `on_${u.user_id}`,
        name: u.name ?? u.user_id,
        leaderUserId: u.leader_user_id ?? null,
        departmentIds: u.department_ids ?? [],
      }),
    );
    const departments = (t.departments ?? []).map(
      (d): Department => ({
        tenantKey,
        departmentId: d.department_id,
        openDepartmentId: d.open_department_id ?? `od-${d.department_id}`,
        name: d.name,
        parentDepartmentId: d.parent_department_id ?? '0',
        leaderUserId: d.leader_user_id ?? null,
      }),
    );

    checkDepartmentsUnique(departments, `${path}.departments`);
    await checkUsersUnique(tx, users, `${path}.users`);
    for (const [i, d] of departments.entries()) {
      try {
        await tx.directory.upsertDepartment(d);
      } catch (err) {
        // The store refuses what breaks its unique keys, e.g. an open_department_id held by another department.
        throw new FixtureError(`${path}.departments[${i}]`, `cannot be stored: ${(err as Error).message}`);
      }
    }
    for (const u of users) await tx.directory.upsertUser(u);
    await checkReferences(tx, tenantKey, users, departments, path);
    summary.departments += departments.length;
    summary.users += users.length;

    for (const [i, body] of (t.approvals ?? []).entries()) {
      const at = `${path}.approvals[${i}]`;
      if (!this.approvals) throw new FixtureError(at, 'approval definitions cannot be loaded by this server');
      summary.approvals.push(await this.approvals.upsert(tx, tenantKey, body, at));
    }
  }
}

function parse(document: unknown): Fixture {
  if (validator.Check(document)) return document;
  throw schemaRefusal(validator.Errors(document), '', 'not a fixture document');
}

interface SchemaError {
  keyword: string;
  schemaPath: string;
  instancePath: string;
  params: unknown;
  message?: string;
}

/** The first schema error, as a FixtureError naming its JSON path below `base` (a path of its own). */
export function schemaRefusal(errors: Iterable<SchemaError>, base: string, fallback: string): FixtureError {
  const [first] = errors;
  const at = (pointer: string) => [base, jsonPath(pointer)].filter(Boolean).join('.');
  // TypeBox reports an unknown key first as the `false` schema of `additionalProperties`, at the key itself.
  if (first?.keyword === 'boolean' && first.schemaPath.endsWith('/additionalProperties')) {
    const pointer = first.instancePath;
    const key = pointer.slice(pointer.lastIndexOf('/') + 1).replace(/~1/g, '/').replace(/~0/g, '~');
    return new FixtureError(at(pointer.slice(0, pointer.lastIndexOf('/'))), `unknown field "${key}"`);
  }
  const path = at(first?.instancePath ?? '');
  const params = (first?.params ?? {}) as { requiredProperties?: string[]; additionalProperties?: string[] };
  if (first?.keyword === 'required' && params.requiredProperties) {
    return new FixtureError(path, `missing ${params.requiredProperties.map((p) => `"${p}"`).join(', ')}`);
  }
  if (first?.keyword === 'additionalProperties' && params.additionalProperties) {
    return new FixtureError(path, `unknown field ${params.additionalProperties.map((p) => `"${p}"`).join(', ')}`);
  }
  return new FixtureError(path, first?.message ?? fallback);
}

function checkUniqueTenants(fixture: Fixture): void {
  const seen = new Set<string>();
  for (const [i, t] of fixture.tenants.entries()) {
    if (seen.has(t.tenant_key)) throw new FixtureError(`tenants[${i}].tenant_key`, `"${t.tenant_key}" appears twice`);
    seen.add(t.tenant_key);
  }
}

/** department_id and open_department_id each name one department of the file. */
function checkDepartmentsUnique(departments: Department[], path: string): void {
  const seen = new Set<string>();
  for (const [i, d] of departments.entries()) {
    for (const [field, value] of [
      ['department_id', d.departmentId],
      ['open_department_id', d.openDepartmentId],
    ] as const) {
      const key = `${field}:${value}`;
      if (seen.has(key)) throw new FixtureError(`${path}[${i}].${field}`, `"${value}" appears twice`);
      seen.add(key);
    }
  }
}

/** user_id, open_id and union_id each name one person in a tenant, in the file and against what is stored. */
async function checkUsersUnique(tx: Store, users: User[], path: string): Promise<void> {
  const seen = new Map<string, string>();
  for (const [i, u] of users.entries()) {
    for (const [field, type, value] of [
      ['user_id', 'user_id', u.userId],
      ['open_id', 'open_id', u.openId],
      ['union_id', 'union_id', u.unionId],
    ] as const) {
      const key = `${field}:${value}`;
      if (seen.has(key)) throw new FixtureError(`${path}[${i}].${field}`, `"${value}" appears twice`);
      seen.set(key, u.userId);
      if (type === 'user_id') continue;
      const holder = await tx.directory.findUser(u.tenantKey, type, value);
      if (holder && holder.userId !== u.userId) {
        throw new FixtureError(`${path}[${i}].${field}`, `"${value}" already names user "${holder.userId}"`);
      }
    }
  }
}

/** Leaders and departments must exist once the tenant's rows are written (in the file or stored before). */
async function checkReferences(
  tx: Store,
  tenantKey: string,
  users: User[],
  departments: Department[],
  path: string,
): Promise<void> {
  const userExists = async (userId: string) => (await tx.directory.findUser(tenantKey, 'user_id', userId)) !== undefined;
  const departmentExists = async (id: string) => (await tx.directory.findDepartment(tenantKey, id)) !== undefined;
  for (const [i, d] of departments.entries()) {
    if (d.leaderUserId && !(await userExists(d.leaderUserId))) {
      throw new FixtureError(`${path}.departments[${i}].leader_user_id`, `no user "${d.leaderUserId}" in tenant "${tenantKey}"`);
    }
    if (d.parentDepartmentId !== '0' && !(await departmentExists(d.parentDepartmentId))) {
      throw new FixtureError(
        `${path}.departments[${i}].parent_department_id`,
        `no department "${d.parentDepartmentId}" in tenant "${tenantKey}"`,
      );
    }
  }
  for (const [i, u] of users.entries()) {
    if (u.leaderUserId && !(await userExists(u.leaderUserId))) {
      throw new FixtureError(`${path}.users[${i}].leader_user_id`, `no user "${u.leaderUserId}" in tenant "${tenantKey}"`);
    }
    for (const [j, id] of u.departmentIds.entries()) {
      if (!(await departmentExists(id))) {
        throw new FixtureError(`${path}.users[${i}].department_ids[${j}]`, `no department "${id}" in tenant "${tenantKey}"`);
      }
    }
  }
}
