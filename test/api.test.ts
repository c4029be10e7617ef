/**
 * `startShenpi()`, the in-process API (src/index.ts): a real server on a real socket, driven by the official
 * Node SDK and plain HTTP, with every method of its handle acting on the running server. Storage-bound
 * checks (snapshots) run on the suite's store; the rest on the default in-memory SQLite.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import * as lark from '@larksuiteoapi/node-sdk';
import { startShenpi, type Shenpi, type ShenpiOptions } from '../src/index.js';
import { DEMO_APP, DEMO_LEAVE_CODE, demoFixture } from '../src/fixtures/demo.js';
import { call, tenantToken } from './helpers/http.js';
import { createTestDatabase } from './helpers/stores.js';

const TOKEN_PATH = '/open-apis/auth/v3/tenant_access_token/internal';
const V4 = '/open-apis/approval/v4';
const FORM = JSON.stringify([{ id: 'reason', type: 'input', value: 'a day off' }]);

async function start(t: TestContext, options: ShenpiOptions = {}): Promise<Shenpi> {
  const shenpi = await startShenpi({ fixture: demoFixture, ...options });
  t.after(() => shenpi.close());
  return shenpi;
}

/** On the suite's store (a SQLite file or a PostgreSQL schema), dropped afterwards. */
async function startOnTestStore(t: TestContext, options: ShenpiOptions = {}): Promise<Shenpi> {
  const database = await createTestDatabase();
  t.after(() => database.drop());
  return start(t, { database: database.url, ...options });
}

async function createLeave(url: string, token: string): Promise<string> {
  const answer = await call(url, `${V4}/instances`, {
    token,
    json: { approval_code: DEMO_LEAVE_CODE, open_id: 'ou_alice', form: FORM },
  });
  assert.equal(answer.body.code, 0, answer.text);
  return answer.body.data.instance_code as string;
}

const instanceStatus = async (url: string, token: string, code: string) =>
  (await call(url, `${V4}/instances/${code}`, { token })).body;

test('startShenpi serves the Open API at its url: the official Node SDK creates an instance and withdraws it', async (t) => {
  const shenpi = await start(t);
  const client = new lark.Client({ appId: DEMO_APP.app_id, appSecret: DEMO_APP.app_secret, domain: shenpi.url });
  const created = await client.approval.v4.instance.create({
    data: { approval_code: DEMO_LEAVE_CODE, open_id: 'ou_alice', form: FORM },
  });
  assert.equal(created.code, 0, JSON.stringify(created));
  const code = created.data!.instance_code!;
  const canceled = await client.approval.v4.instance.cancel({
    params: { user_id_type: 'open_id' },
    data: { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: 'ou_alice' },
  });
  assert.deepEqual(canceled, { code: 0, msg: 'success', data: {} });
  const read = await client.approval.v4.instance.get({ path: { instance_id: code } });
  assert.equal(read.data?.status, 'CANCELED');
});

test('startShenpi loads a fixture given as a file path, and no demo data unless asked', async (t) => {
  const folder = mkdtempSync(join(tmpdir(), 'shenpi-api-'));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  const file = join(folder, 'fixture.json');
  const fixture = { tenants: [{ tenant_key: 'globex', apps: [{ app_id: 'cli_globex', app_secret: 'g-secret' }] }] };
  writeFileSync(file, JSON.stringify(fixture));
  const shenpi = await start(t, { fixture: file });
  assert.equal((await call(shenpi.url, TOKEN_PATH, { json: { app_id: 'cli_globex', app_secret: 'g-secret' } })).body.code, 0);
  assert.equal((await call(shenpi.url, TOKEN_PATH, { json: DEMO_APP })).body.code, 10003);
  const demo = await startShenpi({ demo: true });
  t.after(() => demo.close());
  assert.equal((await call(demo.url, TOKEN_PATH, { json: DEMO_APP })).body.code, 0);
});

test('two startShenpi servers in one process keep separate in-memory data', async (t) => {
  const a = await start(t);
  const b = await start(t);
  const code = await createLeave(a.url, await tenantToken(a.url));
  const token = await tenantToken(b.url);
  assert.equal((await instanceStatus(b.url, token, code)).code, 1390003);
});

test('the admin token is the one given, or a generated one, and opens /_shenpi/*', async (t) => {
  const given = await start(t, { adminToken: 'my-admin-token' });
  assert.equal(given.adminToken, 'my-admin-token');
  const generated = await start(t);
  assert.match(generated.adminToken, /^[\w-]{20,}$/);
  for (const shenpi of [given, generated]) {
    assert.equal((await call(shenpi.url, '/_shenpi/clock', { token: shenpi.adminToken })).status, 200);
    assert.equal((await call(shenpi.url, '/_shenpi/clock', { token: 'wrong' })).status, 401);
  }
});

test('clock.set and clock.advance move the time the Open API uses: a token expires 7200 s after it was issued', async (t) => {
  const shenpi = await start(t);
  const target = Date.UTC(2030, 0, 1);
  const set = await shenpi.clock.set(target);
  assert.ok(set >= target && set < target + 60_000, `set ${set}`);
  const token = await tenantToken(shenpi.url);
  const before = await shenpi.clock.now();
  const advanced = await shenpi.clock.advance(7200_000);
  assert.ok(advanced >= before + 7200_000, `advanced ${advanced - before}`);
  assert.equal((await instanceStatus(shenpi.url, token, 'X')).code, 99991663);
  assert.ok((await call(shenpi.url, '/_shenpi/clock', { token: shenpi.adminToken })).body.now >= advanced);
});

test('clock.set with frozen: true stops the time there; advancing moves it and keeps it stopped; set without it flows again', async (t) => {
  const shenpi = await start(t);
  const target = Date.UTC(2030, 0, 1);
  assert.equal(await shenpi.clock.set(target, { frozen: true }), target);
  const code = await createLeave(shenpi.url, await tenantToken(shenpi.url));
  const read = await instanceStatus(shenpi.url, await tenantToken(shenpi.url), code);
  assert.equal(read.data.start_time, String(target));
  assert.equal(await shenpi.clock.now(), target);
  assert.equal(await shenpi.clock.advance(1000), target + 1000);
  assert.equal(await shenpi.clock.now(), target + 1000);
  const flowing = await shenpi.clock.set(target);
  assert.ok(flowing >= target);
  assert.deepEqual(Object.keys((await call(shenpi.url, '/_shenpi/clock', { token: shenpi.adminToken })).body), ['now']);
});

test('startShenpi with a clock option starts at that time, and reset() brings that time back', async (t) => {
  const at = Date.UTC(2031, 5, 1);
  const shenpi = await start(t, { clock: { now: at, frozen: true } });
  assert.equal(await shenpi.clock.now(), at);
  await shenpi.clock.advance(86_400_000);
  await shenpi.reset();
  assert.equal(await shenpi.clock.now(), at);
});

test('reset() deletes the data, empties the request log and fault rules, and loads the start fixture again', async (t) => {
  const shenpi = await start(t);
  const token = await tenantToken(shenpi.url);
  const code = await createLeave(shenpi.url, token);
  shenpi.faults.add({ path: '/open-apis/approval/v4/approvals/*', code: 1395001 });
  await shenpi.reset();
  assert.deepEqual(shenpi.requests(), []);
  assert.deepEqual(shenpi.faults.list(), []);
  assert.equal((await instanceStatus(shenpi.url, token, code)).code, 99991663, 'the token is gone with the data');
  const fresh = await tenantToken(shenpi.url);
  assert.equal((await instanceStatus(shenpi.url, fresh, code)).code, 1390003);
  assert.equal((await call(shenpi.url, `${V4}/approvals/${DEMO_LEAVE_CODE}`, { token: fresh })).body.code, 0);
});

test('requests(filter) lists the Open API requests by method, path (exact or prefix*), code and status, as GET /_shenpi/requests does', async (t) => {
  const shenpi = await start(t);
  const token = await tenantToken(shenpi.url);
  await createLeave(shenpi.url, token);
  await call(shenpi.url, `${V4}/instances/NOPE`, { token });
  // Listed as soon as the answer is in the client's hands.
  assert.deepEqual(
    shenpi.requests().map((r) => [r.method, r.path, r.status, r.code]),
    [
      ['POST', TOKEN_PATH, 200, 0],
      ['POST', `${V4}/instances`, 200, 0],
      ['GET', `${V4}/instances/NOPE`, 400, 1390003],
    ],
  );
  assert.deepEqual(shenpi.requests({ method: 'get' }).map((r) => r.path), [`${V4}/instances/NOPE`]);
  assert.deepEqual(shenpi.requests({ path: `${V4}/*` }).length, 2);
  assert.deepEqual(shenpi.requests({ path: `${V4}/instances` }).length, 1);
  assert.deepEqual(shenpi.requests({ code: 1390003 }).map((r) => r.path), [`${V4}/instances/NOPE`]);
  assert.deepEqual(shenpi.requests({ status: 200 }).length, 2);
  const overHttp = await call(shenpi.url, `/_shenpi/requests?path=${encodeURIComponent(`${V4}/*`)}&code=1390003`, { token: shenpi.adminToken });
  assert.deepEqual(overHttp.body.requests, shenpi.requests({ path: `${V4}/*`, code: 1390003 }));
  const bad = await call(shenpi.url, '/_shenpi/requests?code=x', { token: shenpi.adminToken });
  assert.equal(bad.status, 400, bad.text);
});

test('faults.add answers matching requests with the fault; faults.clear removes every rule; a malformed rule throws', async (t) => {
  const shenpi = await start(t);
  const token = await tenantToken(shenpi.url);
  const rule = shenpi.faults.add({ method: 'POST', path: `${V4}/instances`, code: 1395001, times: 1 });
  assert.equal(rule.fired, 0);
  const faulted = await call(shenpi.url, `${V4}/instances`, { token, json: { approval_code: DEMO_LEAVE_CODE, open_id: 'ou_alice', form: FORM } });
  assert.equal(faulted.body.code, 1395001);
  assert.deepEqual(shenpi.faults.list(), [], 'a rule of times: 1 retires after one answer');
  shenpi.faults.add({ path: `${V4}/*`, code: 99991400, http_status: 429 });
  assert.equal((await call(shenpi.url, `${V4}/instances/X`, { token })).status, 429);
  assert.deepEqual((await call(shenpi.url, '/_shenpi/faults', { token: shenpi.adminToken })).body.faults, shenpi.faults.list());
  shenpi.faults.clear();
  assert.equal((await call(shenpi.url, `${V4}/instances/X`, { token })).body.code, 1390003);
  assert.throws(() => shenpi.faults.add({ code: 1 } as never), TypeError);
  assert.throws(() => shenpi.faults.add({ path: '/x', times: 0 }), /times/);
});

test('snapshot() and restore(id) bring back data, tokens and the clock; a token issued after the snapshot is gone', async (t) => {
  const shenpi = await startOnTestStore(t);
  await shenpi.clock.set(Date.UTC(2030, 0, 1), { frozen: true });
  const token = await tenantToken(shenpi.url);
  const kept = await createLeave(shenpi.url, token);
  const id = await shenpi.snapshot();

  await shenpi.clock.advance(3 * 3600_000);
  const later = await tenantToken(shenpi.url);
  assert.notEqual(later, token);
  const dropped = await createLeave(shenpi.url, later);
  await call(shenpi.url, `${V4}/instances/cancel`, {
    token: later,
    json: { approval_code: DEMO_LEAVE_CODE, instance_code: kept, user_id: 'ou_alice' },
  });

  await shenpi.restore(id);
  assert.equal(await shenpi.clock.now(), Date.UTC(2030, 0, 1));
  assert.equal((await instanceStatus(shenpi.url, later, kept)).code, 99991663);
  assert.equal((await instanceStatus(shenpi.url, token, kept)).data.status, 'PENDING');
  assert.equal((await instanceStatus(shenpi.url, token, dropped)).code, 1390003);
  await assert.rejects(shenpi.restore('999'), /no snapshot "999"/);
});

test('close() stops the server: its url no longer answers', async () => {
  const shenpi = await startShenpi();
  const { url } = shenpi;
  assert.equal((await call(url, '/healthz')).status, 200);
  await shenpi.close();
  await assert.rejects(fetch(`${url}/healthz`));
});

test('startShenpi refuses a malformed seed or port before starting', async () => {
  await assert.rejects(startShenpi({ seed: -1 }), /seed/);
  await assert.rejects(startShenpi({ seed: 1.5 }), /seed/);
  await assert.rejects(startShenpi({ port: 70000 }), /port/);
});
