import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from './helpers/server.js';
import { admin, call, tenantToken } from './helpers/http.js';

const GET_LEAVE = '/open-apis/approval/v4/approvals/7C468A54-8745-2245-9675-08B7C63E7A85';

test('a fault rule answers the matching request with its code and status, as often as `times` says', async (t) => {
  const server = await startTestServer();
  t.after(() => server.close());
  const token = await tenantToken(server.url);
  const added = await admin(server.url, '/faults', { json: { method: 'GET', path: GET_LEAVE, code: 1395001, times: 1 } });
  assert.equal(added.status, 200);
  const faulted = await call(server.url, GET_LEAVE, { token });
  assert.equal(faulted.status, 400);
  assert.equal(faulted.body.code, 1395001);
  assert.equal(faulted.body.msg, 'There have been some errors. Please try again later');
  assert.equal(faulted.body.error.log_id, faulted.headers.get('x-tt-logid'));
  const normal = await call(server.url, GET_LEAVE, { token });
  assert.equal(normal.body.code, 0);
});

test('a fault rule with a path prefix and an HTTP status applies to every path under it until cleared', async (t) => {
  const server = await startTestServer();
  t.after(() => server.close());
  const token = await tenantToken(server.url);
  await admin(server.url, '/faults', { json: { path: '/open-apis/approval/*', code: 99991400, http_status: 429 } });
  for (let i = 0; i < 2; i++) {
    const answer = await call(server.url, GET_LEAVE, { token });
    assert.equal(answer.status, 429);
    assert.equal(answer.body.code, 99991400);
  }
  await admin(server.url, '/faults', { method: 'DELETE' });
  assert.equal((await call(server.url, GET_LEAVE, { token })).body.code, 0);
});

test('the request log lists the latest Open API requests with status, code and log id', async (t) => {
  const server = await startTestServer();
  t.after(() => server.close());
  const token = await tenantToken(server.url);
  const answer = await call(server.url, `${GET_LEAVE}?user_id_type=user_id`, { token });
  const log = await admin(server.url, '/requests');
  const entry = log.body.requests.find((r: { path: string }) => r.path === GET_LEAVE);
  assert.equal(entry.method, 'GET');
  assert.deepEqual(entry.query, { user_id_type: 'user_id' });
  assert.equal(entry.status, 200);
  assert.equal(entry.code, 0);
  assert.equal(entry.log_id, answer.headers.get('x-tt-logid'));
});

test('the request log, fault rules and reset are absent without emulator mode', async (t) => {
  const server = await startTestServer({ emulator: false });
  t.after(() => server.close());
  assert.equal((await admin(server.url, '/requests')).status, 404);
  assert.equal((await admin(server.url, '/faults', { json: { path: '/x', code: 1 } })).status, 404);
});

test('/metrics counts requests by route and Feishu code, and instances by status', async (t) => {
  const server = await startTestServer();
  t.after(() => server.close());
  const token = await tenantToken(server.url);
  await call(server.url, '/open-apis/approval/v4/approvals/NOPE', { token });
  const metrics = await call(server.url, '/metrics');
  assert.equal(metrics.status, 200);
  assert.match(metrics.headers.get('content-type') ?? '', /text\/plain/);
  assert.match(
    metrics.text,
    /shenpi_http_requests_total\{method="GET",route="\/open-apis\/approval\/v4\/approvals\/:approval_code",status="400",code="1390002"\} 1/,
  );
  assert.match(metrics.text, /shenpi_http_request_duration_seconds_bucket/);
  assert.match(metrics.text, /# TYPE shenpi_instances gauge/);
});
