/** App secrets are stored as salted scrypt hashes; only a matching secret can ever be checked against them. */
import { randomBytes, scrypt, timingSafeEqual, type BinaryLike } from 'node:crypto';

const KEY_LENGTH = 32;

function derive(secret: string, salt: BinaryLike): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, KEY_LENGTH, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(secret, salt);
  return `scrypt$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || salt === undefined || key === undefined) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await derive(secret, Buffer.from(salt, 'base64url'));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/**
 * Checked against when an app_id is unknown, so that an unknown app costs the same scrypt as a known one
 * with a wrong secret and the time of an answer tells nothing about which app_ids exist. Matches no secret.
 */
export const UNKNOWN_APP_SECRET_HASH = 'scrypt$wyZHeac2-IcFyUbLc6BoFQ$fQJl5OwNBtMnWjuxSeTTlqEpGbQYNnxyQa4f5zgtUhQ';
