import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashSecret, UNKNOWN_APP_SECRET_HASH, verifySecret } from './app-secret.js';

const SECRET = 'acme-secret-with-some-length';

test('the stored hash never contains the secret', async () => {
  const hash = await hashSecret(SECRET);
  assert.equal(hash.includes(SECRET), false);
  assert.equal(hash.includes(Buffer.from(SECRET).toString('base64url')), false);
});

test('the right secret verifies against its hash', async () => {
  assert.equal(await verifySecret(SECRET, await hashSecret(SECRET)), true);
});

test('a wrong secret does not verify', async () => {
  assert.equal(await verifySecret('acme-secret-with-some-lengtH', await hashSecret(SECRET)), false);
});

test('two hashes of one secret differ (each has its own salt), and both verify', async () => {
  const first = await hashSecret(SECRET);
  const second = await hashSecret(SECRET);
  assert.notEqual(first, second);
  assert.equal(await verifySecret(SECRET, first), true);
  assert.equal(await verifySecret(SECRET, second), true);
});

test('a stored value that is not a scrypt hash verifies nothing', async () => {
  assert.equal(await verifySecret(SECRET, SECRET), false);
  assert.equal(await verifySecret('', ''), false);
});

test("the unknown app's hash has the shape of a stored one (so checking it costs the same scrypt) and matches nothing", async () => {
  const shape = (hash: string) => hash.split('$').map((part, i) => (i === 0 ? part : Buffer.from(part, 'base64url').length));
  assert.deepEqual(shape(UNKNOWN_APP_SECRET_HASH), shape(await hashSecret(SECRET)));
  for (const secret of ['', SECRET, 'acme-secret']) assert.equal(await verifySecret(secret, UNKNOWN_APP_SECRET_HASH), false);
});
