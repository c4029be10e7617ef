import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFINITION_UPDATED, takesEvent, unknownEventType } from './event-types.js';

test('an app that names no event types takes every 1.0 approval type and not the 2.0 definition update', () => {
  for (const type of ['approval_instance', 'approval_task', 'approval_cc']) assert.equal(takesEvent(null, type), true);
  assert.equal(takesEvent(null, DEFINITION_UPDATED), false);
});

test('an app that names its event types takes exactly those', () => {
  assert.equal(takesEvent([DEFINITION_UPDATED], DEFINITION_UPDATED), true);
  assert.equal(takesEvent([DEFINITION_UPDATED], 'approval_instance'), false);
  assert.equal(takesEvent([], 'approval_task'), false);
});

test('a name that is no event type is found', () => {
  assert.deepEqual(unknownEventType(['approval_task', 'approval_tasks']), {
    index: 1,
    reason: 'unknown event type "approval_tasks" (known: approval_instance, approval_task, approval_cc, approval.approval.updated_v4)',
  });
  assert.equal(unknownEventType(['approval_task', DEFINITION_UPDATED]), undefined);
});
