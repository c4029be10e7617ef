/**
 * `POST /instances/search_cc` end to end (approval-v4.md §3.6, docs/design/workflow-operations.md §4): CC entries
 * by selector, read state and time, newest first, paged; revoked instances, its codes, tenants and id types.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEMO_LEAVE_CODE } from '../src/fixtures/demo.js';
import {
  advanceClock,
  aliceCancels,
  approveAs,
  assertRefused,
  assertSuccess,
  bobOnly,
  createLeave,
  customDefinition,
  getInstance,
  loadFixture,
  revokeRequestOf,
  serve,
  V4,
  type Served,
  type UserIdType,
} from './helpers/approval.js';
import { AT, externalApproval, externalApprovalBody, externalCc, freezeClock, instanceBody, instanceTexts, pastWindow, synced } from './helpers/external.js';
import { GLOBEX_APP, globexFixture } from './helpers/fixtures.js';
import { call, queryString, tenantToken } from './helpers/http.js';
import { refusedWith, sdkClient } from './helpers/sdk.js';

const searchCc = (ctx: Served, body: Record<string, unknown>, query: Record<string, string | number> = {}, token = ctx.token) =>
  call(ctx.url, `${V4}/instances/search_cc?${queryString(query)}`, {
    token,
    json: body,
  });

/** The found CCs as [instance code, CC'd user, read status], in the answer's order. */
const found = async (ctx: Served, body: Record<string, unknown>, query: Record<string, string | number> = {}) =>
  (assertSuccess(await searchCc(ctx, body, query)).cc_list as any[]).map((item) => [item.instance.code, item.cc.user_id, item.cc.read_status]);

/** Alice CCs `users` (open_ids) on her leave instance. */
async function cc(ctx: Served, instanceCode: string, users: string[], approvalCode = DEMO_LEAVE_CODE) {
  assertSuccess(
    await call(ctx.url, `${V4}/instances/cc`, {
      token: ctx.token,
      json: { approval_code: approvalCode, instance_code: instanceCode, user_id: 'ou_alice', cc_user_ids: users },
    }),
  );
}

/** The user (open_id) opens the instance, which reads their CCs on it. */
async function readAs(ctx: Served, instanceCode: string, openId: string) {
  assertSuccess(await call(ctx.url, `${V4}/instances/${instanceCode}?user_id=${openId}`, { token: ctx.token }));
}

// ---- what an item holds ----

test('search_cc by approval_code answers each CC with its definition, group and instance, the CC\'d user and read state', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  await cc(ctx, code, ['ou_carol']);
  const instance = await getInstance(ctx, code, 'user_id');
  const data = assertSuccess(await searchCc(ctx, { approval_code: DEMO_LEAVE_CODE }));
  assert.deepEqual([data.count, data.has_more, data.page_token], [1, false, '']);
  const [item] = data.cc_list;
  assert.deepEqual(item.approval, {
    code: DEMO_LEAVE_CODE,
    name: 'Leave',
    is_external: false,
    external: { batch_cc_read: false },
    approval_id: item.approval.approval_id,
    icon: item.approval.icon,
  });
  assert.deepEqual(item.group, { external_id: '', name: '' });
  assert.deepEqual([item.instance.code, item.instance.user_id, item.instance.status], [code, 'ou_alice', 'pending']);
  assert.deepEqual(item.cc, {
    user_id: 'ou_carol',
    create_time: instance.timeline.at(-1).create_time,
    read_status: 'unread',
    title: '',
    extra: '',
    link: { pc_link: '', mobile_link: '' },
  });
});

test("a node's CC is found as well as an API CC", async (t) => {
  const ctx = await serve(t);
  const approvalCode = await customDefinition(ctx, {
    nodes: [{ id: 'bob', node_type: 'AND', approver: [{ type: 'Personal', user_id: 'u_bob' }], ccer: [{ type: 'Personal', user_id: 'u_dave' }] }],
  });
  const code = await createLeave(ctx, { approvalCode });
  assert.deepEqual(await found(ctx, { approval_code: approvalCode }), []);
  await approveAs(ctx, code, 'ou_bob', approvalCode);
  assert.deepEqual(await found(ctx, { approval_code: approvalCode }), [[code, 'ou_dave', 'unread']]);
});

// ---- selectors ----

test('search_cc with none of user_id, approval_code, instance_code, instance_external_id, group_external_id answers 1390001', async (t) => {
  const ctx = await serve(t);
  assertRefused(await searchCc(ctx, { read_status: 'ALL' }), 1390001, /one of user_id, approval_code/);
});

for (const type of ['open_id', 'user_id', 'union_id'] as const satisfies readonly UserIdType[]) {
  const id = (name: string) => ({ open_id: `ou_${name}`, user_id: `u_${name}`, union_id: `on_${name}` })[type];
  test(`search_cc reads user_id (the CC'd user) as ${type} and answers every user as ${type}`, async (t) => {
    const ctx = await serve(t);
    const code = await createLeave(ctx);
    await cc(ctx, code, ['ou_carol', 'ou_dave']);
    const data = assertSuccess(await searchCc(ctx, { user_id: id('carol') }, { user_id_type: type }));
    assert.deepEqual(
      data.cc_list.map((item: any) => [item.instance.code, item.instance.user_id, item.cc.user_id]),
      [[code, id('alice'), id('carol')]],
    );
    // Alice sent the CC; it is not hers.
    assert.deepEqual(assertSuccess(await searchCc(ctx, { user_id: id('alice') }, { user_id_type: type })).cc_list, []);
  });
}

test('search_cc without user_id_type reads user_id as an open_id (1390001 for an id of another type)', async (t) => {
  const ctx = await serve(t);
  await cc(ctx, await createLeave(ctx), ['ou_carol']);
  assert.equal(assertSuccess(await searchCc(ctx, { user_id: 'ou_carol' })).count, 1);
  assertRefused(await searchCc(ctx, { user_id: 'u_carol' }), 1390001, /user_id "u_carol"/);
});

test('search_cc by instance_code finds that instance\'s CCs; with approval_code the selectors intersect', async (t) => {
  const ctx = await serve(t);
  const one = await createLeave(ctx);
  const two = await createLeave(ctx);
  await cc(ctx, one, ['ou_carol']);
  await cc(ctx, two, ['ou_dave']);
  assert.deepEqual(await found(ctx, { instance_code: one }), [[one, 'ou_carol', 'unread']]);
  assert.deepEqual(await found(ctx, { instance_code: one, user_id: 'ou_dave' }), []);
  const other = await bobOnly(ctx);
  assert.deepEqual(await found(ctx, { instance_code: one, approval_code: other }), []);
});

test('search_cc: an unknown approval_code answers 1390002, an unknown instance_code 1390003', async (t) => {
  const ctx = await serve(t);
  assertRefused(await searchCc(ctx, { approval_code: 'NO-SUCH-CODE' }), 1390002, /NO-SUCH-CODE/);
  assertRefused(await searchCc(ctx, { instance_code: 'NO-SUCH-INSTANCE' }), 1390003, /NO-SUCH-INSTANCE/);
});

test('search_cc: the external ids select no shenpi CC alone, and join approval_code and instance_code as unions', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  await cc(ctx, code, ['ou_carol']);
  assert.deepEqual(await found(ctx, { group_external_id: 'g-1' }), []);
  assert.deepEqual(await found(ctx, { instance_external_id: 'x-1', user_id: 'ou_carol' }), []);
  assert.deepEqual(await found(ctx, { approval_code: DEMO_LEAVE_CODE, group_external_id: 'g-1' }), [[code, 'ou_carol', 'unread']]);
  assert.deepEqual(await found(ctx, { instance_code: code, instance_external_id: 'x-1' }), [[code, 'ou_carol', 'unread']]);
});

test('cc_title finds nothing: only external CCs have a title', async (t) => {
  const ctx = await serve(t);
  await cc(ctx, await createLeave(ctx), ['ou_carol']);
  assert.deepEqual(await found(ctx, { approval_code: DEMO_LEAVE_CODE, cc_title: 'Leave' }), []);
});

// ---- read status ----

test('read_status READ or UNREAD selects by read state, in upper or lower case; ALL or none selects both', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  await cc(ctx, code, ['ou_carol', 'ou_dave']);
  await readAs(ctx, code, 'ou_carol');
  const base = { instance_code: code };
  const users = async (body: Record<string, unknown>) => (await found(ctx, { ...base, ...body })).map(([, user, read]) => `${user} ${read}`).sort();
  assert.deepEqual(await users({ read_status: 'READ' }), ['ou_carol read']);
  assert.deepEqual(await users({ read_status: 'read' }), ['ou_carol read']);
  assert.deepEqual(await users({ read_status: 'UNREAD' }), ['ou_dave unread']);
  assert.deepEqual(await users({ read_status: 'unread' }), ['ou_dave unread']);
  for (const all of [{ read_status: 'ALL' }, { read_status: 'all' }, {}]) {
    assert.deepEqual(await users(all), ['ou_carol read', 'ou_dave unread']);
  }
});

test('a read_status outside READ, UNREAD, ALL answers 1390001', async (t) => {
  const ctx = await serve(t);
  for (const readStatus of ['Read', 'SEEN', '', 1]) {
    assertRefused(await searchCc(ctx, { approval_code: DEMO_LEAVE_CODE, read_status: readStatus }), 1390001, /read_status/);
  }
});

// ---- create time ----

test('cc_create_time_from/_to select by CC time (integers or strings of digits); one end alone or over 30 days answers 1390001', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  await cc(ctx, code, ['ou_carol']);
  await advanceClock(ctx, 3_600_000);
  await cc(ctx, code, ['ou_dave']);
  const late = Number((await getInstance(ctx, code)).timeline.at(-1).create_time);
  const between = (from: number | string, to: number | string) => ({ instance_code: code, cc_create_time_from: from, cc_create_time_to: to });
  assert.deepEqual(await found(ctx, between(late - 1000, late)), [[code, 'ou_dave', 'unread']]);
  assert.deepEqual(await found(ctx, between(String(late - 7_200_000), String(late - 1000))), [[code, 'ou_carol', 'unread']]);
  assertRefused(await searchCc(ctx, { instance_code: code, cc_create_time_from: late }), 1390001, /go together/);
  assertRefused(await searchCc(ctx, between(0, 30 * 86_400_000 + 1)), 1390001, /30 days/);
  assertRefused(await searchCc(ctx, between(late, late - 1)), 1390001, /30 days/);
});

// ---- order and paging ----

test('search_cc answers the newest CC first and pages by 10 by default, page_size 5 to 200', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  const order: string[] = [];
  for (const user of ['ou_bob', 'ou_carol', 'ou_dave']) {
    await cc(ctx, code, [user]);
    order.unshift(user);
    await advanceClock(ctx, 1000);
  }
  assert.deepEqual((await found(ctx, { instance_code: code })).map(([, user]) => user), order);
  for (let i = 0; i < 3; i++) await cc(ctx, code, ['ou_bob', 'ou_carol', 'ou_dave']);
  const data = assertSuccess(await searchCc(ctx, { instance_code: code }));
  assert.deepEqual([data.cc_list.length, data.count, data.has_more], [10, 12, true]);
  for (const size of [4, 201]) assertRefused(await searchCc(ctx, { instance_code: code }, { page_size: size }), 1390001, /page_size/);
});

test('paging search_cc walks every CC once, newest first, count the total on every page', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  // Three users CC'd at once share a create time: the cc id breaks the tie.
  for (let i = 0; i < 4; i++) {
    await cc(ctx, code, ['ou_bob', 'ou_carol', 'ou_dave']);
    await advanceClock(ctx, 1000);
  }
  const all = assertSuccess(await searchCc(ctx, { instance_code: code }, { page_size: 200 })).cc_list;
  const walked: any[] = [];
  let pageToken = '';
  do {
    const data = assertSuccess(await searchCc(ctx, { instance_code: code }, { page_size: 5, ...(pageToken ? { page_token: pageToken } : {}) }));
    assert.equal(data.count, 12);
    walked.push(...data.cc_list);
    pageToken = data.page_token;
  } while (pageToken);
  assert.deepEqual(walked, all);
  const times = walked.map((item) => Number(item.cc.create_time));
  assert.deepEqual(times, [...times].sort((a, b) => b - a));
  assertRefused(await searchCc(ctx, { instance_code: code }, { page_token: 'garbage' }), 1390001, /page_token/);
});

// ---- revoked instances ----

test('CCs on a revoked instance are found only with with_revoked_instance: true', async (t) => {
  const ctx = await serve(t);
  const original = await createLeave(ctx);
  await cc(ctx, original, ['ou_carol']);
  await approveAs(ctx, original, 'ou_bob');
  assertSuccess(await aliceCancels(ctx, original));
  const request = (await revokeRequestOf(ctx, original)).instance_code;
  assert.equal((await found(ctx, { user_id: 'ou_carol' })).length, 1);
  await approveAs(ctx, request, 'ou_bob');
  assert.deepEqual(await found(ctx, { user_id: 'ou_carol' }), []);
  const data = assertSuccess(await searchCc(ctx, { user_id: 'ou_carol', with_revoked_instance: true }));
  assert.deepEqual(data.cc_list.map((item: any) => [item.instance.code, item.instance.status]), [[original, 'canceled']]);
});

// ---- tenants ----

test("another tenant's token finds none of acme's CCs, and acme's codes are not found for it", async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  await cc(ctx, code, ['ou_bob']);
  await loadFixture(ctx, globexFixture());
  const globex = await tenantToken(ctx.url, GLOBEX_APP);
  const mine = assertSuccess(await searchCc(ctx, { user_id: 'ou_bob' }, {}, globex));
  assert.deepEqual([mine.count, mine.cc_list], [0, []]);
  assertRefused(await searchCc(ctx, { approval_code: DEMO_LEAVE_CODE }, {}, globex), 1390002);
  assertRefused(await searchCc(ctx, { instance_code: code }, {}, globex), 1390003);
});

// ---- the official Node SDK ----

test('the Node SDK searches CCs with client.approval.v4.instance.searchCc', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  await cc(ctx, code, ['ou_carol', 'ou_dave']);
  await readAs(ctx, code, 'ou_dave');
  const client = sdkClient(ctx.url);
  const res = await client.approval.v4.instance.searchCc({
    params: { page_size: 5, user_id_type: 'union_id' },
    data: { instance_code: code, read_status: 'UNREAD', locale: 'en-US', with_revoked_instance: false },
  });
  assert.equal(res.code, 0, JSON.stringify(res));
  assert.equal(res.data?.count, 1);
  assert.deepEqual(
    res.data?.cc_list?.map((item) => [item.approval?.name, item.instance?.user_id, item.cc?.user_id, item.cc?.read_status]),
    [['Leave', 'on_alice', 'on_carol', 'unread']],
  );
  await assert.rejects(client.approval.v4.instance.searchCc({ data: { instance_code: 'NO-SUCH-INSTANCE' } }), refusedWith(1390003));
});

// ---- third-party (external) CCs ----

/**
 * acme at AT: Carol CC'd on Alice's leave (at AT), and the third-party definition `oa_expense` (group `hr`, batch
 * read on) with instance `inst-1`: Carol's unread CC `cc-1` (AT + 1000) and Bob's read CC `cc-2` (AT + 500).
 */
async function withExternal(t: Parameters<typeof serve>[0]) {
  const ctx = await serve(t);
  await freezeClock(ctx);
  const leave = await createLeave(ctx);
  await cc(ctx, leave, ['ou_carol']);
  const body = externalApprovalBody('oa_expense');
  await externalApproval(ctx, 'oa_expense', { external: { ...body.external, support_batch_read: true } });
  await synced(
    ctx,
    instanceBody('oa_expense', 'inst-1', {
      i18n_resources: [instanceTexts('inst-1', { '@i18n@fyi': 'For your records' })],
      cc_list: [
        externalCc({ cc_id: 'cc-1', open_id: 'ou_carol', title: '@i18n@fyi', extra: '{"why":"audit"}', create_time: String(AT + 1000), update_time: String(AT + 1000) }),
        externalCc({ cc_id: 'cc-2', open_id: 'ou_bob', read_status: 'READ', create_time: String(AT + 500), update_time: String(AT + 500) }),
      ],
    }),
  );
  const [item] = assertSuccess(await searchCc(ctx, { instance_external_id: 'inst-1', user_id: 'ou_carol' })).cc_list;
  return { ctx, leave, external: item.instance.code as string };
}

test('a third-party CC is found with its definition, group and instance, and its own title, extra and links', async (t) => {
  const { ctx, external } = await withExternal(t);
  const [item] = assertSuccess(await searchCc(ctx, { instance_external_id: 'inst-1', user_id: 'ou_carol' })).cc_list;
  assert.deepEqual(item.approval, { code: 'oa_expense', name: 'Expense (OA)', is_external: true, external: { batch_cc_read: true }, approval_id: item.approval.approval_id, icon: '0' });
  assert.deepEqual(item.group, { external_id: 'hr', name: 'HR' });
  assert.deepEqual([item.instance.code, item.instance.external_id, item.instance.title, item.instance.serial_id], [external, 'inst-1', 'Expense inst-1', '']);
  assert.deepEqual(item.cc, {
    user_id: 'ou_carol',
    create_time: String(AT + 1000),
    read_status: 'unread',
    title: 'For your records',
    extra: '{"why":"audit"}',
    link: { pc_link: 'https://oa.example/cc/cc-1', mobile_link: 'https://m.oa.example/cc/cc-1' },
  });
});

test('search_cc: the external ids and third-party codes select its CCs; beside shenpi codes they are unions, newest first', async (t) => {
  const { ctx, leave, external } = await withExternal(t);
  const carol = { user_id: 'ou_carol' };
  for (const selector of [{ instance_external_id: 'inst-1' }, { group_external_id: 'hr' }, { approval_code: 'oa_expense' }, { instance_code: external }]) {
    assert.deepEqual(await found(ctx, { ...selector, ...carol }), [[external, 'ou_carol', 'unread']], JSON.stringify(selector));
  }
  const both = [
    [external, 'ou_carol', 'unread'],
    [leave, 'ou_carol', 'unread'],
  ];
  assert.deepEqual(await found(ctx, { approval_code: DEMO_LEAVE_CODE, group_external_id: 'hr', ...carol }), both);
  assert.deepEqual(await found(ctx, { instance_code: leave, instance_external_id: 'inst-1', ...carol }), both);
  assert.deepEqual(await found(ctx, carol), both);
  assert.deepEqual(await found(ctx, { instance_code: leave, group_external_id: 'hr' }), []);
});

test('search_cc: cc_title finds third-party CCs only; read_status, user_id per user_id_type and create time select them', async (t) => {
  const { ctx, external } = await withExternal(t);
  assert.deepEqual(await found(ctx, { user_id: 'ou_carol', cc_title: 'RECORDS' }), [[external, 'ou_carol', 'unread']]);
  assert.deepEqual(await found(ctx, { approval_code: DEMO_LEAVE_CODE, cc_title: 'records' }), []);
  assert.deepEqual(await found(ctx, { group_external_id: 'hr', read_status: 'read' }), [[external, 'ou_bob', 'read']]);
  assert.deepEqual(await found(ctx, { user_id: 'u_bob' }, { user_id_type: 'user_id' }), [[external, 'u_bob', 'read']]);
  const span = { cc_create_time_from: String(AT + 1), cc_create_time_to: String(AT + 600) };
  assert.deepEqual(await found(ctx, { group_external_id: 'hr', ...span }), [[external, 'ou_bob', 'read']]);
});

test('search_cc pages shenpi and third-party CCs together, newest first, count both, and leaves HIDDEN instances out', async (t) => {
  const { ctx, leave, external } = await withExternal(t);
  for (let i = 0; i < 3; i++) {
    await advanceClock(ctx, 1000);
    await cc(ctx, leave, ['ou_carol']);
  }
  const all = await found(ctx, { user_id: 'ou_carol' }, { page_size: 200 });
  assert.deepEqual(all.map(([code]) => code), [leave, leave, leave, external, leave]);
  const first = assertSuccess(await searchCc(ctx, { user_id: 'ou_carol' }, { page_size: 5 }));
  assert.deepEqual([first.count, first.has_more, first.cc_list.length], [5, false, 5]);
  for (let i = 0; i < 2; i++) await cc(ctx, leave, ['ou_carol']);
  const pageOne = assertSuccess(await searchCc(ctx, { user_id: 'ou_carol' }, { page_size: 5 }));
  const pageTwo = assertSuccess(await searchCc(ctx, { user_id: 'ou_carol' }, { page_size: 5, page_token: pageOne.page_token }));
  assert.deepEqual([pageOne.count, pageOne.has_more, pageTwo.count, pageTwo.has_more], [7, true, 7, false]);
  assert.deepEqual([...pageOne.cc_list, ...pageTwo.cc_list].map((item: any) => item.instance.code), [leave, leave, leave, leave, leave, external, leave]);
  await pastWindow(ctx);
  await synced(ctx, instanceBody('oa_expense', 'inst-1', { status: 'HIDDEN', cc_list: [externalCc({ cc_id: 'cc-1', open_id: 'ou_carol' })] }));
  assert.deepEqual(await found(ctx, { instance_external_id: 'inst-1' }), []);
});

test("another tenant finds none of acme's third-party CCs", async (t) => {
  const { ctx, external } = await withExternal(t);
  await loadFixture(ctx, globexFixture());
  const globex = await tenantToken(ctx.url, GLOBEX_APP);
  // globex has its own ou_bob, with no CC.
  for (const selector of [{ instance_external_id: 'inst-1' }, { group_external_id: 'hr' }, { user_id: 'ou_bob' }]) {
    assert.deepEqual(assertSuccess(await searchCc(ctx, selector, {}, globex)).cc_list, [], JSON.stringify(selector));
  }
  assertRefused(await searchCc(ctx, { approval_code: 'oa_expense' }, {}, globex), 1390002);
  assertRefused(await searchCc(ctx, { instance_code: external }, {}, globex), 1390003);
});
