/**
 * The data the fuzzer runs against: the demo tenant and a second one (globex, whose people reuse the demo's
 * id strings), tokens of every kind, instances in every state (pending, approved, rejected, withdrawn, in a
 * revoke round, with a uuid, with comments and a CC), an app delivering events to a receiver on the
 * loopback; and the resolution of the fuzzer's references (fuzz-values.ts Ref) against the database as it
 * is when a request goes out.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_APP, DEMO_LEAVE_CODE, DEMO_PURCHASE_CODE, demoFixture } from '../../src/fixtures/demo.js';
import { GLOBEX_APP, globexFixture } from '../helpers/fixtures.js';
import { admin, call, tenantToken } from '../helpers/http.js';
import type { TestServer } from '../helpers/server.js';
import type { DbState } from './fuzz-db.js';
import { Ref, type IdType, type Value } from './fuzz-values.js';

const V4 = '/open-apis/approval/v4';

/** The server clock while the fuzzer runs: frozen, so that a run replays the same, and tokens never expire. */
export const FUZZ_NOW = Date.UTC(2025, 0, 6, 9, 0, 0);

/** The demo tenant and globex, as one fixture file (a reset loads it again). */
export function writeFixtureFile(): { path: string; remove(): void } {
  const folder = mkdtempSync(join(tmpdir(), 'shenpi-fuzz-'));
  const path = join(folder, 'fixture.json');
  writeFileSync(path, JSON.stringify({ tenants: [...demoFixture.tenants, ...globexFixture().tenants] }));
  return { path, remove: () => rmSync(folder, { recursive: true, force: true }) };
}

/**
 * Where the demo app's events go: answers the url_verification challenge and takes every event with a 200;
 * `/fail` answers 500, so failed deliveries happen too.
 */
export async function startReceiver(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.url?.startsWith('/fail')) return void response.writeHead(500).end();
      let body: { type?: unknown; challenge?: unknown } = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        // An encrypted or odd body: taken all the same.
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body.type === 'url_verification' ? { challenge: body.challenge } : {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/events`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The tokens the fuzzer sends. */
export interface Tokens {
  tenant: string;
  otherTenant: string;
  expired: string;
  app: string;
}

const ok = (answer: { status: number; body: any; text: string }) => {
  assert.equal(answer.body?.code, 0, answer.text);
  return answer.body.data;
};

/**
 * Loads the world into a fresh server (started with the fixture file and no demo) and snapshots it: every
 * run of the fuzzer starts from this snapshot.
 */
export async function buildWorld(server: TestServer, receiverUrl: string): Promise<{ tokens: Tokens; snapshotId: string }> {
  const { url } = server;
  const clock = async (now: number) => assert.equal((await admin(url, '/clock', { json: { now, frozen: true } })).status, 200);
  await clock(FUZZ_NOW - 3 * 3_600_000);
  const expired = await tenantToken(url);
  await clock(FUZZ_NOW);
  const appAnswer = await call(url, '/open-apis/auth/v3/app_access_token/internal', { json: DEMO_APP });
  const tokens: Tokens = {
    tenant: await tenantToken(url),
    otherTenant: await tenantToken(url, GLOBEX_APP),
    expired,
    app: appAnswer.body.app_access_token,
  };
  const as = (token: string) => ({
    post: (path: string, json: unknown) => call(url, `${V4}${path}`, { token, json }),
    get: (path: string) => call(url, `${V4}${path}`, { token }),
  });
  const acme = as(tokens.tenant);
  const globex = as(tokens.otherTenant);

  assert.equal((await admin(url, '/apps/cli_acme_demo/event', { method: 'PUT', json: { url: receiverUrl } })).status, 200);
  ok(await acme.post(`/approvals/${DEMO_LEAVE_CODE}/subscribe`, {}));

  const form = (reason: string) => JSON.stringify([{ id: 'reason', type: 'input', value: reason }]);
  const leave = async (extra: Record<string, unknown> = {}) => {
    const body = { approval_code: DEMO_LEAVE_CODE, open_id: 'ou_alice', form: form('a day off'), ...extra };
    return ok(await acme.post('/instances', body)).instance_code as string;
  };
  const bobsTask = async (code: string) =>
    (ok(await acme.get(`/instances/${code}`)).task_list as { id: string; open_id: string; status: string }[]).find(
      (task) => task.open_id === 'ou_bob' && task.status === 'PENDING',
    )!.id;
  const act = async (action: 'approve' | 'reject', code: string) =>
    ok(
      await acme.post(`/tasks/${action}`, {
        approval_code: DEMO_LEAVE_CODE,
        instance_code: code,
        user_id: 'ou_bob',
        task_id: await bobsTask(code),
      }),
    );
  const withdraw = (code: string) =>
    acme.post('/instances/cancel', { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: 'ou_alice' });

  const pending = await leave({ title: 'pending, with comments and a CC' });
  const content = (text: string) => JSON.stringify({ text, files: [] });
  const comment = ok(await acme.post(`/instances/${pending}/comments?user_id=ou_alice`, { content: content('see the plan') }))
    .comment_id as string;
  const reply = { content: content('agreed'), parent_comment_id: comment };
  ok(await acme.post(`/instances/${pending}/comments?user_id=ou_bob`, reply));
  const cc = { approval_code: DEMO_LEAVE_CODE, instance_code: pending, user_id: 'ou_alice', cc_user_ids: ['ou_carol'] };
  ok(await acme.post('/instances/cc', cc));
  await act('approve', await leave({ title: 'approved' }));
  await act('reject', await leave({ title: 'rejected' }));
  ok(await withdraw(await leave({ title: 'withdrawn' })));
  const revoked = await leave({ title: 'approved, then in a revoke round' });
  await act('approve', revoked);
  ok(await withdraw(revoked));
  await leave({ uuid: 'fuzz-uuid-1', forbid_revoke: true, title: 'with a uuid, not to be withdrawn' });
  ok(
    await acme.post('/instances', {
      approval_code: DEMO_PURCHASE_CODE,
      open_id: 'ou_alice',
      form: JSON.stringify([
        { id: 'item', type: 'input', value: 'laptop' },
        { id: 'amount', type: 'amount', value: '1200' },
      ]),
    }),
  );
  const trip = ok(
    await globex.post('/approvals?user_id_type=user_id', {
      approval_name: '@i18n@trip',
      viewers: [{ viewer_type: 'TENANT' }],
      form: { form_content: JSON.stringify([{ id: 'reason', type: 'input', name: '@i18n@reason', required: true }]) },
      node_list: [
        { id: 'START' },
        { id: 'lead', name: '@i18n@lead', node_type: 'AND', approver: [{ type: 'Supervisor', level: '1' }] },
        { id: 'END' },
      ],
      i18n_resources: [
        {
          locale: 'en-US',
          is_default: true,
          texts: [
            { key: '@i18n@trip', value: 'Trip' },
            { key: '@i18n@reason', value: 'Reason' },
            { key: '@i18n@lead', value: 'Lead' },
          ],
        },
      ],
    }),
  ).approval_code as string;
  ok(await globex.post('/instances', { approval_code: trip, open_id: 'ou_alice', form: form('a conference') }));

  return { tokens, snapshotId: await server.services.emulator.snapshot() };
}

type Row = Record<string, any>;

interface Rows {
  approvals: Row[];
  instances: Row[];
  tasks: Row[];
  users: Row[];
  comments: Row[];
  eventIds: string[];
  appIds: string[];
  tenantKeys: string[];
}

const parse = (state: DbState, table: string): Row[] => (state[table] ?? []).map((row) => JSON.parse(row) as Row);

/** The k-th item, or undefined when there is none. */
const pick = <T>(items: readonly T[], k: number): T | undefined => items[k % Math.max(items.length, 1)];

/** What the references of one request resolve against. */
export interface RequestContext {
  anchor: number;
  /** What user ids are read as: the request's user_id_type (fuzz.test.ts `prepare` decides). */
  idType: IdType;
}

/** Resolves references against the latest database state and the page tokens answers have handed out. */
export class World {
  private rowsOf = new WeakMap<DbState, Rows>();
  /** page_token values of recent answers, for requests that page on. */
  readonly pageTokens: string[] = [];

  constructor(
    private readonly eventUrl: string,
    private readonly snapshotId: string,
  ) {}

  /** The database as the next request finds it; set before each request. */
  state!: DbState;

  private rows(): Rows {
    let rows = this.rowsOf.get(this.state);
    if (!rows) {
      rows = {
        approvals: parse(this.state, 'approvals'),
        instances: parse(this.state, 'instances'),
        tasks: parse(this.state, 'tasks'),
        users: parse(this.state, 'users'),
        comments: parse(this.state, 'instance_comments'),
        eventIds: parse(this.state, 'outbox').map((row) => String(row.event_id)),
        appIds: parse(this.state, 'apps').map((row) => String(row.app_id)),
        tenantKeys: parse(this.state, 'tenants').map((row) => String(row.tenant_key)),
      };
      this.rowsOf.set(this.state, rows);
    }
    return rows;
  }

  notePageToken(token: unknown): void {
    if (typeof token !== 'string' || token === '') return;
    this.pageTokens.push(token);
    if (this.pageTokens.length > 20) this.pageTokens.shift();
  }

  resolve(ref: Ref, context: RequestContext): Value {
    const rows = this.rows();
    const anchor = pick(rows.instances, context.anchor);
    const instance = ref.anchored ? anchor : pick(rows.instances, ref.k);
    const userId = (tenantKey: string | undefined, id: string | undefined): string => {
      const user = rows.users.find((u) => u.tenant_key === tenantKey && u.user_id === id);
      return String(user?.[ref.idType ?? context.idType] ?? id ?? 'nobody');
    };
    // Within the anchor instance, every anchored reference picks by the anchor: the task and its assignee agree.
    const k = ref.anchored ? context.anchor : ref.k;
    const tasksOf = (code: string | undefined) => {
      const all = rows.tasks.filter((task) => task.instance_code === code);
      const pending = all.filter((task) => task.status === 'PENDING');
      return pick(pending.length ? pending : all, k);
    };
    const comment = () =>
      pick(ref.anchored ? rows.comments.filter((c) => c.instance_code === anchor?.instance_code) : rows.comments, k);
    switch (ref.kind) {
      case 'approval': {
        const approval = ref.anchored ? anchor?.approval_code : pick(rows.approvals, ref.k)?.approval_code;
        return String(approval ?? 'no-approval');
      }
      case 'instance':
        return String(instance?.instance_code ?? 'no-instance');
      case 'uuid':
        return String(pick(rows.instances.filter((i) => i.uuid), ref.k)?.uuid ?? 'no-uuid');
      case 'submitter':
        return userId(instance?.tenant_key, instance?.submitter);
      case 'assignee': {
        const task = tasksOf(instance?.instance_code);
        return userId(task?.tenant_key ?? instance?.tenant_key, task?.user_id || instance?.submitter);
      }
      case 'user': {
        const users = ref.anchored ? rows.users.filter((u) => u.tenant_key === anchor?.tenant_key) : rows.users;
        const user = pick(users, ref.k);
        return userId(user?.tenant_key, user?.user_id);
      }
      case 'task':
        return String(tasksOf(instance?.instance_code)?.task_id ?? 'no-task');
      case 'comment':
        return String(comment()?.comment_id ?? 'no-comment');
      case 'commentator': {
        const found = comment();
        return userId(found?.tenant_key, found?.commentator);
      }
      case 'form': {
        const approval = ref.anchored
          ? rows.approvals.find((a) => a.approval_code === anchor?.approval_code)
          : pick(rows.approvals, ref.k);
        return formFor(approval, ref.k);
      }
      case 'content':
        return JSON.stringify({ text: `comment ${ref.k}`, files: [] });
      case 'pageToken':
        return pick(this.pageTokens, ref.k) ?? 'no-page-token';
      case 'eventId':
        return pick(rows.eventIds, ref.k) ?? 'no-event';
      case 'appId':
        return pick(rows.appIds, ref.k) ?? 'no-app';
      case 'tenantKey':
        return pick(rows.tenantKeys, ref.k) ?? 'no-tenant';
      case 'snapshot':
        return this.snapshotId;
      case 'eventUrl':
        return ref.k % 4 === 0 ? this.eventUrl.replace('/events', '/fail') : this.eventUrl;
    }
  }
}

/** A widget of a stored definition's form. */
interface Widget {
  id: string;
  type: string;
  required?: boolean;
  options?: { value: string }[];
}

/** A form that fits the definition's widgets: every required one filled, the optional ones on odd k. */
function formFor(approval: Row | undefined, k: number): string {
  if (!approval) return '[]';
  const widgets = JSON.parse(String(approval.definition)).form as Widget[];
  return JSON.stringify(
    widgets
      .filter((widget) => widget.required || k % 2 === 1)
      .map((widget) => ({ id: widget.id, type: widget.type, value: widgetValue(widget, k) })),
  );
}

function widgetValue(widget: Widget, k: number): unknown {
  switch (widget.type) {
    case 'number':
    case 'amount':
    case 'formula':
      return k % 3 === 0 ? k : String(k * 1.5);
    case 'dateInterval':
      return { start: '2025-01-06', end: '2025-01-07' };
    case 'radio':
    case 'radioV2':
      return widget.options?.[0]?.value ?? 'a';
    case 'checkboxV2':
      return widget.options?.slice(0, 1).map((o) => o.value) ?? [];
    case 'contact':
      return [];
    default:
      return `value ${k}`;
  }
}
