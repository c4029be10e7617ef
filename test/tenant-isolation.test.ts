/**
 * Nothing of another tenant is visible or changeable (rules.md "Every Open API request" 2), on every
 * endpoint that names a definition, an instance or a user: the tenant globex reuses acme's id strings
 * (ou_alice, ou_bob), and acme's instance must stay out of its reach.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { DEMO_LEAVE_CODE } from '../src/fixtures/demo.js';
import { assertRefused, createLeave, getInstance, instanceEvents, pendingTaskOf, serve, V4, type Served } from './helpers/approval.js';
import { GLOBEX_APP, globexFixture } from './helpers/fixtures.js';
import { admin, call, tenantToken } from './helpers/http.js';

/** acme with Alice's pending leave, and a token of globex, whose people have the same id strings. */
async function twoTenants(t: TestContext): Promise<{ ctx: Served; code: string; taskId: string; globex: string }> {
  const ctx = await serve(t);
  assert.equal((await admin(ctx.url, '/fixtures', { json: globexFixture() })).status, 200);
  const code = await createLeave(ctx);
  const taskId = (await pendingTaskOf(ctx, code, 'ou_bob')).id as string;
  return { ctx, code, taskId, globex: await tenantToken(ctx.url, GLOBEX_APP) };
}

/** acme's instance is exactly as it was: pending, Bob's task pending, no event but its creation. */
async function untouched(ctx: Served, code: string) {
  const instance = await getInstance(ctx, code);
  assert.equal(instance.status, 'PENDING');
  assert.deepEqual(instance.task_list.map((task: { status: string }) => task.status), ['PENDING']);
  assert.deepEqual(instance.timeline.map((e: { type: string }) => e.type), ['START']);
  assert.deepEqual(await instanceEvents(ctx, code), ['PENDING']);
}

test("another tenant's token cannot approve, reject or transfer acme's task: 1390002, nothing changes", async (t) => {
  const { ctx, code, taskId, globex } = await twoTenants(t);
  const body = { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: 'ou_bob', task_id: taskId };
  for (const [action, extra] of [['approve', {}], ['reject', {}], ['transfer', { transfer_user_id: 'ou_alice' }]] as const) {
    const answer = await call(ctx.url, `${V4}/tasks/${action}`, { token: globex, json: { ...body, ...extra } });
    assertRefused(answer, 1390002);
  }
  await untouched(ctx, code);
});

test("another tenant's token cannot CC acme's instance or comment on it", async (t) => {
  const { ctx, code, globex } = await twoTenants(t);
  const cc = await call(ctx.url, `${V4}/instances/cc`, {
    token: globex,
    json: { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: 'ou_alice', cc_user_ids: ['ou_bob'] },
  });
  assertRefused(cc, 1390002);
  const comment = await call(ctx.url, `${V4}/instances/${code}/comments?user_id=ou_alice`, {
    token: globex,
    json: { content: JSON.stringify({ text: 'hello' }) },
  });
  assertRefused(comment, 1390003);
  await untouched(ctx, code);
});

test("another tenant's token lists none of acme's instances: GET /instances, instances/query, tasks/query", async (t) => {
  const { ctx, globex } = await twoTenants(t);
  const list = await call(ctx.url, `${V4}/instances?approval_code=${DEMO_LEAVE_CODE}&start_time=0&end_time=9999999999999`, {
    token: globex,
  });
  assertRefused(list, 1390002);
  // globex's own ou_alice has submitted nothing; acme's Alice's leave must not show.
  const query = await call(ctx.url, `${V4}/instances/query`, { token: globex, json: { user_id: 'ou_alice' } });
  assert.equal(query.body.code, 0, query.text);
  assert.deepEqual([query.body.data.count, query.body.data.instance_list], [0, []]);
  const byDefinition = await call(ctx.url, `${V4}/instances/query`, { token: globex, json: { approval_code: DEMO_LEAVE_CODE } });
  if (byDefinition.body.code === 0) assert.deepEqual(byDefinition.body.data.instance_list, []);
  else assertRefused(byDefinition, 1390002);
  for (const topic of ['1', '3']) {
    const tasks = await call(ctx.url, `${V4}/tasks/query?user_id=${topic === '1' ? 'ou_bob' : 'ou_alice'}&topic=${topic}`, { token: globex });
    assert.equal(tasks.body.code, 0, tasks.text);
    assert.deepEqual(tasks.body.data.tasks, []);
  }
});

test("another tenant's token cannot preview acme's instance or definition, nor subscribe to it", async (t) => {
  const { ctx, code, globex } = await twoTenants(t);
  const byInstance = await call(ctx.url, `${V4}/instances/preview`, { token: globex, json: { user_id: 'ou_alice', instance_code: code } });
  assertRefused(byInstance, 1390003);
  const byDefinition = await call(ctx.url, `${V4}/instances/preview`, {
    token: globex,
    json: { user_id: 'ou_alice', approval_code: DEMO_LEAVE_CODE },
  });
  assertRefused(byDefinition, 1390002);
  const subscribe = await call(ctx.url, `${V4}/approvals/${DEMO_LEAVE_CODE}/subscribe`, { token: globex, method: 'POST' });
  assertRefused(subscribe, 1390002);
});
