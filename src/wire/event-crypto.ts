/**
 * How Feishu protects event pushes (approval-v4.md §5.3, §5.4): the body encrypted with AES-256-CBC under
 * SHA-256(encrypt_key) with a random IV in front, and a SHA-256 signature over timestamp, nonce, key and body.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const keyOf = (encryptKey: string): Buffer => createHash('sha256').update(encryptKey).digest();

export function encryptEvent(plaintext: string, encryptKey: string): string {
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', keyOf(encryptKey), iv);
  return Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64');
}

/** The receiver's side, for tests and for tools that read shenpi's pushes. */
export function decryptEvent(encrypted: string, encryptKey: string): string {
  const data = Buffer.from(encrypted, 'base64');
  const decipher = createDecipheriv('aes-256-cbc', keyOf(encryptKey), data.subarray(0, 16));
  return Buffer.concat([decipher.update(data.subarray(16)), decipher.final()]).toString('utf8');
}

export function signEvent(timestamp: string, nonce: string, encryptKey: string, body: string): string {
  return createHash('sha256').update(timestamp + nonce + encryptKey + body).digest('hex');
}
