import * as lark from '@larksuiteoapi/node-sdk';
import { expect, inject, test } from 'vitest';

const LEAVE = '0F6A4D2B-8C1E-4B7A-9D3F-2E5C7A9B1D40';
const client = new lark.Client({ appId: 'cli_test', appSecret: 'test-secret', domain: inject('shenpiUrl') });

test('Alice withdraws her pending leave request', async () => {
  const form = JSON.stringify([{ id: 'reason', type: 'input', value: 'Family trip' }]);
  const created = await client.approval.v4.instance.create({ data: { approval_code: LEAVE, open_id: 'ou_alice', form } });
  const instance_code = created.data!.instance_code!;

  const canceled = await client.approval.v4.instance.cancel({
    params: { user_id_type: 'open_id' },
    data: { approval_code: LEAVE, instance_code, user_id: 'ou_alice' },
  });
  expect(canceled).toEqual({ code: 0, msg: 'success', data: {} });

  const read = await client.approval.v4.instance.get({ path: { instance_id: instance_code } });
  expect(read.data?.status).toBe('CANCELED');
  expect(read.data?.timeline?.map((entry) => entry.type)).toEqual(['START', 'CANCEL']);
});
