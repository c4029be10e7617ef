/** Short hands for the third-party (external) approval tests: definitions, syncs over real HTTP, a frozen clock. */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { RESYNC_WINDOW_MS } from '../../src/domain/approval/external-instance.js';
import { advanceClock, assertSuccess, V4, type Served, type UserIdType } from './approval.js';
import { admin, call, queryString, tenantToken, type Answer } from './http.js';

/** A fixed instant for the clock to stand at, so that sync windows never depend on the machine's speed. */
export const AT = Date.UTC(2030, 0, 1);

/** Stops the server clock at `now`; tokens follow the clock, so `ctx.token` is replaced by a fresh one. */
export async function freezeClock(ctx: Served, now = AT): Promise<void> {
  const answer = await admin(ctx.url, '/clock', { json: { now, frozen: true } });
  assert.equal(answer.status, 200, answer.text);
  ctx.token = await tenantToken(ctx.url);
}

/** Moves the frozen clock past the resync window, so that the next sync of an instance is accepted. */
export const pastWindow = (ctx: Served) => advanceClock(ctx, RESYNC_WINDOW_MS);

export const texts = (entries: Record<string, string>, locale = 'en-US', isDefault = true) => ({
  locale,
  is_default: isDefault,
  texts: Object.entries(entries).map(([key, value]) => ({ key, value })),
});

/** A create body of a third-party definition with the code `code`, in group `hr`. */
export const externalApprovalBody = (code: string, extra: Record<string, unknown> = {}) => ({
  approval_name: '@i18n@ext_name',
  approval_code: code,
  group_code: 'hr',
  group_name: '@i18n@group',
  description: '@i18n@desc',
  external: { biz_name: '@i18n@biz', support_pc: true, support_mobile: true, create_link_pc: 'https://oa.example/new' },
  viewers: [{ viewer_type: 'TENANT' }],
  i18n_resources: [texts({ '@i18n@ext_name': 'Expense (OA)', '@i18n@group': 'HR', '@i18n@desc': 'From the OA', '@i18n@biz': 'OA' })],
  ...extra,
});

export const createExternalApproval = (ctx: Served, body: Record<string, unknown>, userIdType?: UserIdType) =>
  call(ctx.url, `${V4}/external_approvals${userIdType ? `?user_id_type=${userIdType}` : ''}`, { token: ctx.token, json: body });

/** Creates the definition; answers the code create returned. */
export async function externalApproval(ctx: Served, code = 'oa_expense', extra: Record<string, unknown> = {}): Promise<string> {
  return assertSuccess(await createExternalApproval(ctx, externalApprovalBody(code, extra))).approval_code as string;
}

export const getExternalApproval = (ctx: Served, code: string, userIdType?: UserIdType) =>
  call(ctx.url, `${V4}/external_approvals/${code}${userIdType ? `?user_id_type=${userIdType}` : ''}`, { token: ctx.token });

const link = (path: string) => ({ pc_link: `https://oa.example/${path}`, mobile_link: `https://m.oa.example/${path}` });

export interface TaskSpec {
  task_id: string;
  open_id?: string;
  user_id?: string;
  status?: string;
  title?: string;
  create_time?: string;
  update_time?: string;
  [field: string]: unknown;
}

export const externalTask = (spec: TaskSpec) => ({
  links: link(`task/${spec.task_id}`),
  status: 'PENDING',
  create_time: String(AT),
  end_time: '0',
  update_time: String(AT),
  ...spec,
});

export const externalCc = (spec: { cc_id: string; open_id?: string; read_status?: string; [field: string]: unknown }) => ({
  links: link(`cc/${spec.cc_id}`),
  read_status: 'UNREAD',
  create_time: String(AT),
  update_time: String(AT),
  ...spec,
});

/** A sync body of instance `id` of `approvalCode`, submitted by Alice, with the given tasks and CCs. */
export const instanceBody = (
  approvalCode: string,
  id: string,
  extra: { task_list?: unknown[]; cc_list?: unknown[]; [field: string]: unknown } = {},
) => ({
  approval_code: approvalCode,
  instance_id: id,
  status: 'PENDING',
  links: link(`instance/${id}`),
  title: '@i18n@title',
  form: [{ name: '@i18n@amount', value: '120' }],
  open_id: 'ou_alice',
  user_name: '@i18n@alice',
  department_id: 'eng',
  department_name: '@i18n@eng',
  start_time: String(AT),
  end_time: '0',
  update_time: String(AT),
  i18n_resources: [instanceTexts(id)],
  ...extra,
});

/** The texts `instanceBody` uses, and `more` (titles of its tasks and CCs). */
export const instanceTexts = (id: string, more: Record<string, string> = {}) =>
  texts({ '@i18n@title': `Expense ${id}`, '@i18n@amount': 'Amount', '@i18n@alice': 'Alice', '@i18n@eng': 'Engineering', ...more });

export const syncInstance = (ctx: Served, body: Record<string, unknown>, token = ctx.token) =>
  call(ctx.url, `${V4}/external_instances`, { token, json: body });

/** Syncs and answers the data of a success. */
export async function synced(ctx: Served, body: Record<string, unknown>): Promise<any> {
  return assertSuccess(await syncInstance(ctx, body));
}

export const checkInstances = (ctx: Served, instances: unknown[]) =>
  call(ctx.url, `${V4}/external_instances/check`, { token: ctx.token, json: { instances } });

/** A request over node:http, which (unlike fetch) sends a body with a GET, as the Node SDK does. */
function requestWithBody(url: string, method: string, token: string, json: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify(json);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
    const req = httpRequest(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // Not JSON: the text is the body.
        }
        const answerHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers)) if (typeof value === 'string') answerHeaders.set(name, value);
        resolve({ status: res.statusCode ?? 0, headers: answerHeaders, body: parsed, text });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** GET /external_tasks with its filters in a JSON body, as the Node SDK sends them. */
export const externalTasks = (ctx: Served, body: Record<string, unknown>, query: Record<string, string | number> = {}) =>
  requestWithBody(
    `${ctx.url}${V4}/external_tasks?${queryString(query)}`,
    'GET',
    ctx.token,
    body,
  );
