import assert from 'node:assert/strict';
import { test } from 'node:test';
import { quoteLongIntegers } from './long-integers.js';

test('an integer beyond 2^53 becomes a string of the same digits', () => {
  assert.deepEqual(JSON.parse(quoteLongIntegers('{"id":7138963234567890123}')), { id: '7138963234567890123' });
  assert.deepEqual(JSON.parse(quoteLongIntegers('[9007199254740993, 1]')), ['9007199254740993', 1]);
});

test('safe integers, fractions, exponents and negative numbers stay numbers', () => {
  const json = '{"a":9007199254740991,"b":12345678901234567.5,"c":12345678901234567e2,"d":-12345678901234567,"e":1700000000000}';
  assert.equal(quoteLongIntegers(json), json);
});

test('digits inside strings, escaped quotes included, are left alone', () => {
  const json = '{"s":"12345678901234567890","t":"a\\\\\\"12345678901234567890","u":12345678901234567890}';
  assert.deepEqual(JSON.parse(quoteLongIntegers(json)), {
    s: '12345678901234567890',
    t: 'a\\"12345678901234567890',
    u: '12345678901234567890',
  });
});

test('text that is not JSON stays not JSON', () => {
  assert.throws(() => JSON.parse(quoteLongIntegers('{"id": 12345678901234567890')));
});
