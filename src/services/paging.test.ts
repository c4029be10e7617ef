import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FeishuError } from '../domain/errors.js';
import { decodeCursor, encodeCursor } from './paging.js';

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
