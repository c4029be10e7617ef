/**
 * The official Node SDK (@larksuiteoapi/node-sdk 1.74.0), unmodified, driving the third-party approval
 * operations: externalApproval.create/get, externalInstance.create/check, externalTask.list and
 * listWithIterator (a GET whose filters travel in a JSON body). One server for the file, its clock frozen
 * before the SDK's first token, so that the resync window never depends on the machine's speed.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as lark from '@larksuiteoapi/node-sdk';
import { RESYNC_WINDOW_MS } from '../src/domain/approval/external-instance.js';
import { AT, externalApprovalBody, externalTask, instanceBody } from './helpers/external.js';
import { admin } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { refusedWith, sdkClient } from './helpers/sdk.js';

let server: TestServer;
let client: lark.Client;

before(async () => {
  server = await startTestServer();
  assert.equal((await admin(server.url, '/clock', { json: { now: AT, frozen: true } })).status, 200);
  client = sdkClient(server.url);
});

after(() => server.close());

const pastWindow = async () => assert.equal((await admin(server.url, '/clock', { json: { advance_ms: RESYNC_WINDOW_MS } })).status, 200);

type SyncData = NonNullable<Parameters<lark.Client['approval']['v4']['externalInstance']['create']>[0]>['data'];

test('externalApproval.create answers a code; externalApproval.get reads the definition by it, per user_id_type', async () => {
  const created = await client.approval.v4.externalApproval.create({
    params: { user_id_type: 'user_id' },
    data: { ...externalApprovalBody('sdk_expense'), managers: ['u_dave'] } as never,
  });
  assert.equal(created.code, 0, JSON.stringify(created));
  const code = created.data?.approval_code;
  assert.match(code ?? '', /^[0-9A-F-]{36}$/);
  const read = await client.approval.v4.externalApproval.get({ path: { approval_code: code! }, params: { user_id_type: 'open_id' } });
  assert.equal(read.code, 0);
  assert.equal(read.data?.approval_code, 'sdk_expense');
  assert.deepEqual(read.data?.managers, ['ou_dave']);
  await assert.rejects(client.approval.v4.externalApproval.get({ path: { approval_code: 'sdk_nope' } }), refusedWith(1390002));
});

test('externalInstance.create syncs, a quick second sync throws 1390014, and check reports the differences', async () => {
  await client.approval.v4.externalApproval.create({ data: externalApprovalBody('sdk_sync') as never });
  const body = instanceBody('sdk_sync', 'sdk-1', { task_list: [externalTask({ task_id: 'st-1', open_id: 'ou_bob' })] }) as SyncData;
  const synced = await client.approval.v4.externalInstance.create({ data: body });
  assert.equal(synced.code, 0, JSON.stringify(synced));
  assert.deepEqual(synced.data?.process_record?.task, { insert_num: 1, update_num: 0, delete_num: 0 });
  assert.equal(synced.data?.data?.instance_id, 'sdk-1');
  await assert.rejects(client.approval.v4.externalInstance.create({ data: body }), refusedWith(1390014));
  await pastWindow();
  const updated = await client.approval.v4.externalInstance.create({ data: { ...body, update_mode: 'UPDATE', update_time: String(AT + 1) } });
  assert.deepEqual(updated.data?.process_record?.instance, { insert_num: 0, update_num: 1, delete_num: 0 });

  const checked = await client.approval.v4.externalInstance.check({
    data: {
      instances: [
        { instance_id: 'sdk-1', update_time: String(AT + 1), tasks: [{ task_id: 'st-1', update_time: String(AT) }] },
        { instance_id: 'sdk-unknown', update_time: '1', tasks: [] },
      ],
    },
  });
  assert.deepEqual(checked, { code: 0, msg: 'success', data: { diff_instances: [{ instance_id: 'sdk-unknown', update_time: '0', tasks: [] }] } });
});

test('externalTask.list filters by its JSON body; listWithIterator walks every page', async () => {
  await client.approval.v4.externalApproval.create({ data: externalApprovalBody('sdk_list') as never });
  const ids = Array.from({ length: 5 }, (_, n) => `sdk-list-${n}`);
  for (const id of ids) {
    const res = await client.approval.v4.externalInstance.create({
      data: instanceBody('sdk_list', id, { task_list: [externalTask({ task_id: `${id}-t`, user_id: 'u_carol', status: id.endsWith('0') ? 'APPROVED' : 'PENDING' })] }) as SyncData,
    });
    assert.equal(res.code, 0, JSON.stringify(res));
  }
  const approved = await client.approval.v4.externalTask.list({ data: { approval_codes: ['sdk_list'], status: 'APPROVED' } });
  assert.equal(approved.code, 0, JSON.stringify(approved));
  assert.deepEqual(approved.data?.data?.map((i) => [i.instance_id, i.tasks?.map((t) => t.status)]), [['sdk-list-0', ['APPROVED']]]);
  assert.equal(approved.data?.has_more, false);

  const seen: string[] = [];
  let pages = 0;
  for await (const page of await client.approval.v4.externalTask.listWithIterator({
    data: { approval_codes: ['sdk_list'], user_ids: ['u_carol'] },
    params: { page_size: 2 },
  })) {
    pages++;
    seen.push(...(page?.data ?? []).map((i) => i.instance_id));
  }
  assert.deepEqual([pages, seen], [3, ids]);
});
