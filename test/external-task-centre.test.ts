/**
 * Third-party instances in `GET /tasks/query` (approval-v4.md §4.2), as Feishu's approval centre shows them
 * beside its own: to-do and done tasks, initiated instances and CCs, merged by time and paged together; and the
 * repository's lists by filter that the searches (tasks/search, instances/search_cc) read.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertRefused, assertSuccess, createLeave, loadFixture, serve, tasksQuery, type Served } from './helpers/approval.js';
import { AT, externalApproval, externalCc, externalTask, freezeClock, instanceBody, pastWindow, synced } from './helpers/external.js';
import { GLOBEX_APP, globexFixture } from './helpers/fixtures.js';
import { tenantToken } from './helpers/http.js';

/** A served demo tenant with its clock frozen at AT and the third-party definition `oa_expense`. */
async function served(t: Parameters<typeof serve>[0]): Promise<Served> {
  const ctx = await serve(t);
  await freezeClock(ctx);
  await externalApproval(ctx, 'oa_expense');
  return ctx;
}

const query = async (ctx: Served, user: string, topic: number, extra: Record<string, string | number> = {}) =>
  assertSuccess(await tasksQuery(ctx, { user_id: user, topic, ...extra }));

test("a third-party task shows in its assignee's to-do list with its links, ids, group and definition", async (t) => {
  const ctx = await served(t);
  const synced1 = await synced(ctx, instanceBody('oa_expense', 'inst-1', { task_list: [externalTask({ task_id: 'task-1', open_id: 'ou_bob' })] }));
  assert.equal(synced1.process_record.task.insert_num, 1);
  const { tasks, count, has_more } = await query(ctx, 'ou_bob', 1);
  assert.deepEqual([count, has_more], [{ total: 1, has_more: false }, false]);
  const [item] = tasks;
  assert.match(item.process_id, /^[0-9A-F]{8}-/);
  assert.match(item.definition_id, /^\d+$/);
  assert.deepEqual(item, {
    topic: '1',
    user_id: 'ou_bob',
    title: 'Expense inst-1',
    urls: { helpdesk: '', mobile: 'https://m.oa.example/task/task-1', pc: 'https://oa.example/task/task-1' },
    process_external_id: 'inst-1',
    task_external_id: 'task-1',
    status: '1',
    process_status: '1',
    definition_code: 'oa_expense',
    initiators: ['ou_alice'],
    initiator_names: ['Alice'],
    task_id: 'task-1',
    process_id: item.process_id,
    process_code: item.process_id,
    definition_group_id: 'hr',
    definition_group_name: 'HR',
    definition_id: item.definition_id,
    definition_name: 'Expense (OA)',
  });
});

test('done tasks (topic 2), initiated instances (3) and CCs (17, 18) show too; user_id_type names the initiator', async (t) => {
  const ctx = await served(t);
  await synced(
    ctx,
    instanceBody('oa_expense', 'inst-1', {
      status: 'APPROVED',
      task_list: [externalTask({ task_id: 'done', open_id: 'ou_bob', status: 'APPROVED', title: '@i18n@amount' }), externalTask({ task_id: 'closed', open_id: 'ou_carol', status: 'DONE' })],
      cc_list: [externalCc({ cc_id: 'cc-unread', open_id: 'ou_dave' }), externalCc({ cc_id: 'cc-read', open_id: 'ou_carol', read_status: 'READ' })],
    }),
  );
  const summary = (items: any[]) => items.map((i) => [i.topic, i.status, i.process_status, i.task_id, i.title]);
  assert.deepEqual(summary((await query(ctx, 'ou_bob', 2)).tasks), [['2', '2', '2', 'done', 'Amount']]);
  // A DONE task (closed by someone else's action) is in no list, as a native one.
  assert.deepEqual(summary((await query(ctx, 'ou_carol', 2)).tasks), []);
  assert.deepEqual(summary((await query(ctx, 'ou_alice', 3)).tasks), [['3', '2', '2', '', 'Expense inst-1']]);
  assert.deepEqual(summary((await query(ctx, 'ou_dave', 17)).tasks), [['17', '17', '2', 'cc-unread', 'Expense inst-1']]);
  assert.deepEqual(summary((await query(ctx, 'ou_carol', 18)).tasks), [['18', '18', '2', 'cc-read', 'Expense inst-1']]);
  const asUserId = await query(ctx, 'u_bob', 2, { user_id_type: 'user_id' });
  assert.deepEqual([asUserId.tasks[0].user_id, asUserId.tasks[0].initiators], ['u_bob', ['u_alice']]);
});

test('HIDDEN and DELETED third-party instances leave the lists; a resync brings them back', async (t) => {
  const ctx = await served(t);
  const bobTask = [externalTask({ task_id: 'task-1', open_id: 'ou_bob' })];
  await synced(ctx, instanceBody('oa_expense', 'inst-1', { status: 'HIDDEN', task_list: bobTask }));
  assert.deepEqual((await query(ctx, 'ou_bob', 1)).tasks, []);
  assert.deepEqual((await query(ctx, 'ou_alice', 3)).count, { total: 0, has_more: false });
  await pastWindow(ctx);
  await synced(ctx, instanceBody('oa_expense', 'inst-1', { status: 'PENDING', task_list: bobTask }));
  assert.equal((await query(ctx, 'ou_bob', 1)).tasks.length, 1);
  await pastWindow(ctx);
  await synced(ctx, instanceBody('oa_expense', 'inst-1', { status: 'DELETED', task_list: bobTask }));
  assert.deepEqual((await query(ctx, 'ou_bob', 1)).tasks, []);
});

test("shenpi's own and third-party items are merged by time and paged together with one page token", async (t) => {
  const ctx = await served(t);
  // Native instances at AT, AT + 2000; third-party tasks created at AT + 1000 and AT + 3000 (and one tied with AT).
  await createLeave(ctx);
  await synced(ctx, instanceBody('oa_expense', 'x-tie', { task_list: [externalTask({ task_id: 'x0', open_id: 'ou_bob', create_time: String(AT) })] }));
  await synced(ctx, instanceBody('oa_expense', 'x-1', { task_list: [externalTask({ task_id: 'x1', open_id: 'ou_bob', create_time: String(AT + 1000) })] }));
  await freezeClock(ctx, AT + 2000);
  await createLeave(ctx);
  await synced(ctx, instanceBody('oa_expense', 'x-3', { task_list: [externalTask({ task_id: 'x3', open_id: 'ou_bob', create_time: String(AT + 3000) })] }));
  const all = await query(ctx, 'ou_bob', 1);
  const kinds = all.tasks.map((i: any) => i.task_external_id || 'native');
  assert.deepEqual(kinds, ['native', 'x0', 'x1', 'native', 'x3']);
  assert.deepEqual(all.count, { total: 5, has_more: false });
  for (const pageSize of [1, 2, 3]) {
    const seen: string[] = [];
    for (let token = ''; ; ) {
      const page = await query(ctx, 'ou_bob', 1, token ? { page_size: pageSize, page_token: token } : { page_size: pageSize });
      seen.push(...page.tasks.map((i: any) => i.task_id));
      assert.equal(page.count.total, 5);
      if (!page.has_more) break;
      assert.ok(page.page_token, 'has_more with a page token');
      token = page.page_token;
    }
    assert.deepEqual(seen, all.tasks.map((i: any) => i.task_id), `page_size ${pageSize}`);
  }
  assertRefused(await tasksQuery(ctx, { user_id: 'ou_bob', topic: 1, page_token: 'abc' }), 1390001, /page_token/);
});

test("another tenant's user with the same ids sees none of this tenant's third-party items", async (t) => {
  const ctx = await served(t);
  await synced(ctx, instanceBody('oa_expense', 'inst-1', { task_list: [externalTask({ task_id: 'task-1', open_id: 'ou_bob' })] }));
  await loadFixture(ctx, globexFixture());
  const globex = { ...ctx, token: await tenantToken(ctx.url, GLOBEX_APP) };
  assert.deepEqual((await query(globex, 'ou_bob', 1)).tasks, []);
  assert.deepEqual((await query(globex, 'ou_alice', 3)).tasks, []);
});

// ---- the repository's lists, for the searches ----

test('the store lists external tasks, CCs and instances by approval code, instance, user, status, title and time span', async (t) => {
  const ctx = await served(t);
  await externalApproval(ctx, 'oa_travel');
  await synced(
    ctx,
    instanceBody('oa_expense', 'e1', {
      task_list: [externalTask({ task_id: 'a', open_id: 'ou_bob', title: '@i18n@amount' }), externalTask({ task_id: 'b', open_id: 'ou_carol', status: 'APPROVED', create_time: String(AT + 10) })],
      cc_list: [externalCc({ cc_id: 'c', open_id: 'ou_dave', create_time: String(AT + 5) })],
    }),
  );
  await synced(
    ctx,
    instanceBody('oa_travel', 't1', {
      start_time: String(AT + 100),
      title: undefined,
      task_list: [externalTask({ task_id: 'a', open_id: 'ou_bob', create_time: String(AT + 100), title: '100%_done' })],
    }),
  );
  const { externals } = ctx.server.services.store;
  const tasks = async (filter: Parameters<typeof externals.listTasks>[1]) =>
    (await externals.listTasks('acme', filter, undefined, 100)).map((l) => `${l.instance.instanceId}/${l.part.id}`);
  assert.deepEqual(await tasks({}), ['e1/a', 'e1/b', 't1/a']);
  assert.deepEqual(await tasks({ approvalCodes: ['oa_travel'] }), ['t1/a']);
  assert.deepEqual(await tasks({ instanceIds: ['e1'] }), ['e1/a', 'e1/b']);
  assert.deepEqual(await tasks({ userIds: ['u_bob'] }), ['e1/a', 't1/a']);
  assert.deepEqual(await tasks({ states: ['APPROVED'] }), ['e1/b']);
  assert.deepEqual(await tasks({ title: 'AMOU' }), ['e1/a']);
  // LIKE's wildcards in a title match only themselves.
  assert.deepEqual(await tasks({ title: '0%_' }), ['t1/a']);
  assert.deepEqual(await tasks({ title: '_' }), ['t1/a']);
  assert.deepEqual(await tasks({ from: AT + 10, to: AT + 100 }), ['e1/b', 't1/a']);
  assert.deepEqual(await tasks({ instanceStatuses: ['APPROVED'] }), []);
  assert.deepEqual(await tasks({ userIds: [] }), []);
  assert.equal(await externals.countTasks('acme', { userIds: ['u_bob'] }), 2);
  const after = (await externals.listTasks('acme', {}, undefined, 1))[0]!.cursor;
  assert.deepEqual((await externals.listTasks('acme', {}, after, 10)).map((l) => l.part.id), ['b', 'a']);

  const ccs = await externals.listCcs('acme', { userIds: ['u_dave'], states: ['UNREAD'] }, undefined, 10);
  assert.deepEqual(ccs.map((l) => [l.instance.instanceId, l.part.id, l.part.title]), [['e1', 'c', '']]);
  assert.equal(await externals.countCcs('acme', { states: ['READ'] }), 0);

  const instances = async (filter: Parameters<typeof externals.listInstances>[1]) =>
    (await externals.listInstances('acme', filter, undefined, 10)).map((l) => l.instance.instanceId);
  assert.deepEqual(await instances({}), ['e1', 't1']);
  assert.deepEqual(await instances({ userIds: ['u_alice'], title: 'expense E1' }), ['e1']);
  assert.deepEqual(await instances({ from: AT + 1 }), ['t1']);
  assert.deepEqual(await instances({ withTask: { userIds: ['u_carol'] } }), ['e1']);
  assert.equal(await externals.countInstances('acme', { approvalCodes: ['oa_expense', 'oa_travel'] }), 2);
  assert.equal(await externals.countInstances('globex', {}), 0);
});
