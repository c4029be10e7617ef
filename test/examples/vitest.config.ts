/**
 * The README's vitest example (examples/vitest) as it is, with 'shenpi' resolved to src/index.ts: the suite
 * runs it before the package is built.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';
import example from '../../examples/vitest/vitest.config.js';

export default mergeConfig(
  example,
  defineConfig({
    root: fileURLToPath(new URL('../../examples/vitest', import.meta.url)),
    // Vitest's cache stays out of examples/, whose files the README shows.
    cacheDir: join(tmpdir(), 'shenpi-vitest-example'),
    resolve: { alias: { shenpi: fileURLToPath(new URL('../../src/index.ts', import.meta.url)) } },
  }),
);
