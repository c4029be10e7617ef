/**
 * What no request may carry, whatever its route: a NUL character in any string (PostgreSQL refuses it where
 * SQLite stores it, so both stores would answer differently) and JSON nested deeper than any Feishu body is
 * (a body nested thousands of levels deep would overflow whatever walks it recursively). Both are refused
 * with 1390001 before validation, so no route and no store ever sees them. The walk is iterative.
 */
import { FeishuError } from '../domain/errors.js';

/** Feishu's bodies nest a few levels (a fixture about eight); 64 leaves room and stops any runaway. */
export const MAX_DEPTH = 64;

interface Place {
  value: unknown;
  path: string;
  depth: number;
}

/** Throws 1390001 naming the first place that holds a NUL or nests deeper than MAX_DEPTH. */
export function checkRequestShape(parts: Record<string, unknown>): void {
  const stack: Place[] = Object.entries(parts).map(([path, value]) => ({ value, path, depth: 0 }));
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) throw new FeishuError(1390001, `${path} contains a NUL character (U+0000)`);
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_DEPTH) throw new FeishuError(1390001, `${path} nests deeper than ${MAX_DEPTH} levels`);
    const entries = Array.isArray(value)
      ? value.map((child, i) => [`[${i}]`, child] as const)
      : Object.entries(value).map(([name, child]) => [`.${name}`, child] as const);
    for (const [key, child] of entries) {
      if (key.includes('\u0000')) throw new FeishuError(1390001, `${path} has a field name with a NUL character (U+0000)`);
      stack.push({ value: child, path: `${path}${key}`, depth: depth + 1 });
    }
  }
}
