/**
 * What is kept of a request where it is logged or shown (the emulator's request log, pino's request lines):
 * secrets replaced by a mark, and any JSON, however deep or large, cut to a bounded copy that serializes
 * without trouble, the cuts marked in place.
 */

/** Field and query names whose values are secrets (compared without case). */
const SECRET_NAMES = new Set([
  'app_secret',
  'encrypt_key',
  'verification_token',
  'tenant_access_token',
  'app_access_token',
  'user_access_token',
  'access_token',
  'refresh_token',
  'app_ticket',
  'authorization',
  'token',
]);

export const REDACTED = '[redacted]';

/** How much of a body is kept: nesting levels, characters of one string, characters in all. */
export const KEPT = { depth: 32, stringChars: 1_024, totalChars: 16_384 } as const;

const isSecretName = (name: string): boolean => SECRET_NAMES.has(name.toLowerCase());

/** A bearer token may turn up in any string: `Bearer t-...`. */
const isBearer = (text: string): boolean => /^\s*bearer\s/i.test(text);

export interface KeptValue {
  value: unknown;
  /** Something was cut (never set for a redaction alone). */
  truncated: boolean;
}

/**
 * A copy of a JSON value safe to keep and serialize: secrets redacted; containers deeper than KEPT.depth,
 * long strings and whatever exceeds KEPT.totalChars replaced by `[cut: ...]` marks.
 */
export function keepSafely(value: unknown): KeptValue {
  let left: number = KEPT.totalChars;
  let truncated = false;
  const cut = (mark: string) => {
    truncated = true;
    return `[cut: ${mark}]`;
  };

  const copy = (item: unknown, depth: number): unknown => {
    if (typeof item === 'string') {
      if (isBearer(item)) return REDACTED;
      const keep = Math.min(item.length, KEPT.stringChars, Math.max(left, 0));
      left -= keep + 2;
      return keep === item.length ? item : `${item.slice(0, keep)}${cut(`${item.length - keep} more characters`)}`;
    }
    if (item === null || typeof item !== 'object') {
      left -= String(item).length;
      return item;
    }
    // Depth is counted from the body itself (level 1); recursion never goes past KEPT.depth.
    if (depth > KEPT.depth) return cut(`deeper than ${KEPT.depth} levels`);
    left -= 2;
    if (Array.isArray(item)) {
      const kept: unknown[] = [];
      for (const [i, element] of item.entries()) {
        if (left <= 0) {
          kept.push(cut(`${item.length - i} more items`));
          break;
        }
        kept.push(copy(element, depth + 1));
      }
      return kept;
    }
    const entries = Object.entries(item);
    const kept: [string, unknown][] = [];
    for (const [i, [name, element]] of entries.entries()) {
      if (left <= 0) {
        kept.push(['[cut]', cut(`${entries.length - i} more fields`)]);
        break;
      }
      left -= name.length + 3;
      kept.push([name, isSecretName(name) ? REDACTED : copy(element, depth + 1)]);
    }
    // fromEntries defines own properties, so a `__proto__` field stays a field.
    return Object.fromEntries(kept);
  };

  return { value: copy(value, 1), truncated };
}

/** A request URL with the values of secret query parameters replaced by the redaction mark. */
export function redactUrl(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const query = new URLSearchParams(url.slice(at + 1));
  const secret = [...query].filter(([name, value]) => isSecretName(name) || isBearer(value)).map(([name]) => name);
  if (secret.length === 0) return url;
  for (const name of secret) query.set(name, REDACTED);
  return `${url.slice(0, at)}?${query.toString()}`;
}
