/** `GET /metrics`: Prometheus text with request counts and latency by route and code, and instances by status. */
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Services } from '../services/index.js';

/**
 * `aggregated`: in a worker of `--workers`, what makes the answer of every worker's counts added up (cluster.ts),
 * given this worker's registry; else the answer is this process's counts.
 */
export function registerMetrics(app: FastifyInstance, services: Services, aggregated?: (registry: Registry) => () => Promise<string>): void {
  // One registry per app, so several servers in one process (the tests) never share or clash.
  const registry = new Registry();
  const requests = new Counter({
    name: 'shenpi_http_requests_total',
    help: 'HTTP requests by method, route pattern, HTTP status and Feishu code',
    labelNames: ['method', 'route', 'status', 'code'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'shenpi_http_request_duration_seconds',
    help: 'HTTP request latency by method and route pattern',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const internalErrors = new Counter({
    name: 'shenpi_internal_errors_total',
    help: 'Requests answered 1395001 because of an unexpected failure',
    registers: [registry],
  });
  new Gauge({
    name: 'shenpi_instances',
    help: 'Approval instances by status',
    labelNames: ['status'],
    registers: [registry],
    // Every worker reads the same database: added up, they would count each instance once per worker.
    aggregator: 'first',
    async collect() {
      this.reset();
      for (const [status, count] of Object.entries(await services.store.instances.countByStatus())) {
        this.set({ status }, count);
      }
    },
  });

  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    if (route !== '/metrics') {
      const code = reply.feishuCode;
      requests.inc({ method: request.method, route, status: reply.statusCode, code: code === undefined ? '' : code });
      latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
      if (code === 1395001) internalErrors.inc();
    }
    done();
  });

  const text = aggregated ? aggregated(registry) : () => registry.metrics();
  app.get('/metrics', async (_request, reply) => {
    reply.type(registry.contentType);
    return text();
  });
}
