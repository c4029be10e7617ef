/** Starts and stops a whole shenpi: store, services, HTTP. `cli.ts serve`, `startShenpi()` and the end-to-end tests use it. */
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { isLoopbackHost, type ServeConfig } from './config.js';
import { Ids, newAdminToken } from './domain/ids.js';
import { DEMO_APP, demoFixture } from './fixtures/demo.js';
import { buildApp } from './http/app.js';
import { EmulatorControls } from './http/emulator-controls.js';
import type { ClockChange } from './services/clock-service.js';
import { EventDispatcher } from './services/event-dispatcher.js';
import { NodeLease } from './services/node-lease.js';
import type { Fixture } from './services/fixture-schema.js';
import type { FixtureSummary } from './services/fixture-service.js';
import { createServices, type Services } from './services/index.js';
import type { Store } from './services/ports.js';
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

/** One banner line per demo definition: its name and code (its settings may since have changed in the console). */
function demoApprovalLines(approvals: Record<string, unknown>[]): string[] {
  return approvals.map((entry) => {
    const body = entry as CreateApprovalInput;
    const texts = body.i18n_resources.find((r) => r.is_default)?.texts ?? [];
    const name = texts.find((t) => t.key === body.approval_name)?.value ?? body.approval_name;
    return `  approval "${name}" approval_code=${body.approval_code}`;
  });
}

const adminTokenLine = (adminToken: string, generated: boolean) =>
  generated ? `  admin token (generated): ${adminToken}` : '  admin token: from SHENPI_ADMIN_TOKEN / --admin-token';

/** What a newcomer needs to make a first call, printed when the demo data is what the server holds. */
function demoBanner(url: string, adminToken: string, adminTokenGenerated: boolean): string {
  const tenant = demoFixture.tenants[0];
  const users = (tenant?.users ?? []).map((u) => `${u.name} user_id=${u.user_id} open_id=${u.open_id}`);
  return [
    '',
    `shenpi demo data (tenant "${tenant?.tenant_key}"):`,
    `  app_id=${DEMO_APP.app_id} app_secret=${DEMO_APP.app_secret}`,
    ...users.map((u) => `  user ${u}`),
    ...demoApprovalLines(tenant?.approvals ?? []),
    adminTokenLine(adminToken, adminTokenGenerated),
    `  console: ${url}/console`,
    '  try (then follow the README walk-through):',
    `  curl -s -X POST ${url}/open-apis/auth/v3/tenant_access_token/internal -H 'Content-Type: application/json' \\`,
    `    -d '{"app_id":"${DEMO_APP.app_id}","app_secret":"${DEMO_APP.app_secret}"}'`,
    '',
  ].join('\n');
}

/** What a start fixture loaded: its tenants and apps by id (never a secret) and what it counted. */
function fixtureBanner(
  source: string,
  { document, summary }: { document: Fixture; summary: FixtureSummary },
  url: string,
  adminToken: string,
  adminTokenGenerated: boolean,
): string {
  return [
    '',
    `shenpi loaded ${source}: ${summary.tenants} tenant(s), ${summary.apps} app(s), ${summary.users} user(s), ${summary.approvals.length} approval(s)`,
    ...document.tenants.map((t) => `  tenant "${t.tenant_key}": app_id ${(t.apps ?? []).map((a) => a.app_id).join(', ') || '(none)'}`),
    ...summary.approvals.map((code) => `  approval_code=${code}`),
    adminTokenLine(adminToken, adminTokenGenerated),
    `  console: ${url}/console`,
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
  /** One of the worker processes of `--workers` (cluster.ts): its index, from 0. */
  worker?: number;
  /**
   * The start data is loaded and announced already (by the first worker): this one only serves, with the
   * first worker's admin token.
   */
  joining?: boolean;
}

/** What the start loaded: the banner tells of it. */
interface StartData {
  loaded: { document: Fixture; summary: FixtureSummary } | undefined;
  loadDemo: boolean;
  demoHeldBack: boolean;
}

/** Loads what a server starts with (and a reset brings back): the start clock, the demo data, the fixture. */
function startLoader(services: Services, store: Store, config: ServeConfig, options: StartOptions) {
  const { fixture: fixtureDocument, clock } = options;
  const fixturePath = config.fixture;
  const setStartClock = async () => {
    if (clock && config.emulator) await services.clock.change(clock);
  };
  const loadFixture = async (): Promise<StartData['loaded']> => {
    const document = fixtureDocument ?? (fixturePath ? await readFixtureFile(fixturePath) : undefined);
    if (document === undefined) return undefined;
    // load() validates the whole document against the fixture schema first: afterwards it is a Fixture.
    return { document: document as Fixture, summary: await services.fixtures.load(document) };
  };
  return {
    /** After a reset: the start clock, then the start fixture (a document, or the file read again). */
    async reload(): Promise<void> {
      await setStartClock();
      await loadFixture();
    },
    async load(): Promise<StartData> {
      await setStartClock();
      const empty = (await store.directory.counts()).tenants === 0;
      // The demo's secret is published: on an address others reach, it loads only when asked for.
      const demoHeldBack = empty && !config.noDemo && !config.demoAsked && !isLoopbackHost(config.host);
      const loadDemo = empty && !config.noDemo && !demoHeldBack;
      if (loadDemo) await services.fixtures.load(demoFixture);
      return { loaded: await loadFixture(), loadDemo, demoHeldBack };
    },
  };
}

/** The start banner's texts, once the URL is known: what was loaded, the admin token, where the console is. */
async function startBanner(store: Store, config: ServeConfig, data: StartData, url: string, adminToken: string): Promise<string[]> {
  const texts: string[] = [];
  // The demo's people and secret only when the demo is what this server holds: never with --no-demo.
  const generated = config.adminToken === undefined;
  if (data.loaded) {
    texts.push(fixtureBanner(config.fixture ?? 'the fixture', data.loaded, url, adminToken, generated));
  } else if (!config.noDemo && (data.loadDemo || (await store.directory.findApp(DEMO_APP.app_id)))) {
    texts.push(demoBanner(url, adminToken, generated));
  } else if (generated) {
    texts.push(`admin token (generated): ${adminToken}\n`);
  }
  if (data.demoHeldBack) {
    texts.push(`the demo data (published app secret) is not loaded on ${config.host}, an address others reach: --demo loads it\n`);
  }
  return texts;
}

export async function startServer(config: ServeConfig, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? pino({ level: config.logLevel });
  const store = await openStore(config.databaseUrl, {
    sqliteSynchronous: config.sqliteSynchronous,
    poolSize: config.poolSize,
    warn: (message) => logger.warn(message),
  });
  let lease: NodeLease | undefined;
  try {
    const { worker } = options;
    const ids = config.seed !== undefined ? Ids.seeded(config.seed) : Ids.random();
    // Seeded ids draw their last digits from the seed: the emulator is one process.
    if (config.seed === undefined) lease = await NodeLease.acquire(store, ids, { warn: (message) => logger.warn(message) });
    const services = createServices(store, {
      emulator: config.emulator,
      allowPrivateEventUrls: config.allowPrivateEventUrls,
      ids,
    });
    const start = startLoader(services, store, config, options);
    const data = options.joining ? undefined : await start.load();

    const adminToken = config.adminToken ?? newAdminToken();
    const controls = config.emulator ? new EmulatorControls(services.emulator, () => start.reload()) : undefined;
    const limits = {
      requestTimeoutMs: config.requestTimeoutMs,
      keepAliveTimeoutMs: config.keepAliveTimeoutMs,
      maxConnections: config.maxConnections,
    };
    const aggregatedMetrics = worker !== undefined ? (await import('./cluster.js')).workerMetrics : undefined;
    const app = await buildApp({ services, adminToken, emulator: config.emulator, rateLimit: config.rateLimit, logger, controls, limits, aggregatedMetrics });
    await app.listen({ port: config.port, host: config.host });
    const dispatcher = new EventDispatcher(store, services.clock, services.eventUrls, app.log);
    dispatcher.start();
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    const url = `http://${host}:${port}`;
    if (data) {
      // Tools wait for this line, so it is written at any level but silent.
      const announcer = logger.level === 'silent' ? logger : logger.child({}, { level: 'info' });
      announcer.info({ url, emulator: config.emulator, database: config.databaseUrl.split(':')[0], node: lease?.node }, `listening on ${url}`);
      for (const text of await startBanner(store, config, data, url, adminToken)) options.print?.(text);
    } else {
      logger.info({ url, worker, node: lease?.node }, 'worker listening');
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
        await lease?.release();
        await store.close();
      },
    };
  } catch (err) {
    await lease?.release();
    await store.close();
    throw err;
  }
}
