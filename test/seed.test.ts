/**
 * Deterministic ids (`--seed N`, `SHENPI_SEED`, `startShenpi({ seed })`): two fresh servers of one seed making
 * the same calls at the same (frozen) clock times answer byte for byte alike: instance codes, task ids,
 * tokens, log ids. Another seed, or none, makes other ids.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { ServeConfig } from '../src/config.js';
import { DEMO_APP, DEMO_LEAVE_CODE, demoFixture } from '../src/fixtures/demo.js';
import { startShenpi } from '../src/index.js';
import { admin, call } from './helpers/http.js';
import { startNode } from './helpers/process.js';
import { startTestServer } from './helpers/server.js';

const AT = Date.UTC(2030, 0, 1);
const TOKEN_PATH = '/open-apis/auth/v3/tenant_access_token/internal';
const V4 = '/open-apis/approval/v4';

/** Every answer of the script, as sent: status, log id header, body text. */
type Transcript = string[];

/** Token, create, get, withdraw, get: the transcript of what the server answered. */
async function script(url: string): Promise<Transcript> {
  const transcript: Transcript = [];
  const step = async (path: string, options: Parameters<typeof call>[2]) => {
    const answer = await call(url, path, options);
    transcript.push(`${answer.status} ${answer.headers.get('x-tt-logid')} ${answer.text}`);
    return answer.body;
  };
  const { tenant_access_token: token } = await step(TOKEN_PATH, { json: DEMO_APP });
  const form = JSON.stringify([{ id: 'reason', type: 'input', value: 'a day off' }]);
  const created = await step(`${V4}/instances`, { token, json: { approval_code: DEMO_LEAVE_CODE, open_id: 'ou_alice', form } });
  const code = created.data.instance_code as string;
  await step(`${V4}/instances/${code}`, { token });
  await step(`${V4}/instances/cancel`, { token, json: { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: 'ou_alice' } });
  await step(`${V4}/instances/${code}`, { token });
  await step(`${V4}/instances/NO-SUCH-INSTANCE`, { token });
  return transcript;
}

/** A fresh server of that seed (none: random ids), its clock frozen at AT before the demo data loads. */
async function seededRun(t: TestContext, seed: number | undefined): Promise<Transcript> {
  const overrides: Partial<ServeConfig> = { seed, noDemo: true };
  const server = await startTestServer(overrides);
  t.after(() => server.close());
  assert.equal((await admin(server.url, '/clock', { json: { now: AT, frozen: true } })).status, 200);
  assert.equal((await admin(server.url, '/fixtures', { json: demoFixture })).status, 200);
  return script(server.url);
}

test('two servers of one seed, with a frozen clock, answer token, create, get, withdraw and get byte for byte alike', async (t) => {
  const first = await seededRun(t, 7);
  const second = await seededRun(t, 7);
  assert.deepEqual(second, first);
  assert.match(first[0]!, /"tenant_access_token":"t-/);
  assert.match(first[2]!, /"task_list":\[\{"id":"\d+"/);
});

test('another seed makes other tokens, codes, task ids and log ids', async (t) => {
  const seven = await seededRun(t, 7);
  const eight = await seededRun(t, 8);
  for (const [i, line] of seven.entries()) assert.notEqual(eight[i], line, `answer ${i} differs`);
});

test('without a seed two servers make different ids, as before', async (t) => {
  const one = await seededRun(t, undefined);
  const two = await seededRun(t, undefined);
  assert.notEqual(one[0], two[0]);
  assert.notEqual(one[1], two[1]);
});

test('startShenpi({ seed, clock: { frozen } }) with a fixture repeats whole answers from one start to the next', async (t) => {
  const run = async () => {
    const shenpi = await startShenpi({ seed: 3, clock: { now: AT, frozen: true }, fixture: demoFixture });
    t.after(() => shenpi.close());
    const transcript = await script(shenpi.url);
    // Also what the definition (its approval and node ids, made when the fixture loaded) reads.
    const token = JSON.parse(transcript[0]!.split(' ').slice(2).join(' ')).tenant_access_token as string;
    transcript.push((await call(shenpi.url, `${V4}/approvals/${DEMO_LEAVE_CODE}`, { token })).text);
    return transcript;
  };
  assert.deepEqual(await run(), await run());
});

test('shenpi serve --seed and SHENPI_SEED seed the command line server as the API seeds startShenpi: the same first token', async (t) => {
  const api = await startShenpi({ seed: 7, demo: true });
  t.after(() => api.close());
  const expected = (await call(api.url, TOKEN_PATH, { json: DEMO_APP })).body.tenant_access_token;
  const byFlag = await startNode(['--db', 'sqlite::memory:', '--emulator', '--seed', '7', '--log-level', 'warn']);
  t.after(() => byFlag.stop());
  const byEnv = await startNode(['--db', 'sqlite::memory:', '--log-level', 'warn'], { SHENPI_EMULATOR: '1', SHENPI_SEED: '7' });
  t.after(() => byEnv.stop());
  for (const node of [byFlag, byEnv]) {
    assert.equal((await call(node.url, TOKEN_PATH, { json: DEMO_APP })).body.tenant_access_token, expected);
  }
});
