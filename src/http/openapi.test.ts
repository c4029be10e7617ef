import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeIntOrString } from './openapi.js';

test('intOrString without a pattern is documented as any non-negative integer or any string', () => {
  assert.deepEqual(describeIntOrString({ intOrString: {} }), {
    anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string' }],
  });
});

test('intOrString of up to n digits takes the integers below 10^n, or a string matching the pattern', () => {
  assert.deepEqual(describeIntOrString({ intOrString: { pattern: '^\\d{1,9}$' } }), {
    anyOf: [
      { type: 'integer', minimum: 0, exclusiveMaximum: 1e9 },
      { type: 'string', pattern: '^\\d{1,9}$' },
    ],
  });
});

test('intOrString of one digit in a range takes the integers up to its last digit', () => {
  const described = describeIntOrString({ intOrString: { pattern: '^[0-7]$' } }) as { anyOf: object[] };
  assert.deepEqual(described.anyOf[0], {
    type: 'integer',
    minimum: 0,
    maximum: 7,
  });
});

test('intOrString is described wherever it sits, and the rest of the schema is copied unchanged', () => {
  const schema = {
    type: 'object',
    properties: { list: { type: 'array', items: { intOrString: {} } }, name: { type: 'string', minLength: 1 } },
    required: ['name'],
  };
  const described = describeIntOrString(schema) as typeof schema;
  assert.deepEqual(described.properties.list.items, { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string' }] });
  assert.deepEqual(described.properties.name, schema.properties.name);
  assert.deepEqual(described.required, ['name']);
  assert.deepEqual(schema.properties.list.items, { intOrString: {} }, 'the route schema itself is left as it is');
});

test('an intOrString pattern whose integers the document can not state stops the generation', () => {
  assert.throws(() => describeIntOrString({ intOrString: { pattern: '^[a-f0-9]+$' } }), /can not describe/);
});
