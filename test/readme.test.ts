import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
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
