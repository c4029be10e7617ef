/** Starts and stops a whole shenpi: store, services, HTTP. `cli.ts serve`, `startShenpi()` and the end-to-end tests use it. */
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import type { ServeConfig } from './config.js';
import { Ids, newAdminToken } from './domain/ids.js';
import { DEMO_APP, demoFixture } from './fixtures/demo.js';
import { buildApp } from './http/app.js';
import { EmulatorControls } from './http/emulator-controls.js';
import type { ClockChange } from './services/clock-service.js';
import { EventDispatcher } from './services/event-dispatcher.js';
import { createServices, type Services } from './services/index.js';
import { openStore } from './storage/open-store.js';
import type { CreateApprovalInput } from './wire/approval-requests.js';

export interface RunningServer {
  url: string;
  port: number;
  adminToken: string;
  app: FastifyInstance;
  services: Services;
  /** The request log, fault rules and reset; in emulator mode only. */
  controls: EmulatorControls | undefined;
  /** Stops accepting, lets in-flight requests finish, then closes the database. */
  close(): Promise<void>;
}

async function readFixtureFile(path: string): Promise<unknown> {
  const text = await readFile(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${path} is not JSON: ${(err as Error).message}`);
  }
}

export async function loadFixtureFile(services: Services, path: string) {
  return services.fixtures.load(await readFixtureFile(path));
}

/** What a newcomer needs to make a first call, printed when the demo data is present. */
/** One banner line per demo definition: its name and code (its settings may since have changed in the console). */
function demoApprovalLines(approvals: Record<string, unknown>[]): string[] {
  return approvals.map((entry) => {
    const body = entry as CreateApprovalInput;
    const texts = body.i18n_resources.find((r) => r.is_default)?.texts ?? [];
    const name = texts.find((t) => t.key === body.approval_name)?.value ?? body.approval_name;
    return `  approval "${name}" approval_code=${body.approval_code}`;
  });
}

function demoBanner(url: string, adminToken: string, adminTokenGenerated: boolean): string {
  const tenant = demoFixture.tenants[0];
  const users = (tenant?.users ?? []).map((u) => `${u.name} user_id=${u.user_id} open_id=${u.open_id}`);
  return [
    '',
    `shenpi demo data (tenant "${tenant?.tenant_key}"):`,
    `  app_id=${DEMO_APP.app_id} app_secret=${DEMO_APP.app_secret}`,
    ...users.map((u) => `  user ${u}`),
    ...demoApprovalLines(tenant?.approvals ?? []),
    adminTokenGenerated ? `  admin token (generated): ${adminToken}` : '  admin token: from SHENPI_ADMIN_TOKEN / --admin-token',
    `  console: ${url}/console`,
    '  try (then follow the README walk-through):',
    `  curl -s -X POST ${url}/open-apis/auth/v3/tenant_access_token/internal -H 'Content-Type: application/json' \\`,
    `    -d '{"app_id":"${DEMO_APP.app_id}","app_secret":"${DEMO_APP.app_secret}"}'`,
    '',
  ].join('\n');
}

export interface StartOptions {
  /** Where the human-readable start banner goes; logs stay JSON on stdout. */
  print?: (text: string) => void;
  /** A logger to use instead of a new pino on stdout (tests pass a silent one). */
  logger?: pino.Logger;
  /** A fixture document, loaded at start and again after each reset, instead of `config.fixture`'s file. */
  fixture?: object;
  /** Emulator mode: the clock at start and after each reset, set before any data is loaded. */
  clock?: Extract<ClockChange, { now: number }>;
}

export async function startServer(config: ServeConfig, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? pino({ level: config.logLevel });
  const store = await openStore(config.databaseUrl, {
    sqliteSynchronous: config.sqliteSynchronous,
    poolSize: config.poolSize,
  });
  try {
    const ids = config.seed === undefined ? Ids.random() : Ids.seeded(config.seed);
    const services = createServices(store, {
      emulator: config.emulator,
      allowPrivateEventUrls: config.allowPrivateEventUrls,
      ids,
    });
    // What a reset brings back: the start clock, then the start fixture (a document, or the file read again).
    const { fixture: fixtureDocument, clock } = options;
    const fixturePath = config.fixture;
    const setStartClock = async () => {
      if (clock && config.emulator) await services.clock.change(clock);
    };
    const loadFixture = async () => {
      if (fixtureDocument) await services.fixtures.load(fixtureDocument);
      else if (fixturePath) await loadFixtureFile(services, fixturePath);
    };

    await setStartClock();
    const empty = (await store.directory.counts()).tenants === 0;
    const loadDemo = empty && !config.noDemo;
    if (loadDemo) await services.fixtures.load(demoFixture);
    await loadFixture();

    const adminToken = config.adminToken ?? newAdminToken();
    const controls = config.emulator
      ? new EmulatorControls(services.emulator, async () => {
          await setStartClock();
          await loadFixture();
        })
      : undefined;
    const app = await buildApp({ services, adminToken, emulator: config.emulator, rateLimit: config.rateLimit, logger, controls });
    await app.listen({ port: config.port, host: config.host });
    const dispatcher = new EventDispatcher(store, services.clock, services.eventUrls, app.log);
    dispatcher.start();
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    const url = `http://${host}:${port}`;
    // Tools wait for this line, so it is written at any level but silent.
    const announcer = logger.level === 'silent' ? logger : logger.child({}, { level: 'info' });
    announcer.info({ url, emulator: config.emulator, database: config.databaseUrl.split(':')[0] }, `listening on ${url}`);
    if (loadDemo || (await store.directory.findApp(DEMO_APP.app_id))) {
      options.print?.(demoBanner(url, adminToken, config.adminToken === undefined));
    } else if (config.adminToken === undefined) {
      options.print?.(`admin token (generated): ${adminToken}\n`);
    }

    return {
      url,
      port,
      adminToken,
      app,
      services,
      controls,
      async close() {
        await app.close();
        await dispatcher.stop();
        await store.close();
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}
