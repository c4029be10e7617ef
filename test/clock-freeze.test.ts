/** `POST /_shenpi/clock` with `frozen: true`: the emulator clock stands still, for tests that compare whole answers. */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { ServeConfig } from '../src/config.js';
import { createLeave, getInstance } from './helpers/approval.js';
import { admin, tenantToken } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const AT = Date.UTC(2030, 0, 1);

async function serve(t: TestContext, overrides: Partial<ServeConfig> = {}) {
  const running = { server: await startTestServer(overrides) };
  t.after(() => running.server.close());
  return running;
}

const readClock = async (server: TestServer) => (await admin(server.url, '/clock')).body;

test('{"now": X, "frozen": true} stops the clock at X: later reads and new instances all say X', async (t) => {
  const { server } = await serve(t);
  const set = await admin(server.url, '/clock', { json: { now: AT, frozen: true } });
  assert.equal(set.status, 200, set.text);
  assert.deepEqual(set.body, { now: AT, frozen: true });
  const ctx = { server, url: server.url, token: await tenantToken(server.url) };
  const code = await createLeave(ctx);
  const instance = await getInstance(ctx, code);
  assert.equal(instance.start_time, String(AT));
  assert.equal(instance.timeline[0].create_time, String(AT));
  assert.deepEqual(await readClock(server), { now: AT, frozen: true });
});

test('{"advance_ms": N} moves a frozen clock exactly N and leaves it frozen', async (t) => {
  const { server } = await serve(t);
  await admin(server.url, '/clock', { json: { now: AT, frozen: true } });
  const advanced = await admin(server.url, '/clock', { json: { advance_ms: 90_000 } });
  assert.deepEqual(advanced.body, { now: AT + 90_000, frozen: true });
  assert.deepEqual(await readClock(server), { now: AT + 90_000, frozen: true });
});

test('{"now": X} without frozen lets a frozen clock flow again from X', async (t) => {
  const { server } = await serve(t);
  await admin(server.url, '/clock', { json: { now: AT, frozen: true } });
  const set = await admin(server.url, '/clock', { json: { now: AT } });
  assert.deepEqual(Object.keys(set.body), ['now']);
  const read = await readClock(server);
  assert.deepEqual(Object.keys(read), ['now']);
  assert.ok(read.now >= AT && read.now < AT + 60_000, `now ${read.now}`);
});

test('a frozen clock stays frozen across a restart on the same database', async (t) => {
  const running = await serve(t);
  await admin(running.server.url, '/clock', { json: { now: AT, frozen: true } });
  running.server = await running.server.restart();
  assert.deepEqual(await readClock(running.server), { now: AT, frozen: true });
});

for (const [label, body] of [
  ['frozen as a string', { now: AT, frozen: 'yes' }],
  ['frozen with advance_ms', { advance_ms: 1000, frozen: true }],
  ['frozen alone', { frozen: true }],
] as const) {
  test(`POST /_shenpi/clock with ${label} answers 400 {"error"} and leaves the clock flowing`, async (t) => {
    const { server } = await serve(t);
    const answer = await admin(server.url, '/clock', { json: body });
    assert.equal(answer.status, 400, answer.text);
    assert.equal(typeof answer.body.error, 'string');
    assert.deepEqual(Object.keys(await readClock(server)), ['now']);
  });
}
