/**
 * Third-party (external) instances end to end (workflow-operations.md §8-§10): `POST /external_instances`
 * (REPLACE and UPDATE, process_record, the resync window 1390014), `POST /external_instances/check` (the FAQ's
 * cases) and `GET /external_tasks` (filters in a JSON body, paging).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RESYNC_WINDOW_MS } from '../src/domain/approval/external-instance.js';
import { DEMO_LEAVE_CODE } from '../src/fixtures/demo.js';
import { advanceClock, assertRefused, assertSuccess, DEMO_CALLER, loadFixture, serve, V4, type Served } from './helpers/approval.js';
import {
  AT,
  checkInstances,
  externalApproval,
  externalApprovalBody,
  externalCc,
  externalTask,
  externalTasks,
  freezeClock,
  instanceBody,
  pastWindow,
  syncInstance,
  synced,
} from './helpers/external.js';
import { GLOBEX_APP, globexFixture } from './helpers/fixtures.js';
import { call, rawCall, tenantToken } from './helpers/http.js';
import { refusalOf } from './helpers/results.js';

const counts = (insert_num: number, update_num: number, delete_num: number) => ({ insert_num, update_num, delete_num });

/** A served demo tenant with its clock frozen at AT and the third-party definition `oa_expense`. */
async function served(t: Parameters<typeof serve>[0]): Promise<Served> {
  const ctx = await serve(t);
  await freezeClock(ctx);
  await externalApproval(ctx, 'oa_expense');
  return ctx;
}

const twoTasks = () => [
  externalTask({ task_id: 't1', open_id: 'ou_bob', title: '@i18n@title' }),
  externalTask({ task_id: 't2', open_id: 'ou_carol', node_id: 'n2', node_name: 'Finance' }),
];

test('a first sync stores the instance, its tasks and CCs, and echoes them with insert counts', async (t) => {
  const ctx = await served(t);
  const body = instanceBody('oa_expense', 'inst-1', { task_list: twoTasks(), cc_list: [externalCc({ cc_id: 'c1', open_id: 'ou_dave' })] });
  const data = await synced(ctx, body);
  assert.deepEqual(data.data, body);
  assert.deepEqual(data.process_record, { instance: counts(1, 0, 0), task: counts(2, 0, 0), cc: counts(1, 0, 0) });
});

test('REPLACE (the default) makes the request the whole truth: absent tasks and CCs go, older update_times still apply', async (t) => {
  const ctx = await served(t);
  await synced(ctx, instanceBody('oa_expense', 'inst-1', { task_list: twoTasks(), cc_list: [externalCc({ cc_id: 'c1', open_id: 'ou_dave' })] }));
  await pastWindow(ctx);
  const replaced = instanceBody('oa_expense', 'inst-1', {
    status: 'APPROVED',
    update_time: String(AT - 1000),
    department_name: 'Renamed',
    task_list: [externalTask({ task_id: 't2', open_id: 'ou_bob', status: 'APPROVED', update_time: '1' }), externalTask({ task_id: 't3', open_id: 'ou_dave' })],
  });
  const data = await synced(ctx, replaced);
  assert.deepEqual(data.process_record, { instance: counts(0, 1, 0), task: counts(1, 1, 1), cc: counts(0, 0, 1) });
  assert.deepEqual(data.data, { ...replaced, cc_list: [] });
});

test('UPDATE inserts and updates only parts whose update_time is greater, never deletes, and keeps the immutable fields', async (t) => {
  const ctx = await served(t);
  const first = instanceBody('oa_expense', 'inst-1', { task_list: twoTasks(), cc_list: [externalCc({ cc_id: 'c1', open_id: 'ou_dave' })] });
  await synced(ctx, first);
  await pastWindow(ctx);
  const later = String(AT + 5000);
  const data = await synced(
    ctx,
    instanceBody('oa_expense', 'inst-1', {
      update_mode: 'UPDATE',
      status: 'APPROVED',
      update_time: later,
      department_id: 'fin',
      department_name: 'Finance dept',
      task_list: [
        // Newer: applied, but its assignee, create_time and node stay.
        externalTask({ task_id: 't2', open_id: 'ou_dave', status: 'APPROVED', update_time: later, create_time: '5', node_name: 'Other' }),
        // Not newer: ignored.
        externalTask({ task_id: 't1', open_id: 'ou_bob', status: 'REJECTED', update_time: String(AT) }),
        externalTask({ task_id: 't9', open_id: 'ou_carol' }),
      ],
    }),
  );
  assert.deepEqual(data.process_record, { instance: counts(0, 1, 0), task: counts(1, 1, 0), cc: counts(0, 0, 0) });
  const [t1, t2, t9] = data.data.task_list;
  assert.deepEqual([t1.task_id, t1.status], ['t1', 'PENDING']);
  assert.deepEqual(
    [t2.task_id, t2.status, t2.open_id, t2.create_time, t2.node_id, t2.node_name, t2.update_time],
    ['t2', 'APPROVED', 'ou_carol', String(AT), 'n2', 'Finance', later],
  );
  assert.equal(t9.task_id, 't9');
  assert.equal(data.data.cc_list.length, 1);
  assert.deepEqual([data.data.status, data.data.department_id, data.data.department_name], ['APPROVED', 'eng', '@i18n@eng']);
});

test('UPDATE with an instance update_time not greater leaves the instance as it was', async (t) => {
  const ctx = await served(t);
  await synced(ctx, instanceBody('oa_expense', 'inst-1'));
  await pastWindow(ctx);
  const data = await synced(ctx, instanceBody('oa_expense', 'inst-1', { update_mode: 'UPDATE', status: 'REJECTED' }));
  assert.deepEqual(data.process_record.instance, counts(0, 0, 0));
  assert.equal(data.data.status, 'PENDING');
});

test('a second sync of one instance within the window answers 1390014 and changes nothing; after it, it is accepted', async (t) => {
  const ctx = await served(t);
  await synced(ctx, instanceBody('oa_expense', 'inst-1'));
  assertRefused(await syncInstance(ctx, instanceBody('oa_expense', 'inst-1', { status: 'APPROVED' })), 1390014, /synced 0 ms ago/);
  await advanceClock(ctx, RESYNC_WINDOW_MS - 1);
  assertRefused(await syncInstance(ctx, instanceBody('oa_expense', 'inst-1', { status: 'APPROVED' })), 1390014);
  assert.deepEqual(assertSuccess(await checkInstances(ctx, [{ instance_id: 'inst-1', update_time: String(AT), tasks: [] }])).diff_instances, []);
  await advanceClock(ctx, 1);
  assert.equal((await synced(ctx, instanceBody('oa_expense', 'inst-1', { status: 'APPROVED' }))).data.status, 'APPROVED');
  // Another instance is never held back by this one.
  await synced(ctx, instanceBody('oa_expense', 'inst-2'));
});

test('syncs of one new instance at once: exactly one lands, the others answer 1390014', async (t) => {
  const ctx = await served(t);
  const answers = await Promise.all(
    ['PENDING', 'APPROVED', 'REJECTED', 'CANCELED'].map((status) => syncInstance(ctx, instanceBody('oa_expense', 'race', { status }))),
  );
  const codes = answers.map((a) => a.body.code).sort();
  assert.deepEqual(codes, [0, 1390014, 1390014, 1390014]);
  const winner = answers.find((a) => a.body.code === 0)!.body.data.data.status;
  await pastWindow(ctx);
  const listed = assertSuccess(await externalTasks(ctx, { instance_ids: ['race'] }));
  assert.deepEqual(listed.data.map((i: any) => i.status), [winner]);
});

test('the definition may be named by the code create answered; a change of approval_code answers 1390001', async (t) => {
  const ctx = await served(t);
  const generated = await externalApproval(ctx, 'oa_expense');
  await externalApproval(ctx, 'oa_travel');
  await synced(ctx, instanceBody(generated, 'inst-1'));
  await pastWindow(ctx);
  assertRefused(await syncInstance(ctx, instanceBody('oa_travel', 'inst-1')), 1390001, /approval_code "oa_expense", which cannot change/);
  const [listed] = assertSuccess(await externalTasks(ctx, { instance_ids: ['inst-1'] })).data;
  assert.equal(listed.approval_code, 'oa_expense');
});

test('sync refusals: unknown or native approval_code 1390002; ids shared across kinds, unknown users, a bad body 1390001', async (t) => {
  const ctx = await served(t);
  assertRefused(await syncInstance(ctx, instanceBody('nope', 'i')), 1390002, /no third-party approval definition/);
  assertRefused(await syncInstance(ctx, instanceBody(DEMO_LEAVE_CODE, 'i')), 1390002, /native definition/);
  const cases: [Record<string, unknown>, RegExp][] = [
    [instanceBody('oa_expense', 'i', { task_list: [externalTask({ task_id: 'i', open_id: 'ou_bob' })] }), /task_list id "i" is already used by instance_id/],
    [instanceBody('oa_expense', 'i', { task_list: [externalTask({ task_id: 'x', open_id: 'ou_bob' })], cc_list: [externalCc({ cc_id: 'x', open_id: 'ou_bob' })] }), /cc_list id "x"/],
    [instanceBody('oa_expense', 'i', { task_list: [externalTask({ task_id: 'x' })] }), /task_list\[0\] needs a user_id or an open_id/],
    [instanceBody('oa_expense', 'i', { task_list: [externalTask({ task_id: 'x', user_id: 'u_nobody' })] }), /task_list\[0\]\.user_id "u_nobody"/],
    [instanceBody('oa_expense', 'i', { open_id: 'ou_nobody' }), /open_id "ou_nobody"/],
    [instanceBody('oa_expense', 'i', { title: '@i18n@nothing' }), /@i18n@nothing/],
    [instanceBody('oa_expense', 'i', { status: 'DONE' }), /status/],
    [instanceBody('oa_expense', 'i', { update_mode: 'MERGE' }), /update_mode/],
    [instanceBody('oa_expense', 'i', { start_time: 'yesterday' }), /start_time/],
    [instanceBody('oa_expense', 'i', { links: undefined }), /links/],
    [instanceBody('oa_expense', 'i', { task_list: Array.from({ length: 301 }, (_, n) => externalTask({ task_id: `t${n}`, open_id: 'ou_bob' })) }), /task_list/],
  ];
  for (const [body, reason] of cases) assertRefused(await syncInstance(ctx, body), 1390001, reason);
  // Nothing of the refused syncs was stored.
  assert.deepEqual(assertSuccess(await checkInstances(ctx, [{ instance_id: 'i', update_time: '1', tasks: [] }])).diff_instances, [
    { instance_id: 'i', update_time: '0', tasks: [] },
  ]);
});

test('the third-party services answer their refusals as values, not rejections', async (t) => {
  const ctx = await served(t);
  const { externalInstances, externalDefinitions } = ctx.server.services;
  const sync = async (body: Record<string, unknown>) => refusalOf(await externalInstances.sync(DEMO_CALLER, body as never));
  assert.match(await sync(instanceBody('nope', 'i')), /^1390002 no third-party approval definition/);
  assert.match(await sync(instanceBody('oa_expense', 'i', { task_list: [externalTask({ task_id: 'x' })] })), /^1390001 task_list\[0\] needs/);
  assert.match(await sync(instanceBody('oa_expense', 'i', { cc_list: [externalCc({ cc_id: 'x', open_id: 'ou_nobody' })] })), /^1390001 cc_list\[0\]\.open_id/);
  assert.match(await sync(instanceBody('oa_expense', 'i', { open_id: 'ou_nobody' })), /^1390001 the submitter\.open_id/);
  assert.match(await sync(instanceBody('oa_expense', 'i', { title: '@i18n@nothing' })), /^1390001 .*@i18n@nothing/);
  assert.match(await sync(instanceBody('oa_expense', 'i', { task_list: [externalTask({ task_id: 'i', open_id: 'ou_bob' })] })), /^1390001 task_list id "i"/);
  assert.equal(await sync(instanceBody('oa_expense', 'i')), 'ok');
  assert.match(await sync(instanceBody('oa_expense', 'i')), /^1390014 /);
  const define = async (body: Record<string, unknown>) => refusalOf(await externalDefinitions.create(DEMO_CALLER, body as never, 'open_id'));
  assert.match(await define(externalApprovalBody(DEMO_LEAVE_CODE)), /^1390001 .*native definition/);
  assert.match(await define(externalApprovalBody('oa_other', { viewers: [{ viewer_type: 'USER', viewer_user_id: 'ou_nobody' }] })), /^1390001 viewers\[0\]/);
  assert.match(await define(externalApprovalBody('oa_other', { managers: ['ou_nobody'] })), /^1390001 managers/);
  assert.match(refusalOf(await externalDefinitions.get(DEMO_CALLER, 'oa_other')), /^1390002 /);
  assert.equal(await define(externalApprovalBody('oa_other')), 'ok');
  assert.equal(refusalOf(await externalDefinitions.get(DEMO_CALLER, 'oa_other')), 'ok');
});

test('a submitter named by user_id wins over open_id; none at all is allowed (a hidden instance)', async (t) => {
  const ctx = await served(t);
  await synced(ctx, instanceBody('oa_expense', 'inst-1', { user_id: 'u_bob', open_id: 'ou_nobody' }));
  const nobody = instanceBody('oa_expense', 'inst-2', { status: 'APPROVED' }) as Record<string, unknown>;
  delete nobody.open_id;
  assert.equal((await synced(ctx, nobody)).data.open_id, undefined);
});

// ---- check ----

test('check reports per the FAQ: unknown instance "0", unknown task "0", a differing task or instance its stored time, else nothing', async (t) => {
  const ctx = await served(t);
  const t1 = String(AT + 10);
  await synced(ctx, instanceBody('oa_expense', 'inst-1', { task_list: [externalTask({ task_id: 'a', open_id: 'ou_bob', update_time: t1 })] }));
  const at = String(AT);
  const diff = async (instances: unknown[]) => assertSuccess(await checkInstances(ctx, instances)).diff_instances;
  // 1. not stored
  assert.deepEqual(await diff([{ instance_id: 'ghost', update_time: at, tasks: [{ task_id: 'a', update_time: at }] }]), [
    { instance_id: 'ghost', update_time: '0', tasks: [] },
  ]);
  // 2. a task not stored
  assert.deepEqual(await diff([{ instance_id: 'inst-1', update_time: at, tasks: [{ task_id: 'a', update_time: t1 }, { task_id: 'b', update_time: at }] }]), [
    { instance_id: 'inst-1', update_time: at, tasks: [{ task_id: 'b', update_time: '0' }] },
  ]);
  // 3. a task whose update_time is not the last synced one
  assert.deepEqual(await diff([{ instance_id: 'inst-1', update_time: at, tasks: [{ task_id: 'a', update_time: at }] }]), [
    { instance_id: 'inst-1', update_time: at, tasks: [{ task_id: 'a', update_time: t1 }] },
  ]);
  // 4. the instance's update_time is not the last synced one
  assert.deepEqual(await diff([{ instance_id: 'inst-1', update_time: String(AT + 99), tasks: [{ task_id: 'a', update_time: t1 }] }]), [
    { instance_id: 'inst-1', update_time: at, tasks: [] },
  ]);
  // 5. all up to date
  assert.deepEqual(await diff([{ instance_id: 'inst-1', update_time: at, tasks: [{ task_id: 'a', update_time: t1 }] }]), []);
  assert.deepEqual(await diff([]), []);
});

test('check refuses a body without instances, or with a time that is not digits, with 1390001', async (t) => {
  const ctx = await served(t);
  assertRefused(await checkInstances(ctx, undefined as never), 1390001, /instances/);
  assertRefused(await checkInstances(ctx, [{ instance_id: 'x', update_time: 'now', tasks: [] }]), 1390001, /update_time/);
});

// ---- external_tasks ----

/** Three instances: two of oa_expense (Bob pending on one, approved on the other), one of oa_travel (Carol). */
async function threeInstances(ctx: Served) {
  await externalApproval(ctx, 'oa_travel');
  await synced(ctx, instanceBody('oa_expense', 'e1', { task_list: [externalTask({ task_id: 'e1-bob', open_id: 'ou_bob' })] }));
  await synced(
    ctx,
    instanceBody('oa_expense', 'e2', {
      start_time: String(AT + 1),
      status: 'TERMINATED',
      task_list: [
        externalTask({ task_id: 'e2-bob', open_id: 'ou_bob', status: 'APPROVED' }),
        externalTask({ task_id: 'e2-carol', open_id: 'ou_carol', status: 'DONE' }),
      ],
    }),
  );
  await synced(ctx, instanceBody('oa_travel', 't1', { start_time: String(AT + 2), task_list: [externalTask({ task_id: 't1-carol', user_id: 'u_carol' })] }));
}

const listed = async (ctx: Served, body: Record<string, unknown>, query: Record<string, string | number> = {}) =>
  assertSuccess(await externalTasks(ctx, body, query));

test('external_tasks lists instances by start time with their tasks; TERMINATED reads CANCELED', async (t) => {
  const ctx = await served(t);
  await threeInstances(ctx);
  const page = await listed(ctx, {});
  assert.equal(page.has_more, false);
  assert.equal(page.page_token, undefined);
  assert.deepEqual(
    page.data.map((i: any) => [i.instance_id, i.approval_code, i.status, i.update_time, i.tasks.map((task: any) => `${task.id}:${task.status}`)]),
    [
      ['e1', 'oa_expense', 'PENDING', String(AT), ['e1-bob:PENDING']],
      ['e2', 'oa_expense', 'CANCELED', String(AT), ['e2-bob:APPROVED', 'e2-carol:DONE']],
      ['t1', 'oa_travel', 'PENDING', String(AT), ['t1-carol:PENDING']],
    ],
  );
  assert.match(page.data[0].approval_id, /^\d+$/);
});

test('external_tasks filters: approval_codes (either code), instance_ids, user_ids and status keep matching instances and tasks', async (t) => {
  const ctx = await served(t);
  await threeInstances(ctx);
  const ids = async (body: Record<string, unknown>) =>
    (await listed(ctx, body)).data.map((i: any) => `${i.instance_id}[${i.tasks.map((task: any) => task.id).join(',')}]`);
  assert.deepEqual(await ids({ instance_ids: ['t1', 'e1'] }), ['e1[e1-bob]', 't1[t1-carol]']);
  assert.deepEqual(await ids({ approval_codes: ['oa_travel'] }), ['t1[t1-carol]']);
  const generated = await externalApproval(ctx, 'oa_travel');
  assert.deepEqual(await ids({ approval_codes: [generated, 'unknown'] }), ['t1[t1-carol]']);
  assert.deepEqual(await ids({ approval_codes: ['oa_expense'], user_ids: ['u_bob'], status: 'PENDING' }), ['e1[e1-bob]']);
  assert.deepEqual(await ids({ approval_codes: ['oa_expense'], status: 'DONE' }), ['e2[e2-carol]']);
  assert.deepEqual(await ids({ user_ids: ['u_carol'] }), ['e2[e2-carol]', 't1[t1-carol]']);
  assert.deepEqual(await ids({ approval_codes: ['unknown'] }), []);
});

test('external_tasks pages with page_token until has_more is false; page_size defaults to 50, at most 500', async (t) => {
  const ctx = await served(t);
  for (let n = 0; n < 53; n++) await synced(ctx, instanceBody('oa_expense', `i${String(n).padStart(2, '0')}`));
  const first = await listed(ctx, {});
  assert.equal(first.data.length, 50);
  assert.equal(first.has_more, true);
  const second = await listed(ctx, {}, { page_token: first.page_token });
  assert.deepEqual([second.data.length, second.has_more], [3, false]);
  const seen: string[] = [];
  for (let token = ''; ; ) {
    const page = await listed(ctx, {}, token ? { page_size: 20, page_token: token } : { page_size: 20 });
    seen.push(...page.data.map((i: any) => i.instance_id));
    if (!page.has_more) break;
    token = page.page_token;
  }
  assert.deepEqual(seen, Array.from({ length: 53 }, (_, n) => `i${String(n).padStart(2, '0')}`));
  assert.equal((await listed(ctx, {}, { page_size: 500 })).data.length, 53);
});

test('external_tasks without any body lists with no filter; a body that is not JSON answers 1390001', async (t) => {
  const ctx = await served(t);
  await synced(ctx, instanceBody('oa_expense', 'e1'));
  const plain = await call(ctx.url, `${V4}/external_tasks`, { token: ctx.token });
  assert.deepEqual(assertSuccess(plain).data.map((i: any) => i.instance_id), ['e1']);
  const junk = await rawCall(ctx.url, `${V4}/external_tasks`, {
    headers: { authorization: `Bearer ${ctx.token}`, 'content-type': 'application/json', 'content-length': '8' },
    body: '{"oops":',
  });
  assert.deepEqual([junk.status, junk.body.code], [400, 1390001]);
});

test('external_tasks refusals answer 1390001: page_size over 500, a foreign page_token, a bad status, too many codes', async (t) => {
  const ctx = await served(t);
  assertRefused(await externalTasks(ctx, {}, { page_size: 501 }), 1390001, /page_size/);
  assertRefused(await externalTasks(ctx, {}, { page_token: 'not-ours' }), 1390001, /page_token/);
  assertRefused(await externalTasks(ctx, { status: 'CANCELED' }), 1390001, /status/);
  assertRefused(await externalTasks(ctx, { approval_codes: Array.from({ length: 21 }, (_, n) => `c${n}`) }), 1390001, /approval_codes/);
  assertRefused(await externalTasks(ctx, { user_ids: 'u_bob' }), 1390001, /user_ids/);
});

test("another tenant sees none of the instances, and its own instance_ids are its own", async (t) => {
  const ctx = await served(t);
  await synced(ctx, instanceBody('oa_expense', 'inst-1', { task_list: [externalTask({ task_id: 'a', open_id: 'ou_bob' })] }));
  await loadFixture(ctx, globexFixture());
  const globex = { ...ctx, token: await tenantToken(ctx.url, GLOBEX_APP) };
  assert.deepEqual((await listed(globex, {})).data, []);
  assert.deepEqual(assertSuccess(await checkInstances(globex, [{ instance_id: 'inst-1', update_time: String(AT), tasks: [] }])).diff_instances, [
    { instance_id: 'inst-1', update_time: '0', tasks: [] },
  ]);
  assertRefused(await syncInstance(globex, instanceBody('oa_expense', 'inst-1')), 1390002);
  await externalApproval(globex, 'oa_expense');
  // Same instance_id, same moment: no window, no clash across tenants.
  await synced(globex, instanceBody('oa_expense', 'inst-1', { status: 'APPROVED' }));
  assert.deepEqual((await listed(globex, {})).data.map((i: any) => i.status), ['APPROVED']);
  assert.deepEqual((await listed(ctx, {})).data.map((i: any) => i.status), ['PENDING']);
});
