import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { admin, call, tenantToken } from './helpers/http.js';
import { startTestServer } from './helpers/server.js';

/** The shell blocks of the README's walk-through, in order, with their list indentation removed. */
function walkThrough(): string {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('## Walk-through');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const blocks = [...section.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  return blocks.map((block) => block.replace(/^ {3}/gm, '')).join('\necho "---"\n');
}

test('the README walk-through withdraws an instance when followed verbatim', async (t) => {
  const server = await startTestServer();
  t.after(() => server.close());
  // Only the host changes: the README's commands run as written against this server.
  const script = `set -euo pipefail\n${walkThrough().replace('BASE=http://127.0.0.1:8080', `BASE=${server.url}`)}`;
  const { stdout } = await promisify(execFile)('bash', ['-c', script]);
  const outputs = stdout.split('---\n');
  assert.equal(outputs.length, 5);
  assert.match(outputs[0] ?? '', /^t-/);
  const pending = JSON.parse(outputs[2] ?? '');
  assert.equal(pending.data.status, 'PENDING');
  assert.match(outputs[3] ?? '', /HTTP\/1.1 200/);
  assert.match(outputs[3] ?? '', /\{"code":0,"msg":"success","data":\{\}\}/);
  const canceled = JSON.parse(outputs[4] ?? '');
  assert.equal(canceled.data.status, 'CANCELED');
  assert.deepEqual(
    canceled.data.timeline.map((e: { type: string }) => e.type),
    ['START', 'CANCEL'],
  );
});

/** The JSON example of the README's "Fixture files" section. */
function fixtureExample(): unknown {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('## Fixture files');
  const block = /```json\n([\s\S]*?)```/.exec(readme.slice(start));
  return JSON.parse(block?.[1] ?? '');
}

test("the README's fixture example loads on its own into an empty database, and its app withdraws Alice's leave", async (t) => {
  const server = await startTestServer({ noDemo: true, emulator: false });
  t.after(() => server.close());
  const loaded = await admin(server.url, '/fixtures', { json: fixtureExample() });
  assert.equal(loaded.status, 200, loaded.text);
  const app = { app_id: 'cli_acme_ci', app_secret: 'change-me' };
  const token = await tenantToken(server.url, app);
  const leave = '7C468A54-8745-2245-9675-08B7C63E7A85';
  const created = await call(server.url, '/open-apis/approval/v4/instances', {
    token,
    json: { approval_code: leave, open_id: 'ou_alice', form: JSON.stringify([{ id: 'reason', type: 'input', value: 'x' }]) },
  });
  assert.equal(created.body.code, 0, created.text);
  const code = created.body.data.instance_code;
  const read = await call(server.url, `/open-apis/approval/v4/instances/${code}?user_id_type=user_id`, { token });
  assert.deepEqual(read.body.data.task_list.map((task: { user_id: string }) => task.user_id), ['u_bob']);
  const cancelled = await call(server.url, '/open-apis/approval/v4/instances/cancel', {
    token,
    json: { approval_code: leave, instance_code: code, user_id: 'ou_alice' },
  });
  assert.equal(cancelled.body.code, 0, cancelled.text);
});
