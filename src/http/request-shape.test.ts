import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FeishuError } from '../domain/errors.js';
import { checkRequestShape, MAX_DEPTH } from './request-shape.js';

const refusal = (parts: Record<string, unknown>): string => {
  try {
    checkRequestShape(parts);
  } catch (err) {
    assert.ok(err instanceof FeishuError);
    assert.equal(err.code, 1390001);
    return err.reason;
  }
  assert.fail('the request was not refused');
};

test('a NUL anywhere is refused with the path of the string that holds it', () => {
  assert.equal(
    refusal({ body: { form: [{ id: 'a', value: 'ok' }, { id: 'b', value: 'x\u0000y' }] }, query: {} }),
    'body.form[1].value contains a NUL character (U+0000)',
  );
  assert.equal(refusal({ body: {}, query: { user_id_type: '\u0000' } }), 'query.user_id_type contains a NUL character (U+0000)');
  assert.equal(refusal({ body: { list: [[{ ['k\u0000']: 1 }]] } }), 'body.list[0][0] has a field name with a NUL character (U+0000)');
});

test('nesting up to the bound passes; one level deeper is refused with its path', () => {
  const nest = (levels: number): unknown => (levels === 0 ? 'leaf' : { a: nest(levels - 1) });
  checkRequestShape({ body: nest(MAX_DEPTH) });
  assert.match(refusal({ body: nest(MAX_DEPTH + 1) }), new RegExp(`^body(\\.a){${MAX_DEPTH}} nests deeper than ${MAX_DEPTH} levels$`));
});

test('ordinary requests pass', () => {
  checkRequestShape({ body: { approval_code: 'A', instance_code: 'B', user_id: 'ou_alice', list: [1, 'two', null, { three: 3 }] }, query: {}, params: undefined });
});
