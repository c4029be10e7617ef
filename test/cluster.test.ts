/**
 * Several stateless nodes on one PostgreSQL: tokens, the emulator clock and rate-limit counts are shared,
 * and concurrent actions on one instance through different nodes have exactly one winner.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_LEAVE_CODE } from '../src/fixtures/demo.js';
import { reasonForm } from './helpers/approval.js';
import { call, tenantToken } from './helpers/http.js';
import { raceApproveAndWithdraw, raceFixture } from './helpers/race.js';
import { startNode, type NodeProcess } from './helpers/process.js';
import { waitFor } from './helpers/wait.js';
import { createTestDatabase, TEST_STORE, type TestDatabase } from './helpers/stores.js';

const ADMIN = 'cluster-admin';
const V4 = '/open-apis/approval/v4';

/** Its definition (helpers/race.ts): approve and cancel exclude each other. */
const RACE_CODE = 'A1B2C3D4-0000-4000-8000-00000000CAFE';
const race = raceFixture(RACE_CODE);

describe('two nodes on one PostgreSQL', { skip: TEST_STORE !== 'postgres' && 'needs SHENPI_TEST_STORE=postgres' }, () => {
  let database: TestDatabase;
  let a: NodeProcess;
  let b: NodeProcess;

  before(async () => {
    database = await createTestDatabase('postgres');
    const args = ['--db', database.url, '--emulator', '--admin-token', ADMIN, '--log-level', 'warn'];
    a = await startNode(args);
    b = await startNode([...args, '--no-demo']);
    const loaded = await call(a.url, '/_shenpi/fixtures', { token: ADMIN, json: race });
    assert.equal(loaded.status, 200, loaded.text);
  });

  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await database?.drop();
  });

  test('a token issued by one node is accepted by the other', async () => {
    const token = await tenantToken(a.url);
    const answer = await call(b.url, `${V4}/approvals/${DEMO_LEAVE_CODE}`, { token });
    assert.equal(answer.body.code, 0, answer.text);
  });

  test('the emulator clock set through one node is the clock of the other', async () => {
    const moved = await call(a.url, '/_shenpi/clock', { token: ADMIN, json: { advance_ms: 3_600_000 } });
    const seen = await call(b.url, '/_shenpi/clock', { token: ADMIN });
    assert.ok(Math.abs(seen.body.now - moved.body.now) < 5_000, `${seen.body.now} vs ${moved.body.now}`);
    await call(a.url, '/_shenpi/clock', { token: ADMIN, json: { advance_ms: -3_600_000 } });
  });

  test('concurrent approve and withdraw through both nodes: exactly one wins per instance, nothing duplicated', async () => {
    const token = await tenantToken(a.url);
    const instances: string[] = [];
    for (let i = 0; i < 4; i++) {
      const created = await call(a.url, `${V4}/instances`, {
        token,
        json: { approval_code: RACE_CODE, open_id: 'ou_alice', form: reasonForm(`r${i}`) },
      });
      instances.push(created.body.data.instance_code);
    }
    await Promise.all(instances.map((code) => raceApproveAndWithdraw([a.url, b.url], token, RACE_CODE, code)));
  });

  test('concurrent transfers of one task through both nodes: exactly one lands', async () => {
    const token = await tenantToken(b.url);
    const created = await call(b.url, `${V4}/instances`, {
      token,
      json: { approval_code: RACE_CODE, open_id: 'ou_alice', form: reasonForm('t') },
    });
    const code = created.body.data.instance_code;
    const taskId = (await call(a.url, `${V4}/instances/${code}`, { token })).body.data.task_list[0].id;
    const targets = ['ou_carol', 'ou_dave', 'ou_carol', 'ou_dave', 'ou_carol', 'ou_dave'];
    const answers = await Promise.all(
      targets.map((target, i) =>
        call((i % 2 ? a : b).url, `${V4}/tasks/transfer`, {
          token,
          json: { approval_code: RACE_CODE, instance_code: code, user_id: 'ou_bob', task_id: taskId, transfer_user_id: target },
        }),
      ),
    );
    assert.equal(answers.filter((x) => x.body.code === 0).length, 1, answers.map((x) => x.text).join('\n'));
    const final = (await call(a.url, `${V4}/instances/${code}`, { token })).body.data;
    assert.deepEqual(final.timeline.map((e: { type: string }) => e.type), ['START', 'TRANSFER']);
    assert.deepEqual(final.task_list.map((t: { status: string }) => t.status), ['TRANSFERRED', 'PENDING']);
  });

  test("each node's ids end with a node number of its own, leased from the database", async () => {
    const token = await tenantToken(a.url);
    const nodesOf = async (node: NodeProcess) => {
      const tails = new Set<string>();
      for (let i = 0; i < 5; i++) {
        const created = await call(node.url, `${V4}/instances`, {
          token,
          json: { approval_code: RACE_CODE, open_id: 'ou_alice', form: reasonForm(`n${i}`) },
        });
        const detail = await call(node.url, `${V4}/instances/${created.body.data.instance_code}`, { token });
        for (const entry of [...detail.body.data.task_list, ...detail.body.data.timeline]) if (entry.id) tails.add(String(entry.id).slice(16));
      }
      return [...tails];
    };
    const [ofA, ofB] = [await nodesOf(a), await nodesOf(b)];
    assert.equal(ofA.length, 1, ofA.join(' '));
    assert.equal(ofB.length, 1, ofB.join(' '));
    assert.notEqual(ofA[0], ofB[0]);
  });

  // Last: it deletes the data of the tests above.
  test('after a reset through one node, that node refuses the old token at once and the other within its token cache time', async () => {
    const token = await tenantToken(a.url);
    const path = `${V4}/approvals/${DEMO_LEAVE_CODE}`;
    // Both nodes have just looked the token up, so both hold it in their caches.
    for (const node of [a, b]) assert.equal((await call(node.url, path, { token })).body.code, 0);
    assert.equal((await call(a.url, '/_shenpi/reset', { token: ADMIN, json: {} })).status, 200);
    assert.equal((await call(a.url, path, { token })).body.code, 99991663);
    await waitFor('node b to refuse the token deleted by the reset', async () =>
      (await call(b.url, path, { token })).body.code === 99991663 ? true : undefined,
    );
  });
});

describe('rate limits across two nodes', { skip: TEST_STORE !== 'postgres' && 'needs SHENPI_TEST_STORE=postgres' }, () => {
  let database: TestDatabase;
  let a: NodeProcess;
  let b: NodeProcess;

  before(async () => {
    database = await createTestDatabase('postgres');
    const args = ['--db', database.url, '--emulator', '--rate-limit', 'on', '--admin-token', ADMIN, '--log-level', 'warn'];
    a = await startNode(args);
    b = await startNode([...args, '--no-demo']);
  });

  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await database?.drop();
  });

  test('the requests of one app are counted together whichever node serves them', async () => {
    // Windows are whole minutes: start at the beginning of one so that all requests fall into it.
    const now = Date.now();
    await call(a.url, '/_shenpi/clock', { token: ADMIN, json: { now: now - (now % 60_000) + 60_000 } });
    const token = await tenantToken(a.url);
    const body = { approval_code: 'NONE', instance_code: 'NONE', user_id: 'ou_alice' };
    for (let i = 0; i < 100; i++) {
      const answer = await call(i % 2 ? a.url : b.url, `${V4}/instances/cancel`, { token, json: body });
      assert.equal(answer.body.code, 1390002, answer.text);
    }
    const limited = await call(a.url, `${V4}/instances/cancel`, { token, json: body });
    assert.equal(limited.status, 429);
    assert.equal(limited.body.code, 99991400);
  });
});
