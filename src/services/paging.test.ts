import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FeishuError } from '../domain/errors.js';
import { decodeCursor, encodeCursor, mergeByTime } from './paging.js';

const SHAPE = { startTime: 'number', code: 'string' } as const;
const refused = (cursor: object) =>
  assert.throws(() => decodeCursor(encodeCursor(cursor), SHAPE), (err: unknown) => err instanceof FeishuError && err.code === 1390001);

test('a token this server issued decodes to its cursor', () =>
  assert.deepEqual(decodeCursor(encodeCursor({ startTime: 1_800_000_000_000, code: 'A-1' }), SHAPE), {
    startTime: 1_800_000_000_000,
    code: 'A-1',
  }));

test('a crafted time that is not an epoch-millisecond integer is refused with 1390001 (1.5, 1e308, -1, "1")', () => {
  for (const startTime of [1.5, 1e308, -1, '1', null]) refused({ startTime, code: 'A-1' });
});

test('a crafted string with a NUL, or far longer than any id, is refused with 1390001', () => {
  refused({ startTime: 1, code: 'A\u0000B' });
  refused({ startTime: 1, code: 'x'.repeat(1000) });
});

test('a token that is not base64url JSON of an object is refused with 1390001', () => {
  for (const token of ['', 'not a token', Buffer.from('[1,2]').toString('base64url')]) {
    assert.throws(() => decodeCursor(token, SHAPE), (err: unknown) => err instanceof FeishuError && err.code === 1390001);
  }
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
