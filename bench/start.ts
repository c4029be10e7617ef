/**
 * `npm run bench:start`: how long `startShenpi()` takes from the call to a server answering requests, once
 * the module is loaded (the first start, then the mean of later ones), empty and with the demo fixture. Each
 * server is closed before the next starts. Measured here, never asserted in tests.
 */
import { performance } from 'node:perf_hooks';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);

const loadStart = performance.now();
const { startShenpi } = await import('../src/index.js');
const loaded = performance.now() - loadStart;

async function startToReady(options: Parameters<typeof startShenpi>[0]): Promise<number> {
  const begin = performance.now();
  const shenpi = await startShenpi(options);
  const answer = await fetch(`${shenpi.url}/healthz`);
  const took = performance.now() - begin;
  if (answer.status !== 200) throw new Error(`healthz answered ${answer.status}`);
  await shenpi.close();
  return took;
}

const ms = (value: number) => `${value.toFixed(0)} ms`;
process.stdout.write(`module load (import): ${ms(loaded)}\n`);
for (const [label, options] of [
  ['empty', {}],
  ['with the demo fixture', { demo: true }],
] as const) {
  const first = await startToReady(options);
  const later: number[] = [];
  for (let i = 0; i < RUNS; i++) later.push(await startToReady(options));
  const mean = later.reduce((sum, value) => sum + value, 0) / later.length;
  process.stdout.write(`startShenpi() to ready, ${label}: first ${ms(first)}, then ${ms(mean)} on average over ${RUNS}\n`);
}
