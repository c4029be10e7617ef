import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KEPT, keepSafely, REDACTED, redactUrl } from './redaction.js';

/** `[[[...]]]` nested `depth` levels deep, built without recursion. */
function nested(depth: number): unknown {
  let value: unknown = [];
  for (let i = 1; i < depth; i++) value = [value];
  return value;
}

function depthOf(value: unknown): number {
  let depth = 0;
  for (let at = value; Array.isArray(at); at = at[0]) depth += 1;
  return depth;
}

test('a body nested 100,000 levels deep is kept 32 levels deep, the rest marked as cut, and serializes', () => {
  const kept = keepSafely(nested(100_000));
  assert.equal(kept.truncated, true);
  assert.equal(depthOf(kept.value), KEPT.depth);
  assert.match(JSON.stringify(kept.value), /\[cut: deeper than 32 levels\]/);
});

test('a body within the limits is kept whole and not marked', () => {
  const body = { approval_code: 'X', form: '[{"id":"a"}]', list: [1, true, null, { deep: nested(20) }] };
  assert.deepEqual(keepSafely(body), { value: body, truncated: false });
});

test('long strings and many fields are cut to the size limit, and the cuts say how much is missing', () => {
  const long = keepSafely({ text: 'x'.repeat(5_000) });
  assert.equal(long.truncated, true);
  assert.equal((long.value as { text: string }).text, `${'x'.repeat(1_024)}[cut: 3976 more characters]`);

  const wide = keepSafely(Array.from({ length: 10_000 }, (_, i) => `item-${i}`));
  assert.equal(wide.truncated, true);
  assert.ok(JSON.stringify(wide.value).length < KEPT.totalChars * 1.2);
  assert.match(String((wide.value as unknown[]).at(-1)), /^\[cut: \d+ more items\]$/);

  const fields = keepSafely(Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`field_${i}`, i])));
  assert.match(String((fields.value as Record<string, unknown>)['[cut]']), /^\[cut: \d+ more fields\]$/);
});

test('secrets are redacted by field name at any depth, and bearer tokens wherever they appear', () => {
  const kept = keepSafely({
    app_id: 'cli_1',
    app_secret: 's3cret',
    nested: { Encrypt_Key: 'k', verification_token: 'v', tenant_access_token: 't-1', list: ['Bearer t-abc'] },
    app_access_token: 'a-1',
  });
  assert.deepEqual(kept, {
    value: {
      app_id: 'cli_1',
      app_secret: REDACTED,
      nested: { Encrypt_Key: REDACTED, verification_token: REDACTED, tenant_access_token: REDACTED, list: [REDACTED] },
      app_access_token: REDACTED,
    },
    truncated: false,
  });
});

test('a __proto__ field stays a plain field of the copy', () => {
  const body = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as object;
  const kept = keepSafely(body).value as Record<string, unknown>;
  assert.deepEqual(Object.keys(kept), ['__proto__', 'a']);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('secret query parameters are redacted in a logged URL; other parameters are kept', () => {
  assert.equal(
    redactUrl('/open-apis/x?user_id_type=open_id&tenant_access_token=t-abc&App_Secret=s'),
    `/open-apis/x?user_id_type=open_id&tenant_access_token=${encodeURIComponent(REDACTED)}&App_Secret=${encodeURIComponent(REDACTED)}`,
  );
  assert.equal(redactUrl('/open-apis/x?page_token=abc'), '/open-apis/x?page_token=abc');
  assert.equal(redactUrl('/healthz'), '/healthz');
});
