import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  isValid,
  remainingSeconds,
  REISSUE_BELOW_MS,
  reusable,
  TOKEN_TTL_MS,
  type AccessToken,
} from './access-token.js';

const ISSUED_AT = 1_700_000_000_000;

const token = (overrides: Partial<AccessToken> = {}): AccessToken => ({
  token: 't-example',
  kind: 'tenant',
  appId: 'cli_acme_demo',
  tenantKey: 'acme',
  issuedAt: ISSUED_AT,
  expiresAt: ISSUED_AT + TOKEN_TTL_MS,
  ...overrides,
});

const expiresAt = ISSUED_AT + TOKEN_TTL_MS;

describe('access token lifetime', () => {
  test('a token lives 7200 seconds', () => {
    assert.equal(TOKEN_TTL_MS, 7200 * 1000);
  });

  test('a token is reissued below 30 minutes left', () => {
    assert.equal(REISSUE_BELOW_MS, 30 * 60 * 1000);
  });
});

describe('reusing the latest token', () => {
  test('a fresh token is handed out again', () => {
    assert.equal(reusable(token(), ISSUED_AT), true);
  });

  test('a token with exactly 30 minutes left is handed out again', () => {
    assert.equal(reusable(token(), expiresAt - REISSUE_BELOW_MS), true);
  });

  test('a token with just under 30 minutes left is not handed out again', () => {
    assert.equal(reusable(token(), expiresAt - REISSUE_BELOW_MS + 1), false);
  });

  test('an expired token is not handed out again', () => {
    assert.equal(reusable(token(), expiresAt + 1), false);
  });

  test('without a previous token a new one is due', () => {
    assert.equal(reusable(undefined, ISSUED_AT), false);
  });
});

describe('token validity', () => {
  test('a token is valid one millisecond before it expires', () => {
    assert.equal(isValid(token(), expiresAt - 1), true);
  });

  test('a token is invalid at the instant it expires', () => {
    assert.equal(isValid(token(), expiresAt), false);
  });

  test('a token is invalid after it expires', () => {
    assert.equal(isValid(token(), expiresAt + 1000), false);
  });
});

describe('remaining seconds (the expire field)', () => {
  test('a token just issued has 7200 seconds left', () => {
    assert.equal(remainingSeconds(token(), ISSUED_AT), 7200);
  });

  test('partial seconds are rounded down', () => {
    assert.equal(remainingSeconds(token(), ISSUED_AT + 1), 7199);
  });

  test('an expired token has 0 seconds left, never a negative number', () => {
    assert.equal(remainingSeconds(token(), expiresAt + 5000), 0);
  });
});
