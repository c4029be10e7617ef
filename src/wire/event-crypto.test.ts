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

test('a wrong key does not give the event back', () => {
  // AES-CBC with a wrong key mostly fails on its padding, but about once in 256 (a random IV each time) the
  // padding happens to be valid and garbage comes out: either way, never the event.
  for (let i = 0; i < 1000; i++) {
    const encrypted = encryptEvent('{"a":1}', 'right');
    let decrypted: string | undefined;
    try {
      decrypted = decryptEvent(encrypted, 'wrong');
    } catch {
      decrypted = undefined;
    }
    assert.notEqual(decrypted, '{"a":1}');
  }
});

test('the signature is hex SHA-256 of timestamp, nonce, key and body, in that order', () => {
  const expected = createHash('sha256').update('1700000000' + 'n0nce' + 'key' + '{"encrypt":"x"}').digest('hex');
  assert.equal(signEvent('1700000000', 'n0nce', 'key', '{"encrypt":"x"}'), expected);
});
