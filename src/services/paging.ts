/** Opaque page tokens: a cursor (the last item's sort key) as base64url JSON. */
import { ok, refuse, type Result } from '../domain/errors.js';

export interface Page<T> {
  items: T[];
  hasMore: boolean;
  /** Non-empty exactly when hasMore is true (the Node SDK loops forever on has_more with an empty token). */
  pageToken: string;
}

export const encodeCursor = (cursor: object): string => Buffer.from(JSON.stringify(cursor)).toString('base64url');

/**
 * What a cursor field may hold: our numbers are epoch milliseconds (never 1.5 or 1e308), our strings codes and
 * ids (never a NUL, which PostgreSQL refuses where SQLite would not): a crafted token is refused the same way
 * on both stores, before it reaches either.
 */
const FITS = {
  number: (value: unknown) => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0,
  string: (value: unknown) => typeof value === 'string' && value.length <= 256 && !value.includes('\u0000'),
};

const notIssued = (token: string) => refuse(1390001, `page_token "${token}" is not a token this server issued`);

/** The cursor inside a token, checked field by field against `shape` (field name → kind), or refusal 1390001. */
export function readCursor<T extends object>(token: string, shape: Record<keyof T & string, 'number' | 'string'>): Result<T> {
  try {
    const cursor = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<string, unknown>;
    const fits = (Object.entries(shape) as [string, keyof typeof FITS][]).every(([key, kind]) => FITS[kind](cursor?.[key]));
    if (fits) return ok(cursor as T);
  } catch {
    // Falls through to the refusal below.
  }
  return notIssued(token);
}

/** readCursor of a token that may be absent (the first page: no cursor). */
export function readOptionalCursor<T extends object>(
  token: string | undefined,
  shape: Record<keyof T & string, 'number' | 'string'>,
): Result<T | undefined> {
  return token ? readCursor<T>(token, shape) : ok(undefined);
}

/** The first `pageSize` of `rows` (fetched as pageSize + 1, so one extra row tells whether more exist). */
export function pageOf<T>(rows: readonly T[], pageSize: number, cursorOf: (last: T) => object): Page<T> {
  const items = rows.slice(0, pageSize);
  const last = items[items.length - 1];
  const hasMore = rows.length > pageSize && last !== undefined;
  return { items, hasMore, pageToken: hasMore ? encodeCursor(cursorOf(last)) : '' };
}

/**
 * The first `pageSize` of two lists, each sorted by time (fetched as pageSize + 1), merged by time (ascending, or
 * descending), the first list's rows first among equal times; and the last row taken of each, where each list's
 * next page starts.
 */
export function mergeByTime<A extends { time: number }, B extends { time: number }>(
  first: readonly A[],
  second: readonly B[],
  pageSize: number,
  descending = false,
) {
  const items: (A | B)[] = [];
  let lastOfFirst: A | undefined;
  let lastOfSecond: B | undefined;
  let i = 0;
  let j = 0;
  while (items.length < pageSize && (i < first.length || j < second.length)) {
    const a = first[i];
    const b = second[j];
    if (a && (!b || (descending ? a.time >= b.time : a.time <= b.time))) {
      items.push((lastOfFirst = a));
      i++;
    } else if (b) {
      items.push((lastOfSecond = b));
      j++;
    }
  }
  return { items, hasMore: i < first.length || j < second.length, lastOfFirst, lastOfSecond };
}

/** A row of a merged list: its sort time, and the cursor a next page of its own list starts after. */
export interface Timed {
  time: number;
  cursor: object;
}

/**
 * Up to `limit` rows of one list after the position `token` holds (undefined: from the start), and its total; or
 * the refusal of a token it cannot read.
 */
export type MergedSource<R extends Timed> = (token: string | undefined, limit: number) => Promise<Result<{ rows: R[]; total: number }>>;

/**
 * A page of two lists merged by time (shenpi's own items and third-party ones), and the total of both. Its page
 * token holds a position in each: their page tokens ('' before the first row of it), joined by a `.`, which no
 * page token holds (base64url).
 */
export async function mergedPage<A extends Timed, B extends Timed>(
  pageToken: string | undefined,
  pageSize: number,
  first: MergedSource<A>,
  second: MergedSource<B>,
  descending = false,
): Promise<Result<Page<A | B> & { total: number }>> {
  const tokens = pageToken ? pageToken.split('.') : ['', ''];
  if (tokens.length !== 2) return notIssued(pageToken ?? '');
  const [firstToken, secondToken] = tokens as [string, string];
  const a = await first(firstToken || undefined, pageSize + 1);
  if (!a.ok) return a;
  const b = await second(secondToken || undefined, pageSize + 1);
  if (!b.ok) return b;
  const merged = mergeByTime(a.value.rows, b.value.rows, pageSize, descending);
  const next = [
    merged.lastOfFirst ? encodeCursor(merged.lastOfFirst.cursor) : firstToken,
    merged.lastOfSecond ? encodeCursor(merged.lastOfSecond.cursor) : secondToken,
  ].join('.');
  return ok({ items: merged.items, hasMore: merged.hasMore, pageToken: merged.hasMore ? next : '', total: a.value.total + b.value.total });
}
