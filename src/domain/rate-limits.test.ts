import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, FixedWindowCounter, limitFor, windowFor } from './rate-limits.js';

test('withdrawal is limited to 100 requests a minute, GET instance to 1000', () => {
  assert.equal(limitFor('POST', '/open-apis/approval/v4/instances/cancel'), 100);
  assert.equal(limitFor('GET', '/open-apis/approval/v4/instances/:instance_id'), 1000);
});

test('listing instance comments is limited to 1000 requests a minute, writing them to the default 100', () => {
  assert.equal(limitFor('GET', '/open-apis/approval/v4/instances/:instance_id/comments'), 1000);
  assert.equal(limitFor('POST', '/open-apis/approval/v4/instances/:instance_id/comments'), 100);
});

test('third-party definitions and instance syncs are limited to 1000 a minute; check and external_tasks to the default 100', () => {
  for (const [method, route] of [
    ['POST', '/open-apis/approval/v4/external_approvals'],
    ['GET', '/open-apis/approval/v4/external_approvals/:approval_code'],
    ['POST', '/open-apis/approval/v4/external_instances'],
  ] as const) {
    assert.equal(limitFor(method, route), 1000, route);
  }
  assert.equal(limitFor('POST', '/open-apis/approval/v4/external_instances/check'), 100);
  assert.equal(limitFor('GET', '/open-apis/approval/v4/external_tasks'), 100);
});

test('searching tasks and CCs is limited to 1000 requests a minute', () => {
  assert.equal(limitFor('POST', '/open-apis/approval/v4/tasks/search'), 1000);
  assert.equal(limitFor('POST', '/open-apis/approval/v4/instances/search_cc'), 1000);
});

test('specified_rollback is limited to 1000 requests a minute, resubmit to 100, add_sign (undocumented) to the default 100', () => {
  assert.equal(limitFor('POST', '/open-apis/approval/v4/instances/specified_rollback'), 1000);
  assert.equal(limitFor('POST', '/open-apis/approval/v4/instances/add_sign'), 100);
  assert.equal(limitFor('POST', '/open-apis/approval/v4/tasks/resubmit'), 100);
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
  assert.equal(limitFor('GET', '/open-apis/approval/v4/districts'), 10);
  assert.equal(windowFor('POST', '/open-apis/approval/v4/districts/search'), 'second');
  assert.equal(windowFor('POST', '/open-apis/approval/v4/instances/cancel'), 'minute');
  const counter = new FixedWindowCounter();
  const second = 60_000 * 1000 + 1000;
  for (let i = 0; i < 10; i++) assert.equal(decide(counter.hit('app|districts', second + i, 'second'), 10, second + i, 'second').allowed, true);
  const refused = decide(counter.hit('app|districts', second + 500, 'second'), 10, second + 500, 'second');
  assert.deepEqual(refused, { allowed: false, limit: 10, window: 'second', resetSeconds: 1 });
  assert.equal(counter.hit('app|districts', second + 1000, 'second'), 1);
});
