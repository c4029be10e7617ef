import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OffsetClock } from './clock.js';

const REAL = 1_700_000_000_000;

test('without an offset the clock answers real time', () => {
  assert.equal(new OffsetClock(0, () => REAL).now(), REAL);
});

test('the clock answers real time shifted by its offset', () => {
  assert.equal(new OffsetClock(5000, () => REAL).now(), REAL + 5000);
});

test('the offset for a target time makes the clock answer that time', () => {
  const clock = new OffsetClock(0, () => REAL);
  clock.setOffset(clock.offsetFor(REAL - 86_400_000));
  assert.equal(clock.now(), REAL - 86_400_000);
});

test('time keeps flowing from the value set', () => {
  let real = REAL;
  const clock = new OffsetClock(0, () => real);
  clock.setOffset(clock.offsetFor(42_000));
  real += 1000;
  assert.equal(clock.now(), 43_000);
});

test('a frozen clock answers the same instant while real time passes, and flows again once an offset is set', () => {
  let real = REAL;
  const clock = new OffsetClock(0, () => real);
  clock.freeze(42_000);
  real += 1000;
  assert.equal(clock.now(), 42_000);
  assert.equal(clock.frozen, 42_000);
  clock.setOffset(clock.offsetFor(50_000));
  real += 1000;
  assert.equal(clock.now(), 51_000);
  assert.equal(clock.frozen, undefined);
});
