/**
 * `shenpi serve --workers N`: N processes serve HTTP on one port (node:cluster hands each new connection to
 * one of them) over one database. One Node process uses one core; the workers use the machine's others.
 * Everything the workers must agree on is in the database already, as for many nodes on PostgreSQL (README),
 * and on SQLite each worker's connection takes the write lock in turn (sqlite.ts).
 *
 * The first worker starts as a lone server would (migrations, start data, the `listening on` line, the
 * banner) and sends the primary its admin token; then the others start and only serve, with that token. The
 * primary serves nothing and stays small: it starts the workers and stops them on SIGINT / SIGTERM. A worker
 * that dies stops the server (exit 1): a supervisor restarts it whole, as it would a one-process server.
 */
import cluster, { type Worker } from 'node:cluster';
import pino from 'pino';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { ServeConfig } from './config.js';

/** Set by the primary in each worker's environment: which worker it is. */
const WORKER_INDEX = 'SHENPI_WORKER_INDEX';

/** What the first worker sends the primary once it listens. */
interface Started {
  shenpi: 'started';
  adminToken: string;
}

/** A worker's question for every worker's metrics (`/metrics`), and the primary's answer. */
interface MetricsAsked {
  shenpi: 'metrics';
  id: number;
}
interface MetricsAnswer extends MetricsAsked {
  text?: string;
  error?: string;
}

const isMessage = <T extends { shenpi: string }>(message: unknown, kind: T['shenpi']): message is T =>
  typeof message === 'object' && message !== null && (message as Partial<T>).shenpi === kind;

/**
 * In a worker: `/metrics` answers every worker's counts, added up by the primary through prom-client's
 * cluster support (which asks each worker for its registry's metrics), so a scrape reaching any worker sees
 * the whole server.
 */
export function workerMetrics(registry: Registry): () => Promise<string> {
  AggregatorRegistry.setRegistries(registry);
  // Its constructor sets up this worker's answers to the primary's questions.
  new AggregatorRegistry();
  const waiting = new Map<number, { resolve: (text: string) => void; reject: (err: Error) => void }>();
  let asked = 0;
  process.on('message', (message: unknown) => {
    if (!isMessage<MetricsAnswer>(message, 'metrics')) return;
    const pending = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.text !== undefined) pending?.resolve(message.text);
    else pending?.reject(new Error(`the workers' metrics could not be gathered: ${message.error}`));
  });
  return () =>
    new Promise<string>((resolve, reject) => {
      const question: MetricsAsked = { shenpi: 'metrics', id: asked++ };
      waiting.set(question.id, { resolve, reject });
      process.send?.(question);
    });
}

/** In a worker process: which worker it is, and whether the first worker has started. */
export function workerRole(): { worker: number; joining: boolean } | undefined {
  if (!cluster.isWorker) return undefined;
  const index = Number(process.env[WORKER_INDEX]);
  return { worker: index, joining: index > 0 };
}

/** In the first worker, once it listens: lets the others start, with its admin token (generated or given). */
export function reportStarted(adminToken: string): void {
  const started: Started = { shenpi: 'started', adminToken };
  process.send?.(started);
}

/** Runs the primary until the workers have stopped; resolves with the exit code. */
export function runPrimary(config: ServeConfig): Promise<number> {
  const logger = pino({ level: config.logLevel });
  return new Promise<number>((resolve) => {
    const workers = new Set<Worker>();
    let stopping = false;
    let failed = false;

    const fork = (index: number, env: Record<string, string> = {}) => workers.add(cluster.fork({ ...env, [WORKER_INDEX]: String(index) }));
    const stop = () => {
      if (stopping) return;
      stopping = true;
      for (const worker of workers) worker.process.kill('SIGTERM');
    };

    // prom-client gathers each worker's metrics (and times out after 5 s of a worker not answering).
    const aggregator = new AggregatorRegistry();
    cluster.on('message', (worker, message: unknown) => {
      if (!isMessage<MetricsAsked>(message, 'metrics')) return;
      const answer = (result: { text: string } | { error: string }) => worker.send({ shenpi: 'metrics', id: message.id, ...result });
      aggregator.clusterMetrics().then(
        (text) => answer({ text }),
        (err: unknown) => answer({ error: err instanceof Error ? err.message : String(err) }),
      );
    });
    cluster.on('message', (worker, message: unknown) => {
      if (!isMessage<Started>(message, 'started') || stopping) return;
      // The environment carries the token as SHENPI_ADMIN_TOKEN would: the flag, when given, is the same one.
      for (let index = 1; index < config.workers; index++) fork(index, { SHENPI_ADMIN_TOKEN: message.adminToken });
    });
    cluster.on('exit', (worker, code, signal) => {
      workers.delete(worker);
      if (!stopping || code !== 0) {
        failed = true;
        const why = stopping ? 'a worker did not stop cleanly' : 'a worker stopped unexpectedly: stopping the server';
        logger.error({ worker: Number(worker.id), code, signal }, why);
      }
      stop();
      if (workers.size === 0) resolve(failed ? 1 : 0);
    });
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    fork(0);
  });
}
