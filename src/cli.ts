/**
 * The `shenpi` command: serve, migrate, load. Each command imports the server, storage and services only when
 * it runs, so `--help` and `--version` load little more than commander.
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { DEFAULT_DATABASE_URL, resolveServeConfig, type ServeFlags } from './config.js';

// One level below the package root both as src/cli.ts and as dist/cli.js.
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('shenpi')
  .description('A self-hosted server speaking the Feishu / Lark Approval v4 Open API')
  .version(version, '-v, --version', 'print the version')
  .showHelpAfterError();

const dbOption = () =>
  new Option('--db <url>', `database: sqlite:PATH, sqlite::memory: or postgres://... (env DATABASE_URL, default ${DEFAULT_DATABASE_URL})`);

program
  .command('serve')
  .description('run the HTTP server (every flag also reads its environment variable)')
  .option('--port <port>', 'listen port, 0 picks a free one (env PORT, default 8080)')
  .option('--host <host>', 'listen address (env HOST, default 127.0.0.1)')
  .addOption(dbOption())
  .option('--fixture <file>', 'fixture JSON loaded at start (env SHENPI_FIXTURE)')
  .option('--admin-token <token>', 'bearer token of /_shenpi/* and the console (env SHENPI_ADMIN_TOKEN, default random)')
  .option('--emulator', 'turn on the test controls: settable clock, reset, snapshots (env SHENPI_EMULATOR)')
  .option('--seed <n>', 'with --emulator: ids, tokens and log ids repeat run to run for this seed (env SHENPI_SEED)')
  .option('--request-timeout-ms <ms>', 'how long a request may take to arrive (env SHENPI_REQUEST_TIMEOUT_MS, default 30000)')
  .option('--keep-alive-timeout-ms <ms>', 'how long an idle kept-alive connection stays open (env SHENPI_KEEP_ALIVE_TIMEOUT_MS, default 72000)')
  .option('--max-connections <n>', 'connections held at once, more are closed (env SHENPI_MAX_CONNECTIONS, default 1000)')
  .option('--demo', 'load the demo data into an empty database even on an address that is not the loopback (env SHENPI_DEMO)')
  .option('--no-demo', 'do not load the demo data into an empty database (env SHENPI_NO_DEMO)')
  .option('--log-level <level>', 'pino level (env LOG_LEVEL, default info)')
  .option('--db-pool-size <n>', 'PostgreSQL connections per node (env SHENPI_DB_POOL_SIZE, default 10)')
  .option('--rate-limit <on|off>', "Feishu's per-app request limits (env SHENPI_RATE_LIMIT, default on, off with --emulator)")
  .option('--workers <n>', 'processes serving the one port and database, or auto: one per core (env SHENPI_WORKERS, default 1)')
  .option('--sqlite-synchronous <mode>', 'FULL (durable) or NORMAL (faster) (env SHENPI_SQLITE_SYNCHRONOUS, default FULL)')
  .option(
    '--allow-private-event-urls',
    'event URLs may name loopback and private addresses outside emulator mode (env SHENPI_ALLOW_PRIVATE_EVENT_URLS)',
  )
  .action(async (flags: ServeFlags) => {
    const config = resolveServeConfig(flags, process.env);
    const print = (text: string) => process.stderr.write(`${text}\n`);
    const cluster = config.workers > 1 ? await import('./cluster.js') : undefined;
    const role = cluster?.workerRole();
    if (cluster && !role) process.exit(await cluster.runPrimary(config));
    const { startServer } = await import('./server.js');
    const server = await startServer(config, { ...role, print });
    if (role && !role.joining) cluster?.reportStarted(server.adminToken);
    let closing = false;
    const shutdown = (signal: string) => {
      if (closing) return;
      closing = true;
      server.app.log.info({ signal }, 'shutting down');
      server.close().then(
        () => process.exit(0),
        (err: unknown) => {
          server.app.log.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    // A second signal stops a lone server at once; a worker may hear each twice (from a process group's
    // signal and from the primary), and the primary sees to it.
    const on = role ? process.on.bind(process) : process.once.bind(process);
    on('SIGINT', () => shutdown('SIGINT'));
    on('SIGTERM', () => shutdown('SIGTERM'));
  });

program
  .command('migrate')
  .description('bring the database schema up to date, then exit')
  .addOption(dbOption())
  .action(async (flags: { db?: string }) => {
    const url = flags.db ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
    const { connect, migrate } = await import('./storage/open-store.js');
    const db = await connect(url);
    try {
      const applied = await migrate(db, url);
      process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'schema is up to date\n');
    } finally {
      await db.destroy();
    }
  });

program
  .command('load')
  .description('load a fixture file (idempotent upsert; all or nothing), then exit')
  .argument('<file>', 'fixture JSON')
  .addOption(dbOption())
  .action(async (file: string, flags: { db?: string }) => {
    const [{ loadFixtureFile }, { createServices }, { openStore }, { Ids }, { NodeLease }] = await Promise.all([
      import('./server.js'),
      import('./services/index.js'),
      import('./storage/open-store.js'),
      import('./domain/ids.js'),
      import('./services/node-lease.js'),
    ]);
    const store = await openStore(flags.db ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL);
    try {
      // A server may be running on the database: the ids made here take a node number of their own.
      const ids = Ids.random();
      const lease = await NodeLease.acquire(store, ids);
      try {
        // The event URLs of the file are checked as the server that will use them would (its environment).
        const { emulator, allowPrivateEventUrls } = resolveServeConfig({}, process.env);
        const summary = await loadFixtureFile(createServices(store, { emulator, allowPrivateEventUrls, ids }), file);
        process.stdout.write(`${JSON.stringify({ loaded: summary })}\n`);
      } finally {
        await lease.release();
      }
    } finally {
      await store.close();
    }
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`shenpi: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
