/**
 * The values the fuzzer sends: JSON built from a route's schema, then mutated (wrong types, missing and extra
 * fields, hostile strings and numbers, deep nesting, prototype keys), and references to the server's own data
 * that are resolved only when the request goes out. Large values stay small in a printed counterexample
 * (`huge("x", 70000)`), and every value is written to JSON text by hand, so that a `__proto__` key, a
 * repeated key or a number JavaScript cannot hold (1e309, -0) reaches the server as written.
 */
import fc from 'fast-check';

/** What a reference names; resolved against the database as it is when the request is sent. */
export type RefKind =
  | 'approval'
  | 'instance'
  | 'user'
  | 'submitter'
  | 'assignee'
  | 'task'
  | 'comment'
  | 'commentator'
  | 'form'
  | 'content'
  | 'uuid'
  | 'pageToken'
  | 'eventId'
  | 'appId'
  | 'tenantKey'
  | 'snapshot'
  | 'eventUrl';

export type IdType = 'open_id' | 'union_id' | 'user_id';

/**
 * The k-th thing of its kind, or (`anchored`) the one belonging to the request's anchor instance, so that
 * the approval, instance, task and user of one request fit together and success paths are taken too.
 */
export class Ref {
  constructor(
    readonly kind: RefKind,
    readonly k: number,
    readonly anchored: boolean,
    /** A user id read as this type rather than the request's user_id_type. */
    readonly idType?: IdType,
  ) {}
  [fc.toStringMethod](): string {
    return `ref(${this.kind}, ${this.k}${this.anchored ? ', anchored' : ''}${this.idType ? `, ${this.idType}` : ''})`;
  }
}

/** A long string, made when sent. */
export class Huge {
  constructor(
    readonly unit: string,
    readonly length: number,
  ) {}
  text(): string {
    return this.unit.repeat(Math.ceil(this.length / this.unit.length));
  }
  [fc.toStringMethod](): string {
    return `huge(${JSON.stringify(this.unit)}, ${this.length})`;
  }
}

/** `[[[...]]]` or `{"a":{"a":...}}` nested `depth` levels. */
export class Deep {
  constructor(
    readonly depth: number,
    readonly array: boolean,
  ) {}
  json(): string {
    const { depth } = this;
    return this.array ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
  }
  [fc.toStringMethod](): string {
    return `deep(${this.depth}, ${this.array ? 'array' : 'object'})`;
  }
}

/** An array of `count` copies of `item`, or (`keyed`) an object of `count` keys k0, k1, ... holding it. */
export class Many {
  constructor(
    readonly item: Value,
    readonly count: number,
    readonly keyed: boolean,
  ) {}
  [fc.toStringMethod](): string {
    return `many(${fc.stringify(this.item)}, ${this.count}${this.keyed ? ', keyed' : ''})`;
  }
}

/** A JSON number written exactly so: 1e309 (Infinity once parsed), -0, 1.0, an integer past 2^53. */
export class RawNumber {
  constructor(readonly text: string) {}
  [fc.toStringMethod](): string {
    return this.text;
  }
}

/** An object as its entries: `__proto__` and `constructor` stay plain keys, and a key may come twice. */
export class Obj {
  constructor(readonly entries: readonly (readonly [string, Value])[]) {}
  [fc.toStringMethod](): string {
    return `{${this.entries.map(([key, value]) => `${JSON.stringify(key)}: ${fc.stringify(value)}`).join(', ')}}`;
  }
}

export type Value = null | boolean | number | string | Value[] | Obj | Ref | Huge | Deep | Many | RawNumber;

/** Resolves a reference to a plain value (never another reference). */
export type Resolve = (ref: Ref) => Value;

/** The JSON text of a value; `str` sees (and may replace) every string written. */
export function writeJson(value: Value, resolve: Resolve, str: (s: string) => string = (s) => s): string {
  const write = (v: Value): string => {
    if (v === null || typeof v === 'boolean') return String(v);
    if (typeof v === 'number') return JSON.stringify(v);
    if (typeof v === 'string') return JSON.stringify(str(v));
    if (Array.isArray(v)) return `[${v.map(write).join(',')}]`;
    if (v instanceof Obj) return `{${v.entries.map(([key, item]) => `${JSON.stringify(str(key))}:${write(item)}`).join(',')}}`;
    if (v instanceof Ref) return write(resolve(v));
    if (v instanceof Huge) return JSON.stringify(v.text());
    if (v instanceof Deep) return v.json();
    if (v instanceof Many) {
      const item = write(v.item);
      const items = Array.from({ length: v.count }, (_, i) => (v.keyed ? `"k${i}":${item}` : item));
      return v.keyed ? `{${items.join(',')}}` : `[${items.join(',')}]`;
    }
    return v.text;
  };
  return write(value);
}

/** A value as a query or path string: strings as they are, anything else as its JSON. */
export function writeText(value: Value, resolve: Resolve): string {
  if (typeof value === 'string') return value;
  if (value instanceof Ref) return writeText(resolve(value), resolve);
  if (value instanceof Huge) return value.text();
  if (typeof value === 'number') return String(value);
  if (value instanceof RawNumber) return value.text;
  return writeJson(value, resolve);
}

// ---- hostile values ----

export const nastyString: fc.Arbitrary<Value> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '审批',
    '😀🎉',
    '\u202eevil',
    '\uFEFF',
    '\uD800',
    'e\u0301',
    'NaN',
    'Infinity',
    '-1',
    '1.5',
    '1e308',
    'null',
    'true',
    '[]',
    '{}',
    '%00',
    '%ZZ',
    '../../etc/passwd',
    "' or 1=1 --",
    '<script>alert(1)</script>',
    '${7*7}',
    '__proto__',
    'constructor',
    '12345678901234567890123',
    ' ou_alice ',
    'OU_ALICE',
    ),
  },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 24 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(new Huge('x', 70_000), new Huge('审', 20_000), new Huge('\u0000', 1_000), new Huge('😀', 10_000)),
  },
);

const nastyNumber: fc.Arbitrary<Value> = fc.oneof(
  fc.constantFrom<Value>(
    -1,
    0,
    1.5,
    -2147483649,
    2 ** 31,
    2 ** 53,
    Number.MAX_SAFE_INTEGER,
    1e-7,
    new RawNumber('1e308'),
    new RawNumber('1e309'),
    new RawNumber('-1e309'),
    new RawNumber('-0'),
    new RawNumber('1.0'),
    new RawNumber('9007199254740993'),
    new RawNumber('123456789012345678901234567890'),
    new RawNumber('1e-400'),
  ),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

const protoKeys: fc.Arbitrary<Value> = fc.constantFrom(
  new Obj([['__proto__', new Obj([['admin', true]])]]),
  new Obj([['constructor', new Obj([['prototype', new Obj([['polluted', true]])]])]]),
  new Obj([['prototype', new Obj([])], ['toString', 1], ['hasOwnProperty', 'x']]),
);

export const nastyValue: fc.Arbitrary<Value> = fc.oneof(
  { weight: 4, arbitrary: nastyString },
  { weight: 3, arbitrary: nastyNumber },
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom<Value>([], new Obj([])),
  fc.array(nastyString, { minLength: 1, maxLength: 3 }),
  protoKeys,
  fc.constantFrom(new Deep(65, false), new Deep(2_000, true), new Deep(20_000, false)),
  fc.constantFrom(new Many('ou_alice', 5_000, false), new Many(new Obj([['key', 'x']]), 2_000, false), new Many(1, 5_000, true)),
);

/** Keys no route expects, and keys that must never reach an object's prototype. */
export const extraKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'x', '', '\u0000', 'a.b', '$where'),
  fc.string({ maxLength: 8 }),
);

// ---- mutations of a valid-looking value ----

export type Mutation =
  /** The `at`-th node (pre-order, modulo their number) becomes `with`. */
  | { replace: number; with: Value }
  /** The `at`-th object loses an entry (the `entry`-th). */
  | { drop: number; entry: number }
  /** The `at`-th object gets an extra entry. */
  | { add: number; key: string; with: Value }
  /** The `at`-th node is wrapped: `[node]`, or `{"value": node}`. */
  | { wrap: number; array: boolean };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ replace: fc.nat(), with: nastyValue }) },
  { weight: 2, arbitrary: fc.record({ drop: fc.nat(), entry: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ add: fc.nat(), key: extraKey, with: nastyValue }) },
  { weight: 1, arbitrary: fc.record({ wrap: fc.nat(), array: fc.boolean() }) },
);

/** Counts the nodes of `value` (pre-order) that `wanted` accepts. */
function count(value: Value, wanted: (v: Value) => boolean): number {
  const here = wanted(value) ? 1 : 0;
  if (Array.isArray(value)) return here + value.reduce<number>((sum, item) => sum + count(item, wanted), 0);
  if (value instanceof Obj) return here + value.entries.reduce((sum, [, item]) => sum + count(item, wanted), 0);
  return here;
}

/** `value` with its `index`-th node among those `wanted` accepts (pre-order) replaced by `change(node)`. */
function changeAt(value: Value, index: number, wanted: (v: Value) => boolean, change: (v: Value) => Value): Value {
  let left = index;
  const walk = (v: Value): Value => {
    if (wanted(v)) {
      if (left === 0) {
        left -= 1;
        return change(v);
      }
      left -= 1;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v instanceof Obj) return new Obj(v.entries.map(([key, item]) => [key, walk(item)] as const));
    return v;
  };
  return walk(value);
}

const anyNode = () => true;
const isObj = (v: Value) => v instanceof Obj;

export function mutate(value: Value, mutations: readonly Mutation[]): Value {
  return mutations.reduce<Value>((current, m) => {
    if ('replace' in m) return changeAt(current, m.replace % count(current, anyNode), anyNode, () => m.with);
    if ('wrap' in m) {
      const wrap = (node: Value): Value => (m.array ? [node] : new Obj([['value', node]]));
      return changeAt(current, m.wrap % count(current, anyNode), anyNode, wrap);
    }
    const objects = count(current, isObj);
    if (objects === 0) return current;
    if ('drop' in m) {
      return changeAt(current, m.drop % objects, isObj, (node) => {
        const { entries } = node as Obj;
        return entries.length ? new Obj(entries.filter((_, i) => i !== m.entry % entries.length)) : node;
      });
    }
    return changeAt(current, m.add % objects, isObj, (node) => new Obj([...(node as Obj).entries, [m.key, m.with]]));
  }, value);
}

// ---- values from a route's JSON Schema ----

export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  const?: unknown;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
}

/** Valid-looking values of a field, by its name, that the schema alone would rarely find (real ids, forms). */
export type Hints = Record<string, fc.Arbitrary<Value>>;

/** A plain JSON value (a schema's const or enum, a hint written as an object literal) as a Value; references stay. */
export function fromJson(json: unknown): Value {
  if (Array.isArray(json)) return json.map(fromJson);
  if (json instanceof Ref) return json;
  if (json !== null && typeof json === 'object') {
    return new Obj(Object.entries(json).map(([key, item]) => [key, fromJson(item)] as const));
  }
  return json as Value;
}

const schemaCache = new WeakMap<Hints, WeakMap<JsonSchema, Map<string, fc.Arbitrary<Value>>>>();

/** A value of the field `name` that its schema accepts, or one of its hints (preferred when there are some). */
export function valueOf(schema: JsonSchema, name: string, hints: Hints): fc.Arbitrary<Value> {
  let bySchema = schemaCache.get(hints);
  if (!bySchema) schemaCache.set(hints, (bySchema = new WeakMap()));
  let byName = bySchema.get(schema);
  if (!byName) bySchema.set(schema, (byName = new Map()));
  let arbitrary = byName.get(name);
  if (!arbitrary) {
    const hint = hints[name];
    const plain = fromSchema(schema, name, hints);
    arbitrary = hint ? fc.oneof({ weight: 4, arbitrary: hint }, { weight: 1, arbitrary: plain }) : plain;
    byName.set(name, arbitrary);
  }
  return arbitrary;
}

function fromSchema(schema: JsonSchema, name: string, hints: Hints): fc.Arbitrary<Value> {
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((option) => valueOf(option, name, hints)));
  if ('const' in schema) return fc.constant(fromJson(schema.const));
  if (schema.enum) return fc.constantFrom(...schema.enum.map(fromJson));
  switch (schema.type) {
    case 'string':
      if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
      const minLength = schema.minLength ?? 0;
      return fc.string({ minLength, maxLength: Math.max(minLength, Math.min(schema.maxLength ?? 12, 12)) });
    case 'integer': {
      const max = schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : (schema.maximum ?? 1_000_000);
      return fc.integer({ min: schema.minimum ?? -1_000, max: Math.min(max, Number.MAX_SAFE_INTEGER) });
    }
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(valueOf(schema.items ?? {}, `${name}[]`, hints), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.max(schema.minItems ?? 0, Math.min(schema.maxItems ?? 3, 3)),
      });
    case 'object':
      return objectOf(schema, hints);
    default:
      return schema.properties ? objectOf(schema, hints) : fc.constantFrom<Value>(null, 1, 'x', new Obj([]));
  }
}

/**
 * Every required property; an optional one with hints half the time, one without (whose random value is
 * most likely refused) one time in six, so that many objects are still valid.
 */
function objectOf(schema: JsonSchema, hints: Hints): fc.Arbitrary<Value> {
  const required = new Set(schema.required ?? []);
  const entries = Object.entries(schema.properties ?? {}).map(([key, property]) => {
    const entry = valueOf(property, key, hints).map((value) => [key, value] as const);
    if (required.has(key)) return entry;
    return fc.oneof({ weight: hints[key] ? 1 : 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: entry });
  });
  return fc.tuple(...entries).map((all) => new Obj(all.filter((entry) => entry !== undefined)));
}
