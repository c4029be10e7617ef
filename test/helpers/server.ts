/** End-to-end test harness: a real shenpi on a real socket over a real database of its own (see stores.ts). */
import pino from 'pino';
import { resolveServeConfig, type ServeConfig } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { createServerTestDatabase, type TestStore } from './stores.js';

export interface TestServer extends RunningServer {
  databaseUrl: string;
  /** Stops this server and starts a new one on the same database, at a new URL. */
  restart(): Promise<TestServer>;
}

export const TEST_ADMIN_TOKEN = 'test-admin-token';

/**
 * `logger`: where the server logs (silent by default); `store`: SQLite or PostgreSQL, else the suite's
 * SHENPI_TEST_STORE (a test that runs on both stores itself names each).
 */
export async function startTestServer(
  overrides: Partial<ServeConfig> = {},
  options: { logger?: pino.Logger; store?: TestStore } = {},
): Promise<TestServer> {
  const database = await createServerTestDatabase(options.store);
  const config: ServeConfig = {
    ...resolveServeConfig({}, {}),
    port: 0,
    databaseUrl: database.url,
    adminToken: TEST_ADMIN_TOKEN,
    emulator: true,
    logLevel: 'silent',
    ...overrides,
  };
  const launch = async (cfg: ServeConfig): Promise<TestServer> => {
    const server = await startServer(cfg, { logger: options.logger ?? pino({ level: 'silent' }) });
    return {
      ...server,
      databaseUrl: cfg.databaseUrl,
      async close() {
        await server.close();
        await database.release();
      },
      async restart() {
        await server.close();
        // A new port: a keep-alive socket this process pooled for the old server is then never reused dead.
        return launch(cfg);
      },
    };
  };
  try {
    return await launch(config);
  } catch (err) {
    await database.drop();
    throw err;
  }
}
