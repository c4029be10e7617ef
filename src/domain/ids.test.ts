import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ids } from './ids.js';

const NOW = 1_700_000_000_000;
const UUID = /^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/;

/** One of every kind of id, in a fixed order. */
const sample = (ids: Ids) => [
  ids.code(),
  ids.decimal(NOW),
  ids.serialNumber(NOW),
  ids.logId(NOW),
  ids.tenantAccessToken(),
  ids.appAccessToken(),
  ids.eventId(),
];

test('every id keeps its form: upper-case UUID codes, 19-digit decimals, 16-digit serials, log ids, t-/a- tokens, 32-hex event ids', () => {
  for (const ids of [Ids.random(), Ids.seeded(7)]) {
    const [code, decimal, serial, logId, tenant, app, event] = sample(ids);
    assert.match(code!, UUID);
    assert.match(decimal!, new RegExp(`^${NOW}\\d{6}$`));
    assert.match(serial!, new RegExp(`^${NOW}\\d{3}$`));
    assert.match(logId!, /^20231114221320[0-9A-F]{20}$/);
    assert.match(tenant!, /^t-[\w-]{32}$/);
    assert.match(app!, /^a-[\w-]{32}$/);
    assert.match(event!, /^[0-9a-f]{32}$/);
  }
});

test('two sources of one seed make the same ids; another seed other ones', () => {
  assert.deepEqual(sample(Ids.seeded(42)), sample(Ids.seeded(42)));
  assert.notDeepEqual(sample(Ids.seeded(42)), sample(Ids.seeded(43)));
});

test('each kind of id has its own stream: log ids drawn in between do not change the codes', () => {
  const plain = Ids.seeded(5);
  const busy = Ids.seeded(5);
  const codes = [plain.code(), plain.code()];
  busy.logId(NOW);
  const first = busy.code();
  busy.logId(NOW);
  busy.tenantAccessToken();
  assert.deepEqual([first, busy.code()], codes);
});

test('a saved state makes the same ids again; reset starts over from the seed', () => {
  const ids = Ids.seeded(9);
  const start = sample(ids);
  const state = ids.state();
  const next = sample(ids);
  ids.restore(state);
  assert.deepEqual(sample(ids), next);
  ids.reset();
  assert.deepEqual(sample(ids), start);
});

test('random ids differ between sources and have no state to save', () => {
  const a = Ids.random();
  assert.notDeepEqual(sample(a), sample(Ids.random()));
  assert.equal(a.state(), undefined);
});

test('decimal ids of one millisecond increase with the sequence', () => {
  const ids = Ids.seeded(1);
  const made = Array.from({ length: 5 }, () => ids.decimal(NOW).slice(0, 16));
  assert.deepEqual(made, [...made].sort());
  assert.equal(new Set(made).size, 5);
});

test('the worker processes of one server draw their decimal ids from disjoint sequences', () => {
  // Each worker is a process of its own, with its own sequence: only the residue of the sequence digits
  // keeps two workers' ids of one millisecond apart (the three random digits alone met within seconds).
  for (const count of [2, 3, 7]) {
    for (let index = 0; index < count; index++) {
      const ids = Ids.random({ index, count });
      for (let n = 0; n < 1200; n++) {
        const id = ids.decimal(NOW);
        assert.match(id, new RegExp(`^${NOW}\\d{6}$`));
        assert.equal(Number(id.slice(13, 16)) % count, index, id);
      }
    }
  }
  for (const bad of [{ index: 2, count: 2 }, { index: -1, count: 2 }, { index: 0, count: 0 }, { index: 0.5, count: 2 }]) {
    assert.throws(() => Ids.random(bad), RangeError);
  }
});

test('a seed must be a whole number from 0 to 2^53-1', () => {
  for (const bad of [-1, 1.5, Number.NaN, 2 ** 53]) assert.throws(() => Ids.seeded(bad), RangeError);
  assert.doesNotThrow(() => Ids.seeded(0));
});

test('a log id carries the UTC second it was made in, also when seconds alternate', () => {
  const ids = Ids.random();
  const at = (iso: string) => ids.logId(Date.parse(iso)).slice(0, 14);
  assert.equal(at('2026-11-30T09:15:07.001Z'), '20261130091507');
  assert.equal(at('2026-11-30T09:15:07.999Z'), '20261130091507');
  assert.equal(at('2026-11-30T09:15:08.000Z'), '20261130091508');
  assert.equal(at('2026-11-30T09:15:07.500Z'), '20261130091507');
  assert.equal(at('1970-01-01T00:00:00.000Z'), '19700101000000');
});
