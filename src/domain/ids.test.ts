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

test('seeded decimal ids carry the clock as set, 1,000 a millisecond, and repeat for the same calls at the same times', () => {
  const make = () => {
    const ids = Ids.seeded(3);
    const frozen = Array.from({ length: 2500 }, () => ids.decimal(NOW));
    return { frozen, after: [ids.decimal(NOW - 3_600_000), ids.decimal(NOW + 7)] };
  };
  const { frozen, after } = make();
  assert.equal(new Set(frozen).size, frozen.length);
  const milliseconds = frozen.map((id) => Number(id.slice(0, 13)));
  assert.deepEqual([milliseconds[0], milliseconds[999], milliseconds[1000], milliseconds[2000], milliseconds[2499]], [NOW, NOW, NOW + 1, NOW + 2, NOW + 2]);
  assert.deepEqual(after.map((id) => Number(id.slice(0, 13))), [NOW - 3_600_000, NOW + 7], 'a clock set back is followed');
  assert.deepEqual(make(), { frozen, after });
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

test('random decimal ids end with the node number the process leased (0 until then); a seed draws those digits instead', () => {
  // Ids.random shares the process's sequence: a millisecond after every other test's.
  const later = NOW + 60_000;
  const ids = Ids.random();
  assert.match(ids.decimal(later), /000$/);
  ids.useNode(417);
  for (let n = 0; n < 1200; n++) assert.match(ids.decimal(later), new RegExp(`^${later + Math.floor((n + 1) / 125)}\\d{3}417$`));
  ids.useNode(999);
  assert.match(ids.serialNumber(later + 5) + ids.decimal(later + 5).slice(16), /^\d{16}999$/);
  for (const bad of [-1, 1000, 2.5, Number.NaN]) assert.throws(() => ids.useNode(bad), RangeError);

  const seeded = Ids.seeded(11);
  seeded.useNode(417);
  const tails = new Set(Array.from({ length: 50 }, () => seeded.decimal(NOW).slice(16)));
  assert.ok(tails.size > 1, "the seed's stream, not the node number");
});

test('random decimal ids never repeat within a process: 125 a millisecond, then the next, and never back with the clock', () => {
  // The process's sequence, shared by every Ids.random: past the milliseconds of the tests above.
  const at = NOW + 120_000;
  const ids = Ids.random();
  const made = Array.from({ length: 2500 }, () => ids.decimal(at));
  assert.equal(new Set(made).size, made.length);
  assert.deepEqual([...new Set(made.map((id) => Number(id.slice(0, 13))))], Array.from({ length: 20 }, (_, i) => at + i));
  // The clock steps back a second, then catches up: the ids go on from the last millisecond they carried.
  const after = [ids.decimal(at - 1000), ids.decimal(at + 2), ids.decimal(at + 25)];
  assert.deepEqual(after.map((id) => id.slice(0, 13)), [`${at + 20}`, `${at + 20}`, `${at + 25}`]);
  assert.equal(new Set([...made, ...after]).size, made.length + after.length);
});

test('the sequence digits of random ids keep the residue of the node number modulo 8: serial numbers of nodes 0 to 7 never meet', () => {
  const at = NOW + 180_000;
  const ids = Ids.random();
  const serials = new Set<string>();
  for (let node = 0; node < 12; node++) {
    ids.useNode(node);
    for (let n = 0; n < 300; n++) {
      const serial = ids.serialNumber(at);
      assert.equal(Number(serial.slice(13)) % 8, node % 8, serial);
      serials.add(serial);
    }
  }
  assert.equal(serials.size, 12 * 300);
});
