/**
 * Input no request may carry, refused the same way on SQLite and PostgreSQL before it reaches either store
 * (rules.md "Every Open API request" 3 and 6): a NUL character in any string, a crafted page_token, JSON
 * nested deeper than any Feishu body. Each answers 1390001 (10003 on the token endpoint) and changes nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEMO_LEAVE_CODE } from '../src/fixtures/demo.js';
import { assertRefused, createInstance, createLeave, getInstance, instanceCodes, reasonForm, serve, V4 } from './helpers/approval.js';
import { admin, call } from './helpers/http.js';
import { TENANT_TOKEN_PATH } from './helpers/open-api.js';

const token = (cursor: object) => Buffer.from(JSON.stringify(cursor)).toString('base64url');

/** `{"a":{"a":...}}` nested `depth` levels. */
const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

test('a NUL character in a body string answers 1390001 naming the field, and creates nothing', async (t) => {
  const ctx = await serve(t);
  const answer = await createInstance(ctx, { approval_code: DEMO_LEAVE_CODE, open_id: 'ou_alice', form: reasonForm(), title: 'a\u0000b' });
  assertRefused(answer, 1390001, /body\.title contains a NUL character/);
  assert.deepEqual(await instanceCodes(ctx), []);
});

test('a NUL character in a withdrawal answers 1390001, not 1395001, and the instance stays PENDING', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  const answer = await call(ctx.url, `${V4}/instances/cancel`, {
    token: ctx.token,
    json: { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: 'ou_alice\u0000' },
  });
  assertRefused(answer, 1390001, /body\.user_id contains a NUL/);
  assert.equal((await getInstance(ctx, code)).status, 'PENDING');
});

test('a NUL character in a query parameter or a path parameter answers 1390001', async (t) => {
  const ctx = await serve(t);
  assertRefused(await call(ctx.url, `${V4}/tasks/query?user_id=ou_bob%00&topic=1`, { token: ctx.token }), 1390001, /query\.user_id/);
  assertRefused(await call(ctx.url, `${V4}/instances/A%00B`, { token: ctx.token }), 1390001, /params\.instance_id/);
});

test('a NUL character in a field name answers 1390001', async (t) => {
  const ctx = await serve(t);
  const answer = await createInstance(ctx, { approval_code: DEMO_LEAVE_CODE, open_id: 'ou_alice', form: reasonForm(), 'x\u0000': 1 });
  assertRefused(answer, 1390001, /NUL/);
});

test('a crafted page_token (a start time of 1.5 or 1e308, a NUL in a code) answers 1390001 on both list endpoints', async (t) => {
  const ctx = await serve(t);
  await createLeave(ctx);
  for (const cursor of [
    { startTime: 1.5, seq: '1', code: 'A' },
    { startTime: 1e308, seq: '1', code: 'A' },
    { startTime: 1, seq: '1', code: 'A\u0000' },
  ]) {
    const list = await call(
      ctx.url,
      `${V4}/instances?approval_code=${DEMO_LEAVE_CODE}&start_time=0&end_time=9999999999999&page_token=${token(cursor)}`,
      { token: ctx.token },
    );
    assertRefused(list, 1390001, /page_token/);
    const query = await call(ctx.url, `${V4}/instances/query?page_token=${token(cursor)}`, {
      token: ctx.token,
      json: { approval_code: DEMO_LEAVE_CODE },
    });
    assertRefused(query, 1390001, /page_token/);
  }
});

test('a body nested 10,000 levels deep in an unused field of POST /instances answers 1390001 and creates nothing', async (t) => {
  const ctx = await serve(t);
  const body = `{"approval_code":"${DEMO_LEAVE_CODE}","open_id":"ou_alice","form":${JSON.stringify(reasonForm())},"extra":${nested(10_000)}}`;
  const answer = await call(ctx.url, `${V4}/instances`, { token: ctx.token, raw: body, headers: { 'content-type': 'application/json' } });
  assertRefused(answer, 1390001, /body\.extra(\.a)* nests deeper than 64 levels/);
  assert.deepEqual(await instanceCodes(ctx), []);
});

test('a deeply nested token request answers 10003, the token endpoint\'s code for a bad body', async (t) => {
  const ctx = await serve(t);
  const answer = await call(ctx.url, TENANT_TOKEN_PATH, {
    raw: `{"app_id":"cli_acme_demo","app_secret":"acme-secret","x":${nested(5_000)}}`,
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(answer.status, 200, answer.text);
  assert.equal(answer.body.code, 10003, answer.text);
});

test('a fixture with a NUL character is refused by the admin API with 400 and loads nothing', async (t) => {
  const ctx = await serve(t);
  const answer = await admin(ctx.url, '/fixtures', { json: { tenants: [{ tenant_key: 'bad\u0000tenant' }] } });
  assert.equal(answer.status, 400, answer.text);
  assert.match(answer.body.error, /NUL/);
  const tenants = (await admin(ctx.url, '/tenants')).body.tenants.map((tenant: { tenant_key: string }) => tenant.tenant_key);
  assert.deepEqual(tenants, ['acme']);
});
