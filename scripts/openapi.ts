/**
 * `npm run openapi`: writes docs/openapi.json, the OpenAPI document the server answers at /openapi.json
 * (without `servers`), from an app built the way `shenpi serve` builds it, over an in-memory database.
 */
import { writeFileSync } from 'node:fs';
import { buildApp } from '../src/http/app.js';
import { openApiDocument } from '../src/http/openapi.js';
import { createServices } from '../src/services/index.js';
import { openStore } from '../src/storage/open-store.js';

const OPENAPI_FILE = new URL('../docs/openapi.json', import.meta.url);

const store = await openStore('sqlite::memory:');
try {
  const app = await buildApp({ services: createServices(store, { emulator: false }), adminToken: 'unused', emulator: false });
  await app.ready();
  writeFileSync(OPENAPI_FILE, `${JSON.stringify(openApiDocument(app), null, 2)}\n`);
  await app.close();
  process.stdout.write(`wrote ${OPENAPI_FILE.pathname}\n`);
} finally {
  await store.close();
}
