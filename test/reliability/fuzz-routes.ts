/**
 * Every route the fuzzer requests — the Open API operations of the served /openapi.json (so a new one is
 * fuzzed without a change here) and the admin routes — and the arbitrary of one request to any of them:
 * path parameters, query, token, Content-Type and body, each valid-looking or hostile.
 */
import fc from 'fast-check';
import { FaultRuleBody, RequestFilterQuery } from '../../src/http/emulator-controls.js';
import type { OpenApiDocument } from '../helpers/openapi.js';
import { FUZZ_NOW } from './fuzz-world.js';
import {
  extraKey,
  fromJson,
  Huge,
  mutation,
  nastyString,
  nastyValue,
  Obj,
  Ref,
  valueOf,
  type Hints,
  type JsonSchema,
  type Mutation,
  type RefKind,
  type Value,
} from './fuzz-values.js';

/** A log id a client sends as X-Tt-Logid: the server makes its own, and never answers this one. */
export const CLIENT_LOG_ID = '20250101000000CLIENTCHOSENLOGID0';

/** Who a route lets in: a tenant token, the admin token, or anyone (also the token endpoints). */
export type Gate = 'tenant' | 'admin' | 'public';

export interface Route {
  /** `METHOD /path/{param}`, as the OpenAPI document names operations. */
  key: string;
  method: string;
  template: string;
  params: { name: string; schema: JsonSchema }[];
  query: { name: string; required: boolean; schema: JsonSchema }[];
  body?: JsonSchema;
  gate: Gate;
  /** How often it is picked, relative to the others. */
  weight: number;
}

/** The Open API operations, from the served document. */
export function openApiRoutes(doc: OpenApiDocument): Route[] {
  return Object.entries(doc.paths).flatMap(([template, item]) =>
    Object.entries(item).map(([method, op]): Route => {
      const params = op.parameters ?? [];
      const body = op.requestBody?.content['application/json']?.schema as JsonSchema | undefined;
      const tokenEndpoint = !op.security?.length;
      return {
        key: `${method.toUpperCase()} ${template}`,
        method: method.toUpperCase(),
        template,
        params: params.filter((p) => p.in === 'path').map((p) => ({ name: p.name, schema: p.schema as JsonSchema })),
        query: params
          .filter((p) => p.in === 'query')
          .map((p) => ({ name: p.name, required: p.required, schema: p.schema as JsonSchema })),
        ...(body ? { body } : {}),
        gate: tokenEndpoint ? 'public' : 'tenant',
        // A token request that reaches the secret check costs a scrypt (about 0.1 s): asked less often.
        weight: tokenEndpoint ? 2 : 16,
      };
    }),
  );
}

const nonEmpty: JsonSchema = { type: 'string', minLength: 1 };
const optionalStrings = (...names: string[]): JsonSchema => ({
  type: 'object',
  properties: Object.fromEntries(names.map((name) => [name, nonEmpty])),
});

const admin = (method: string, template: string, extra: Partial<Route> = {}): Route => ({
  key: `${method} ${template}`,
  method,
  template,
  params: [...template.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1]!, schema: nonEmpty })),
  query: [],
  gate: 'admin',
  weight: 6,
  ...extra,
});

/**
 * The admin routes (README "Admin and test endpoints"), with the schemas their handlers validate with
 * (src/http/routes/admin.ts, admin-console.ts); fuzz.test.ts checks that no served route is missing here.
 */
export const ADMIN_ROUTES: Route[] = [
  admin('GET', '/_shenpi/tenants'),
  admin('PUT', '/_shenpi/apps/{app_id}/event', {
    body: {
      anyOf: [
        { type: 'null' },
        {
          type: 'object',
          required: ['url'],
          properties: {
            url: { type: 'string', pattern: '^https?://' },
            encrypt_key: { type: 'string' },
            verification_token: { type: 'string' },
            types: { type: 'array', items: { type: 'string' } },
          },
        },
      ],
    },
  }),
  admin('GET', '/_shenpi/tenants/{tenant_key}/approvals'),
  admin('PATCH', '/_shenpi/approvals/{approval_code}', {
    body: {
      type: 'object',
      properties: {
        revert_option: { anyOf: [{ const: 0 }, { const: 1 }] },
        revert_interval: { type: 'integer', minimum: 0 },
        require_signature: { type: 'object' },
      },
    },
  }),
  admin('GET', '/_shenpi/approvals/{approval_code}/instances'),
  admin('GET', '/_shenpi/instances/{instance_code}'),
  // Each app it loads costs a scrypt of its secret.
  admin('POST', '/_shenpi/fixtures', { body: {}, weight: 2 }),
  admin('GET', '/_shenpi/clock'),
  admin('POST', '/_shenpi/clock', {
    body: {
      anyOf: [
        { type: 'object', required: ['now'], properties: { now: { type: 'integer', minimum: 0 }, frozen: { type: 'boolean' } } },
        { type: 'object', required: ['advance_ms'], properties: { advance_ms: { type: 'integer' } } },
      ],
    },
  }),
  admin('GET', '/_shenpi/deliveries', {
    query: ['event_id', 'instance_code', 'approval_code', 'app_id'].map((name) => ({
      name,
      required: false,
      schema: { type: 'string' },
    })),
  }),
  admin('POST', '/_shenpi/deliveries/redrive', { body: optionalStrings('event_id', 'instance_code', 'approval_code', 'app_id') }),
  admin('GET', '/_shenpi/requests', {
    query: Object.entries((RequestFilterQuery as JsonSchema).properties ?? {}).map(([name, schema]) => ({
      name,
      required: false,
      schema,
    })),
  }),
  admin('DELETE', '/_shenpi/requests'),
  admin('GET', '/_shenpi/faults'),
  admin('POST', '/_shenpi/faults', { body: FaultRuleBody as JsonSchema }),
  admin('DELETE', '/_shenpi/faults'),
  // Wipes the data (the rest of the run then meets an empty server) and loads the fixture again (a scrypt per app): rarely.
  admin('POST', '/_shenpi/reset', { weight: 1 }),
  admin('POST', '/_shenpi/snapshots'),
  admin('POST', '/_shenpi/snapshots/{id}/restore'),
  ...['/healthz', '/metrics', '/openapi.json', '/console'].map((path) => admin('GET', path, { gate: 'public', weight: 4 })),
];

// ---- hints: the server's own data and the values each field takes ----

/** Which of the things a reference or an anchor picks: any equally (fast-check would favour the first ones). */
const index = fc.noBias(fc.nat(1_000));
const refTo = (kind: RefKind, anchored: boolean, idType?: 'open_id') => index.map((k) => new Ref(kind, k, anchored, idType));
const anchoredOrAny = (kind: RefKind) => fc.oneof({ weight: 4, arbitrary: refTo(kind, true) }, refTo(kind, false));

/** A small valid fixture: a tenant with an app, users and a definition (README "Fixture files"). */
const fixtureBody: fc.Arbitrary<Value> = fc
  .record({ tenant: fc.constantFrom('acme', 'globex', 'initech'), user: fc.constantFrom('u_alice', 'u_erin'), url: fc.boolean() })
  .map(({ tenant, user, url }) =>
    fromJson({
      tenants: [
        {
          tenant_key: tenant,
          apps: [
            {
              app_id: `cli_${tenant}_fuzz`,
              app_secret: 'fuzz-secret',
              ...(url ? { event: { url: new Ref('eventUrl', 1, false) } } : {}),
            },
          ],
          users: [{ user_id: user, name: 'Fuzzed' }],
          approvals: [
            {
              approval_name: '@i18n@fuzz',
              viewers: [{ viewer_type: 'TENANT' }],
              form: { form_content: '[{"id":"reason","type":"input","name":"@i18n@fuzz","required":true}]' },
              node_list: [
                { id: 'START' },
                { id: 'n', node_type: 'AND', approver: [{ type: 'Personal', user_id: user }] },
                { id: 'END' },
              ],
              i18n_resources: [{ locale: 'en-US', is_default: true, texts: [{ key: '@i18n@fuzz', value: 'Fuzz' }] }],
            },
          ],
        },
      ],
    }),
  );

const APPROVER_TYPES = ['Supervisor', 'Personal', 'Free', 'DepartmentManager', 'Nobody'];

/** A definition body for POST /approvals: new, or overwriting one of the tenant's (approval_code given). */
const definitionBody: fc.Arbitrary<Value> = fc
  .record({ overwrite: fc.boolean(), approver: fc.constantFrom(...APPROVER_TYPES), revert: fc.constantFrom(0, 1) })
  .map(({ overwrite, approver, revert }) =>
    fromJson({
      ...(overwrite ? { approval_code: new Ref('approval', 0, true) } : {}),
      approval_name: '@i18n@name',
      viewers: [{ viewer_type: 'TENANT' }],
      form: { form_content: '[{"id":"reason","type":"input","name":"@i18n@reason","required":true}]' },
      node_list: [
        { id: 'START' },
        {
          id: 'manager',
          name: '@i18n@name',
          node_type: 'AND',
          approver: [{ type: approver, user_id: new Ref('user', 1, true), level: '1' }],
        },
        { id: 'END' },
      ],
      settings: { revert_option: revert, revert_interval: 3600 },
      i18n_resources: [
        {
          locale: 'en-US',
          is_default: true,
          texts: [
            { key: '@i18n@name', value: 'Fuzzed' },
            { key: '@i18n@reason', value: 'Reason' },
          ],
        },
      ],
    }),
  );

/** Whole bodies of routes whose schema alone would almost never make a valid one. */
const BODY_HINTS: Record<string, fc.Arbitrary<Value>> = {
  'POST /_shenpi/fixtures': fixtureBody,
  'POST /open-apis/approval/v4/approvals': definitionBody,
};

const digits = (...values: number[]) => fc.constantFrom(...values.map(String));

const HINTS: Hints = {
  approval_code: anchoredOrAny('approval'),
  instance_code: anchoredOrAny('instance'),
  instance_id: fc.oneof({ weight: 4, arbitrary: refTo('instance', true) }, refTo('uuid', false)),
  user_id: fc.oneof(refTo('submitter', true), refTo('assignee', true), refTo('user', true), refTo('user', false)),
  open_id: fc.oneof({ weight: 3, arbitrary: refTo('submitter', true, 'open_id') }, refTo('user', false, 'open_id')),
  task_id: anchoredOrAny('task'),
  transfer_user_id: refTo('user', true),
  'cc_user_ids[]': refTo('user', true),
  'add_sign_user_ids[]': refTo('user', true),
  'task_def_key_list[]': fc.constantFrom('START', 'manager', 'dept', 'finance', 'nowhere'),
  comment_id: anchoredOrAny('comment'),
  parent_comment_id: anchoredOrAny('comment'),
  form: anchoredOrAny('form'),
  content: refTo('content', false),
  uuid: fc.oneof(refTo('uuid', false), index.map((n) => `fuzz-${n}`)),
  page_token: refTo('pageToken', false),
  event_id: refTo('eventId', false),
  app_id: fc.oneof({ weight: 3, arbitrary: refTo('appId', false) }, fc.constantFrom('cli_nobody')),
  app_secret: fc.constantFrom('acme-secret', 'globex-secret', 'wrong-secret'),
  tenant_key: refTo('tenantKey', false),
  id: refTo('snapshot', false),
  url: refTo('eventUrl', false),
  'types[]': fc.constantFrom('approval_instance', 'approval_task', 'approval_cc', 'approval.approval.updated_v4', 'nonsense'),
  require_signature: fc.constantFrom(...[{ manager: true }, { dept: false, finance: true }, { 'no-node': true }].map(fromJson)),
  user_id_type: fc.constantFrom('open_id', 'union_id', 'user_id'),
  department_id_type: fc.constantFrom('department_id', 'open_department_id'),
  locale: fc.constantFrom('zh-CN', 'en-US', 'ja-JP'),
  topic: digits(1, 2, 3, 17, 18),
  start_time: digits(0, FUZZ_NOW - 86_400_000),
  end_time: digits(9_999_999_999_999, FUZZ_NOW + 86_400_000),
  page_size: fc.constantFrom(1, 5, 10, 100, 200),
  now: fc.constantFrom(FUZZ_NOW, FUZZ_NOW + 40 * 86_400_000, 0, 8.64e15),
  advance_ms: fc.constantFrom(1_000, 3_600_000, 40 * 86_400_000, -1_000),
  revert_interval: fc.constantFrom(0, 3_600, 2_678_400),
  path: fc.constantFrom('/open-apis/approval/v4/instances/cancel', '/open-apis/*', '/open-apis/approval/v4/tasks/approve'),
  method: fc.constantFrom('GET', 'POST', 'post'),
  instance_status: fc.constantFrom('PENDING', 'APPROVED', 'REJECT', 'RECALL', 'ALL'),
  with_revoked_instance: fc.boolean(),
};

/** Whose id `user_id` mostly is on a route where only one person may act. */
const actingUser = (kind: RefKind): Hints => ({ user_id: fc.oneof({ weight: 3, arbitrary: refTo(kind, true) }, HINTS.user_id!) });
const assignee = actingUser('assignee');

/** Hints of one route, over HINTS. */
const ROUTE_HINTS: Record<string, Hints> = {
  'POST /open-apis/approval/v4/tasks/approve': assignee,
  'POST /open-apis/approval/v4/tasks/reject': assignee,
  'POST /open-apis/approval/v4/tasks/transfer': assignee,
  'POST /open-apis/approval/v4/instances/add_sign': assignee,
  'POST /open-apis/approval/v4/instances/specified_rollback': assignee,
  'POST /open-apis/approval/v4/tasks/resubmit': actingUser('submitter'),
  'POST /open-apis/approval/v4/instances/cancel': actingUser('submitter'),
  'DELETE /open-apis/approval/v4/instances/{instance_id}/comments/{comment_id}': actingUser('commentator'),
};

const hintsOf = new Map<string, Hints>();
/** The hints of a route: one object per route, so that valueOf's cache holds. */
const hintsFor = (route: Route): Hints => {
  let hints = hintsOf.get(route.key);
  if (!hints) hintsOf.set(route.key, (hints = { ...HINTS, ...ROUTE_HINTS[route.key] }));
  return hints;
};

// ---- one request ----

export type Auth =
  | 'tenant'
  | 'otherTenant'
  | 'expired'
  | 'app'
  | 'garbage'
  | 'none'
  | 'basic'
  | 'emptyBearer'
  | 'lowercaseBearer'
  | 'admin'
  | 'wrongAdmin'
  | 'adminTrailingSpace';

const AUTH: Record<Gate, fc.Arbitrary<Auth>> = {
  tenant: fc.oneof(
    { weight: 14, arbitrary: fc.constant<Auth>('tenant') },
    { weight: 2, arbitrary: fc.constant<Auth>('otherTenant') },
    fc.constantFrom<Auth>('expired', 'app', 'garbage', 'none', 'basic', 'emptyBearer', 'lowercaseBearer', 'admin'),
  ),
  admin: fc.oneof(
    { weight: 14, arbitrary: fc.constant<Auth>('admin') },
    fc.constantFrom<Auth>('wrongAdmin', 'none', 'tenant', 'adminTrailingSpace'),
  ),
  public: fc.oneof({ weight: 8, arbitrary: fc.constant<Auth>('none') }, fc.constantFrom<Auth>('garbage', 'tenant', 'admin')),
};

/** Bytes done to a body's JSON text after it is written. */
export type ByteChange =
  | { truncateAt: number }
  /** Bytes that are not UTF-8 (or a NUL), put in at a point given in thousandths of the length. */
  | { insertAt: number; bytes: readonly number[] }
  | { bom: true }
  /** Padded with spaces past the 1 MiB body limit. */
  | { oversize: true };

const byteChange: fc.Arbitrary<ByteChange> = fc.oneof(
  fc.record({ truncateAt: fc.nat(999) }),
  fc.record({
    insertAt: fc.nat(999),
    bytes: fc.constantFrom([0xff], [0xc3], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc0, 0xaf], [0x00]),
  }),
  fc.constant({ bom: true as const }),
  fc.constant({ oversize: true as const }),
);

export type Body =
  | { none: true }
  | { json: Value; mutations: Mutation[]; bytes: ByteChange | null }
  /** Text sent as it is: not JSON, half JSON, JSON of an odd kind. */
  | { text: string };

const junkText = fc.constantFrom(
  '',
  ' ',
  '{',
  '{"a":',
  'not json',
  '{"a":1,}',
  "{'a':1}",
  'null',
  '"x"',
  '42',
  '\uFEFF{}',
  'a=1&b=2',
  '{"a":1}{"b":2}',
  '{"a":"\\u0000"}',
  '{"a":"\\ud800"}',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
);

const someMutations = fc.oneof(
  { weight: 3, arbitrary: fc.constant<Mutation[]>([]) },
  { weight: 2, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }) },
);
const rarely = <T>(arbitrary: fc.Arbitrary<T>) => fc.oneof({ weight: 9, arbitrary: fc.constant(null) }, arbitrary);

function bodyOf(route: Route): fc.Arbitrary<Body> {
  const hostile = [
    { weight: 1, arbitrary: nastyValue.map((json): Body => ({ json, mutations: [], bytes: null })) },
    { weight: 1, arbitrary: junkText.map((text): Body => ({ text })) },
  ];
  if (!route.body) {
    // `{}` on a GET is what the Node SDK sends.
    const emptyObject: Body = { json: new Obj([]), mutations: [], bytes: null };
    return fc.oneof(
      { weight: 8, arbitrary: fc.constant<Body>({ none: true }) },
      { weight: 1, arbitrary: fc.constant(emptyObject) },
      ...hostile,
    );
  }
  return fc.oneof(
    {
      weight: 8,
      arbitrary: fc
        .record({ json: validBody(route), mutations: someMutations, bytes: rarely(byteChange) })
        .map((b): Body => b),
    },
    ...hostile,
  );
}

function validBody(route: Route): fc.Arbitrary<Value> {
  const hint = BODY_HINTS[route.key];
  const plain = valueOf(route.body ?? {}, '', hintsFor(route));
  return hint ? fc.oneof({ weight: 3, arbitrary: hint }, plain) : plain;
}

const CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/json; charset=latin1',
  'application/xml',
  '',
];

/** The Content-Type header; null sends none. */
const contentType = fc.oneof(
  { weight: 12, arbitrary: fc.constant<string | null>('application/json') },
  { weight: 2, arbitrary: fc.constant(null) },
  fc.constantFrom(...CONTENT_TYPES),
);

/** A path parameter, percent-encoded (or, `raw`, as written: `%ZZ`, `..`, `%2F`). */
export interface Param {
  value: Value;
  raw: boolean;
}

const rawSegment = fc.constantFrom('%ZZ', '%E0%A4%A', '..', '.', '%2F', '%2e%2e', 'a%00b', '%', '%25', '~', "'", '*');

function paramOf(name: string, schema: JsonSchema, hints: Hints): fc.Arbitrary<Param> {
  return fc.oneof(
    { weight: 6, arbitrary: valueOf(schema, name, hints).map((value) => ({ value, raw: false })) },
    { weight: 2, arbitrary: nastyString.map((value) => ({ value, raw: false })) },
    { weight: 1, arbitrary: fc.constant<Param>({ value: new Huge('A', 2_000), raw: false }) },
    { weight: 1, arbitrary: rawSegment.map((value) => ({ value, raw: true })) },
  );
}

/** Query parameters: each known one now and then (a required one mostly), hostile values, unknown and repeated names. */
function queryOf(route: Route): fc.Arbitrary<[string, Value][]> {
  const hints = hintsFor(route);
  const known = route.query.map(({ name, required, schema }) => {
    const value = fc.oneof({ weight: 6, arbitrary: valueOf(schema, name, hints) }, { weight: 1, arbitrary: nastyString });
    const pair = value.map((v): [string, Value] => [name, v]);
    return fc.oneof({ weight: required ? 1 : 3, arbitrary: fc.constant(null) }, { weight: required ? 9 : 2, arbitrary: pair });
  });
  const names = [...route.query.map((q) => q.name), 'user_id_type', 'page_size', 'page_token'];
  const extra = fc.array(
    fc.tuple(fc.oneof(fc.constantFrom(...names), extraKey), nastyString).map(([name, value]): [string, Value] => [name, value]),
    { maxLength: 2 },
  );
  return fc
    .tuple(fc.tuple(...known), fc.oneof({ weight: 5, arbitrary: fc.constant<[string, Value][]>([]) }, extra))
    .map(([pairs, more]) => [...pairs.filter((p): p is [string, Value] => p !== null), ...more]);
}

export interface FuzzRequest {
  route: string;
  method: string;
  params: Param[];
  query: [string, Value][];
  /** Appended to the query string as written. */
  rawQuery: string | null;
  auth: Auth;
  headers: [string, string][];
  contentType: string | null;
  body: Body;
  /** The instance whose approval, tasks and people the anchored references name. */
  anchor: number;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** Query strings no parser should trip over: broken escapes, bracket syntax, a repeated user_id_type. */
const junkQuery = fc.constantFrom(
  '%',
  '%ZZ',
  '&&&',
  '=',
  'a[b]=1',
  'a[]=1&a[]=2',
  '__proto__[x]=1',
  'user_id_type=open_id&user_id_type=user_id',
);

/** Headers beside the token and Content-Type: ones a client may send that change nothing, or should not. */
const extraHeader = fc.constantFrom<[string, string]>(
  ['content-encoding', 'gzip'],
  ['expect', '100-continue'],
  ['x-tt-logid', CLIENT_LOG_ID],
  ['transfer-encoding', 'chunked'],
  ['accept', 'text/html'],
  ['x-long', 'x'.repeat(8_000)],
);

function hostileRequestTo(route: Route): fc.Arbitrary<FuzzRequest> {
  return fc.record({
    route: fc.constant(route.key),
    method: fc.oneof({ weight: 19, arbitrary: fc.constant(route.method) }, fc.constantFrom(...METHODS)),
    params: fc.tuple(...route.params.map((p) => paramOf(p.name, p.schema, hintsFor(route)))),
    query: queryOf(route),
    rawQuery: rarely(junkQuery),
    auth: AUTH[route.gate],
    headers: fc.oneof(
      { weight: 9, arbitrary: fc.constant<[string, string][]>([]) },
      fc.array(extraHeader, { minLength: 1, maxLength: 2 }),
    ),
    contentType: route.body ? contentType : fc.oneof({ weight: 8, arbitrary: fc.constant(null) }, contentType),
    body: bodyOf(route),
    anchor: index,
  });
}

const VALID_AUTH: Record<Gate, Auth> = { tenant: 'tenant', admin: 'admin', public: 'none' };

/**
 * A request as a client means it: the route's method and token, every required parameter, hints and schema
 * values only, no mutation. Most still fail a rule (another tenant's instance, not the assignee, ...), and
 * those that pass take the success paths and change the data, which later requests then meet.
 */
function validRequestTo(route: Route): fc.Arbitrary<FuzzRequest> {
  const hints = hintsFor(route);
  const query = fc.tuple(
    ...route.query.map(({ name, required, schema }) => {
      const pair = valueOf(schema, name, hints).map((v): [string, Value] => [name, v]);
      return required ? pair : fc.option(pair, { nil: null, freq: 2 });
    }),
  );
  return fc.record({
    route: fc.constant(route.key),
    method: fc.constant(route.method),
    params: fc.tuple(...route.params.map((p) => valueOf(p.schema, p.name, hints).map((value): Param => ({ value, raw: false })))),
    query: query.map((pairs) => pairs.filter((p): p is [string, Value] => p !== null)),
    rawQuery: fc.constant(null),
    auth: fc.constant(VALID_AUTH[route.gate]),
    headers: fc.constant<[string, string][]>([]),
    contentType: fc.constant(route.body ? 'application/json' : null),
    body: route.body
      ? validBody(route).map((json): Body => ({ json, mutations: [], bytes: null }))
      : fc.constant<Body>({ none: true }),
    anchor: index,
  });
}

export function requestArbitrary(routes: Route[]): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(
    ...routes.map((route) => ({
      weight: route.weight,
      arbitrary: fc.oneof({ weight: 3, arbitrary: hostileRequestTo(route) }, validRequestTo(route)),
    })),
  );
}
