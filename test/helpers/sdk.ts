/** The official Node SDK pointed at a shenpi, with only the base URL changed, as an integrator would use it. */
import assert from 'node:assert/strict';
import * as lark from '@larksuiteoapi/node-sdk';
import { DEMO_APP } from '../../src/fixtures/demo.js';

/** The SDK logs every failed call at error level; the tests expect failures, so its log is dropped. */
export const quietLogger: lark.Logger = { error() {}, warn() {}, info() {}, debug() {}, trace() {} };

/** A token cache of its own for one Node SDK client: by default the SDK caches tokens per appId process-wide. */
export function freshCache(): lark.Cache {
  const values = new Map<string, unknown>();
  const key = (k: string | symbol, namespace = '') => `${namespace}/${String(k)}`;
  return {
    async set(k, value, _expire, options) {
      values.set(key(k as string | symbol, options?.namespace), value);
      return true;
    },
    async get(k, options) {
      return values.get(key(k as string | symbol, options?.namespace));
    },
  };
}

/** A client of the shenpi at `url` as `app` (the demo app by default), quiet, with a token cache of its own. */
export function sdkClient(url: string, app: { app_id: string; app_secret: string } = DEMO_APP): lark.Client {
  return new lark.Client({
    appId: app.app_id,
    appSecret: app.app_secret,
    domain: url,
    loggerLevel: lark.LoggerLevel.error,
    logger: quietLogger,
    cache: freshCache(),
  });
}

/** For `assert.rejects`: the SDK threw for an answer of HTTP 400 carrying Feishu code `code`. */
export const refusedWith =
  (code: number) =>
  (err: any): true => {
    assert.equal(err.response?.status, 400);
    assert.equal(err.response?.data?.code, code);
    return true;
  };
