/** The official Node SDK obtains and uses a tenant_access_token from shenpi unmodified (sdk.md §1–§3). */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import * as lark from '@larksuiteoapi/node-sdk';
import { DEMO_APP } from '../src/fixtures/demo.js';
import { call, tenantToken } from './helpers/http.js';
import { AUTH_CODES, assertTokenAccepted, PROTECTED_PATH } from './helpers/open-api.js';
import { freshCache } from './helpers/sdk.js';
import { startTestServer } from './helpers/server.js';

const APPROVAL_CODE = PROTECTED_PATH.split('/').pop()!;

const silent = { error() {}, warn() {}, info() {}, debug() {}, trace() {} };

async function sdkClient(t: TestContext, app: { app_id: string; app_secret: string } = DEMO_APP) {
  const server = await startTestServer();
  t.after(() => server.close());
  const client = new lark.Client({
    appId: app.app_id,
    appSecret: app.app_secret,
    domain: server.url,
    loggerLevel: lark.LoggerLevel.error,
    logger: silent,
    cache: freshCache(),
  });
  return { server, client };
}

test("the SDK's token manager obtains a t- token from shenpi", async (t) => {
  const { client } = await sdkClient(t);
  const token: unknown = await client.tokenManager.getTenantAccessToken();
  assert.equal(typeof token, 'string');
  assert.match(token as string, /^t-/);
});

test('the token the SDK obtained is accepted on an Open API route', async (t) => {
  const { server, client } = await sdkClient(t);
  const token = (await client.tokenManager.getTenantAccessToken()) as string;
  assertTokenAccepted(await call(server.url, PROTECTED_PATH, { token }));
});

test('the SDK is handed the same token as a plain request made meanwhile', async (t) => {
  const { server, client } = await sdkClient(t);
  const token = (await client.tokenManager.getTenantAccessToken()) as string;
  assert.equal(await tenantToken(server.url), token);
});

test('a wrong app_secret makes the SDK fail with "code: 10003, msg: invalid param"', async (t) => {
  const { client } = await sdkClient(t, { app_id: DEMO_APP.app_id, app_secret: 'wrong' });
  await assert.rejects(client.tokenManager.getTenantAccessToken(), {
    message: 'failed to get tenant_access_token, code: 10003, msg: invalid param',
  });
});

test('an SDK API call goes out with the token and is not refused as unauthenticated', async (t) => {
  const { client } = await sdkClient(t);
  let answer: { code?: number } | undefined;
  try {
    answer = await client.approval.v4.approval.get({ path: { approval_code: APPROVAL_CODE } });
  } catch (err) {
    // Feishu answers a business refusal with HTTP 400, which the SDK throws; the body is still there.
    answer = (err as { response?: { data?: { code?: number } } }).response?.data;
  }
  assert.equal(typeof answer?.code, 'number', `no Feishu envelope: ${JSON.stringify(answer)}`);
  assert.ok(!AUTH_CODES.includes(answer!.code!), `refused: ${JSON.stringify(answer)}`);
});
