/**
 * Where new ids come from. The domain never invents ids itself (no clock, no randomness), so that
 * every transition is reproducible in tests; the services inject a database-backed source.
 */
export interface IdSource {
  /** A fresh decimal string, unique within the tenant. */
  next(): string;
}

/**
 * A system node id in Feishu's shape (32 lower-case hex digits), derived from a fresh id so that
 * it is stable once stored and never collides with the client's own node ids.
 */
export function nodeIdFrom(id: string): string {
  const hex = /^\d+$/.test(id)
    ? BigInt(id).toString(16)
    : Array.from(id, (ch) => ch.charCodeAt(0).toString(16).padStart(4, '0')).join('');
  return hex.padStart(32, '0');
}
