/**
 * Property-based fuzzing of every Open API and admin route (issue 11), on SQLite and on PostgreSQL, with
 * fast-check. A run restores one snapshot of a world with data of every kind (fuzz-world.ts), then sends a
 * short sequence of requests built from each route's schema, valid-looking and mutated (fuzz-routes.ts,
 * fuzz-values.ts). Every answer must hold:
 *  - its HTTP status is below 500, it carries an X-Tt-Logid of its own, no body holds a stack trace, and
 *    nothing is an internal error (1395001, or the admin API's "the request failed");
 *  - an Open API answer is the Feishu envelope (a JSON object with a numeric `code` and a string `msg`;
 *    `error.log_id` = X-Tt-Logid on a refusal), or the plain 404 of an unknown path or method;
 *  - an admin answer is JSON, `{error}` with a 4xx on a refusal; /metrics is text, /console HTML;
 *  - a refused request (a non-zero code, a 4xx, the plain 404) changed no row of any table (fuzz-db.ts
 *    says which columns are written in the background, and so are left out);
 *  - the server throws nothing outside an answer (a server process would die of it);
 * and both stores answer the same Open API requests alike.
 * Seeded and reproducible: SHENPI_FUZZ_SEED (else a random seed, printed first); SHENPI_FUZZ_RUNS runs per
 * store (each a sequence of 1 to 8 requests: a case is one request); SHENPI_FUZZ_PATH replays the one
 * failing run that fast-check names (its `path`) after a failure.
 */
import assert from 'node:assert/strict';
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { test, type TestContext } from 'node:test';
import fc from 'fast-check';
import { BODY_LIMIT } from '../../src/http/app.js';
import type { OpenApiDocument } from '../helpers/openapi.js';
import { startTestServer, TEST_ADMIN_TOKEN, type TestServer } from '../helpers/server.js';
import type { TestStore } from '../helpers/stores.js';
import { describeChange, openDbReader, type DbReader, type DbState } from './fuzz-db.js';
import {
  ADMIN_ROUTES,
  CLIENT_LOG_ID,
  openApiRoutes,
  requestArbitrary,
  type Auth,
  type Body,
  type FuzzRequest,
  type Route,
} from './fuzz-routes.js';
import { mutate, writeJson, writeText, type IdType, type Resolve } from './fuzz-values.js';
import { buildWorld, startReceiver, World, writeFixtureFile, type Tokens } from './fuzz-world.js';
import { sized } from './sizes.js';

const seed = process.env.SHENPI_FUZZ_SEED ? Number(process.env.SHENPI_FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
/** Runs per store; with 1 to 8 requests a run, the default makes over 10,000 cases for both stores together. */
const runs = sized('SHENPI_FUZZ_RUNS', 1_250);
const replayPath = process.env.SHENPI_FUZZ_PATH;
assert.ok(Number.isSafeInteger(seed), `SHENPI_FUZZ_SEED must be a whole number, not ${process.env.SHENPI_FUZZ_SEED}`);
console.log(`fuzz seed ${seed}: rerun with SHENPI_FUZZ_SEED=${seed}`);

/** A request the server has not answered by then hangs: a failure, reported with the request. */
const ANSWER_WITHIN_MS = 20_000;

/** Text that only a stack trace or a leaked source path would put in a body. */
const STACK_TRACE = /\n\s+at \S|node:internal|node_modules\/|\.[jt]s:\d+:\d+/;

/**
 * Served routes that are not fuzzed, and why: `GET /` only redirects to /console; Feishu's trailing-slash
 * spelling of the token paths is the same handler as the plain one (fuzzed); the unbuilt user-token paths
 * answer the plain 404 of any unknown path, which every wrong path and method here gets too.
 */
const NOT_FUZZED = new Set([
  'GET /',
  'POST /open-apis/auth/v3/tenant_access_token/internal/',
  'POST /open-apis/auth/v3/app_access_token/internal/',
  'GET /open-apis/approval/v4/instances/detail',
  'GET /open-apis/approval/v4/instances/initiated',
]);

/** Every route the server has, as `METHOD /path/{param}`, read from fastify's route tree (HEAD left out). */
function servedRoutes(server: TestServer): string[] {
  const paths: string[] = [];
  const served: string[] = [];
  for (const line of server.app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│├└─\s]*)(\S.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match?.[1] || !match[2]) continue;
    const depth = match[1].length / 4;
    paths[depth] = (paths[depth - 1] ?? '') + match[2];
    for (const method of (match[3] ?? '').split(', ').filter((m) => m && m !== 'HEAD')) {
      served.push(`${method} ${paths[depth]!.replace(/:(\w+)/g, '{$1}')}`);
    }
  }
  return served;
}

// ---- sending ----

interface Sent {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: any;
}

/** One connection kept alive, as a client would; a request that meets a connection the server just closed is sent again once. */
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function send(baseUrl: string, sent: Sent, signal: AbortSignal, retried = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(baseUrl + sent.path, { method: sent.method, headers: sent.headers, agent, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          // Not JSON: the checks say whether it may be.
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.setTimeout(ANSWER_WITHIN_MS, () => req.destroy(new Error(`no answer within ${ANSWER_WITHIN_MS} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (req.reusedSocket && err.code === 'ECONNRESET' && !retried) resolve(send(baseUrl, sent, signal, true));
      else reject(err);
    });
    req.end(sent.body);
  });
}

/** Percent-encodes `text`; a lone surrogate, on which encodeURIComponent throws, is sent as U+FFFD (as UTF-8 has it). */
const percent = (text: string): string => encodeURIComponent(Buffer.from(text, 'utf8').toString('utf8'));

function authorization(auth: Auth, tokens: Tokens): string | undefined {
  switch (auth) {
    case 'tenant':
      return `Bearer ${tokens.tenant}`;
    case 'otherTenant':
      return `Bearer ${tokens.otherTenant}`;
    case 'expired':
      return `Bearer ${tokens.expired}`;
    case 'app':
      return `Bearer ${tokens.app}`;
    case 'garbage':
      return 'Bearer t-not-a-token';
    case 'none':
      return undefined;
    case 'basic':
      return 'Basic dXNlcjpwYXNz';
    case 'emptyBearer':
      return 'Bearer ';
    case 'lowercaseBearer':
      return `bearer ${tokens.tenant}`;
    case 'admin':
      return `Bearer ${TEST_ADMIN_TOKEN}`;
    case 'wrongAdmin':
      return 'Bearer not-the-admin-token';
    case 'adminTrailingSpace':
      return `Bearer ${TEST_ADMIN_TOKEN} `;
  }
}

/**
 * Event URLs make the server push to them: any http(s) URL the fuzzer would send that is not the receiver on
 * the loopback becomes the receiver's, so no push (and no DNS lookup) ever leaves this machine.
 */
function urlGuard(receiverUrl: string): (s: string) => string {
  const { host } = new URL(receiverUrl);
  return (s) => {
    if (!/http/i.test(s)) return s;
    let url: URL;
    try {
      url = new URL(s);
    } catch {
      return s;
    }
    return (url.protocol !== 'http:' && url.protocol !== 'https:') || url.host === host ? s : receiverUrl;
  };
}

/** Whether some string in the JSON text is one the guard would change. */
function holdsForeignUrl(text: string, guard: (s: string) => string): boolean {
  if (!/http/i.test(text)) return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return false; // not JSON: the server refuses it unread
  }
  const stack: unknown[] = [parsed];
  while (stack.length) {
    const item = stack.pop();
    if (typeof item === 'string' && guard(item) !== item) return true;
    if (item && typeof item === 'object') {
      for (const [key, value] of Object.entries(item)) stack.push(key, value);
    }
  }
  return false;
}

function bodyBytes(body: Body, resolve: Resolve, guard: (s: string) => string): Buffer | undefined {
  if ('none' in body) return undefined;
  if ('text' in body) return Buffer.from(body.text, 'utf8');
  const written = Buffer.from(writeJson(mutate(body.json, body.mutations), resolve, guard), 'utf8');
  const change = body.bytes;
  if (!change) return written;
  let changed: Buffer;
  if ('truncateAt' in change) changed = written.subarray(0, Math.floor((written.length * change.truncateAt) / 1000));
  else if ('insertAt' in change) {
    const at = Math.floor((written.length * change.insertAt) / 1000);
    changed = Buffer.concat([written.subarray(0, at), Buffer.from(change.bytes), written.subarray(at)]);
  } else if ('bom' in change) changed = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), written]);
  else changed = Buffer.concat([written, Buffer.alloc(BODY_LIMIT, 0x20)]);
  return holdsForeignUrl(changed.toString('utf8'), guard) ? written : changed;
}

const ID_TYPES = new Set(['open_id', 'union_id', 'user_id']);

function prepare(request: FuzzRequest, route: Route, world: World, tokens: Tokens, guard: (s: string) => string): Sent {
  // User ids are of the request's user_id_type; where a route takes none, a field says its type by its name (user_id, open_id).
  const typed = route.query.some((q) => q.name === 'user_id_type');
  const named = request.query.find(([name]) => name === 'user_id_type');
  const early: Resolve = (ref) => world.resolve(ref, { anchor: request.anchor, idType: 'open_id' });
  const idTypeText = named ? writeText(named[1], early) : typed ? 'open_id' : 'user_id';
  const idType = (ID_TYPES.has(idTypeText) ? idTypeText : 'open_id') as IdType;
  const resolve: Resolve = (ref) => world.resolve(ref, { anchor: request.anchor, idType });

  const params = new Map(route.params.map((p, i) => [p.name, request.params[i]!]));
  const path = route.template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const param = params.get(name)!;
    const text = writeText(param.value, resolve);
    return param.raw && /^[\x21-\x7e]*$/.test(text) ? text : percent(text);
  });
  const query = request.query.map(([name, value]) => `${percent(name)}=${percent(writeText(value, resolve))}`);
  if (request.rawQuery) query.push(request.rawQuery);
  const headers: Record<string, string> = {};
  const auth = authorization(request.auth, tokens);
  if (auth !== undefined) headers.authorization = auth;
  for (const [name, value] of request.headers) headers[name] = value;
  if (request.contentType !== null) headers['content-type'] = request.contentType;
  const body = bodyBytes(request.body, resolve, guard);
  // Node's client frames a GET's or DELETE's body only with an explicit length (else the bytes would run into the next request).
  if (body) headers['content-length'] = String(body.length);
  return { method: request.method, path: query.length ? `${path}?${query.join('&')}` : path, headers, body };
}

// ---- the properties of one answer ----

/**
 * The reasons the HTTP server itself gives, before any route (src/http/client-errors.ts): a request too slow
 * to arrive, a request line and headers over 16 KiB, a request that is not HTTP (a Content-Length beside
 * Transfer-Encoding: chunked).
 */
const SERVER_REFUSAL = /^the request (did not arrive in time|line and headers are larger|is not well-formed HTTP)/;

const isPlain404 = (answer: Answer) =>
  answer.status === 404 && answer.text === '404 page not found' && /^text\/plain/.test(answer.headers['content-type'] ?? '');

/**
 * Checks the answer's shape; says whether the request was refused (and so must have changed nothing). The
 * admin routes answer `{error}`; everything else the Feishu envelope (src/http/app.ts), and so does the HTTP
 * server itself for a request it refuses before any route, whatever the path (README "Open API endpoints").
 */
function checkAnswer(sent: Sent, answer: Answer): boolean {
  const at = `${sent.method} ${sent.path.slice(0, 300)} answered ${answer.status}: ${answer.text.slice(0, 600)}`;
  assert.ok(answer.status < 500, `a 5xx: ${at}`);
  const logId = answer.headers['x-tt-logid'];
  assert.ok(typeof logId === 'string' && logId.length > 0 && logId !== CLIENT_LOG_ID, `no X-Tt-Logid of its own: ${at}`);
  assert.doesNotMatch(answer.text, STACK_TRACE, `a stack trace or source path in the body: ${at}`);
  if (isPlain404(answer)) return true;
  const path = sent.path.split('?')[0]!;
  const contentType = answer.headers['content-type'] ?? '';
  const byServer = answer.status >= 400 && SERVER_REFUSAL.test(String(answer.json?.error?.details?.[0]?.value));
  if (path.startsWith('/_shenpi/') && !byServer) {
    assert.match(contentType, /^application\/json/, `not JSON: ${at}`);
    assert.ok(answer.json !== null && typeof answer.json === 'object', `not a JSON object: ${at}`);
    if (answer.status < 400) return false;
    assert.equal(typeof answer.json.error, 'string', `a refusal without {error}: ${at}`);
    // What the admin API answers for an unexpected failure (src/http/app.ts): its 1395001.
    assert.doesNotMatch(answer.json.error, /^the request failed; log id/, `an internal error: ${at}`);
    return true;
  }
  if (path.startsWith('/open-apis/') || answer.status >= 400) {
    assert.match(contentType, /^application\/json/, `not JSON: ${at}`);
    const body = answer.json;
    assert.ok(body !== null && typeof body === 'object' && !Array.isArray(body), `not a JSON object: ${at}`);
    assert.equal(typeof body.code, 'number', `no numeric code: ${at}`);
    assert.equal(typeof body.msg, 'string', `no string msg: ${at}`);
    if (body.code === 0) {
      assert.equal(answer.status, 200, `success without HTTP 200: ${at}`);
      return false;
    }
    assert.equal(body.error?.log_id, logId, `error.log_id is not the X-Tt-Logid: ${at}`);
    // 1395001 is shenpi's 5xx, an unexpected failure: nothing a client sends may cause one (rules.md 6). A fault
    // rule answers it when told to.
    const injected = /^fault rule \d+/.test(String(body.error?.details?.[0]?.value));
    assert.ok(body.code !== 1395001 || injected, `an internal error: ${at}`);
    return true;
  }
  assert.equal(answer.status, 200, at);
  if (path === '/metrics') assert.match(contentType, /^text\/plain/, at);
  else if (path === '/console') assert.match(contentType, /^text\/html/, at);
  else if (path === '/healthz') assert.equal(answer.json?.status, 'ok', at);
  else assert.equal(typeof answer.json?.openapi, 'string', at);
  return false;
}

// ---- a store's fuzz run ----

interface Counts {
  cases: number;
  runs: number;
  refused: number;
  accepted: number;
  byStatus: Record<number, number>;
  /** Per route: requests, and of them accepted. */
  byRoute: Record<string, { sent: number; accepted: number }>;
}

/**
 * What each store answered to the Open API requests, in order (`METHOD path → status code`): with the same seed,
 * the same requests, so the same answers. Only Open API requests: the admin ones may also depend on the event
 * dispatcher's progress in the background (a delivery dead or not).
 */
const openApiAnswers = new Map<TestStore, string[]>();

async function fuzzStore(t: TestContext, store: TestStore): Promise<void> {
  const started = performance.now();
  const fixture = writeFixtureFile();
  t.after(() => fixture.remove());
  const receiver = await startReceiver();
  t.after(() => receiver.close());
  // Ids seeded from the fuzz seed: a rerun makes the same instance codes, task ids and tokens.
  const server = await startTestServer({ fixture: fixture.path, noDemo: true, rateLimit: false, seed }, { store });
  t.after(() => server.close());

  const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as OpenApiDocument;
  const routes = [...openApiRoutes(doc), ...ADMIN_ROUTES];
  const byKey = new Map(routes.map((route) => [route.key, route]));
  const served = servedRoutes(server);
  assert.ok(served.length > 20, `the route tree was not read: ${served.join(', ')}`);
  const missing = served.filter((key) => !byKey.has(key) && !NOT_FUZZED.has(key));
  assert.deepEqual(missing, [], 'served routes the fuzzer does not know: add them to ADMIN_ROUTES (fuzz-routes.ts)');

  const { tokens, snapshotId } = await buildWorld(server, receiver.url);
  const reader: DbReader = await openDbReader(server.databaseUrl);
  t.after(() => reader.close());
  const baseline = await reader.read();
  const baselineText = JSON.stringify(baseline);
  const world = new World(receiver.url, snapshotId);
  const guard = urlGuard(receiver.url);
  const controls = server.controls!;
  let state: DbState = baseline;
  let dirty = false;

  const counts: Counts = { cases: 0, runs: 0, refused: 0, accepted: 0, byStatus: {}, byRoute: {} };
  const answers: string[] = [];

  // An exception the server throws outside any answer would end a real server's process. Here, in the test's
  // process, it fails the case that caused it, so that fast-check shrinks it and prints it (node:test would
  // report the exception alone, without the request or the path to replay it).
  let crash: Error | undefined;
  let inFlight: AbortController | undefined;
  process.setUncaughtExceptionCaptureCallback((err) => {
    crash ??= err as Error;
    inFlight?.abort(err);
  });
  t.after(() => process.setUncaughtExceptionCaptureCallback(null));
  const noCrash = (during: string) => {
    if (crash) throw new Error(`the server threw ${during} (a server process would have died): ${crash.stack}`);
  };

  /** Every run starts from the snapshot, with no fault rules and an empty request log. */
  const startRun = async () => {
    counts.runs += 1;
    crash = undefined;
    controls.faults = [];
    controls.requests.length = 0;
    world.pageTokens.length = 0;
    if (!dirty) return;
    await server.services.emulator.restore(snapshotId);
    state = await reader.read();
    assert.equal(describeChange(baseline, state), undefined, 'restoring the snapshot did not bring every row back');
    dirty = false;
  };

  const runCase = async (request: FuzzRequest) => {
    const route = byKey.get(request.route)!;
    world.state = state;
    const sent = prepare(request, route, world, tokens, guard);
    noCrash('before this request');
    inFlight = new AbortController();
    const answer = await send(server.url, sent, inFlight.signal).catch((err: unknown) => {
      noCrash(`while answering ${sent.method} ${sent.path.slice(0, 300)}`);
      throw err;
    });
    inFlight = undefined;
    counts.cases += 1;
    if (sent.path.startsWith('/open-apis/')) {
      const code = answer.json?.code ?? answer.text.slice(0, 40);
      answers.push(`${sent.method} ${sent.path.slice(0, 200)} → ${answer.status} ${code}`);
    }
    counts.byStatus[answer.status] = (counts.byStatus[answer.status] ?? 0) + 1;
    const tally = (counts.byRoute[route.key] ??= { sent: 0, accepted: 0 });
    tally.sent += 1;
    const refused = checkAnswer(sent, answer);
    if (refused) counts.refused += 1;
    else {
      counts.accepted += 1;
      tally.accepted += 1;
    }
    world.notePageToken(answer.json?.data?.page_token);
    // A rule that answers 5xx or holds requests back is the emulator doing as told: not kept for the requests after it.
    if (!refused && route.key === 'POST /_shenpi/faults') {
      controls.faults = controls.faults.filter((f) => (f.http_status ?? 400) < 500 && (f.delay_ms ?? 0) <= 10);
    }
    const after = await reader.read();
    if (after === state) return;
    if (refused) {
      const change = describeChange(state, after);
      const at = `${sent.method} ${sent.path.slice(0, 300)} answered ${answer.status}: ${answer.text.slice(0, 400)}`;
      assert.equal(change, undefined, `a refused request changed data: ${at}\n${change}`);
    }
    state = after;
    dirty = JSON.stringify(after) !== baselineText;
  };

  await fc.assert(
    fc.asyncProperty(fc.array(requestArbitrary(routes), { minLength: 1, maxLength: 8 }), async (requests) => {
      await startRun();
      for (const request of requests) await runCase(request);
      noCrash('after the run');
    }),
    { seed, numRuns: runs, includeErrorInReport: true, ...(replayPath ? { path: replayPath } : {}) },
  );

  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const statuses = Object.entries(counts.byStatus)
    .map(([status, n]) => `${status}: ${n}`)
    .join(', ');
  t.diagnostic(
    `fuzz ${store}: ${counts.cases} cases in ${counts.runs} runs, ${seconds} s (seed ${seed}); ` +
      `refused ${counts.refused}, accepted ${counts.accepted}; by status ${statuses}`,
  );
  for (const [key, { sent, accepted }] of Object.entries(counts.byRoute).sort()) {
    t.diagnostic(`  ${key}: ${sent} sent, ${accepted} accepted`);
  }
  // With this many cases the rarest route is expected 10 times or more: missing it then (odds e^-10) means it is never picked.
  const weights = routes.map((route) => route.weight);
  const enough = (10 * weights.reduce((a, b) => a + b, 0)) / Math.min(...weights);
  const unrequested = routes.filter((route) => !counts.byRoute[route.key]).map((route) => route.key);
  if (!replayPath && counts.cases >= enough) assert.deepEqual(unrequested, [], 'routes the fuzzer never requested');
  openApiAnswers.set(store, answers);
}

for (const store of ['sqlite', 'postgres'] as const) {
  test(`fuzzing every route on ${store}: no 5xx, the envelope on every answer, nothing changed by a refusal`, (t) =>
    fuzzStore(t, store),
  );
}

test('SQLite and PostgreSQL answered every fuzzed Open API request alike', (t) => {
  const [sqlite, postgres] = [openApiAnswers.get('sqlite'), openApiAnswers.get('postgres')];
  if (!sqlite || !postgres) return t.skip('a store did not finish its run');
  const first = sqlite.findIndex((answer, i) => answer !== postgres[i]);
  assert.equal(first, -1, `request ${first} of the run: SQLite ${sqlite[first]}, PostgreSQL ${postgres[first]}`);
  assert.equal(sqlite.length, postgres.length);
});
