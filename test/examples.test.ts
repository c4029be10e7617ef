/**
 * The README's "In your tests" examples are the files under examples/, shown verbatim, and they pass: the
 * node:test one with `node --import tsx --test`, the vitest one with vitest. Until the package is built,
 * their `import ... from 'shenpi'` resolves to src/index.ts: through tsconfig.json's `paths` (tsx reads it)
 * and through the alias of test/examples/vitest.config.ts.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { TEST_STORE } from './helpers/stores.js';

const ROOT = new URL('..', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');
// The examples run on their own in-memory SQLite: once is enough, on the SQLite pass.
const skip = TEST_STORE === 'postgres' && 'the examples use an in-memory SQLite; they run on the SQLite pass';

/** Each block of the README introduced by a line naming its file: `examples/...` → the block's text. */
function readmeBlocks(): Map<string, string> {
  const blocks = new Map<string, string>();
  for (const match of read('README.md').matchAll(/^`(examples\/[^`]+)`[^\n]*\n+```\w*\n([\s\S]*?)^```$/gm)) {
    assert.ok(!blocks.has(match[1]!), `${match[1]} is shown twice`);
    blocks.set(match[1]!, match[2]!);
  }
  return blocks;
}

async function run(args: string[]): Promise<void> {
  try {
    await promisify(execFile)(process.execPath, args, { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    assert.fail(`${args.join(' ')} failed:\n${stdout ?? ''}\n${stderr ?? ''}`);
  }
}

test('the README shows every file under examples/ verbatim', () => {
  const files = readdirSync(new URL('examples', ROOT), { recursive: true, encoding: 'utf8' })
    .filter((name) => /\.\w+$/.test(name) && !name.includes('node_modules'))
    .map((name) => `examples/${name}`)
    .sort();
  const blocks = readmeBlocks();
  assert.deepEqual([...blocks.keys()].sort(), files);
  for (const file of files) assert.equal(blocks.get(file), read(file), `${file} differs from its README block`);
});

test('the node:test example passes under node --test', { skip }, async () => {
  await run(['--import', 'tsx', '--test', 'examples/node-test/leave.test.ts']);
});

test('the vitest example passes under vitest, its globalSetup starting shenpi', { skip }, async () => {
  await run(['node_modules/vitest/vitest.mjs', 'run', '--config', 'test/examples/vitest.config.ts']);
});
