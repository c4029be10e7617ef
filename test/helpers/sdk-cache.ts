/** A token cache of its own for one Node SDK client: by default the SDK caches tokens per appId process-wide. */
import type * as lark from '@larksuiteoapi/node-sdk';

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
