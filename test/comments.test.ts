/**
 * Instance comments, `/open-apis/approval/v4/instances/:instance_id/comments` (approval-v4.md §3.6, the Node
 * SDK's instanceComment create, list, delete and remove), end to end over real HTTP and a real store.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEMO_LEAVE_CODE } from '../src/fixtures/demo.js';
import {
  advanceClock,
  approveAs,
  assertRefused,
  assertSuccess,
  createLeave,
  DEMO_CALLER,
  getInstance,
  loadFixture,
  pendingTaskOf,
  serve,
  taskAction,
  V4,
  type Served,
  type UserIdType,
} from './helpers/approval.js';
import { GLOBEX_APP, globexFixture } from './helpers/fixtures.js';
import { rows } from './helpers/db-snapshot.js';
import { admin, call, tenantToken } from './helpers/http.js';
import { startTestServer } from './helpers/server.js';
import { sdkClient } from './helpers/sdk.js';
import { codeOf } from './helpers/results.js';

const text = (value: string, files: unknown[] = []) => JSON.stringify({ text: value, files });

const query = (params: Record<string, string | number | undefined>) => {
  const entries = Object.entries(params).flatMap(([k, v]): [string, string][] => (v === undefined ? [] : [[k, String(v)]]));
  return entries.length ? `?${new URLSearchParams(entries)}` : '';
};

interface As {
  user_id: string;
  user_id_type?: UserIdType;
  token?: string;
}

const comments = (instanceId: string) => `${V4}/instances/${encodeURIComponent(instanceId)}/comments`;

const createComment = (ctx: Served, instanceId: string, body: Record<string, unknown>, as: As = { user_id: 'ou_alice' }) =>
  call(ctx.url, comments(instanceId) + query({ user_id_type: as.user_id_type, user_id: as.user_id }), {
    token: as.token ?? ctx.token,
    json: body,
  });

const listComments = (ctx: Served, instanceId: string, params: Record<string, string | number | undefined> = {}, token = ctx.token) =>
  call(ctx.url, comments(instanceId) + query({ user_id: 'ou_alice', ...params }), { token });

const deleteComment = (ctx: Served, instanceId: string, commentId: string, as: As = { user_id: 'ou_alice' }) =>
  call(ctx.url, `${comments(instanceId)}/${commentId}` + query({ user_id_type: as.user_id_type, user_id: as.user_id }), {
    method: 'DELETE',
    token: as.token ?? ctx.token,
  });

const removeComments = (ctx: Served, instanceId: string, params: Record<string, string | undefined> = {}, token = ctx.token) =>
  call(ctx.url, `${comments(instanceId)}/remove` + query(params), { method: 'POST', token });

/** Creates a comment and answers its id. */
async function comment(ctx: Served, instanceId: string, body: Record<string, unknown>, as?: As): Promise<string> {
  const id = assertSuccess(await createComment(ctx, instanceId, body, as)).comment_id;
  assert.match(id, /^\d+$/);
  return id as string;
}

/** Alice, as each user_id_type names her. */
const ALICE: Record<UserIdType, string> = { open_id: 'ou_alice', union_id: 'on_alice', user_id: 'u_alice' };

/** The top-level comments of the first page (page_size 100), as Alice reads them. */
async function listed(ctx: Served, instanceId: string, userIdType: UserIdType = 'open_id'): Promise<any[]> {
  const params = { user_id_type: userIdType, user_id: ALICE[userIdType], page_size: 100 };
  const data = assertSuccess(await listComments(ctx, instanceId, params));
  assert.equal(data.has_more, false);
  assert.equal(data.page_token, '');
  return data.comments;
}

// ---- create and list ----

test('a created comment answers a decimal comment_id and is listed with its content, times and is_delete 0', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  const id = await comment(ctx, code, { content: text('Please hurry'), extra: '{"source":"test"}' });
  const [only, ...rest] = await listed(ctx, code);
  assert.deepEqual(rest, []);
  assert.equal(only.id, id);
  assert.equal(only.content, text('Please hurry'));
  assert.match(only.create_time, /^\d{13}$/);
  assert.equal(only.update_time, only.create_time);
  assert.equal(only.is_delete, 0);
  assert.deepEqual(only.replies, []);
  assert.deepEqual(only.at_info_list, []);
  assert.equal(only.commentator, 'ou_alice');
  assert.equal(only.extra, '{"source":"test"}');
});

test('the commentator and @-mentioned users are written and listed per user_id_type', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  await comment(
    ctx,
    code,
    { content: text('@Bob please look'), at_info_list: [{ user_id: 'u_bob', name: 'Bob', offset: '0' }] },
    { user_id: 'u_alice', user_id_type: 'user_id' },
  );
  const ids = { open_id: ['ou_alice', 'ou_bob'], union_id: ['on_alice', 'on_bob'], user_id: ['u_alice', 'u_bob'] } as const;
  for (const [type, [alice, bob]] of Object.entries(ids) as [UserIdType, readonly [string, string]][]) {
    const [only] = await listed(ctx, code, type);
    assert.equal(only.commentator, alice, type);
    assert.deepEqual(only.at_info_list, [{ user_id: bob, name: 'Bob', offset: '0' }], type);
  }
});

test('comments address an instance by its create uuid as well as by its code', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx, { uuid: 'comment-uuid-1' });
  const id = await comment(ctx, 'comment-uuid-1', { content: text('by uuid') });
  assert.deepEqual((await listed(ctx, code)).map((c) => c.id), [id]);
  assert.deepEqual((await listed(ctx, 'comment-uuid-1')).map((c) => c.id), [id]);
});

// ---- edit ----

test('creating with comment_id edits that comment: new content and update_time, same id and create_time', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  const id = await comment(ctx, code, { content: text('first') });
  const [before] = await listed(ctx, code);
  await advanceClock(ctx, 5_000);
  assert.equal(await comment(ctx, code, { content: text('second'), comment_id: id }), id);
  const [after, ...rest] = await listed(ctx, code);
  assert.deepEqual(rest, []);
  assert.equal(after.id, id);
  assert.equal(after.content, text('second'));
  assert.equal(after.create_time, before.create_time);
  // The emulator clock moved 5 s on (and keeps running).
  assert.ok(Number(after.update_time) >= Number(before.update_time) + 5_000, `${after.update_time} vs ${before.update_time}`);
});

test('editing a comment of another commentator answers 1390001 and leaves it unchanged', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  const id = await comment(ctx, code, { content: text('mine') });
  assertRefused(await createComment(ctx, code, { content: text('hijack'), comment_id: id }, { user_id: 'ou_bob' }), 1390001, /another user/);
  assert.equal((await listed(ctx, code))[0].content, text('mine'));
});

test('a comment_id that is not a comment of the instance answers 1390001', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  const other = await createLeave(ctx);
  const elsewhere = await comment(ctx, other, { content: text('elsewhere') });
  assertRefused(await createComment(ctx, code, { content: text('x'), comment_id: elsewhere }), 1390001, /comment_id/);
  assertRefused(await createComment(ctx, code, { content: text('x'), comment_id: '123' }), 1390001, /comment_id "123"/);
});

// ---- replies ----

test('a reply is listed under its comment, not at the top level; a reply to a reply joins the same thread', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  const root = await comment(ctx, code, { content: text('question') });
  const reply = await comment(ctx, code, { content: text('answer'), parent_comment_id: root }, { user_id: 'ou_bob' });
  const again = await comment(ctx, code, { content: text('thanks'), parent_comment_id: reply });
  const [thread, ...rest] = await listed(ctx, code, 'user_id');
  assert.deepEqual(rest, []);
  assert.equal(thread.id, root);
  assert.deepEqual(
    thread.replies.map((r: any) => [r.id, r.content, r.commentator, r.is_delete]),
    [
      [reply, text('answer'), 'u_bob', 0],
      [again, text('thanks'), 'u_alice', 0],
    ],
  );
});

// ---- ids one SDK sends as strings and another as integers (rules.md "Every Open API request" 3) ----

/** A comment create whose body is sent as this exact JSON text (a 19-digit integer can not pass through JS). */
const createCommentRaw = (ctx: Served, instanceId: string, json: string) =>
  call(ctx.url, comments(instanceId) + query({ user_id: 'ou_alice' }), {
    token: ctx.token,
    raw: json,
    headers: { 'content-type': 'application/json' },
  });

test('parent_comment_id and comment_id are taken as JSON integers too (the Python SDK types them int), every digit kept', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  const root = await comment(ctx, code, { content: text('question') });
  const reply = assertSuccess(
    await createCommentRaw(ctx, code, `{"content":${JSON.stringify(text('answer'))},"parent_comment_id":${root}}`),
  ).comment_id;
  assert.equal(
    assertSuccess(await createCommentRaw(ctx, code, `{"content":${JSON.stringify(text('edited'))},"comment_id":${reply}}`)).comment_id,
    reply,
  );
  const [thread] = await listed(ctx, code);
  assert.equal(thread.id, root);
  assert.deepEqual(
    thread.replies.map((r: any) => [r.id, r.content]),
    [[reply, text('edited')]],
  );
});

test('at_info_list[].offset is taken as an integer and as a string of digits, and listed as a string either way', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  await comment(ctx, code, { content: text('@Bob hi'), at_info_list: [{ user_id: 'ou_bob', name: 'Bob', offset: 0 }] });
  await comment(ctx, code, { content: text('@Bob again'), at_info_list: [{ user_id: 'ou_bob', name: 'Bob', offset: '7' }] });
  assert.deepEqual(
    (await listed(ctx, code)).map((c) => c.at_info_list[0].offset),
    ['0', '7'],
  );
});

test('an offset or parent_comment_id that is neither an integer nor a string (true, 1.5, -1, ["1"]) answers 1390001', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  for (const offset of [true, 1.5, -1, ['1'], 'x']) {
    const at = [{ user_id: 'ou_bob', name: 'Bob', offset }];
    assertRefused(await createComment(ctx, code, { content: text('@Bob'), at_info_list: at }), 1390001, /offset/);
  }
  for (const parent of [true, 1.5, ['1']]) {
    assertRefused(await createComment(ctx, code, { content: text('x'), parent_comment_id: parent }), 1390001, /parent_comment_id/);
  }
  assert.deepEqual(await listed(ctx, code), []);
});

test('a parent_comment_id that is not a comment of the instance answers 1390001', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  const other = await createLeave(ctx);
  const elsewhere = await comment(ctx, other, { content: text('elsewhere') });
  assertRefused(await createComment(ctx, code, { content: text('reply'), parent_comment_id: elsewhere }), 1390001, /parent_comment_id/);
  assert.deepEqual(await listed(ctx, code), []);
});

// ---- delete ----

test('the commentator deletes a comment: the answer names it, and the list keeps it with is_delete 1', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  const id = await comment(ctx, code, { content: text('oops') });
  const kept = await comment(ctx, code, { content: text('keep') });
  assert.deepEqual(assertSuccess(await deleteComment(ctx, code, id)), { comment_id: id });
  assert.deepEqual(
    (await listed(ctx, code)).map((c) => [c.id, c.is_delete]),
    [
      [id, 1],
      [kept, 0],
    ],
  );
});

test('deleting a comment of another commentator answers 1390001 and leaves it', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  const id = await comment(ctx, code, { content: text('mine') });
  assertRefused(await deleteComment(ctx, code, id, { user_id: 'u_bob', user_id_type: 'user_id' }), 1390001, /another user/);
  assert.equal((await listed(ctx, code))[0].is_delete, 0);
});

test('a deleted comment can not be deleted again, edited or replied to (1390001)', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  const id = await comment(ctx, code, { content: text('gone') });
  assertSuccess(await deleteComment(ctx, code, id));
  assertRefused(await deleteComment(ctx, code, id), 1390001, /already deleted/);
  assertRefused(await createComment(ctx, code, { content: text('edit'), comment_id: id }), 1390001, /deleted/);
  assertRefused(await createComment(ctx, code, { content: text('reply'), parent_comment_id: id }), 1390001, /deleted/);
});

// ---- remove ----

test('remove clears every comment of the instance, replies and deleted ones included, and answers the instance', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx, { uuid: 'remove-me' });
  const other = await createLeave(ctx);
  const root = await comment(ctx, code, { content: text('one') });
  await comment(ctx, code, { content: text('reply'), parent_comment_id: root });
  assertSuccess(await deleteComment(ctx, code, await comment(ctx, code, { content: text('deleted') })));
  const survivor = await comment(ctx, other, { content: text('other instance') });
  assert.deepEqual(assertSuccess(await removeComments(ctx, code)), { instance_id: code, external_id: 'remove-me' });
  assert.deepEqual(await listed(ctx, code), []);
  assert.deepEqual((await listed(ctx, other)).map((c) => c.id), [survivor]);
  // Removing again finds nothing to remove, and still succeeds.
  assert.deepEqual(assertSuccess(await removeComments(ctx, code, { user_id: 'u_bob', user_id_type: 'user_id' })), {
    instance_id: code,
    external_id: 'remove-me',
  });
});

test('an emulator reset wipes comments and their replies', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  const root = await comment(ctx, code, { content: text('one') });
  await comment(ctx, code, { content: text('reply'), parent_comment_id: root });
  const reset = await admin(ctx.url, '/reset', { method: 'POST' });
  assert.equal(reset.status, 200, reset.text);
  assert.deepEqual(await rows(ctx.server.databaseUrl, 'instance_comments'), []);
});

// ---- refusals ----

test('an unknown instance answers 1390003 on every comment endpoint', async (t) => {
  const ctx = await serve(t);
  const missing = '00000000-0000-0000-0000-000000000000';
  assertRefused(await createComment(ctx, missing, { content: text('x') }), 1390003, /00000000/);
  assertRefused(await listComments(ctx, missing), 1390003);
  assertRefused(await deleteComment(ctx, missing, '1'), 1390003);
  assertRefused(await removeComments(ctx, missing), 1390003);
});

test("another tenant's instance answers 1390003 on every comment endpoint, and its comments stay", async (t) => {
  const ctx = await serve(t);
  await loadFixture(ctx, globexFixture());
  const globex = await tenantToken(ctx.url, GLOBEX_APP);
  const code = await createLeave(ctx);
  const id = await comment(ctx, code, { content: text('acme only') });
  assertRefused(await createComment(ctx, code, { content: text('x') }, { user_id: 'ou_alice', token: globex }), 1390003);
  assertRefused(await listComments(ctx, code, {}, globex), 1390003);
  assertRefused(await deleteComment(ctx, code, id, { user_id: 'ou_alice', token: globex }), 1390003);
  assertRefused(await removeComments(ctx, code, {}, globex), 1390003);
  assert.deepEqual((await listed(ctx, code)).map((c) => [c.id, c.is_delete]), [[id, 0]]);
});

test('a user_id that is not a user of the tenant answers 1390001 naming it', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  const id = await comment(ctx, code, { content: text('x') });
  assertRefused(await createComment(ctx, code, { content: text('x') }, { user_id: 'ou_nobody' }), 1390001, /ou_nobody/);
  // The id is read per user_id_type: Alice's user_id is not an open_id.
  assertRefused(await createComment(ctx, code, { content: text('x') }, { user_id: 'u_alice' }), 1390001, /u_alice/);
  assertRefused(await listComments(ctx, code, { user_id: 'ou_nobody' }), 1390001, /ou_nobody/);
  assertRefused(await deleteComment(ctx, code, id, { user_id: 'ou_nobody' }), 1390001, /ou_nobody/);
  assertRefused(await removeComments(ctx, code, { user_id: 'ou_nobody' }), 1390001, /ou_nobody/);
  assertRefused(
    await createComment(ctx, code, { content: text('@x'), at_info_list: [{ user_id: 'ou_ghost', name: 'x', offset: '0' }] }),
    1390001,
    /at_info_list\[0\]\.user_id "ou_ghost"/,
  );
  assert.equal((await listed(ctx, code)).length, 1);
});

test('the comment service answers its refusals as values, not rejections, in the checks\' order', async (t) => {
  const ctx = await serve(t);
  const { comments: service } = ctx.server.services;
  const code = await createLeave(ctx);
  const alice = { userId: 'ou_alice', userIdType: 'open_id' as const };
  const nobody = { ...alice, userId: 'ou_nobody' };
  const body = { content: text('hello') };
  // The instance, then the user, then the body.
  assert.equal(codeOf(await service.create(DEMO_CALLER, 'NO-SUCH-INSTANCE', nobody, { content: 'not json' })), 1390003);
  assert.equal(codeOf(await service.create(DEMO_CALLER, code, nobody, { content: 'not json' })), 1390001);
  assert.equal(codeOf(await service.create(DEMO_CALLER, code, alice, { content: 'not json' })), 1390001);
  const mention = { ...body, at_info_list: [{ user_id: 'ou_ghost', name: 'Ghost', offset: '0' }] };
  assert.equal(codeOf(await service.create(DEMO_CALLER, code, alice, mention)), 1390001);
  assert.equal(codeOf(await service.create(DEMO_CALLER, code, alice, { ...body, parent_comment_id: '1' })), 1390001);
  assert.equal(codeOf(await service.create(DEMO_CALLER, code, alice, { ...body, comment_id: '1' })), 1390001);
  const created = await service.create(DEMO_CALLER, code, alice, body);
  assert.ok(created.ok);
  const bob = { ...alice, userId: 'ou_bob' };
  assert.equal(codeOf(await service.create(DEMO_CALLER, code, bob, { ...body, comment_id: created.value.commentId })), 1390001);
  assert.equal(codeOf(await service.delete(DEMO_CALLER, code, created.value.commentId, bob)), 1390001);
  assert.equal(codeOf(await service.delete(DEMO_CALLER, code, '1', alice)), 1390001);
  assert.equal(codeOf(await service.list(DEMO_CALLER, 'NO-SUCH-INSTANCE', alice, {})), 1390003);
  assert.equal(codeOf(await service.list(DEMO_CALLER, code, nobody, {})), 1390001);
  assert.equal(codeOf(await service.list(DEMO_CALLER, code, alice, { pageToken: 'not-a-token' })), 1390001);
  assert.equal(codeOf(await service.remove(DEMO_CALLER, code, nobody)), 1390001);
  assert.equal(codeOf(await service.delete(DEMO_CALLER, code, created.value.commentId, alice)), 'ok');
  assert.equal(codeOf(await service.delete(DEMO_CALLER, code, created.value.commentId, alice)), 1390001);
  const listed = await service.list(DEMO_CALLER, code, alice, {});
  assert.ok(listed.ok);
  assert.deepEqual(listed.value.items.map((thread) => [thread.comment.id, thread.comment.deleted]), [[created.value.commentId, true]]);
});

test('a missing user_id answers 1390001', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  const answer = await call(ctx.url, comments(code), { token: ctx.token, json: { content: text('x') } });
  assertRefused(answer, 1390001, /user_id/);
  assertRefused(await call(ctx.url, comments(code), { token: ctx.token }), 1390001, /user_id/);
});

test('content that is not a JSON object string answers 1390001', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  assertRefused(await createComment(ctx, code, { content: 'plain words' }), 1390001, /content is not valid JSON/);
  assertRefused(await createComment(ctx, code, { content: '["a"]' }), 1390001, /JSON object/);
  assertRefused(await createComment(ctx, code, { content: { text: 'an object, not a string' } }), 1390001, /content/);
  assertRefused(await createComment(ctx, code, { content: '{"text":""}' }), 1390001, /neither text nor files/);
  assertRefused(await createComment(ctx, code, { content: '{"text":"x","files":[{"title":"no url"}]}' }), 1390001, /files\[0\]\.url/);
  assertRefused(await createComment(ctx, code, {}), 1390001, /content is required/);
  assertRefused(await createComment(ctx, code, { content: text('x'), extra: 'not json' }), 1390001, /extra/);
  assert.deepEqual(await listed(ctx, code), []);
});

// ---- pagination ----

test('listing 5 comments with page_size 2 pages 2, 2, 1: has_more with a token, then false and ""', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  const created: string[] = [];
  for (let i = 0; i < 5; i++) created.push(await comment(ctx, code, { content: text(`comment ${i}`) }));
  const seen: string[][] = [];
  let token: string | undefined;
  for (let page = 0; page < 10; page++) {
    const data = assertSuccess(await listComments(ctx, code, { page_size: 2, page_token: token }));
    seen.push(data.comments.map((c: any) => c.id));
    if (!data.has_more) {
      assert.equal(data.page_token, '');
      break;
    }
    assert.equal(typeof data.page_token, 'string');
    assert.notEqual(data.page_token, '');
    token = data.page_token;
  }
  assert.deepEqual(seen.map((ids) => ids.length), [2, 2, 1]);
  assert.deepEqual(seen.flat(), created);
});

test('a page_size outside 1..100 or a foreign page_token answers 1390001', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  assertRefused(await listComments(ctx, code, { page_size: 101 }), 1390001, /page_size/);
  assertRefused(await listComments(ctx, code, { page_size: 0 }), 1390001, /page_size/);
  assertRefused(await listComments(ctx, code, { page_token: 'garbage' }), 1390001, /page_token/);
});

// ---- GET instance ----

test("GET instance's comment_list holds the instance's comments, not deleted ones, then the task-action comments", async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  const file = { url: 'https://example.com/a.png', thumbnailURL: 'https://example.com/t.png', fileSize: 1024, title: 'a.png', type: 'image' };
  const id = await comment(ctx, code, { content: text('see attachment', [file]) });
  const reply = await comment(ctx, code, { content: text('seen'), parent_comment_id: id }, { user_id: 'ou_bob' });
  assertSuccess(await deleteComment(ctx, code, await comment(ctx, code, { content: text('withdrawn remark') })));
  const task = await pendingTaskOf(ctx, code, 'ou_bob');
  assertSuccess(
    await taskAction(ctx, 'approve', {
      approval_code: DEMO_LEAVE_CODE,
      instance_code: code,
      user_id: 'ou_bob',
      task_id: task.id,
      comment: 'approved, enjoy',
    }),
  );
  const instance = await getInstance(ctx, code, 'user_id');
  assert.deepEqual(
    instance.comment_list.map((c: any) => [c.user_id, c.open_id, c.comment, c.files]),
    [
      ['u_alice', 'ou_alice', 'see attachment', [{ url: file.url, file_size: 1024, title: 'a.png', type: 'image' }]],
      ['u_bob', 'ou_bob', 'seen', []],
      ['u_bob', 'ou_bob', 'approved, enjoy', []],
    ],
  );
  assert.deepEqual(instance.comment_list.slice(0, 2).map((c: any) => c.id), [id, reply]);
  for (const c of instance.comment_list) assert.match(c.create_time, /^\d{13}$/);
});

test('comments stay open on a finished instance', async (t) => {
  const ctx = await serve(t);
  const code = await createLeave(ctx);
  await approveAs(ctx, code, 'ou_bob');
  assert.equal((await getInstance(ctx, code)).status, 'APPROVED');
  await comment(ctx, code, { content: text('thanks!') });
  assert.equal((await listed(ctx, code)).length, 1);
});

// ---- the official SDK ----

test('the official SDK creates, lists (also by iterator), deletes and removes comments', async (t) => {
  const server = await startTestServer();
  t.after(() => server.close());
  const client = sdkClient(server.url);
  const created = await client.approval.v4.instance.create({
    data: { approval_code: DEMO_LEAVE_CODE, open_id: 'ou_alice', form: JSON.stringify([{ id: 'reason', type: 'input', value: 'sdk' }]) },
  });
  const code = created.data!.instance_code!;
  const ids: string[] = [];
  for (const words of ['one', 'two', 'three']) {
    const res = await client.approval.v4.instanceComment.create({
      path: { instance_id: code },
      params: { user_id_type: 'user_id', user_id: 'u_alice' },
      data: { content: text(words), at_info_list: [{ user_id: 'u_bob', name: 'Bob', offset: '0' }] },
    });
    assert.equal(res.code, 0, JSON.stringify(res));
    ids.push(res.data!.comment_id);
  }

  const list = await client.approval.v4.instanceComment.list({
    path: { instance_id: code },
    params: { user_id_type: 'user_id', user_id: 'u_alice', page_size: 10 },
  });
  assert.equal(list.code, 0);
  assert.deepEqual(
    list.data?.comments.map((c) => [c.id, c.content, c.commentator, c.is_delete, c.at_info_list?.[0]?.user_id]),
    ids.map((id, i) => [id, text(['one', 'two', 'three'][i]!), 'u_alice', 0, 'u_bob']),
  );

  const pages: string[][] = [];
  for await (const page of await client.approval.v4.instanceComment.listWithIterator({
    path: { instance_id: code },
    params: { user_id: 'ou_alice', page_size: 2 },
  })) {
    pages.push(((page as any)?.comments ?? []).map((c: any) => c.id));
  }
  assert.deepEqual(pages, [ids.slice(0, 2), ids.slice(2)]);

  const deleted = await client.approval.v4.instanceComment.delete({
    path: { instance_id: code, comment_id: ids[0]! },
    params: { user_id: 'ou_alice' },
  });
  assert.deepEqual(deleted, { code: 0, msg: 'success', data: { comment_id: ids[0] } });

  const removed = await client.approval.v4.instanceComment.remove({ path: { instance_id: code } });
  assert.deepEqual(removed, { code: 0, msg: 'success', data: { instance_id: code, external_id: '' } });
  const after = await client.approval.v4.instanceComment.list({ path: { instance_id: code }, params: { user_id: 'ou_alice' } });
  assert.deepEqual(after.data, { comments: [], has_more: false, page_token: '' });
});
