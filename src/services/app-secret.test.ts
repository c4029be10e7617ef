import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { mock, test } from 'node:test';
import { hashSecret, UNKNOWN_APP_SECRET_HASH, verifySecret } from './app-secret.js';

const SECRET = 'acme-secret-with-some-length';

/** A hash of SECRET made by another process (as one read from a database is): this one has never seen it. */
const FOREIGN_HASH = 'scrypt$MDY46YU0jrLl2zMO4iKzjw$8xyni0CruawAkfuLSslJMFUIRYkutPztmOfWvMArZNk';

/** What `run` answered, and how many scrypt derivations it made. */
async function countingScrypts<T>(run: () => Promise<T>): Promise<{ result: T; scrypts: number }> {
  const spy = mock.method(crypto, 'scrypt');
  // app-secret.ts imports scrypt by name: its binding sees the spy only once the builtin's exports are synced.
  syncBuiltinESMExports();
  try {
    const result = await run();
    return { result, scrypts: spy.mock.callCount() };
  } finally {
    spy.mock.restore();
    syncBuiltinESMExports();
  }
}

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

test('a hash this process made verifies its secret without another scrypt', async () => {
  const made = await countingScrypts(() => hashSecret(SECRET));
  assert.equal(made.scrypts, 1);
  assert.deepEqual(await countingScrypts(() => verifySecret(SECRET, made.result)), { result: true, scrypts: 0 });
});

test('a hash made elsewhere costs one scrypt at its first success, none after', async () => {
  assert.deepEqual(await countingScrypts(() => verifySecret(SECRET, FOREIGN_HASH)), { result: true, scrypts: 1 });
  assert.deepEqual(await countingScrypts(() => verifySecret(SECRET, FOREIGN_HASH)), { result: true, scrypts: 0 });
});

test('a remembered hash still refuses any other secret, each time with the full scrypt', async () => {
  const hash = await hashSecret(SECRET);
  assert.equal(await verifySecret(SECRET, hash), true);
  for (const wrong of ['acme-secret-with-some-lengtH', '', SECRET.slice(0, -1)]) {
    assert.deepEqual(await countingScrypts(() => verifySecret(wrong, hash)), { result: false, scrypts: 1 });
  }
  assert.deepEqual(await countingScrypts(() => verifySecret(SECRET, hash)), { result: true, scrypts: 0 });
});

test('a changed stored hash is verified afresh: what matched the old one proves nothing', async () => {
  const hash = await hashSecret(SECRET);
  const [scheme, salt, key] = hash.split('$') as [string, string, string];
  const flipped = Buffer.from(key, 'base64url');
  flipped[0]! ^= 1;
  const changed = [
    `${scheme}$${salt}$${flipped.toString('base64url')}`,
    `${scheme}$${Buffer.from(salt, 'base64url').reverse().toString('base64url')}$${key}`,
  ];
  for (const stored of changed) {
    assert.deepEqual(await countingScrypts(() => verifySecret(SECRET, stored)), { result: false, scrypts: 1 });
  }
  const another = await hashSecret(`${SECRET}-rotated`);
  assert.deepEqual(await countingScrypts(() => verifySecret(SECRET, another)), { result: false, scrypts: 1 });
});

test("the unknown app's hash costs a scrypt at every check, however often it is asked", async () => {
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(await countingScrypts(() => verifySecret(SECRET, UNKNOWN_APP_SECRET_HASH)), { result: false, scrypts: 1 });
  }
});
