/**
 * The lists and searches answer their refusals as values (a Result), not as rejections: a missing selector, a
 * bad time range, an unknown definition, instance or user, a bad topic, and a page token the server never issued
 * (of a merged list: either half, or no two halves). Their HTTP answers are tested beside each endpoint.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEMO_LEAVE_CODE } from '../src/fixtures/demo.js';
import type { Result } from '../src/domain/errors.js';
import { encodeCursor } from '../src/services/paging.js';
import { createLeave, DEMO_CALLER, serve } from './helpers/approval.js';
import { codeOf } from './helpers/results.js';

/** A service's answer as 'ok' or its refusal's code, once settled. */
const settledCode = async (answer: Promise<Result<unknown>>) => codeOf(await answer);
const BAD_TOKEN = 'not-a-token';

test('tasks/search and search_cc answer a missing selector, a bad range, unknown names and bad tokens as values, in order', async (t) => {
  const ctx = await serve(t);
  await createLeave(ctx);
  const { search } = ctx.server.services;
  for (const find of [search.tasks.bind(search), search.ccs.bind(search)]) {
    const run = (body: Record<string, unknown>, pageToken?: string) => settledCode(find(DEMO_CALLER, body as never, 'open_id', { pageToken }));
    assert.equal(await run({}), 1390001);
    assert.equal(await run({ user_id: 'ou_nobody', task_start_time_from: '1', cc_create_time_from: '1' }), 1390001);
    assert.equal(await run({ approval_code: 'NO-SUCH-DEFINITION', user_id: 'ou_nobody' }), 1390002);
    assert.equal(await run({ instance_code: 'NO-SUCH-INSTANCE', user_id: 'ou_nobody' }), 1390003);
    assert.equal(await run({ approval_code: DEMO_LEAVE_CODE, user_id: 'ou_nobody' }), 1390001);
    assert.equal(await run({ approval_code: DEMO_LEAVE_CODE }, `${BAD_TOKEN}.`), 1390001);
    assert.equal(await run({ approval_code: DEMO_LEAVE_CODE }, `.${BAD_TOKEN}`), 1390001);
    assert.equal(await run({ approval_code: DEMO_LEAVE_CODE }, 'a.b.c'), 1390001);
    // A position issued for another order.
    assert.equal(await run({ approval_code: DEMO_LEAVE_CODE }, `${encodeCursor({ time: 1, id: 'x', order: 3 })}.`), 1390001);
    assert.equal(await run({ approval_code: DEMO_LEAVE_CODE }), 'ok');
  }
});

test('instances/query and the instance code list answer their refusals as values', async (t) => {
  const ctx = await serve(t);
  await createLeave(ctx);
  const { instances } = ctx.server.services;
  const query = (body: Record<string, unknown>, pageToken?: string) =>
    settledCode(instances.query(DEMO_CALLER, body as never, 'open_id', pageToken ? { pageToken } : {}));
  assert.equal(await query({}), 1390001);
  assert.equal(await query({ user_id: 'ou_alice', instance_start_time_to: '1' }), 1390001);
  assert.equal(await query({ user_id: 'ou_nobody' }), 1390001);
  assert.equal(await query({ user_id: 'ou_alice' }, `${BAD_TOKEN}.`), 1390001);
  assert.equal(await query({ user_id: 'ou_alice' }, `.${BAD_TOKEN}`), 1390001);
  assert.equal(await query({ user_id: 'ou_alice' }), 'ok');
  const list = (approvalCode: string, pageToken?: string) =>
    settledCode(instances.listCodes(DEMO_CALLER, { approvalCode, startTime: 0, endTime: Date.now() + 86_400_000, ...(pageToken ? { pageToken } : {}) }));
  assert.equal(await list('NO-SUCH-DEFINITION', BAD_TOKEN), 1390002);
  assert.equal(await list(DEMO_LEAVE_CODE, BAD_TOKEN), 1390001);
  assert.equal(await list(DEMO_LEAVE_CODE), 'ok');
});

test('tasks/query answers an unknown user, a bad topic and a bad token as values', async (t) => {
  const ctx = await serve(t);
  await createLeave(ctx);
  const { tasks } = ctx.server.services;
  const query = (userId: string, topic: string, pageToken?: string) => settledCode(tasks.query(DEMO_CALLER, { userId, topic, userIdType: 'open_id', pageToken }));
  assert.equal(await query('ou_nobody', '99'), 1390001);
  assert.equal(await query('ou_bob', '99'), 1390001);
  for (const topic of ['1', '3', '17']) {
    assert.equal(await query('ou_bob', topic, `${BAD_TOKEN}.`), 1390001);
    assert.equal(await query('ou_bob', topic, `.${BAD_TOKEN}`), 1390001);
    assert.equal(await query('ou_bob', topic), 'ok');
  }
});

test("the third-party task list and the districts answer a bad token, an unknown root and a search of nothing as values", async (t) => {
  const ctx = await serve(t);
  const { externalInstances, districts } = ctx.server.services;
  assert.equal(await settledCode(externalInstances.listTaskStates(DEMO_CALLER, {}, 10, BAD_TOKEN)), 1390001);
  assert.equal(await settledCode(externalInstances.listTaskStates(DEMO_CALLER, {}, 10, undefined)), 'ok');
  assert.equal(await settledCode(districts.list({ rootDistrictId: 'no-such-district', listType: 'sub_level', pageSize: 20 })), 1390001);
  assert.equal(await settledCode(districts.list({ listType: 'sub_level', pageSize: 20, pageToken: BAD_TOKEN })), 1390001);
  const otherVersion = encodeCursor({ version: '0.0.0-other', offset: 20 });
  assert.equal(await settledCode(districts.list({ listType: 'sub_level', pageSize: 20, pageToken: otherVersion })), 1395061);
  assert.equal(await settledCode(districts.search({ pageSize: 20 })), 1390001);
  assert.equal(await settledCode(districts.search({ keyword: '北京', pageSize: 20 })), 'ok');
});
