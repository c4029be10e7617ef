import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { decryptEvent, encryptEvent, signEvent } from './event-crypto.js';

test('an encrypted event decrypts to the same text with the same key', () => {
  const text = JSON.stringify({ challenge: 'abc', type: 'url_verification' });
  const encrypted = encryptEvent(text, 'secret-key');
  assert.notEqual(encrypted, encryptEvent(text, 'secret-key'), 'a random IV makes every ciphertext differ');
  assert.equal(decryptEvent(encrypted, 'secret-key'), text);
});

test('a wrong key does not decrypt', () => {
  const encrypted = encryptEvent('{"a":1}', 'right');
  assert.throws(() => decryptEvent(encrypted, 'wrong'));
});

test('the signature is hex SHA-256 of timestamp, nonce, key and body, in that order', () => {
  const expected = createHash('sha256').update('1700000000' + 'n0nce' + 'key' + '{"encrypt":"x"}').digest('hex');
  assert.equal(signEvent('1700000000', 'n0nce', 'key', '{"encrypt":"x"}'), expected);
});
