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
  /** Where the value sits in its parent (`.name`, or an array index), or the part's name at the top. */
  key: string | number;
  parent: Place | undefined;
  depth: number;
}

/** The place's path, spelt out only for a refusal: most requests have none, and many fields. */
function pathOf(place: Place): string {
  let path = '';
  for (let at: Place | undefined = place; at; at = at.parent) path = `${typeof at.key === 'number' ? `[${at.key}]` : at.key}${path}`;
  return path;
}

/** Throws 1390001 naming the first place that holds a NUL or nests deeper than MAX_DEPTH. */
export function checkRequestShape(parts: Record<string, unknown>): void {
  const stack: Place[] = Object.entries(parts).map(([key, value]) => ({ value, key, parent: undefined, depth: 0 }));
  while (stack.length > 0) {
    const place = stack.pop()!;
    const { value, depth } = place;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) throw new FeishuError(1390001, `${pathOf(place)} contains a NUL character (U+0000)`);
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_DEPTH) throw new FeishuError(1390001, `${pathOf(place)} nests deeper than ${MAX_DEPTH} levels`);
    if (Array.isArray(value)) {
      value.forEach((child, i) => stack.push({ value: child, key: i, parent: place, depth: depth + 1 }));
      continue;
    }
    for (const [name, child] of Object.entries(value)) {
      if (name.includes('\u0000')) throw new FeishuError(1390001, `${pathOf(place)} has a field name with a NUL character (U+0000)`);
      stack.push({ value: child, key: `.${name}`, parent: place, depth: depth + 1 });
    }
  }
}
