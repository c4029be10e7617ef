/**
 * The official Node SDK (@larksuiteoapi/node-sdk), unmodified, driving the workflow operations against shenpi:
 * instance.addSign, instance.specifiedRollback and task.resubmit. One server for the file (the SDK caches the
 * tenant token per appId for the whole process); every test works on instances of its own.
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
  const res = await client.approval.v4.instance.create({ data: { approval_code: approvalCode, open_id: 'ou_alice', form: reasonForm('sdk') } });
  assert.equal(res.code, 0, JSON.stringify(res));
  return res.data!.instance_code!;
}

const read = async (code: string) =>
  (await client.approval.v4.instance.get({ path: { instance_id: code }, params: { user_id_type: 'user_id' } })).data!;

const pendingOf = async (code: string, userId: string) => {
  const task = (await read(code)).task_list?.find((t) => t.user_id === userId && t.status === 'PENDING');
  assert.ok(task?.id, `${userId} has a pending task`);
  return task.id;
};

test('the SDK adds Carol before Bob with instance.addSign; Carol then Bob approve the leave', async () => {
  const code = await sdkCreate();
  const res = await client.approval.v4.instance.addSign({
    data: {
      approval_code: DEMO_LEAVE_CODE,
      instance_code: code,
      user_id: 'u_bob',
      task_id: await pendingOf(code, 'u_bob'),
      comment: 'Carol first',
      add_sign_user_ids: ['u_carol'],
      add_sign_type: 1,
      approval_method: 2,
    },
  });
  assert.deepEqual(res, { code: 0, msg: 'success' });
  const approve = async (userId: string) => {
    const answer = await client.approval.v4.task.approve({
      params: { user_id_type: 'user_id' },
      data: { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: userId, task_id: await pendingOf(code, userId) },
    });
    assert.equal(answer.code, 0);
  };
  await approve('u_carol');
  await approve('u_bob');
  const instance = await read(code);
  assert.equal(instance.status, 'APPROVED');
  const added = instance.timeline?.find((e) => e.type === 'ADD_APPROVER_BEFORE');
  assert.deepEqual(added?.user_id_list, ['u_carol']);
});

test('a refused SDK addSign throws an AxiosError with status 400 and the Feishu body', async () => {
  const code = await sdkCreate();
  await assert.rejects(
    client.approval.v4.instance.addSign({
      data: {
        approval_code: DEMO_LEAVE_CODE,
        instance_code: code,
        user_id: 'u_bob',
        task_id: await pendingOf(code, 'u_bob'),
        add_sign_user_ids: ['u_carol'],
        add_sign_type: 1,
      },
    }),
    refusedWith(1390001),
  );
});

test('the SDK sends a request back to its submitter with instance.specifiedRollback, and she resubmits it with task.resubmit', async () => {
  const code = await sdkCreate();
  const rolled = await client.approval.v4.instance.specifiedRollback({
    params: { user_id_type: 'user_id' },
    data: { user_id: 'u_bob', task_id: await pendingOf(code, 'u_bob'), reason: 'add the dates', task_def_key_list: ['START'] },
  });
  assert.deepEqual(rolled, { code: 0, msg: 'success', data: {} });
  const resubmitted = await client.approval.v4.task.resubmit({
    params: { user_id_type: 'user_id' },
    data: {
      approval_code: DEMO_LEAVE_CODE,
      instance_code: code,
      user_id: 'u_alice',
      task_id: await pendingOf(code, 'u_alice'),
      form: reasonForm('with dates'),
      comment: JSON.stringify({ text: 'dates added', files: [] }),
    },
  });
  assert.deepEqual(resubmitted, { code: 0, msg: 'success', data: {} });
  const instance = await read(code);
  assert.deepEqual(instance.timeline?.map((e) => e.type), ['START', 'ROLLBACK_SELECTED', 'START']);
  assert.equal(JSON.parse(instance.form!)[0].value, 'with dates');
  assert.ok(await pendingOf(code, 'u_bob'));
});

test('the SDK rejects under reject_option 1 with task.reject: the request comes back to its submitter', async () => {
  const ctx: Served = { server, url: server.url, token: await tenantToken(server.url) };
  const approvalCode = await customDefinition(ctx, {
    nodes: [{ id: 'bob', node_type: 'AND', approver: [{ type: 'Personal', user_id: 'u_bob' }] }],
    settings: { reject_option: 1 },
  });
  const code = await sdkCreate(approvalCode);
  const rejected = await client.approval.v4.task.reject({
    params: { user_id_type: 'user_id' },
    data: { approval_code: approvalCode, instance_code: code, user_id: 'u_bob', task_id: await pendingOf(code, 'u_bob') },
  });
  assert.equal(rejected.code, 0);
  const instance = await read(code);
  assert.equal(instance.status, 'PENDING');
  assert.ok(await pendingOf(code, 'u_alice'));
});

test('a specifiedRollback to a node not passed yet throws with code 1390001', async () => {
  const code = await sdkCreate();
  await assert.rejects(
    client.approval.v4.instance.specifiedRollback({
      params: { user_id_type: 'user_id' },
      data: { user_id: 'u_bob', task_id: await pendingOf(code, 'u_bob'), task_def_key_list: ['manager'] },
    }),
    refusedWith(1390001),
  );
});
