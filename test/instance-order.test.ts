/** GET /instances lists codes in creation order, even for instances created within one millisecond. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_LEAVE_CODE } from '../src/fixtures/demo.js';
import { admin, call, tenantToken } from './helpers/http.js';
import { startTestServer } from './helpers/server.js';
import { createLeave } from './helpers/approval.js';

test('instances created in the same millisecond are listed in the order they were created, across pages', async (t) => {
  const server = await startTestServer();
  t.after(() => server.close());
  const startTime = 1_800_000_000_000;
  // A frozen clock: every instance gets exactly the same start time.
  assert.equal((await admin(server.url, '/clock', { json: { now: startTime, frozen: true } })).status, 200);
  const token = await tenantToken(server.url);
  const created: string[] = [];
  for (let i = 0; i < 7; i++) created.push(await createLeave({ server, url: server.url, token }));

  const listed: string[] = [];
  let pageToken = '';
  for (let pages = 0; pages < 10; pages++) {
    const query = `approval_code=${DEMO_LEAVE_CODE}&start_time=${startTime}&end_time=${startTime}&page_size=3`;
    const answer = await call(server.url, `/open-apis/approval/v4/instances?${query}&page_token=${pageToken}`, { token });
    assert.equal(answer.body.code, 0, answer.text);
    listed.push(...answer.body.data.instance_code_list);
    if (!answer.body.data.has_more) break;
    pageToken = answer.body.data.page_token;
  }
  assert.deepEqual(listed, created);
});
