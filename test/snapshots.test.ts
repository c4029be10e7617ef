/**
 * `POST /_shenpi/snapshots` and `POST /_shenpi/snapshots/:id/restore` (emulator mode): a restore brings back
 * every table's rows exactly (data, tokens, the clock, deliveries), and on a seeded server the ids that
 * followed the snapshot.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { ServeConfig } from '../src/config.js';
import { DEMO_LEAVE_CODE } from '../src/fixtures/demo.js';
import { aliceCancels, approveAs, assertSuccess, createLeave, getInstanceAnswer, V4, type Served } from './helpers/approval.js';
import { snapshot as tableRows } from './helpers/db-snapshot.js';
import { setUpEvents } from './helpers/event-receiver.js';
import { GLOBEX_APP, globexFixture } from './helpers/fixtures.js';
import { admin, call, tenantToken } from './helpers/http.js';
import { startTestServer } from './helpers/server.js';
import { waitFor } from './helpers/wait.js';

async function serve(t: TestContext, overrides: Partial<ServeConfig> = {}): Promise<Served> {
  const server = await startTestServer(overrides);
  t.after(() => server.close());
  return { server, url: server.url, token: await tenantToken(server.url) };
}

async function takeSnapshot(url: string): Promise<string> {
  const answer = await admin(url, '/snapshots', { method: 'POST' });
  assert.equal(answer.status, 200, answer.text);
  assert.equal(typeof answer.body.id, 'string');
  return answer.body.id as string;
}

async function restore(url: string, id: string): Promise<void> {
  const answer = await admin(url, `/snapshots/${id}/restore`, { method: 'POST' });
  assert.equal(answer.status, 200, answer.text);
  assert.deepEqual(answer.body, { restored: id });
}

/** Every delivery so far has reached the receiver: nothing changes the tables behind the test's back. */
const allDelivered = (ctx: Served) =>
  waitFor('every delivery delivered', async () => {
    const { deliveries } = (await admin(ctx.url, '/deliveries')).body as { deliveries: { status: string }[] };
    return deliveries.length > 0 && deliveries.every((d) => d.status === 'delivered') ? deliveries : undefined;
  });

async function comment(ctx: Served, code: string, text: string, parent?: string): Promise<string> {
  const answer = await call(ctx.url, `${V4}/instances/${code}/comments?user_id_type=open_id&user_id=ou_alice`, {
    token: ctx.token,
    json: { content: JSON.stringify({ text }), ...(parent ? { parent_comment_id: parent } : {}) },
  });
  return assertSuccess(answer).comment_id as string;
}

test('restoring a snapshot brings every table back row for row, whatever happened since', async (t) => {
  const { server, token } = await setUpEvents(t);
  const ctx: Served = { server, url: server.url, token };
  await admin(ctx.url, '/clock', { json: { now: Date.UTC(2030, 0, 1) } });
  ctx.token = await tenantToken(ctx.url, { app_id: 'cli_acme_events', app_secret: 'events-secret' });
  const approved = await createLeave(ctx);
  await comment(ctx, approved, 'first', await comment(ctx, approved, 'thread'));
  assertSuccess(
    await call(ctx.url, `${V4}/instances/cc?user_id_type=open_id`, {
      token: ctx.token,
      json: { approval_code: DEMO_LEAVE_CODE, instance_code: approved, user_id: 'ou_alice', cc_user_ids: ['ou_carol'] },
    }),
  );
  await approveAs(ctx, approved, 'ou_bob');
  await allDelivered(ctx);
  const before = await tableRows(server.databaseUrl);
  const id = await takeSnapshot(ctx.url);

  await admin(ctx.url, '/clock', { json: { advance_ms: 3 * 3600_000 } });
  ctx.token = await tenantToken(ctx.url, { app_id: 'cli_acme_events', app_secret: 'events-secret' });
  assertSuccess(await aliceCancels(ctx, approved));
  await comment(ctx, await createLeave(ctx), 'later');
  assert.equal((await admin(ctx.url, '/fixtures', { json: globexFixture() })).status, 200);
  await tenantToken(ctx.url, GLOBEX_APP);
  await call(ctx.url, `${V4}/approvals/${DEMO_LEAVE_CODE}/unsubscribe`, { token: ctx.token, method: 'POST' });
  await allDelivered(ctx);
  assert.notDeepEqual(await tableRows(server.databaseUrl), before);

  await restore(ctx.url, id);
  assert.deepEqual(await tableRows(server.databaseUrl), before);
});

test('after a restore the clock reads as at the snapshot, tokens issued before work and those issued after are refused', async (t) => {
  const ctx = await serve(t);
  const at = Date.UTC(2030, 0, 1);
  await admin(ctx.url, '/clock', { json: { now: at, frozen: true } });
  const before = await tenantToken(ctx.url);
  const code = await createLeave({ ...ctx, token: before });
  const id = await takeSnapshot(ctx.url);

  await admin(ctx.url, '/clock', { json: { advance_ms: 3 * 3600_000 } });
  const after = await tenantToken(ctx.url);
  assert.notEqual(after, before);
  await restore(ctx.url, id);

  assert.deepEqual((await admin(ctx.url, '/clock')).body, { now: at, frozen: true });
  assert.equal((await getInstanceAnswer(ctx, code, undefined, before)).body.code, 0);
  assert.equal((await getInstanceAnswer(ctx, code, undefined, after)).body.code, 99991663);
  assert.equal(await tenantToken(ctx.url), before, 'the token endpoint hands out the restored token again');
});

test('a flowing clock comes back to its offset: the time read after a restore is the snapshot time plus the real time since', async (t) => {
  const ctx = await serve(t);
  const at = Date.UTC(2030, 0, 1);
  await admin(ctx.url, '/clock', { json: { now: at } });
  const id = await takeSnapshot(ctx.url);
  await admin(ctx.url, '/clock', { json: { advance_ms: 30 * 86_400_000 } });
  await restore(ctx.url, id);
  const { now } = (await admin(ctx.url, '/clock')).body;
  assert.ok(now >= at && now < at + 60_000, `now ${now - at} ms after the snapshot time`);
});

test('a snapshot outlives a reset: restoring it after POST /_shenpi/reset brings the data back', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  const id = await takeSnapshot(ctx.url);
  assert.equal((await admin(ctx.url, '/reset', { method: 'POST' })).status, 200);
  await restore(ctx.url, id);
  assert.equal((await getInstanceAnswer(ctx, code)).body.data.status, 'PENDING');
});

test('on a seeded server the calls made after a restore make the same ids as after the snapshot', async (t) => {
  const ctx = await serve(t, { seed: 11 });
  await admin(ctx.url, '/clock', { json: { now: Date.UTC(2030, 0, 1), frozen: true } });
  ctx.token = await tenantToken(ctx.url);
  const id = await takeSnapshot(ctx.url);
  const first = await createLeave(ctx);
  const firstAnswer = (await getInstanceAnswer(ctx, first)).text;
  await restore(ctx.url, id);
  assert.equal(await createLeave(ctx), first);
  assert.equal((await getInstanceAnswer(ctx, first)).text, firstAnswer);
});

test('restoring an unknown snapshot answers 404 {"error"} and changes nothing', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  const answer = await admin(ctx.url, '/snapshots/404/restore', { method: 'POST' });
  assert.equal(answer.status, 404, answer.text);
  assert.match(answer.body.error, /no snapshot "404"/);
  assert.equal((await getInstanceAnswer(ctx, code)).body.code, 0);
});

test('without emulator mode both snapshot endpoints answer 404', async (t) => {
  const ctx = await serve(t, { emulator: false });
  assert.equal((await admin(ctx.url, '/snapshots', { method: 'POST' })).status, 404);
  assert.equal((await admin(ctx.url, '/snapshots/1/restore', { method: 'POST' })).status, 404);
});

test('the snapshot endpoints need the admin token', async (t) => {
  const ctx = await serve(t);
  assert.equal((await call(ctx.url, '/_shenpi/snapshots', { method: 'POST' })).status, 401);
  assert.equal((await call(ctx.url, '/_shenpi/snapshots/1/restore', { method: 'POST' })).status, 401);
});
