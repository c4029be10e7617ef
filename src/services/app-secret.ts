/** App secrets are stored as salted scrypt hashes; only a matching secret can ever be checked against them. */
import { createHmac, randomBytes, scrypt, timingSafeEqual, type BinaryLike } from 'node:crypto';

const KEY_LENGTH = 32;

function derive(secret: string, salt: BinaryLike): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, KEY_LENGTH, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/**
 * Secrets known to match a stored hash, by that hash: a token request after a fixture load, or each further
 * one of an app, then costs no scrypt (about 50 ms of CPU). Only successes are kept, so a wrong secret always
 * pays the full scrypt. What is kept is an HMAC under a random key of this process: never the secret, nor a
 * plain digest that guesses could be tested against without that key. Bounded: the oldest go first.
 */
const REMEMBERED_LIMIT = 1024;
const remembered = new Map<string, Buffer>();
const rememberKey = randomBytes(32);

const fingerprint = (secret: string): Buffer => createHmac('sha256', rememberKey).update(secret).digest();

function remember(stored: string, secret: Buffer): void {
  remembered.delete(stored);
  remembered.set(stored, secret);
  if (remembered.size > REMEMBERED_LIMIT) remembered.delete(remembered.keys().next().value as string);
}

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(secret, salt);
  const stored = `scrypt$${salt.toString('base64url')}$${key.toString('base64url')}`;
  remember(stored, fingerprint(secret));
  return stored;
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || salt === undefined || key === undefined) return false;
  // Computed whether or not the hash is remembered, so that a wrong secret costs the same either way.
  const print = fingerprint(secret);
  const known = remembered.get(stored);
  if (known && timingSafeEqual(known, print)) return true;
  const expected = Buffer.from(key, 'base64url');
  const actual = await derive(secret, Buffer.from(salt, 'base64url'));
  const matches = expected.length === actual.length && timingSafeEqual(expected, actual);
  if (matches) remember(stored, print);
  return matches;
}

/**
 * Checked against when an app_id is unknown, so that an unknown app costs the same scrypt as a known one
 * with a wrong secret and the time of an answer tells nothing about which app_ids exist. Matches no secret.
 */
export const UNKNOWN_APP_SECRET_HASH = 'scrypt$wyZHeac2-IcFyUbLc6BoFQ$fQJl5OwNBtMnWjuxSeTTlqEpGbQYNnxyQa4f5zgtUhQ';
