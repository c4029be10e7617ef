import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allInOrder } from './in-order.js';

const later = <T>(ms: number, value: T, fail = false) =>
  new Promise<T>((resolve, reject) => setTimeout(() => (fail ? reject(new Error(String(value))) : resolve(value)), ms));

test('answers every value, in the order given', async () => {
  assert.deepEqual(await allInOrder([later(5, 'a'), Promise.resolve(2), undefined] as const), ['a', 2, undefined]);
});

test('throws the failure of the first by position, even when a later one failed sooner', async () => {
  await assert.rejects(allInOrder([later(20, 'first', true), later(0, 'second', true)]), /first/);
});

test('waits for every promise before answering, so none is left running unheard', async () => {
  let settled = false;
  await assert.rejects(allInOrder([Promise.reject(new Error('at once')), later(10, 'slow').then(() => (settled = true))]));
  assert.equal(settled, true);
});
