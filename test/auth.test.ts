/** The token endpoints and the bearer check of every Open API route (approval-v4.md §1, rules.md "Every Open API request" 2). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEMO_APP } from '../src/fixtures/demo.js';
import { admin, call, tenantToken, type Answer } from './helpers/http.js';
import {
  APP_TOKEN_PATH,
  assertFeishuError,
  assertTokenAccepted,
  INVALID_TOKEN_MSG,
  MISSING_TOKEN_MSG,
  PROTECTED_PATH,
  TENANT_TOKEN_PATH,
} from './helpers/open-api.js';
import { startTestServer } from './helpers/server.js';
import type { TestContext } from 'node:test';

const MINUTE = 60_000;

async function serve(t: TestContext) {
  const server = await startTestServer();
  t.after(() => server.close());
  return server;
}

async function advance(url: string, ms: number): Promise<void> {
  const answer = await admin(url, '/clock', { json: { advance_ms: ms } });
  assert.equal(answer.status, 200, answer.text);
}

const requestToken = (url: string, body: unknown, path = TENANT_TOKEN_PATH) => call(url, path, { json: body });

function assertInvalidParam(answer: Answer): void {
  assert.equal(answer.status, 200, answer.text);
  assert.equal(answer.body.code, 10003, answer.text);
  assert.equal(answer.body.msg, 'invalid param');
  assert.equal(answer.body.tenant_access_token, undefined);
}

describe('POST /open-apis/auth/v3/tenant_access_token/internal', () => {
  test('issuing answers HTTP 200 with code, msg, tenant_access_token and expire at the top level', async (t) => {
    const server = await serve(t);
    const answer = await requestToken(server.url, DEMO_APP);
    assert.equal(answer.status, 200);
    assert.deepEqual(Object.keys(answer.body).sort(), ['code', 'expire', 'msg', 'tenant_access_token']);
    assert.equal(answer.body.code, 0);
    assert.equal(answer.body.msg, 'ok');
    assert.match(answer.body.tenant_access_token, /^t-[A-Za-z0-9_-]{16,}$/);
    assert.equal(answer.body.expire, 7200);
  });

  test('with 30 minutes or more left a second request returns the same token with a smaller or equal expire', async (t) => {
    const server = await serve(t);
    const first = await requestToken(server.url, DEMO_APP);
    await advance(server.url, 89 * MINUTE); // 31 minutes left
    const second = await requestToken(server.url, DEMO_APP);
    assert.equal(second.body.tenant_access_token, first.body.tenant_access_token);
    assert.ok(second.body.expire <= 31 * 60, `expire ${second.body.expire}`);
    assert.ok(second.body.expire > 29 * 60, `expire ${second.body.expire}`);
  });

  test('with under 30 minutes left a request returns a new token with a full expire', async (t) => {
    const server = await serve(t);
    const old = await tenantToken(server.url);
    await advance(server.url, 91 * MINUTE); // 29 minutes left
    const renewed = await requestToken(server.url, DEMO_APP);
    assert.notEqual(renewed.body.tenant_access_token, old);
    assert.match(renewed.body.tenant_access_token, /^t-/);
    assert.equal(renewed.body.expire, 7200);
  });

  test('a token replaced because under 30 minutes were left keeps working until it expires', async (t) => {
    const server = await serve(t);
    const old = await tenantToken(server.url);
    await advance(server.url, 91 * MINUTE);
    const renewed = await tenantToken(server.url);
    assert.notEqual(renewed, old);
    assertTokenAccepted(await call(server.url, PROTECTED_PATH, { token: old }));
    assertTokenAccepted(await call(server.url, PROTECTED_PATH, { token: renewed }));
  });

  test('concurrent first requests each get a token that is accepted', async (t) => {
    const server = await serve(t);
    const tokens = await Promise.all([1, 2, 3, 4].map(() => tenantToken(server.url)));
    for (const token of new Set(tokens)) assertTokenAccepted(await call(server.url, PROTECTED_PATH, { token }));
  });

  test('after the clock is set back, expire never exceeds 7200 seconds', async (t) => {
    const server = await serve(t);
    await admin(server.url, '/clock', { json: { now: Date.UTC(2031, 0, 1) } });
    await tenantToken(server.url);
    await admin(server.url, '/clock', { json: { now: Date.UTC(2030, 0, 1) } });
    const answer = await requestToken(server.url, DEMO_APP);
    assert.equal(answer.body.code, 0);
    assert.ok(answer.body.expire <= 7200, `expire ${answer.body.expire}`);
  });

  test('a wrong app_secret answers HTTP 200 code 10003 "invalid param"', async (t) => {
    const server = await serve(t);
    assertInvalidParam(await requestToken(server.url, { app_id: DEMO_APP.app_id, app_secret: 'not-the-secret' }));
  });

  test('an unknown app_id answers HTTP 200 code 10003', async (t) => {
    const server = await serve(t);
    assertInvalidParam(await requestToken(server.url, { app_id: 'cli_nobody', app_secret: DEMO_APP.app_secret }));
  });

  for (const [label, body] of [
    ['app_secret missing', { app_id: DEMO_APP.app_id }],
    ['app_id missing', { app_secret: DEMO_APP.app_secret }],
    ['an empty app_id', { app_id: '', app_secret: DEMO_APP.app_secret }],
    ['app_id a number', { app_id: 42, app_secret: DEMO_APP.app_secret }],
    ['app_secret an array', { app_id: DEMO_APP.app_id, app_secret: [DEMO_APP.app_secret] }],
  ] as const) {
    test(`a body with ${label} answers HTTP 200 code 10003`, async (t) => {
      const server = await serve(t);
      assertInvalidParam(await requestToken(server.url, body));
    });
  }

  test('a refused request carries the reason in error.details', async (t) => {
    const server = await serve(t);
    const answer = await requestToken(server.url, { app_id: DEMO_APP.app_id, app_secret: 'wrong' });
    assertFeishuError(answer, 10003, 'invalid param', 200);
  });

  test('the trailing-slash spelling /internal/ issues the same token', async (t) => {
    const server = await serve(t);
    const plain = await tenantToken(server.url);
    const slashed = await requestToken(server.url, DEMO_APP, `${TENANT_TOKEN_PATH}/`);
    assert.equal(slashed.status, 200);
    assert.equal(slashed.body.code, 0);
    assert.equal(slashed.body.tenant_access_token, plain);
  });
});

describe('POST /open-apis/auth/v3/app_access_token/internal', () => {
  test('a self-built app gets an app_access_token, a tenant_access_token and expire', async (t) => {
    const server = await serve(t);
    const answer = await requestToken(server.url, DEMO_APP, APP_TOKEN_PATH);
    assert.equal(answer.status, 200);
    assert.equal(answer.body.code, 0);
    assert.equal(answer.body.msg, 'ok');
    assert.match(answer.body.app_access_token, /^a-/);
    assert.match(answer.body.tenant_access_token, /^t-/);
    assert.equal(answer.body.expire, 7200);
  });

  test('its tenant_access_token is the one the tenant endpoint hands out', async (t) => {
    const server = await serve(t);
    const answer = await requestToken(server.url, DEMO_APP, APP_TOKEN_PATH);
    assert.equal(answer.body.tenant_access_token, await tenantToken(server.url));
  });

  test('a wrong app_secret answers HTTP 200 code 10003', async (t) => {
    const server = await serve(t);
    assertInvalidParam(await requestToken(server.url, { ...DEMO_APP, app_secret: 'wrong' }, APP_TOKEN_PATH));
  });

  test('the trailing-slash spelling /internal/ works', async (t) => {
    const server = await serve(t);
    const answer = await requestToken(server.url, DEMO_APP, `${APP_TOKEN_PATH}/`);
    assert.equal(answer.body.code, 0);
    assert.match(answer.body.app_access_token, /^a-/);
  });
});

describe('the bearer token on an Open API route', () => {
  test('a valid tenant_access_token is accepted', async (t) => {
    const server = await serve(t);
    assertTokenAccepted(await call(server.url, PROTECTED_PATH, { token: await tenantToken(server.url) }));
  });

  test('no Authorization header answers HTTP 400 99991661', async (t) => {
    const server = await serve(t);
    assertFeishuError(await call(server.url, PROTECTED_PATH), 99991661, MISSING_TOKEN_MSG, 400);
  });

  test('a Basic Authorization header answers HTTP 400 99991661', async (t) => {
    const server = await serve(t);
    const answer = await call(server.url, PROTECTED_PATH, { headers: { authorization: 'Basic eDp5' } });
    assertFeishuError(answer, 99991661, MISSING_TOKEN_MSG, 400);
  });

  test('a token without the "Bearer " prefix answers HTTP 400 99991661', async (t) => {
    const server = await serve(t);
    const token = await tenantToken(server.url);
    const answer = await call(server.url, PROTECTED_PATH, { headers: { authorization: token } });
    assertFeishuError(answer, 99991661, MISSING_TOKEN_MSG, 400);
  });

  test('"Bearer " with nothing after it answers HTTP 400 99991661', async (t) => {
    const server = await serve(t);
    const answer = await call(server.url, PROTECTED_PATH, { headers: { authorization: 'Bearer ' } });
    assertFeishuError(answer, 99991661, MISSING_TOKEN_MSG, 400);
  });

  test('an unknown token answers HTTP 400 99991663', async (t) => {
    const server = await serve(t);
    const answer = await call(server.url, PROTECTED_PATH, { token: 't-no-such-token' });
    assertFeishuError(answer, 99991663, INVALID_TOKEN_MSG, 400);
  });

  test('a token 7201 seconds old answers HTTP 400 99991663', async (t) => {
    const server = await serve(t);
    const token = await tenantToken(server.url);
    await advance(server.url, 7201 * 1000);
    assertFeishuError(await call(server.url, PROTECTED_PATH, { token }), 99991663, INVALID_TOKEN_MSG, 400);
  });

  test('a token is refused with 99991663 once its 7200 seconds have passed', async (t) => {
    const server = await serve(t);
    const token = await tenantToken(server.url);
    await advance(server.url, 7200 * 1000);
    assertFeishuError(await call(server.url, PROTECTED_PATH, { token }), 99991663, INVALID_TOKEN_MSG, 400);
  });

  test('a token still accepted one minute before its 7200 seconds run out', async (t) => {
    const server = await serve(t);
    const token = await tenantToken(server.url);
    await advance(server.url, 7200 * 1000 - MINUTE);
    assertTokenAccepted(await call(server.url, PROTECTED_PATH, { token }));
  });

  test('an app_access_token used as the bearer answers HTTP 400 99991663', async (t) => {
    const server = await serve(t);
    const appToken = (await requestToken(server.url, DEMO_APP, APP_TOKEN_PATH)).body.app_access_token as string;
    assertFeishuError(await call(server.url, PROTECTED_PATH, { token: appToken }), 99991663, INVALID_TOKEN_MSG, 400);
  });
});
