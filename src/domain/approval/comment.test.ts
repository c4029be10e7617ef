import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkExtra, deleteComment, editComment, parseCommentContent, replyTo, threadOf, type Comment } from './comment.js';
import { accepted, assertRefused } from './test-support.js';

const T0 = 1_700_000_000_000;

function comment(overrides: Partial<Comment> = {}): Comment {
  return {
    id: '1001',
    instanceCode: 'INSTANCE-1',
    parentId: null,
    commentator: 'u_alice',
    content: '{"text":"hello"}',
    atInfoList: [],
    extra: null,
    deleted: false,
    createTime: T0,
    updateTime: T0,
    ...overrides,
  };
}

describe('comment content', () => {
  test('text and files are read; fileSize may be a number or a decimal string', () => {
    const files = [{ url: 'https://x/a.png', fileSize: '12', title: 'a', type: 'image', thumbnailURL: 'https://x/t.png' }];
    assert.deepEqual(accepted(parseCommentContent(JSON.stringify({ text: 'hi', files }))), {
      text: 'hi',
      files: [{ url: 'https://x/a.png', thumbnailURL: 'https://x/t.png', fileSize: 12, title: 'a', type: 'image' }],
    });
    assert.deepEqual(accepted(parseCommentContent('{"files":[{"url":"u","fileSize":3}]}')), { text: '', files: [{ url: 'u', fileSize: 3 }] });
  });

  test('content that is not a JSON object, or says nothing, is refused with 1390001', () => {
    assertRefused(parseCommentContent('hello'), 1390001, /not valid JSON/);
    assertRefused(parseCommentContent('"hello"'), 1390001, /JSON object/);
    assertRefused(parseCommentContent('null'), 1390001, /JSON object/);
    assertRefused(parseCommentContent('{"text":7}'), 1390001, /content\.text/);
    assertRefused(parseCommentContent('{"text":"x","files":{}}'), 1390001, /content\.files must be an array/);
    assertRefused(parseCommentContent('{"files":[{"url":"u","fileSize":-1}]}'), 1390001, /fileSize/);
    assertRefused(parseCommentContent('{"text":"  "}'), 1390001, /neither text nor files/);
  });

  test('extra is a JSON string; empty counts as none', () => {
    assert.equal(accepted(checkExtra(undefined)), null);
    assert.equal(accepted(checkExtra('')), null);
    assert.equal(accepted(checkExtra('{"a":1}')), '{"a":1}');
    assertRefused(checkExtra('{a'), 1390001, /extra/);
  });
});

describe('comment rules', () => {
  test('a reply to a reply joins the thread of its top-level comment', () => {
    assert.equal(accepted(replyTo(comment())), '1001');
    assert.equal(accepted(replyTo(comment({ id: '1002', parentId: '1001' }))), '1001');
    assertRefused(replyTo(comment({ deleted: true })), 1390001, /deleted/);
  });

  test('only the commentator edits, keeping id, place and create time', () => {
    const edit = { content: '{"text":"new"}', atInfoList: [], extra: null };
    assert.deepEqual(accepted(editComment(comment(), 'u_alice', edit, T0 + 9)), comment({ content: '{"text":"new"}', updateTime: T0 + 9 }));
    assertRefused(editComment(comment(), 'u_bob', edit, T0 + 9), 1390001, /another user/);
    assertRefused(editComment(comment({ deleted: true }), 'u_alice', edit, T0 + 9), 1390001, /deleted/);
    const reply = comment({ id: '1002', parentId: '1001' });
    assert.equal(accepted(editComment(reply, 'u_alice', { ...edit, thread: threadOf(comment()) }, T0 + 9)).parentId, '1001');
    assertRefused(editComment(reply, 'u_alice', { ...edit, thread: '999' }, T0 + 9), 1390001, /does not move/);
  });

  test('only the commentator deletes, once', () => {
    assert.deepEqual(accepted(deleteComment(comment(), 'u_alice', T0 + 5)), comment({ deleted: true, updateTime: T0 + 5 }));
    assertRefused(deleteComment(comment(), 'u_bob', T0 + 5), 1390001, /another user/);
    assertRefused(deleteComment(comment({ deleted: true }), 'u_alice', T0 + 5), 1390001, /already deleted/);
  });
});
