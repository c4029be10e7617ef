/**
 * `user_id_type` (rules.md "Every Open API request" 4): every user id a request reads or writes is of that
 * type, on every endpoint that takes it; an id of another type names nobody; any other type is 1390001.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEMO_LEAVE_CODE } from '../src/fixtures/demo.js';
import { assertRefused, assertSuccess, createLeave, getInstance, pendingTaskOf, serve, V4, type Served } from './helpers/approval.js';
import { call } from './helpers/http.js';

/** The demo people under each id type. */
const IDS = {
  open_id: { alice: 'ou_alice', bob: 'ou_bob', carol: 'ou_carol', dave: 'ou_dave' },
  union_id: { alice: 'on_alice', bob: 'on_bob', carol: 'on_carol', dave: 'on_dave' },
  user_id: { alice: 'u_alice', bob: 'u_bob', carol: 'u_carol', dave: 'u_dave' },
} as const;
type IdType = keyof typeof IDS;
const TYPES = Object.keys(IDS) as IdType[];

const post = (ctx: Served, path: string, type: string, json: unknown) => call(ctx.url, `${V4}${path}?user_id_type=${type}`, { token: ctx.token, json });

/** Alice's leave with Bob's pending task. */
async function leave(ctx: Served) {
  const code = await createLeave(ctx);
  return { code, taskId: (await pendingTaskOf(ctx, code, 'ou_bob')).id as string };
}

for (const type of TYPES) {
  const ids = IDS[type];
  const other = TYPES.find((t) => t !== type)!;

  test(`tasks/transfer reads the actor and the transfer target as ${type}`, async (t) => {
    const ctx = await serve(t);
    const { code, taskId } = await leave(ctx);
    const body = { approval_code: DEMO_LEAVE_CODE, instance_code: code, task_id: taskId };
    // The same people named by another type's ids are nobody here.
    assertRefused(await post(ctx, '/tasks/transfer', type, { ...body, user_id: IDS[other].bob, transfer_user_id: ids.carol }), 1390001);
    assertRefused(await post(ctx, '/tasks/transfer', type, { ...body, user_id: ids.bob, transfer_user_id: IDS[other].carol }), 1390001);
    assertSuccess(await post(ctx, '/tasks/transfer', type, { ...body, user_id: ids.bob, transfer_user_id: ids.carol }));
    const tasks = (await getInstance(ctx, code, 'user_id')).task_list.map((task: any) => [task.user_id, task.status]);
    assert.deepEqual(tasks, [['u_bob', 'TRANSFERRED'], ['u_carol', 'PENDING']]);
  });

  test(`tasks/approve and tasks/reject read the acting approver as ${type}`, async (t) => {
    const ctx = await serve(t);
    for (const action of ['approve', 'reject'] as const) {
      const { code, taskId } = await leave(ctx);
      const body = { approval_code: DEMO_LEAVE_CODE, instance_code: code, task_id: taskId };
      assertRefused(await post(ctx, `/tasks/${action}`, type, { ...body, user_id: IDS[other].bob }), 1390001);
      assertSuccess(await post(ctx, `/tasks/${action}`, type, { ...body, user_id: ids.bob }));
      assert.equal((await getInstance(ctx, code)).status, action === 'approve' ? 'APPROVED' : 'REJECTED');
    }
  });

  test(`instances/cc reads the sender and every CC user as ${type}, and the timeline answers them as ${type}`, async (t) => {
    const ctx = await serve(t);
    const { code } = await leave(ctx);
    const body = { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: ids.alice, cc_user_ids: [ids.carol, ids.dave] };
    assertRefused(await post(ctx, '/instances/cc', type, { ...body, cc_user_ids: [IDS[other].carol] }), 1390001);
    assertSuccess(await post(ctx, '/instances/cc', type, body));
    const cc = (await getInstance(ctx, code, type)).timeline.find((e: any) => e.type === 'CC');
    assert.equal(cc.user_id, ids.alice);
    assert.deepEqual(cc.cc_user_list.map((u: any) => u.user_id), [ids.carol, ids.dave]);
  });

  test(`instances/query and tasks/query read the user as ${type} and answer initiators as ${type}`, async (t) => {
    const ctx = await serve(t);
    const { code } = await leave(ctx);
    const queried = assertSuccess(await post(ctx, '/instances/query', type, { user_id: ids.alice }));
    assert.deepEqual(queried.instance_list.map((i: any) => [i.instance.code, i.instance.user_id]), [[code, ids.alice]]);
    assertRefused(await post(ctx, '/instances/query', type, { user_id: IDS[other].alice }), 1390001);
    const tasks = assertSuccess(await call(ctx.url, `${V4}/tasks/query?user_id=${ids.bob}&topic=1&user_id_type=${type}`, { token: ctx.token }));
    assert.deepEqual(tasks.tasks.map((task: any) => [task.process_id, task.initiators]), [[code, [ids.alice]]]);
  });

  test(`instances/preview reads the submitter as ${type} and answers approvers as ${type}`, async (t) => {
    const ctx = await serve(t);
    const preview = assertSuccess(await post(ctx, '/instances/preview', type, { approval_code: DEMO_LEAVE_CODE, user_id: ids.alice }));
    assert.deepEqual(preview.preview_nodes.map((n: any) => n.user_id_list), [[ids.bob]]);
  });
}

test('an invalid user_id_type answers 1390001 on every endpoint that takes one', async (t) => {
  const ctx = await serve(t);
  const { code, taskId } = await leave(ctx);
  const task = { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: 'ou_bob', task_id: taskId };
  const posts: [string, unknown][] = [
    ['/instances/cancel', { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: 'ou_alice' }],
    ['/instances/cc', { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: 'ou_alice', cc_user_ids: ['ou_dave'] }],
    ['/instances/query', { user_id: 'ou_alice' }],
    ['/instances/search_cc', { user_id: 'ou_alice' }],
    ['/tasks/search', { user_id: 'ou_bob' }],
    ['/instances/preview', { approval_code: DEMO_LEAVE_CODE, user_id: 'ou_alice' }],
    ['/tasks/approve', task],
    ['/tasks/reject', task],
    ['/tasks/transfer', { ...task, transfer_user_id: 'ou_carol' }],
    [`/instances/${code}/comments`, { content: JSON.stringify({ text: 'x' }) }],
  ];
  for (const [path, body] of posts) {
    const separator = path.includes('comments') ? '&user_id=ou_alice' : '';
    const answer = await call(ctx.url, `${V4}${path}?user_id_type=email${separator}`, { token: ctx.token, json: body });
    assertRefused(answer, 1390001, /user_id_type/);
  }
  for (const path of [`/instances/${code}`, `/approvals/${DEMO_LEAVE_CODE}`, '/tasks/query?user_id=ou_bob&topic=1', `/instances/${code}/comments?user_id=ou_alice`]) {
    const answer = await call(ctx.url, `${V4}${path}${path.includes('?') ? '&' : '?'}user_id_type=email`, { token: ctx.token });
    assertRefused(answer, 1390001, /user_id_type/);
  }
  assert.equal((await getInstance(ctx, code)).status, 'PENDING');
});
