import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as lark from '@larksuiteoapi/node-sdk';
import { startShenpi, type Shenpi } from 'shenpi';

const LEAVE = '0F6A4D2B-8C1E-4B7A-9D3F-2E5C7A9B1D40';
const form = JSON.stringify([{ id: 'reason', type: 'input', value: 'Family trip' }]);

let shenpi: Shenpi;
let client: lark.Client;

before(async () => {
  shenpi = await startShenpi({ fixture: fileURLToPath(new URL('../fixture.json', import.meta.url)) });
  client = new lark.Client({ appId: 'cli_test', appSecret: 'test-secret', domain: shenpi.url });
});

after(() => shenpi.close());

async function submit(): Promise<string> {
  const created = await client.approval.v4.instance.create({ data: { approval_code: LEAVE, open_id: 'ou_alice', form } });
  return created.data!.instance_code!;
}

const withdraw = (instance_code: string) =>
  client.approval.v4.instance.cancel({
    params: { user_id_type: 'open_id' },
    data: { approval_code: LEAVE, instance_code, user_id: 'ou_alice' },
  });

test('Alice withdraws her pending leave request', async () => {
  const instance_code = await submit();
  assert.equal((await withdraw(instance_code)).code, 0);
  const read = await client.approval.v4.instance.get({ path: { instance_id: instance_code } });
  assert.equal(read.data?.status, 'CANCELED');
});

test('an approved request can no longer be withdrawn once the hour allowed has passed', async () => {
  const instance_code = await submit();
  const read = await client.approval.v4.instance.get({ path: { instance_id: instance_code } });
  await client.approval.v4.task.approve({
    params: { user_id_type: 'open_id' },
    data: { approval_code: LEAVE, instance_code, user_id: 'ou_bob', task_id: read.data!.task_list![0]!.id! },
  });
  await shenpi.clock.advance(61 * 60 * 1000);
  await assert.rejects(withdraw(instance_code), (err: any) => err.response.data.code === 1390001);
  assert.equal(shenpi.requests({ path: '/open-apis/approval/v4/instances/cancel' }).at(-1)?.code, 1390001);
});
