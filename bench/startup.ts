/**
 * `npm run bench` (first part): how fast the built `shenpi` command starts, as a user runs it. Each run spawns
 * `node bin/shenpi.js` and measures to the `listening on` log line and to the first `/healthz` 200, on an empty
 * SQLite file (migrations and the demo data) and again on that file (a restart); then `--help` and
 * `--version` to their exit. Medians of BENCH_STARTS runs (default 10), beside the targets of issue 9.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertFreshBuild, BIN } from '../test/helpers/process.js';

const RUNS = Number(process.env.BENCH_STARTS ?? 10);
/** A start that has not answered by then is broken, not slow. */
const LIMIT_MS = 60_000;

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

async function healthy(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).status === 200;
  } catch {
    return false;
  }
}

/** Spawn → `listening on` line, and spawn → first /healthz 200 (polled from the spawn on). */
async function timeServe(dbUrl: string): Promise<{ listening: number; health: number }> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port), '--db', dbUrl, '--admin-token', 'bench-admin-token'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const exited = once(child, 'exit');
  try {
    let output = '';
    const listening = new Promise<number>((resolve) =>
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
        if (output.includes('listening on')) resolve(performance.now() - started);
      }),
    );
    let health: number | undefined;
    while (health === undefined) {
      if (child.exitCode !== null) throw new Error(`shenpi serve exited with ${child.exitCode}: ${output}`);
      if (performance.now() - started > LIMIT_MS) throw new Error(`shenpi serve did not answer within ${LIMIT_MS} ms`);
      if (await healthy(`http://127.0.0.1:${port}/healthz`)) health = performance.now() - started;
      else await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return { listening: await listening, health };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

/** Spawn → exit of a one-shot command. */
async function timeCommand(args: string[]): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, ...args], { stdio: 'ignore' });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`shenpi ${args.join(' ')} exited with ${code}`);
  return performance.now() - started;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

async function main() {
  assertFreshBuild();
  const load = loadavg().map((n) => n.toFixed(2)).join(' ');
  const samples: Record<string, number[]> = {};
  const add = (name: string, ms: number) => (samples[name] ??= []).push(ms);
  for (let run = 0; run < RUNS; run++) {
    const folder = mkdtempSync(join(tmpdir(), 'shenpi-bench-start-'));
    try {
      const dbUrl = `sqlite:${join(folder, 'shenpi.sqlite')}`;
      const first = await timeServe(dbUrl);
      add('serve, empty database: spawn → listening', first.listening);
      add('serve, empty database: spawn → /healthz 200', first.health);
      const again = await timeServe(dbUrl);
      add('serve, restart: spawn → listening', again.listening);
      add('serve, restart: spawn → /healthz 200', again.health);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
    add('shenpi --help', await timeCommand(['--help']));
    add('shenpi --version', await timeCommand(['--version']));
  }
  const targets: Record<string, number> = {
    'serve, empty database: spawn → listening': 1000,
    'serve, restart: spawn → listening': 1000,
    'shenpi --help': 300,
  };
  const model = cpus()[0]?.model ?? 'unknown CPU';
  const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  process.stdout.write(
    `\nshenpi ${version} start-up: ${RUNS} runs, node ${process.version}, ${cpus().length} × ${model}, load average ${load}\n\n` +
      `${'measure'.padEnd(46)}${'median ms'.padStart(10)}${'min'.padStart(7)}${'max'.padStart(7)}${'target'.padStart(9)}\n`,
  );
  for (const [name, values] of Object.entries(samples)) {
    const target = targets[name];
    const verdict = target === undefined ? '' : `${target}${median(values) <= target ? ' ok' : ' over'}`;
    process.stdout.write(
      `${name.padEnd(46)}${median(values).toFixed(0).padStart(10)}${Math.min(...values).toFixed(0).padStart(7)}` +
        `${Math.max(...values).toFixed(0).padStart(7)}${verdict.padStart(9)}\n`,
    );
  }
}

await main();
