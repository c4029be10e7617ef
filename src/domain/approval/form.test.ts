import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validateForm } from './form.js';
import type { Widget } from './widgets.js';
import { accepted, assertRefused } from './test-support.js';

const widget = (id: string, type: string, extra: Partial<Widget> = {}): Widget => ({
  id,
  type,
  name: id,
  required: false,
  raw: { id, type },
  ...extra,
});

const form = (...values: unknown[]) => JSON.stringify(values);

describe('validating an instance form', () => {
  test('a form matching the widgets is accepted, values as given', () => {
    const widgets = [widget('reason', 'input', { required: true }), widget('days', 'number')];
    assert.deepEqual(
      accepted(validateForm(widgets, form({ id: 'reason', type: 'input', value: 'flu' }, { id: 'days', type: 'number', value: 2 }))),
      [
        { id: 'reason', type: 'input', value: 'flu' },
        { id: 'days', type: 'number', value: 2 },
      ],
    );
  });

  test('a form that is not JSON refuses', () =>
    assertRefused(validateForm([], '[{'), 1390001, /form is not valid JSON/));

  test('a form that is not an array refuses', () =>
    assertRefused(validateForm([], '{"id":"a"}'), 1390001, /form must be a JSON array/));

  test('an entry that is not an object refuses', () =>
    assertRefused(validateForm([], '[1]'), 1390001, /form\[0\] must be an object/));

  test('an entry without a string id refuses', () =>
    assertRefused(validateForm([], form({ type: 'input', value: 'x' })), 1390001, /form\[0\]\.id must be a string/));

  test('an entry without a string type refuses', () =>
    assertRefused(validateForm([widget('a', 'input')], form({ id: 'a', value: 'x' })), 1390001, /form\[0\]\.type must be a string/));

  test('an id that is no widget of the definition refuses, naming it', () =>
    assertRefused(
      validateForm([widget('a', 'input')], form({ id: 'zzz', type: 'input', value: 'x' })),
      1390001,
      /form widget "zzz" is not a widget of this approval/,
    ));

  test('a type that differs from the widget\'s refuses', () =>
    assertRefused(
      validateForm([widget('a', 'input')], form({ id: 'a', type: 'number', value: 1 })),
      1390001,
      /form widget "a" has type "number" but the approval defines it as "input"/,
    ));

  test('a widget given twice refuses', () =>
    assertRefused(
      validateForm([widget('a', 'input')], form({ id: 'a', type: 'input', value: 'x' }, { id: 'a', type: 'input', value: 'y' })),
      1390001,
      /form widget "a" is given more than once/,
    ));

  test('a required widget that is absent refuses', () =>
    assertRefused(validateForm([widget('a', 'input', { required: true })], '[]'), 1390001, /form widget "a" \(input\) is required/));

  for (const empty of ['', null, []]) {
    test(`a required widget with the empty value ${JSON.stringify(empty)} refuses`, () =>
      assertRefused(
        validateForm([widget('a', 'input', { required: true })], form({ id: 'a', type: 'input', value: empty })),
        1390001,
        /form widget "a" \(input\) is required/,
      ));
  }

  test('an optional widget may be absent or empty', () => {
    accepted(validateForm([widget('a', 'number')], '[]'));
    accepted(validateForm([widget('a', 'number')], form({ id: 'a', type: 'number', value: '' })));
  });
});

describe('value shapes by widget type', () => {
  const check = (w: Widget, value: unknown) => validateForm([w], form({ id: w.id, type: w.type, value }));

  for (const type of ['input', 'textarea', 'text', 'telephone', 'serialNumber', 'date']) {
    test(`${type} takes a string`, () => {
      accepted(check(widget('w', type), 'some text'));
      assertRefused(check(widget('w', type), 4), 1390001, new RegExp(`form widget "w" \\(${type}\\) needs a string value`));
    });
  }

  for (const type of ['number', 'amount', 'formula']) {
    test(`${type} takes a number or a numeric string`, () => {
      accepted(check(widget('w', type), 12.5));
      accepted(check(widget('w', type), '12.5'));
      assertRefused(check(widget('w', type), 'twelve'), 1390001, /needs a number or a numeric string/);
      assertRefused(check(widget('w', type), [1]), 1390001, /needs a number or a numeric string/);
    });
  }

  test('dateInterval takes {start, end}', () => {
    accepted(check(widget('w', 'dateInterval'), { start: '2024-01-01T00:00:00+08:00', end: '2024-01-02T00:00:00+08:00', interval: 1 }));
    assertRefused(check(widget('w', 'dateInterval'), { start: '2024-01-01' }), 1390001, /needs an object \{start, end\}/);
    assertRefused(check(widget('w', 'dateInterval'), '2024-01-01'), 1390001, /needs an object \{start, end\}/);
  });

  const options = [
    { value: 'sick', text: 'Sick' },
    { value: 'annual', text: 'Annual' },
  ];

  for (const type of ['radioV2', 'radio']) {
    test(`${type} takes one of its option values`, () => {
      accepted(check(widget('w', type, { options }), 'sick'));
      assertRefused(check(widget('w', type, { options }), 'party'), 1390001, /has "party", which is not one of its options \(sick, annual\)/);
      assertRefused(check(widget('w', type, { options }), ['sick']), 1390001, /needs a string value/);
    });
  }

  test('radioV2 without listed options takes any string', () => {
    accepted(check(widget('w', 'radioV2'), 'anything'));
  });

  test('checkboxV2 takes an array of option values', () => {
    accepted(check(widget('w', 'checkboxV2', { options }), ['sick', 'annual']));
    assertRefused(check(widget('w', 'checkboxV2', { options }), ['sick', 'party']), 1390001, /has "party"/);
    assertRefused(check(widget('w', 'checkboxV2', { options }), 'sick'), 1390001, /needs an array of strings/);
  });

  test('contact takes an array of user id strings', () => {
    accepted(check(widget('w', 'contact'), ['u_bob']));
    assertRefused(check(widget('w', 'contact'), 'u_bob'), 1390001, /needs an array of user id strings/);
    assertRefused(check(widget('w', 'contact'), [1]), 1390001, /needs an array of user id strings/);
  });

  test('other widget types are accepted as given', () => {
    const value = [{ url: 'https://example.com/a.png' }];
    assert.deepEqual(accepted(check(widget('w', 'image'), value)), [{ id: 'w', type: 'image', value }]);
  });
});
