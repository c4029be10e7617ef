/**
 * Short hands for the approval end-to-end tests: a served demo tenant, instance and task calls over real
 * HTTP, custom definitions, the outbox as stored, and the Feishu error envelope check.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { unwrap } from '../../src/domain/errors.js';
import { demoFixture, DEMO_APP, DEMO_LEAVE_CODE } from '../../src/fixtures/demo.js';
import { createServices, type Services } from '../../src/services/index.js';
import type { Store } from '../../src/services/ports.js';
import { rows } from './db-snapshot.js';
import { admin, call, queryString, tenantToken, type Answer } from './http.js';
import { startTestServer, type TestServer } from './server.js';

export const V4 = '/open-apis/approval/v4';

/** The documented msg of every approval code these tests expect (approval-v4.md §6), and its HTTP status. */
export const DOCUMENTED = {
  1390001: { msg: 'param is invalid', http: 400 },
  1390002: { msg: 'approval code not found', http: 400 },
  1390003: { msg: 'instance code not found', http: 400 },
  1390004: { msg: 'user_id or open_id not found', http: 400 },
  1390010: { msg: 'task not found', http: 400 },
  1390014: { msg: 'Do not synchronize the same approval instance for a short period of time!', http: 400 },
  1390018: { msg: 'not support handwritten signature', http: 400 },
} as const;

export type UserIdType = 'open_id' | 'union_id' | 'user_id';

/** A running server with the demo tenant, and a tenant token of its demo app. */
export interface Served {
  server: TestServer;
  url: string;
  token: string;
}

export async function serve(t: TestContext): Promise<Served> {
  const server = await startTestServer();
  t.after(() => server.close());
  return { server, url: server.url, token: await tenantToken(server.url) };
}

const withType = (path: string, userIdType?: UserIdType) => (userIdType ? `${path}?user_id_type=${userIdType}` : path);

// ---- errors ----

/** A Feishu error envelope: HTTP status, code and msg as documented, a log id, and a reason matching `reason`. */
export function assertRefused(answer: Answer, code: keyof typeof DOCUMENTED, reason?: RegExp): string {
  const expected = DOCUMENTED[code];
  assert.equal(answer.status, expected.http, answer.text);
  assert.equal(answer.body?.code, code, answer.text);
  assert.equal(answer.body.msg, expected.msg, answer.text);
  assert.equal(answer.body.data, undefined, answer.text);
  assert.equal(typeof answer.body.error?.log_id, 'string', answer.text);
  assert.equal(answer.body.error.log_id, answer.headers.get('x-tt-logid'));
  const detail = answer.body.error.details?.[0];
  assert.equal(detail?.key, 'reason', answer.text);
  assert.equal(typeof detail.value, 'string', answer.text);
  assert.ok(detail.value.length > 0, answer.text);
  if (reason) assert.match(detail.value, reason);
  return detail.value as string;
}

export function assertSuccess(answer: Answer): any {
  assert.equal(answer.status, 200, answer.text);
  assert.equal(answer.body?.code, 0, answer.text);
  assert.equal(answer.body.msg, 'success', answer.text);
  return answer.body.data;
}

// ---- definitions ----

export interface NodeSpec {
  id: string;
  name?: string;
  node_type?: string;
  approver: { type: string; user_id?: string; level?: string }[];
  ccer?: { type: string; user_id?: string; level?: string }[];
  require_signature?: boolean;
}

/** A create-approval body: one input widget `reason`, the given nodes between START and END. */
export function definitionBody(options: {
  nodes: NodeSpec[];
  settings?: Record<string, number>;
  name?: string;
  approval_code?: string;
}) {
  const texts = [{ key: '@i18n@name', value: options.name ?? 'Custom request' }, { key: '@i18n@reason', value: 'Reason' }];
  return {
    approval_name: '@i18n@name',
    ...(options.approval_code ? { approval_code: options.approval_code } : {}),
    viewers: [{ viewer_type: 'TENANT' }],
    form: { form_content: JSON.stringify([{ id: 'reason', type: 'input', name: '@i18n@reason', required: true }]) },
    node_list: [{ id: 'START' }, ...options.nodes, { id: 'END' }],
    ...(options.settings ? { settings: options.settings } : {}),
    i18n_resources: [{ locale: 'en-US', is_default: true, texts }],
  };
}

/** POSTs a definition (approver user ids as user_id) and answers its approval_code. */
export async function customDefinition(ctx: Served, options: Parameters<typeof definitionBody>[0]): Promise<string> {
  const answer = await call(ctx.url, `${V4}/approvals?user_id_type=user_id`, { token: ctx.token, json: definitionBody(options) });
  return assertSuccess(answer).approval_code as string;
}

/** A definition whose only node is Bob alone (AND), with the given revoke settings. */
export const bobOnly = (ctx: Served, settings?: Record<string, number>) =>
  customDefinition(ctx, {
    nodes: [{ id: 'bob', node_type: 'AND', approver: [{ type: 'Personal', user_id: 'u_bob' }] }],
    ...(settings ? { settings } : {}),
  });

/** Bob, then Carol: two Personal AND nodes with the custom ids `bob` and `carol`, the default revoke settings. */
export const bobThenCarol = (ctx: Served) =>
  customDefinition(ctx, {
    nodes: [
      { id: 'bob', node_type: 'AND', approver: [{ type: 'Personal', user_id: 'u_bob' }] },
      { id: 'carol', node_type: 'AND', approver: [{ type: 'Personal', user_id: 'u_carol' }] },
    ],
  });

/** Loads a fixture through the admin API and answers what it loaded. */
export async function loadFixture(ctx: Served, fixture: unknown): Promise<any> {
  const loaded = await admin(ctx.url, '/fixtures', { json: fixture });
  assert.equal(loaded.status, 200, loaded.text);
  return loaded.body.loaded;
}

// ---- instances ----

export const reasonForm = (reason = 'a day off') => JSON.stringify([{ id: 'reason', type: 'input', value: reason }]);

/** Services over `store` with the demo data loaded, without a server (for tests that look at the store itself). */
export async function demoServices(store: Store): Promise<Services> {
  const services = createServices(store, { emulator: false });
  await services.fixtures.load(demoFixture);
  return services;
}

/** The demo app calling the services directly, as its token would make it (demoServices). */
export const DEMO_CALLER = { tenantKey: 'acme', appId: DEMO_APP.app_id };

/** Alice's PENDING Leave instance, created through `services` (demoServices): its code. */
export async function createLeaveThrough(services: Services): Promise<string> {
  return unwrap(await services.instances.create(DEMO_CALLER, { approval_code: DEMO_LEAVE_CODE, open_id: 'ou_alice', form: reasonForm() })).instanceCode;
}

export const createInstance = (ctx: Served, body: Record<string, unknown>) =>
  call(ctx.url, `${V4}/instances`, { token: ctx.token, json: body });

/** Creates an instance of `approvalCode` (the leave by default) submitted by Alice; answers its code. */
export async function createLeave(
  ctx: Served,
  options: { approvalCode?: string; open_id?: string; forbid_revoke?: boolean; uuid?: string; extra?: Record<string, unknown> } = {},
): Promise<string> {
  const answer = await createInstance(ctx, {
    approval_code: options.approvalCode ?? DEMO_LEAVE_CODE,
    open_id: options.open_id ?? 'ou_alice',
    form: reasonForm(),
    ...(options.forbid_revoke !== undefined ? { forbid_revoke: options.forbid_revoke } : {}),
    ...(options.uuid ? { uuid: options.uuid } : {}),
    ...options.extra,
  });
  const code = assertSuccess(answer).instance_code;
  assert.match(code, /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
  return code as string;
}

export const getInstanceAnswer = (ctx: Served, instanceId: string, userIdType?: UserIdType, token = ctx.token) =>
  call(ctx.url, withType(`${V4}/instances/${instanceId}`, userIdType), { token });

/** GET /instances/:instance_id's data. */
export async function getInstance(ctx: Served, instanceId: string, userIdType?: UserIdType): Promise<any> {
  return assertSuccess(await getInstanceAnswer(ctx, instanceId, userIdType));
}

// ---- actions ----

export interface CancelBody {
  approval_code?: unknown;
  instance_code?: unknown;
  user_id?: unknown;
}

export const cancel = (ctx: Served, body: CancelBody, userIdType?: UserIdType, token = ctx.token) =>
  call(ctx.url, withType(`${V4}/instances/cancel`, userIdType), { token, json: body });

/** Alice withdraws her instance of the leave definition (open_id by default). */
export const aliceCancels = (ctx: Served, instanceCode: string, approvalCode = DEMO_LEAVE_CODE) =>
  cancel(ctx, { approval_code: approvalCode, instance_code: instanceCode, user_id: 'ou_alice' });

export interface TaskActionBody {
  approval_code: string;
  instance_code: string;
  user_id: string;
  task_id: string;
  comment?: string;
  transfer_user_id?: string;
}

export const taskAction = (ctx: Served, action: 'approve' | 'reject' | 'transfer', body: TaskActionBody, userIdType?: UserIdType) =>
  call(ctx.url, withType(`${V4}/tasks/${action}`, userIdType), { token: ctx.token, json: body });

/** POST /instances/add_sign (every id a user_id: the SDK sends no user_id_type). */
export const addSign = (ctx: Served, body: Record<string, unknown>, token = ctx.token) =>
  call(ctx.url, `${V4}/instances/add_sign`, { token, json: body });

/** POST /instances/specified_rollback. */
export const rollback = (ctx: Served, body: Record<string, unknown>, userIdType?: UserIdType, token = ctx.token) =>
  call(ctx.url, withType(`${V4}/instances/specified_rollback`, userIdType), { token, json: body });

/** POST /tasks/resubmit. */
export const resubmit = (ctx: Served, body: Record<string, unknown>, userIdType?: UserIdType, token = ctx.token) =>
  call(ctx.url, withType(`${V4}/tasks/resubmit`, userIdType), { token, json: body });

/** GET /tasks/query with the given query parameters. */
export const tasksQuery = (ctx: Served, query: Record<string, string | number>) =>
  call(ctx.url, `${V4}/tasks/query?${queryString(query)}`, {
    token: ctx.token,
  });

/** The PENDING task of `openId` (the only one, asserted). */
export async function pendingTaskOf(ctx: Served, instanceCode: string, openId: string): Promise<any> {
  const { task_list } = await getInstance(ctx, instanceCode);
  const mine = task_list.filter((t: any) => t.open_id === openId && t.status === 'PENDING');
  assert.equal(mine.length, 1, `one pending task of ${openId}: ${JSON.stringify(task_list)}`);
  return mine[0];
}

/** The user (open_id) approves their pending task; asserts success. */
export async function approveAs(ctx: Served, instanceCode: string, openId: string, approvalCode = DEMO_LEAVE_CODE) {
  const task = await pendingTaskOf(ctx, instanceCode, openId);
  assertSuccess(
    await taskAction(ctx, 'approve', { approval_code: approvalCode, instance_code: instanceCode, user_id: openId, task_id: task.id }),
  );
}

/** The user (open_id) rejects their pending task; asserts success. */
export async function rejectAs(ctx: Served, instanceCode: string, openId: string, approvalCode = DEMO_LEAVE_CODE) {
  const task = await pendingTaskOf(ctx, instanceCode, openId);
  assertSuccess(
    await taskAction(ctx, 'reject', { approval_code: approvalCode, instance_code: instanceCode, user_id: openId, task_id: task.id }),
  );
}

// ---- clock and storage ----

/** Moves the server clock on; tokens expire with it, so `ctx.token` is replaced by a fresh one. */
export async function advanceClock(ctx: Served, ms: number): Promise<void> {
  const answer = await admin(ctx.url, '/clock', { json: { advance_ms: ms } });
  assert.equal(answer.status, 200, answer.text);
  ctx.token = await tenantToken(ctx.url);
}

export interface OutboxRow {
  event_type: string;
  seq: number;
  payload: Record<string, any>;
}

/** The outbox rows of one instance, in delivery order, read straight from the store. */
export async function outboxOf(ctx: Served, instanceCode: string): Promise<OutboxRow[]> {
  const stored = await rows(ctx.server.databaseUrl, 'outbox', { instance_code: instanceCode });
  return stored
    .map((r) => ({ event_type: String(r.event_type), seq: Number(r.seq), payload: JSON.parse(String(r.payload)) }))
    .sort((a, b) => a.seq - b.seq);
}

/** The approval_instance statuses of the outbox, in order. */
export const instanceEvents = async (ctx: Served, instanceCode: string): Promise<string[]> =>
  (await outboxOf(ctx, instanceCode))
    .filter((r) => r.event_type === 'approval_instance')
    .map((r) => r.payload.status);

// ---- the revoke round ----

/** The codes of a definition's instances, oldest first, as `GET /instances` lists them. */
export async function instanceCodes(ctx: Served, approvalCode = DEMO_LEAVE_CODE): Promise<string[]> {
  const answer = await call(ctx.url, `${V4}/instances?approval_code=${approvalCode}&start_time=0&end_time=9999999999999`, {
    token: ctx.token,
  });
  return assertSuccess(answer).instance_code_list as string[];
}

/** The revoke requests of an instance, found as a client would: listed, then read for `reverted_instance_code`. */
export async function revokeRequestsOf(ctx: Served, originalCode: string, approvalCode = DEMO_LEAVE_CODE): Promise<any[]> {
  const requests = [];
  for (const code of await instanceCodes(ctx, approvalCode)) {
    const instance = await getInstance(ctx, code);
    if (instance.reverted_instance_code === originalCode) requests.push(instance);
  }
  return requests;
}

/** The one revoke request of an instance (asserted). */
export async function revokeRequestOf(ctx: Served, originalCode: string, approvalCode = DEMO_LEAVE_CODE): Promise<any> {
  const requests = await revokeRequestsOf(ctx, originalCode, approvalCode);
  assert.equal(requests.length, 1, `one revoke request of ${originalCode}`);
  return requests[0];
}
