import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, FixedWindowCounter, limitsFor } from './rate-limits.js';

const V4 = '/open-apis/approval/v4';
const perMinute = (limit: number) => [{ limit, window: 'minute' }];
/** Feishu's "1000/min, 50/s" tier. */
const THOUSAND = [
  { limit: 1000, window: 'minute' },
  { limit: 50, window: 'second' },
];

test('withdrawal is limited to 100 requests a minute; GET instance to 1000 a minute and 50 a second', () => {
  assert.deepEqual(limitsFor('POST', `${V4}/instances/cancel`), perMinute(100));
  assert.deepEqual(limitsFor('GET', `${V4}/instances/:instance_id`), THOUSAND);
  assert.deepEqual(limitsFor('POST', `${V4}/approvals`), THOUSAND);
});

test('listing instance comments is in the 1000-a-minute tier, writing them has the default 100', () => {
  assert.deepEqual(limitsFor('GET', `${V4}/instances/:instance_id/comments`), THOUSAND);
  assert.deepEqual(limitsFor('POST', `${V4}/instances/:instance_id/comments`), perMinute(100));
});

test('third-party definitions and instance syncs are in the 1000-a-minute tier; check and external_tasks have the default 100', () => {
  for (const [method, route] of [
    ['POST', `${V4}/external_approvals`],
    ['GET', `${V4}/external_approvals/:approval_code`],
    ['POST', `${V4}/external_instances`],
  ] as const) {
    assert.deepEqual(limitsFor(method, route), THOUSAND, route);
  }
  assert.deepEqual(limitsFor('POST', `${V4}/external_instances/check`), perMinute(100));
  assert.deepEqual(limitsFor('GET', `${V4}/external_tasks`), perMinute(100));
});

test('searching tasks and CCs is in the 1000-a-minute tier', () => {
  assert.deepEqual(limitsFor('POST', `${V4}/tasks/search`), THOUSAND);
  assert.deepEqual(limitsFor('POST', `${V4}/instances/search_cc`), THOUSAND);
});

test('specified_rollback is in the 1000-a-minute tier, resubmit has 100, add_sign (undocumented) the default 100', () => {
  assert.deepEqual(limitsFor('POST', `${V4}/instances/specified_rollback`), THOUSAND);
  assert.deepEqual(limitsFor('POST', `${V4}/instances/add_sign`), perMinute(100));
  assert.deepEqual(limitsFor('POST', `${V4}/tasks/resubmit`), perMinute(100));
});

test('the request over the limit in one minute window is refused, and the next window starts afresh', () => {
  const counter = new FixedWindowCounter();
  const minute = 60_000 * 1000;
  for (let i = 0; i < 3; i++) assert.equal(decide(counter.hit('app|cancel', minute + i), 3, minute + i).allowed, true);
  const refused = decide(counter.hit('app|cancel', minute + 10_000), 3, minute + 10_000);
  assert.equal(refused.allowed, false);
  assert.equal(refused.resetSeconds, 50);
  assert.equal(counter.hit('app|cancel', minute + 60_000), 1);
});

test('apps and endpoints are counted apart', () => {
  const counter = new FixedWindowCounter();
  assert.equal(counter.hit('a|x', 0), 1);
  assert.equal(counter.hit('b|x', 0), 1);
  assert.equal(counter.hit('a|y', 0), 1);
  assert.equal(counter.hit('a|x', 0), 2);
});

test('the district list and search are limited to 10 requests a second, counted in one-second windows', () => {
  assert.deepEqual(limitsFor('GET', `${V4}/districts`), [{ limit: 10, window: 'second' }]);
  assert.deepEqual(limitsFor('POST', `${V4}/districts/search`), [{ limit: 10, window: 'second' }]);
  const counter = new FixedWindowCounter();
  const second = 60_000 * 1000 + 1000;
  for (let i = 0; i < 10; i++) assert.equal(decide(counter.hit('app|districts', second + i, 'second'), 10, second + i, 'second').allowed, true);
  const refused = decide(counter.hit('app|districts', second + 500, 'second'), 10, second + 500, 'second');
  assert.deepEqual(refused, { allowed: false, limit: 10, window: 'second', resetSeconds: 1 });
  assert.equal(counter.hit('app|districts', second + 1000, 'second'), 1);
});
