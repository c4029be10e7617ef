import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from './helpers/server.js';
import { call, tenantToken } from './helpers/http.js';

test('the demo app gets a tenant token over a real socket', async (t) => {
  const server = await startTestServer();
  t.after(() => server.close());
  const token = await tenantToken(server.url);
  assert.match(token, /^t-/);
  const health = await call(server.url, '/healthz');
  assert.deepEqual(health.body, { status: 'ok' });
});
