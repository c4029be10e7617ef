import { availableParallelism } from 'node:os';

/**
 * Server configuration: each setting from its `shenpi serve` flag, else its environment variable, else the
 * default of contract.md. Pure, so the precedence is testable.
 */
export interface ServeConfig {
  port: number;
  host: string;
  databaseUrl: string;
  fixture: string | undefined;
  adminToken: string | undefined;
  emulator: boolean;
  noDemo: boolean;
  /** `--demo` / SHENPI_DEMO: load the demo data even when listening on an address that is not the loopback. */
  demoAsked: boolean;
  logLevel: string;
  sqliteSynchronous: 'FULL' | 'NORMAL';
  /** Feishu's per-app request limits; undefined = on, except in emulator mode. */
  rateLimit: boolean | undefined;
  /** PostgreSQL connections per node. */
  poolSize: number;
  /** Event URLs may name loopback and private addresses outside emulator mode too. */
  allowPrivateEventUrls: boolean;
  /** How long a client may take (ms) and how many may be connected at once. */
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
  /** Emulator mode: ids, tokens and log ids drawn from this seed, the same run to run; random when undefined. */
  seed: number | undefined;
  /** Processes serving HTTP on the one port and database (node:cluster); 1 serves in this process. */
  workers: number;
}

/** Flags as commander hands them over: strings and booleans, absent when not given. */
export interface ServeFlags {
  port?: string;
  host?: string;
  db?: string;
  fixture?: string;
  adminToken?: string;
  emulator?: boolean;
  /** `--demo` gives true, `--no-demo` false. */
  demo?: boolean;
  logLevel?: string;
  sqliteSynchronous?: string;
  rateLimit?: string;
  dbPoolSize?: string;
  allowPrivateEventUrls?: boolean;
  seed?: string;
  requestTimeoutMs?: string;
  keepAliveTimeoutMs?: string;
  maxConnections?: string;
  workers?: string;
}

type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const DEFAULT_DATABASE_URL = 'sqlite:./data/shenpi.sqlite';

/** A listen address only this machine reaches (the demo data, with its published secret, loads there by itself). */
export const isLoopbackHost = (host: string): boolean =>
  host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);

/** Outside emulator mode the admin token guards the whole server: a short one is a guessable one. */
export const MIN_ADMIN_TOKEN_LENGTH = 16;

/** The admin token as given (undefined: generate one), refused when empty, or short outside emulator mode. */
function adminTokenOf(flags: ServeFlags, env: Env, emulator: boolean): string | undefined {
  const token = flags.adminToken ?? env.SHENPI_ADMIN_TOKEN;
  if (token === undefined) return undefined;
  if (token.trim() === '') {
    throw new ConfigError('the admin token (--admin-token, SHENPI_ADMIN_TOKEN) is empty: give one, or leave it unset for a generated one');
  }
  if (!emulator && token.length < MIN_ADMIN_TOKEN_LENGTH) {
    throw new ConfigError(`the admin token must have at least ${MIN_ADMIN_TOKEN_LENGTH} characters outside emulator mode`);
  }
  return token;
}
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function envFlag(env: Env, name: string): boolean | undefined {
  const value = env[name]?.trim().toLowerCase();
  if (value === undefined || value === '') return undefined;
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  throw new ConfigError(`${name} must be true or false, not "${env[name]}"`);
}

/** A whole number from `min` to `max`, from its flag or else its environment variable, else the default. */
function wholeNumber(flag: string | undefined, env: Env, name: string, fallback: number, min: number, max: number): number {
  const text = flag ?? env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, not "${text}"`);
  }
  return value;
}

function parsePort(value: string, source: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new ConfigError(`${source} must be a port number 0-65535, not "${value}"`);
  return port;
}

/** The most worker processes: far more than cores would only add lock waits and memory. */
export const MAX_WORKERS = 64;

/** `--workers`: a whole number, or `auto` for one per core the machine gives this process. */
function workersOf(flags: ServeFlags, env: Env, emulator: boolean, databaseUrl: string): number {
  const text = (flags.workers ?? env.SHENPI_WORKERS)?.trim();
  const workers = text?.toLowerCase() === 'auto' ? Math.min(availableParallelism(), MAX_WORKERS) : wholeNumber(text, {}, 'SHENPI_WORKERS', 1, 1, MAX_WORKERS);
  if (workers === 1) return workers;
  // The emulator's controls (clock, snapshots, fault rules, request log, seeded ids) live in one process.
  if (emulator) throw new ConfigError('emulator mode runs in one process: --workers must be 1 with --emulator');
  if (/^sqlite::memory:$/i.test(databaseUrl)) throw new ConfigError('an in-memory database lives in one process: --workers must be 1 with sqlite::memory:');
  return workers;
}

export function resolveServeConfig(flags: ServeFlags, env: Env): ServeConfig {
  const logLevel = flags.logLevel ?? env.LOG_LEVEL ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`log level must be one of ${LOG_LEVELS.join(', ')}`);
  const synchronous = (flags.sqliteSynchronous ?? env.SHENPI_SQLITE_SYNCHRONOUS ?? 'FULL').toUpperCase();
  if (synchronous !== 'FULL' && synchronous !== 'NORMAL') {
    throw new ConfigError(`SQLite synchronous must be FULL or NORMAL, not "${synchronous}"`);
  }
  const poolSize = Number(flags.dbPoolSize ?? env.SHENPI_DB_POOL_SIZE ?? '10');
  if (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > 1000) {
    throw new ConfigError('the database pool size must be a whole number from 1 to 1000');
  }
  const seedText = flags.seed ?? (env.SHENPI_SEED || undefined);
  const seed = seedText === undefined ? undefined : Number(seedText);
  if (seed !== undefined && (!/^\d+$/.test(seedText ?? '') || !Number.isSafeInteger(seed))) {
    throw new ConfigError(`the seed must be a whole number from 0 to 2^53-1, not "${seedText}"`);
  }
  const emulator = flags.emulator ?? envFlag(env, 'SHENPI_EMULATOR') ?? false;
  // Seeded tokens can be guessed by whoever knows the seed: only the emulator, a test server, takes one.
  if (seed !== undefined && !emulator) throw new ConfigError('a seed (--seed, SHENPI_SEED) needs emulator mode (--emulator)');
  const databaseUrl = flags.db ?? env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  return {
    port: flags.port !== undefined ? parsePort(flags.port, '--port') : parsePort(env.PORT ?? '8080', 'PORT'),
    host: flags.host ?? env.HOST ?? '127.0.0.1',
    databaseUrl,
    fixture: flags.fixture ?? (env.SHENPI_FIXTURE || undefined),
    adminToken: adminTokenOf(flags, env, emulator),
    emulator,
    // commander turns `--no-demo` into `demo: false`, `--demo` into `demo: true`.
    noDemo: flags.demo === false || (flags.demo === undefined && (envFlag(env, 'SHENPI_NO_DEMO') ?? false)),
    demoAsked: flags.demo === true || (flags.demo === undefined && (envFlag(env, 'SHENPI_DEMO') ?? false)),
    logLevel,
    sqliteSynchronous: synchronous,
    poolSize,
    allowPrivateEventUrls: flags.allowPrivateEventUrls ?? envFlag(env, 'SHENPI_ALLOW_PRIVATE_EVENT_URLS') ?? false,
    seed,
    requestTimeoutMs: wholeNumber(flags.requestTimeoutMs, env, 'SHENPI_REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000),
    keepAliveTimeoutMs: wholeNumber(flags.keepAliveTimeoutMs, env, 'SHENPI_KEEP_ALIVE_TIMEOUT_MS', 72_000, 100, 3_600_000),
    maxConnections: wholeNumber(flags.maxConnections, env, 'SHENPI_MAX_CONNECTIONS', 1_000, 1, 1_000_000),
    rateLimit:
      flags.rateLimit !== undefined
        ? envFlag({ '--rate-limit': flags.rateLimit }, '--rate-limit')
        : envFlag(env, 'SHENPI_RATE_LIMIT'),
    workers: workersOf(flags, env, emulator, databaseUrl),
  };
}
