/**
 * `shenpi serve --workers 2`: two processes on one port and one database (SQLite or PostgreSQL, as the suite
 * runs), driven over real sockets: both serve, one admin token, exactly one winner of a race whichever worker
 * each request reaches, ids that never meet, and a clean stop.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { reasonForm } from './helpers/approval.js';
import { call, tenantToken } from './helpers/http.js';
import { raceApproveAndWithdraw, raceFixture } from './helpers/race.js';
import { childPids, startNode, type NodeProcess } from './helpers/process.js';
import { createTestDatabase, type TestDatabase } from './helpers/stores.js';
import { waitFor } from './helpers/wait.js';

const V4 = '/open-apis/approval/v4';
/** Its definition (helpers/race.ts): approve and cancel exclude each other. */
const RACE_CODE = 'A1B2C3D4-0000-4000-8000-00000000BEEF';
const race = raceFixture(RACE_CODE);

/** The pids of the processes whose request logs are in the server's stdout so far. */
const servingPids = (server: NodeProcess) =>
  new Set(server.stdout.filter((line) => line.includes('"request completed"')).map((line) => (JSON.parse(line) as { pid: number }).pid));

describe('shenpi serve --workers 2', () => {
  let database: TestDatabase;
  let folder: string;
  let server: NodeProcess;
  let token: string;
  let adminToken: string;

  before(async () => {
    database = await createTestDatabase();
    folder = mkdtempSync(join(tmpdir(), 'shenpi-workers-'));
    const fixture = join(folder, 'race.json');
    writeFileSync(fixture, JSON.stringify(race));
    // No --admin-token: the one the first worker generates must be every worker's. Rate limits off: the
    // races below send more withdrawals a minute than Feishu's quota.
    server = await startNode(['--db', database.url, '--workers', '2', '--fixture', fixture, '--rate-limit', 'off', '--log-level', 'info']);
    token = await tenantToken(server.url);
    // The banner follows the `listening on` line, on the other stream.
    adminToken = await waitFor('the banner', () => /admin token \(generated\): (\S+)/.exec(server.stderr())?.[1]);
  });

  after(async () => {
    await server?.stop();
    await database?.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  test('one `listening on` line, the fixture loaded once, and every worker serves with the printed admin token', async () => {
    await waitFor('the second worker to listen', () => (server.stdout.some((line) => line.includes('"worker listening"')) ? true : undefined));
    assert.equal(server.stdout.filter((line) => line.includes('"listening on ')).length, 1);
    assert.equal(server.stdout.filter((line) => line.includes('"worker listening"')).length, 1);
    // Each names the node number its ids carry (README, "Ids of many processes").
    const nodes = server.stdout.filter((line) => /"(listening on |worker listening)/.test(line)).map((line) => JSON.parse(line).node);
    assert.deepEqual(nodes.sort(), [0, 1]);
    assert.ok(adminToken, server.stderr());
    assert.match(server.stderr(), new RegExp(`approval_code=${RACE_CODE}`));
    // Concurrent requests open several connections, which the primary hands to the workers in turn.
    await waitFor('requests served by both workers', async () => {
      const answers = await Promise.all(Array.from({ length: 16 }, () => call(server.url, '/_shenpi/tenants', { token: adminToken })));
      for (const answer of answers) assert.equal(answer.status, 200, answer.text);
      return servingPids(server).size === 2 ? true : undefined;
    });
    const listed = await call(server.url, `${V4}/approvals/${RACE_CODE}`, { token });
    assert.equal(listed.body.code, 0, listed.text);
  });

  test('approve and withdraw raced through both workers: exactly one wins per instance', async () => {
    const instances: string[] = [];
    for (let i = 0; i < 6; i++) {
      const created = await call(server.url, `${V4}/instances`, { token, json: { approval_code: RACE_CODE, open_id: 'ou_alice', form: reasonForm(`r${i}`) } });
      assert.equal(created.body.code, 0, created.text);
      instances.push(created.body.data.instance_code);
    }
    await Promise.all(instances.map((code) => raceApproveAndWithdraw([server.url], token, RACE_CODE, code)));
  });

  test('creates through both workers all land, each worker with its own node number in its ids and serial numbers', async () => {
    // One socket per agent, so each agent's requests all reach one worker; the primary hands new
    // connections to the workers in turn, so both are reached while the connections are many.
    const agents = Array.from({ length: 4 }, () => new http.Agent({ keepAlive: true, maxSockets: 1 }));
    const serials: string[] = [];
    try {
      const taskIdsByAgent = await Promise.all(
        agents.map(async (agent, a) => {
          const ids: string[] = [];
          for (let i = 0; i < 25; i++) {
            const created = await post(agent, `${V4}/instances`, token, { approval_code: RACE_CODE, open_id: 'ou_alice', form: reasonForm(`a${a}-${i}`) });
            assert.equal(created.code, 0, JSON.stringify(created));
            const detail = await call(server.url, `${V4}/instances/${(created.data as { instance_code: string }).instance_code}`, { token });
            ids.push(detail.body.data.task_list[0].id);
            serials.push(detail.body.data.serial_number);
          }
          return ids;
        }),
      );
      const all = taskIdsByAgent.flat();
      assert.equal(new Set(all).size, all.length);
      // A worker's decimal ids end with the node number it leased (domain/ids.ts, services/node-lease.ts):
      // random digits would differ within an agent's 25 ids.
      const node = (id: string) => id.slice(16);
      for (const ids of taskIdsByAgent) assert.equal(new Set(ids.map(node)).size, 1, ids.join(' '));
      assert.deepEqual([...new Set(all.map(node))].sort(), ['000', '001'], 'both workers made ids, each with its own number');
      // Serial numbers too stay apart: their sequence digits keep the residue of the node number modulo 8.
      assert.equal(new Set(serials).size, serials.length);
      assert.deepEqual([...new Set(serials.map((serial) => Number(serial.slice(13)) % 8))].sort(), [0, 1]);
    } finally {
      for (const agent of agents) agent.destroy();
    }
  });

  test('/metrics through any worker counts the requests of every worker', async () => {
    const agents = Array.from({ length: 4 }, () => new http.Agent({ keepAlive: true, maxSockets: 1 }));
    const listed = (text: string) => {
      const line = text.split('\n').find((l) => l.startsWith('shenpi_http_requests_total{') && l.includes('route="/_shenpi/tenants"'));
      return line ? Number(line.split(' ').pop()) : 0;
    };
    try {
      const before = listed(await get(agents[0]!, '/metrics'));
      // Four connections, handed to the two workers in turn: each worker answers some of these.
      await Promise.all(agents.flatMap((agent) => [1, 2, 3].map(() => get(agent, '/_shenpi/tenants', adminToken))));
      const seen = await Promise.all(agents.map(async (agent) => listed(await get(agent, '/metrics'))));
      assert.deepEqual(seen, [before + 12, before + 12, before + 12, before + 12]);
      assert.match(await get(agents[1]!, '/metrics'), /^shenpi_instances\{status="PENDING"\} \d+$/m);
    } finally {
      for (const agent of agents) agent.destroy();
    }
  });

  /** A GET over `agent`, answered with its body's text. */
  function get(agent: http.Agent, path: string, bearer?: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const request = http.request(new URL(path, server.url), { agent, headers: bearer ? { authorization: `Bearer ${bearer}` } : {} }, (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        response.on('end', () => (response.statusCode === 200 ? resolve(text) : reject(new Error(`${path}: ${response.statusCode} ${text}`))));
      });
      request.on('error', reject);
      request.end();
    });
  }

  /** A JSON POST over `agent`, answered with the parsed body. */
  function post(agent: http.Agent, path: string, bearer: string, body: object): Promise<{ code: number; data?: unknown }> {
    const payload = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const request = http.request(
        new URL(path, server.url),
        { method: 'POST', agent, headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
        (response) => {
          let text = '';
          response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
          response.on('end', () => resolve(JSON.parse(text) as { code: number; data?: unknown }));
        },
      );
      request.on('error', reject);
      request.end(payload);
    });
  }

  // Last: it stops the server.
  test('SIGTERM stops every worker and the server exits 0', async () => {
    const pid = server.child.pid!;
    const workers = childPids(pid);
    assert.equal(workers.length, 2);
    assert.equal(await server.stop(), 0);
    for (const worker of workers) assert.throws(() => process.kill(worker, 0), { code: 'ESRCH' });
  });
});

describe('shenpi serve --workers 2, a worker dying', () => {
  test('stops the server with exit code 1', async () => {
    const database = await createTestDatabase();
    try {
      const server = await startNode(['--db', database.url, '--workers', '2', '--log-level', 'warn']);
      const workers = await waitFor('both workers', () => {
        const pids = childPids(server.child.pid!);
        return pids.length === 2 ? pids : undefined;
      });
      const exited = once(server.child, 'exit') as Promise<[number | null]>;
      process.kill(workers[0]!, 'SIGKILL');
      const [code] = await exited;
      assert.equal(code, 1);
      await waitFor('the other worker to stop', () => (workers.every((worker) => !alive(worker)) ? true : undefined));
      assert.match(server.stdout.join('\n'), /a worker stopped unexpectedly/);
    } finally {
      await database.drop();
    }
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
