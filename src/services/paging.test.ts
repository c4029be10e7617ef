import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeCursor, mergeByTime, mergedPage, readCursor, readOptionalCursor } from './paging.js';

const SHAPE = { startTime: 'number', code: 'string' } as const;
const codeOf = (token: string) => {
  const read = readCursor(token, SHAPE);
  return read.ok ? 'ok' : read.refusal.code;
};
const refused = (cursor: object) => assert.equal(codeOf(encodeCursor(cursor)), 1390001);

test('a token this server issued reads as its cursor; no token, as none', () => {
  const cursor = { startTime: 1_800_000_000_000, code: 'A-1' };
  assert.deepEqual(readCursor(encodeCursor(cursor), SHAPE), { ok: true, value: cursor });
  assert.deepEqual(readOptionalCursor(undefined, SHAPE), { ok: true, value: undefined });
  assert.deepEqual(readOptionalCursor(encodeCursor(cursor), SHAPE), { ok: true, value: cursor });
});

test('a crafted time that is not an epoch-millisecond integer is refused with 1390001 (1.5, 1e308, -1, "1")', () => {
  for (const startTime of [1.5, 1e308, -1, '1', null]) refused({ startTime, code: 'A-1' });
});

test('a crafted string with a NUL, or far longer than any id, is refused with 1390001', () => {
  refused({ startTime: 1, code: 'A\u0000B' });
  refused({ startTime: 1, code: 'x'.repeat(1000) });
});

test('a token that is not base64url JSON of an object is refused with 1390001', () => {
  for (const token of ['', 'not a token', Buffer.from('[1,2]').toString('base64url')]) assert.equal(codeOf(token), 1390001);
});

test('mergeByTime takes the first pageSize by time, the first list first among equal times, and the last taken of each', () => {
  const own = [{ time: 1, id: 'o1' }, { time: 3, id: 'o3' }, { time: 5, id: 'o5' }];
  const other = [{ time: 1, id: 'x1' }, { time: 2, id: 'x2' }];
  const page = mergeByTime(own, other, 3);
  assert.deepEqual(page.items.map((r) => r.id), ['o1', 'x1', 'x2']);
  assert.deepEqual([page.hasMore, page.lastOfFirst?.id, page.lastOfSecond?.id], [true, 'o1', 'x2']);
  const rest = mergeByTime(own.slice(1), [], 3);
  assert.deepEqual([rest.items.map((r) => r.id), rest.hasMore, rest.lastOfSecond], [['o3', 'o5'], false, undefined]);
});

test('mergedPage answers a token of no two positions, or a refusal of either source, as a value; the first source first', async () => {
  const none = async () => ({ ok: true as const, value: { rows: [], total: 0 } });
  const refusing = (reason: string) => async (token: string | undefined) =>
    token === undefined ? none() : { ok: false as const, refusal: { code: 1390001 as const, reason } };
  const reasonOf = async (token: string, first = refusing('first'), second = refusing('second')) => {
    const page = await mergedPage(token, 10, first, second);
    return page.ok ? 'ok' : page.refusal.reason;
  };
  assert.match(await reasonOf('a.b.c'), /page_token "a\.b\.c" is not a token this server issued/);
  assert.equal(await reasonOf('a.b'), 'first');
  assert.equal(await reasonOf('.b'), 'second');
  assert.equal(await reasonOf(''), 'ok');
});
