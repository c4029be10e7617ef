/**
 * `npm run bench`: throughput and latency of shenpi's main paths under load, each as a ratio to a
 * baseline (GET /healthz, one database round trip) measured in the same run on the same machine.
 * The server runs as its own process on 127.0.0.1; every scenario is bounded in time.
 */
import autocannon from 'autocannon';
import { DEMO_APP, DEMO_LEAVE_CODE } from '../src/fixtures/demo.js';
import { startNode } from '../test/helpers/process.js';
import { createTestDatabase, TEST_STORE } from '../test/helpers/stores.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const V4 = '/open-apis/approval/v4';
const FORM = JSON.stringify([{ id: 'reason', type: 'input', value: 'bench' }]);

interface Scenario {
  name: string;
  /** Requests per iteration; throughput is reported in iterations per second. */
  perIteration: number;
  requests: autocannon.Request[];
}

async function run(url: string, scenario: Scenario) {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: scenario.requests,
  });
  const errors = result.errors + result.non2xx;
  return {
    name: scenario.name,
    perSecond: result.requests.average / scenario.perIteration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors,
  };
}

const json = (token: string) => ({ 'content-type': 'application/json', authorization: `Bearer ${token}` });

async function main() {
  const database = await createTestDatabase();
  // Rate limits off: the point is what the server can do, not Feishu's per-app quota.
  const node = await startNode(['--db', database.url, '--log-level', 'warn', '--admin-token', 'bench', '--rate-limit', 'off']);
  try {
    const tokenAnswer = await fetch(`${node.url}/open-apis/auth/v3/tenant_access_token/internal`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(DEMO_APP),
    });
    const token = ((await tokenAnswer.json()) as { tenant_access_token: string }).tenant_access_token;
    const created = await fetch(`${node.url}${V4}/instances`, {
      method: 'POST',
      headers: json(token),
      body: JSON.stringify({ approval_code: DEMO_LEAVE_CODE, open_id: 'ou_alice', form: FORM }),
    });
    const instance = ((await created.json()) as { data: { instance_code: string } }).data.instance_code;

    const scenarios: Scenario[] = [
      { name: 'baseline: GET /healthz', perIteration: 1, requests: [{ method: 'GET', path: '/healthz' }] },
      {
        name: 'GET instance',
        perIteration: 1,
        requests: [{ method: 'GET', path: `${V4}/instances/${instance}`, headers: json(token) }],
      },
      {
        name: 'create + withdraw an instance',
        perIteration: 2,
        requests: [
          {
            method: 'POST',
            path: `${V4}/instances`,
            headers: json(token),
            body: JSON.stringify({ approval_code: DEMO_LEAVE_CODE, open_id: 'ou_alice', form: FORM }),
            onResponse: (_status, body, context) => {
              (context as Record<string, unknown>)['code'] = (JSON.parse(body) as { data?: { instance_code?: string } }).data?.instance_code;
            },
          },
          {
            method: 'POST',
            path: `${V4}/instances/cancel`,
            headers: json(token),
            setupRequest: (request, context) => ({
              ...request,
              body: JSON.stringify({ approval_code: DEMO_LEAVE_CODE, instance_code: (context as Record<string, unknown>)['code'], user_id: 'ou_alice' }),
            }),
          },
        ],
      },
      {
        name: 'refused withdrawal (400 1390003)',
        perIteration: 1,
        requests: [
          {
            method: 'POST',
            path: `${V4}/instances/cancel`,
            headers: json(token),
            body: JSON.stringify({ approval_code: DEMO_LEAVE_CODE, instance_code: 'NO-SUCH', user_id: 'ou_alice' }),
          },
        ],
      },
    ];

    const results = [];
    for (const scenario of scenarios) results.push(await run(node.url, scenario));
    const baseline = results[0]!.perSecond;
    process.stdout.write(
      `\nshenpi bench: store ${TEST_STORE}, ${CONNECTIONS} connections, ${SECONDS} s per scenario\n\n` +
        `${'scenario'.padEnd(34)}${'per s'.padStart(10)}${'ratio'.padStart(8)}${'p50 ms'.padStart(8)}${'p99 ms'.padStart(8)}${'non-2xx'.padStart(9)}\n`,
    );
    for (const r of results) {
      process.stdout.write(
        `${r.name.padEnd(34)}${r.perSecond.toFixed(0).padStart(10)}${(r.perSecond / baseline).toFixed(2).padStart(8)}` +
          `${String(r.p50).padStart(8)}${String(r.p99).padStart(8)}${String(r.errors).padStart(9)}\n`,
      );
    }
  } finally {
    await node.stop();
    await database.drop();
  }
}

await main();
