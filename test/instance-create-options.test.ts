/**
 * What the optional create fields do (approval-v4.md §3.1): `node_auto_approval_list` (the named nodes pass
 * by themselves: timeline AUTO_PASS), the instance's own `i18n_resources` (its title and text values per
 * locale), and `with_link` (`instance_link` in the answer). Their types are checked in instances.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEMO_LEAVE_CODE } from '../src/fixtures/demo.js';
import {
  assertRefused,
  assertSuccess,
  bobThenCarol,
  createInstance,
  customDefinition,
  getInstance,
  outboxOf,
  reasonForm,
  serve,
  V4,
  type Served,
} from './helpers/approval.js';
import { call } from './helpers/http.js';

const create = async (ctx: Served, approvalCode: string, extra: Record<string, unknown>) =>
  assertSuccess(await createInstance(ctx, { approval_code: approvalCode, open_id: 'ou_alice', form: reasonForm(), ...extra }));

// ---- node_auto_approval_list ----

test('a node named in node_auto_approval_list passes by itself: an AUTO_PASS task with nobody on it, timeline AUTO_PASS', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await bobThenCarol(ctx);
  const { instance_code: code } = await create(ctx, approvalCode, {
    node_auto_approval_list: [{ node_id_type: 'CUSTOM', node_id: 'bob' }],
  });
  const instance = await getInstance(ctx, code);
  assert.equal(instance.status, 'PENDING');
  assert.deepEqual(
    instance.task_list.map((task: any) => [task.custom_node_id, task.type, task.status, task.user_id, task.open_id]),
    [
      ['bob', 'AUTO_PASS', 'APPROVED', '', ''],
      ['carol', 'AND', 'PENDING', 'ou_carol', 'ou_carol'],
    ],
  );
  assert.notEqual(instance.task_list[0].end_time, '0');
  const auto = instance.timeline[1];
  assert.deepEqual([auto.type, auto.node_key, auto.task_id, auto.user_id], ['AUTO_PASS', 'bob', instance.task_list[0].id, undefined]);
});

test('NON_CUSTOM names a node by its system node_id', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await bobThenCarol(ctx);
  const definition = assertSuccess(await call(ctx.url, `${V4}/approvals/${approvalCode}`, { token: ctx.token }));
  const carol = definition.node_list.find((n: any) => n.custom_node_id === 'carol').node_id;
  const { instance_code: code } = await create(ctx, approvalCode, {
    node_auto_approval_list: [{ node_id_type: 'NON_CUSTOM', node_id: carol }],
  });
  const tasks = (await getInstance(ctx, code)).task_list;
  assert.deepEqual(tasks.map((task: any) => [task.custom_node_id, task.type, task.status]), [['bob', 'AND', 'PENDING']]);
});

test('an instance whose every node passes by itself is APPROVED at create, with approval_task APPROVED for nobody', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await bobThenCarol(ctx);
  const { instance_code: code } = await create(ctx, approvalCode, {
    node_auto_approval_list: [
      { node_id_type: 'CUSTOM', node_id: 'bob' },
      { node_id_type: 'CUSTOM', node_id: 'carol' },
    ],
  });
  const instance = await getInstance(ctx, code);
  assert.equal(instance.status, 'APPROVED');
  assert.deepEqual(instance.timeline.map((e: any) => e.type), ['START', 'AUTO_PASS', 'AUTO_PASS']);
  const events = (await outboxOf(ctx, code)).map((r) => [r.event_type, r.payload.status, r.payload.user_id ?? null]);
  assert.deepEqual(events, [
    ['approval_instance', 'PENDING', null],
    ['approval_task', 'APPROVED', ''],
    ['approval_task', 'APPROVED', ''],
    ['approval_instance', 'APPROVED', null],
  ]);
});

test('an automatically passed node needs no approver: a Free node nobody was chosen for may pass by itself', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await customDefinition(ctx, {
    nodes: [{ id: 'free', node_type: 'AND', approver: [{ type: 'Free' }] }],
  });
  assertRefused(await createInstance(ctx, { approval_code: approvalCode, open_id: 'ou_alice', form: reasonForm() }), 1390001, /no approver/);
  const { instance_code: code } = await create(ctx, approvalCode, { node_auto_approval_list: [{ node_id: 'free' }] });
  assert.equal((await getInstance(ctx, code)).status, 'APPROVED');
});

test('a node_auto_approval_list entry naming no node of the approval answers 1390001', async (t) => {
  const ctx = await serve(t);
  const approvalCode = await bobThenCarol(ctx);
  const answer = await createInstance(ctx, {
    approval_code: approvalCode,
    open_id: 'ou_alice',
    form: reasonForm(),
    node_auto_approval_list: [{ node_id_type: 'CUSTOM', node_id: 'dave' }],
  });
  assertRefused(answer, 1390001, /node_auto_approval_list\[0\]: CUSTOM node_id "dave" names no node/);
});

// ---- i18n_resources ----

const TEXTS = {
  i18n_resources: [
    {
      locale: 'zh-CN',
      is_default: true,
      texts: [
        { key: '@i18n@title', value: '年假' },
        { key: '@i18n@trip', value: '家庭旅行' },
      ],
    },
    {
      locale: 'en-US',
      is_default: false,
      texts: [
        { key: '@i18n@title', value: 'Annual leave' },
        { key: '@i18n@trip', value: 'Family trip' },
      ],
    },
  ],
  title: '@i18n@title',
  form: JSON.stringify([{ id: 'reason', type: 'input', value: '@i18n@trip' }]),
};

test("the instance's own i18n_resources give its title per locale in instances/query, the default locale without one", async (t) => {
  const ctx = await serve(t);
  const { instance_code: code } = await create(ctx, DEMO_LEAVE_CODE, TEXTS);
  const titleIn = async (locale?: string) => {
    const answer = await call(ctx.url, `${V4}/instances/query`, {
      token: ctx.token,
      json: { instance_code: code, ...(locale ? { locale } : {}) },
    });
    return assertSuccess(answer).instance_list[0].instance.title;
  };
  assert.equal(await titleIn('en-US'), 'Annual leave');
  assert.equal(await titleIn('zh-CN'), '年假');
  assert.equal(await titleIn(), '年假');
  assert.equal(await titleIn('ja-JP'), '年假', 'a locale without texts falls back to the default one');
});

test("the instance's own texts resolve its text values in GET per locale; widget names keep the definition's texts", async (t) => {
  const ctx = await serve(t);
  const { instance_code: code } = await create(ctx, DEMO_LEAVE_CODE, TEXTS);
  const formIn = async (locale: string) =>
    JSON.parse(assertSuccess(await call(ctx.url, `${V4}/instances/${code}?locale=${locale}`, { token: ctx.token })).form);
  const [english] = await formIn('en-US');
  assert.deepEqual([english.name, english.value], ['Reason', 'Family trip']);
  const [chinese] = await formIn('zh-CN');
  assert.equal(chinese.value, '家庭旅行');
});

test("the tasks/query title is the instance's own title when it has one", async (t) => {
  const ctx = await serve(t);
  await create(ctx, DEMO_LEAVE_CODE, TEXTS);
  const answer = await call(ctx.url, `${V4}/tasks/query?user_id=ou_bob&topic=1`, { token: ctx.token });
  assert.deepEqual(assertSuccess(answer).tasks.map((task: any) => task.title), ['年假']);
});

test('i18n_resources without exactly one default locale answers 1390001', async (t) => {
  const ctx = await serve(t);
  const both = TEXTS.i18n_resources.map((r) => ({ ...r, is_default: true }));
  const answer = await createInstance(ctx, { approval_code: DEMO_LEAVE_CODE, open_id: 'ou_alice', ...TEXTS, i18n_resources: both });
  assertRefused(answer, 1390001, /exactly one of i18n_resources must have is_default true/);
});

// ---- with_link ----

test('with_link: true answers instance_link, a URL that opens the instance; without it there is none', async (t) => {
  const ctx = await serve(t);
  const linked = await create(ctx, DEMO_LEAVE_CODE, { with_link: true });
  assert.equal(typeof linked.instance_link, 'string');
  assert.equal(linked.instance_link, `${ctx.url}/console#instance=${linked.instance_code}`);
  const page = await call(ctx.url, new URL(linked.instance_link).pathname);
  assert.equal(page.status, 200);
  assert.deepEqual(Object.keys(await create(ctx, DEMO_LEAVE_CODE, {})), ['instance_code']);
  assert.deepEqual(Object.keys(await create(ctx, DEMO_LEAVE_CODE, { with_link: false })), ['instance_code']);
});
