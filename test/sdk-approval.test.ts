/**
 * The official Node SDK (@larksuiteoapi/node-sdk 1.74.0), unmodified, against shenpi (sdk.md): only
 * `domain` points at the test server. One server for the file, because the SDK caches the tenant token
 * per appId for the whole process; every test works on instances of its own.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as lark from '@larksuiteoapi/node-sdk';
import { DEMO_LEAVE_CODE } from '../src/fixtures/demo.js';
import { customDefinition, reasonForm, type Served } from './helpers/approval.js';
import { tenantToken } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { refusedWith, sdkClient } from './helpers/sdk.js';

let server: TestServer;
let client: lark.Client;

before(async () => {
  server = await startTestServer();
  client = sdkClient(server.url);
});

after(() => server.close());

async function sdkCreate(approvalCode = DEMO_LEAVE_CODE): Promise<string> {
  const res = await client.approval.v4.instance.create({
    data: { approval_code: approvalCode, open_id: 'ou_alice', form: reasonForm('sdk') },
  });
  assert.equal(res.code, 0, JSON.stringify(res));
  const code = res.data?.instance_code;
  assert.ok(code);
  return code;
}

test('the SDK creates an instance and reads it back PENDING', async () => {
  const code = await sdkCreate();
  const res = await client.approval.v4.instance.get({ path: { instance_id: code } });
  assert.equal(res.code, 0);
  assert.equal(res.data?.instance_code, code);
  assert.equal(res.data?.status, 'PENDING');
  assert.equal(res.data?.open_id, 'ou_alice');
});

test('the SDK withdraws an instance by user_id and reads it back CANCELED', async () => {
  const code = await sdkCreate();
  const res = await client.approval.v4.instance.cancel({
    params: { user_id_type: 'user_id' },
    data: { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: 'u_alice' },
  });
  assert.deepEqual(res, { code: 0, msg: 'success', data: {} });
  const read = await client.approval.v4.instance.get({ path: { instance_id: code }, params: { user_id_type: 'user_id' } });
  assert.equal(read.data?.status, 'CANCELED');
  assert.notEqual(read.data?.end_time, '0');
  assert.deepEqual(
    read.data?.timeline?.map((e) => [e.type, e.user_id]),
    [
      ['START', 'u_alice'],
      ['CANCEL', 'u_alice'],
    ],
  );
});

test('a refused SDK withdrawal throws an AxiosError with status 400 and the Feishu body', async () => {
  const code = await sdkCreate();
  await assert.rejects(
    client.approval.v4.instance.cancel({
      params: { user_id_type: 'user_id' },
      data: { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: 'u_bob' },
    }),
    (err: any) => {
      assert.equal(err.name, 'AxiosError');
      assert.equal(err.response?.status, 400);
      assert.equal(err.response.data.code, 1390001);
      assert.equal(err.response.data.msg, 'param is invalid');
      assert.equal(err.response.data.error.details[0].key, 'reason');
      return true;
    },
  );
  const read = await client.approval.v4.instance.get({ path: { instance_id: code } });
  assert.equal(read.data?.status, 'PENDING');
});

test('a withdrawal of an unknown instance throws with code 1390003', async () => {
  await assert.rejects(
    client.approval.v4.instance.cancel({
      params: { user_id_type: 'open_id' },
      data: { approval_code: DEMO_LEAVE_CODE, instance_code: '81D31358-93AF-92D6-7425-01A5D67C4E71', user_id: 'ou_alice' },
    }),
    refusedWith(1390003),
  );
});

test('the SDK approves a task and the instance reads APPROVED', async () => {
  const code = await sdkCreate();
  const read = await client.approval.v4.instance.get({ path: { instance_id: code } });
  const task = read.data?.task_list?.[0];
  assert.ok(task?.id);
  const res = await client.approval.v4.task.approve({
    params: { user_id_type: 'open_id' },
    data: { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: 'ou_bob', task_id: task.id },
  });
  assert.equal(res.code, 0);
  assert.equal((await client.approval.v4.instance.get({ path: { instance_id: code } })).data?.status, 'APPROVED');
});

test('listWithIterator over 5 instances, 2 a page, yields every code once and terminates', async () => {
  const ctx: Served = { server, url: server.url, token: await tenantToken(server.url) };
  const approvalCode = await customDefinition(ctx, {
    nodes: [{ id: 'bob', node_type: 'AND', approver: [{ type: 'Personal', user_id: 'u_bob' }] }],
  });
  const created: string[] = [];
  for (let i = 0; i < 5; i++) created.push(await sdkCreate(approvalCode));

  const pages = await client.approval.v4.instance.listWithIterator({
    params: { approval_code: approvalCode, start_time: '0', end_time: String(Date.now() + 10 ** 9), page_size: 2 },
  });
  const seen: string[] = [];
  let count = 0;
  for await (const page of pages) {
    count += 1;
    assert.ok(count <= 3, 'the iterator does not terminate');
    seen.push(...((page as { instance_code_list?: string[] } | null)?.instance_code_list ?? []));
  }
  assert.equal(count, 3);
  assert.equal(seen.length, 5);
  assert.deepEqual([...seen].sort(), [...created].sort());
});

test('the SDK reads a definition with approval.get', async () => {
  const res = await client.approval.v4.approval.get({ path: { approval_code: DEMO_LEAVE_CODE } });
  assert.equal(res.code, 0);
  assert.equal(res.data?.approval_name, 'Leave');
  assert.deepEqual(
    res.data?.node_list?.map((n) => n.custom_node_id),
    ['manager'],
  );
});

test('the SDK drives a whole revoke round: withdraw an approved instance, approve its revoke request, read it revoked', async () => {
  const ctx: Served = { server, url: server.url, token: await tenantToken(server.url) };
  const approvalCode = await customDefinition(ctx, {
    nodes: [{ id: 'bob', node_type: 'AND', approver: [{ type: 'Personal', user_id: 'u_bob' }] }],
  });
  const code = await sdkCreate(approvalCode);
  const taskOf = async (instanceCode: string) =>
    (await client.approval.v4.instance.get({ path: { instance_id: instanceCode } })).data?.task_list?.find((t) => t.status === 'PENDING');
  const approve = async (instanceCode: string) => {
    const task = await taskOf(instanceCode);
    assert.ok(task?.id);
    const res = await client.approval.v4.task.approve({
      params: { user_id_type: 'open_id' },
      data: { approval_code: approvalCode, instance_code: instanceCode, user_id: 'ou_bob', task_id: task.id },
    });
    assert.equal(res.code, 0);
  };
  await approve(code);

  const withdrawn = await client.approval.v4.instance.cancel({
    params: { user_id_type: 'user_id' },
    data: { approval_code: approvalCode, instance_code: code, user_id: 'u_alice' },
  });
  assert.deepEqual(withdrawn, { code: 0, msg: 'success', data: {} });
  assert.equal((await client.approval.v4.instance.get({ path: { instance_id: code } })).data?.status, 'PENDING');

  // The revoke request is found as a client would: the definition's instances, read for reverted_instance_code.
  const listed = await client.approval.v4.instance.list({
    params: { approval_code: approvalCode, start_time: '0', end_time: String(Date.now() + 10 ** 9) },
  });
  const requests = [];
  for (const listedCode of listed.data?.instance_code_list ?? []) {
    const read = await client.approval.v4.instance.get({ path: { instance_id: listedCode } });
    if (read.data?.reverted_instance_code === code) requests.push(listedCode);
  }
  assert.equal(requests.length, 1);
  await approve(requests[0]!);

  const revoked = await client.approval.v4.instance.get({ path: { instance_id: code } });
  assert.equal(revoked.data?.status, 'CANCELED');
  assert.equal(revoked.data?.reverted, true);
  assert.equal(revoked.data?.timeline?.at(-1)?.type, 'CANCEL');

  const queried = await client.approval.v4.instance.query({ data: { approval_code: approvalCode } });
  assert.deepEqual(queried.data?.instance_list, []);
  const withRevoked = await client.approval.v4.instance.query({ data: { approval_code: approvalCode, with_revoked_instance: true } });
  assert.deepEqual(
    withRevoked.data?.instance_list?.map((i) => [i.instance?.code, i.instance?.status]),
    [
      [code, 'canceled'],
      [requests[0], 'approved'],
    ],
  );
});
