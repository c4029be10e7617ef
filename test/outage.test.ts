/** PostgreSQL going away and coming back: health says so, requests answer 1395001, nothing is half-written. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { resolveServeConfig } from '../src/config.js';
import { DEMO_LEAVE_CODE } from '../src/fixtures/demo.js';
import { startServer } from '../src/server.js';
import { call, tenantToken } from './helpers/http.js';
import { TEST_STORE } from './helpers/stores.js';
import { proxiedPostgres } from './helpers/tcp-proxy.js';
import { waitFor } from './helpers/wait.js';

const V4 = '/open-apis/approval/v4';

test(
  'while PostgreSQL is unreachable /healthz answers 503 and a withdrawal 1395001, the node warns once it went and once it is back; both recover by themselves',
  { skip: TEST_STORE !== 'postgres' && 'needs SHENPI_TEST_STORE=postgres' },
  async (t) => {
    const { url: databaseUrl, proxy } = await proxiedPostgres(t);
    const logs: { level: number; msg: string; err?: unknown }[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
    const server = await startServer(
      { ...resolveServeConfig({}, {}), port: 0, databaseUrl, adminToken: 'x', logLevel: 'debug' },
      { logger },
    );
    t.after(() => server.close());

    const token = await tenantToken(server.url);
    const created = await call(server.url, `${V4}/instances`, {
      token,
      json: { approval_code: DEMO_LEAVE_CODE, open_id: 'ou_alice', form: JSON.stringify([{ id: 'reason', type: 'input', value: 'x' }]) },
    });
    const instance = created.body.data.instance_code as string;
    const cancel = () =>
      call(server.url, `${V4}/instances/cancel`, {
        token,
        json: { approval_code: DEMO_LEAVE_CODE, instance_code: instance, user_id: 'ou_alice' },
      });

    await proxy.cut();
    const health = await call(server.url, '/healthz');
    assert.equal(health.status, 503);
    const refused = await cancel();
    assert.equal(refused.status, 400, refused.text);
    assert.equal(refused.body.code, 1395001);
    assert.equal(refused.body.error.log_id, refused.headers.get('x-tt-logid'));

    // The event dispatcher keeps failing every pass while the database is away: it warns once, without a stack.
    const failedPasses = () => logs.filter((l) => l.msg === 'event dispatch pass failed').length;
    await waitFor('three failed dispatcher passes', () => (failedPasses() >= 3 ? true : undefined));
    // The node lease's renewal may fall in the outage too, on a slow machine (test/node-lease.test.ts tests it).
    const warnings = () => logs.filter((l) => l.level === 40 && !l.msg.startsWith('node number'));
    assert.deepEqual(warnings().map((l) => l.msg), ['the database does not answer; event delivery waits']);
    assert.equal(logs.filter((l) => l.level >= 40 && l.err !== undefined && !/request failed/.test(l.msg)).length, 0);

    await proxy.restore();
    await waitFor('/healthz to answer 200 again', async () => ((await call(server.url, '/healthz')).status === 200 ? true : undefined));
    await waitFor('the warning that the database is back', () => (warnings().length === 2 ? true : undefined));
    assert.deepEqual(warnings().map((l) => l.msg), [
      'the database does not answer; event delivery waits',
      'the database answers again; event delivery goes on',
    ]);
    const detail = await call(server.url, `${V4}/instances/${instance}`, { token });
    assert.equal(detail.body.data.status, 'PENDING', 'the refused withdrawal left nothing behind');
    assert.deepEqual(detail.body.data.timeline.map((e: { type: string }) => e.type), ['START']);
    assert.equal((await cancel()).body.code, 0);
  },
);
