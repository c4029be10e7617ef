/**
 * The `shenpi` package: a whole shenpi started inside your test process. The returned handle acts on the
 * running server directly, through the same services as the `/_shenpi/*` admin endpoints.
 */
import pino from 'pino';
import { resolveServeConfig, type ServeConfig } from './config.js';
import type { FaultRule, FaultRuleInput, RequestFilter, RequestRecord } from './http/emulator-controls.js';
import { startServer } from './server.js';
import type { Fixture } from './services/fixture-schema.js';

export type { Fixture, FaultRule, FaultRuleInput, RequestFilter, RequestRecord };

export interface ShenpiOptions {
  /** Loaded at start and again at each `reset()`: a fixture document (contract.md), or the path of a fixture JSON file. */
  fixture?: Fixture | string;
  /** Listen port; 0 (the default) picks a free one. */
  port?: number;
  /** Listen address; default 127.0.0.1. */
  host?: string;
  /** Load the demo data (tenant `acme`, app `cli_acme_demo`) into the empty database; default false. */
  demo?: boolean;
  /** Ids, tokens and log ids drawn from this seed (a whole number): the same calls make the same ids run to run. */
  seed?: number;
  /**
   * The clock at start and after each `reset()`, set before any data loads; with `frozen: true` it stands
   * still there (together with `seed`, whole answers then repeat byte for byte). Default: real time.
   */
  clock?: { now: number; frozen?: boolean };
  /** `sqlite::memory:` (the default), `sqlite:PATH` or `postgres://...`. */
  database?: string;
  /** Bearer token of the admin endpoints and the console; generated when absent. */
  adminToken?: string;
  /** Feishu's per-app request limits; default false. */
  rateLimit?: boolean;
  /** Where the server logs; default a pino logger at `logLevel` on stdout. */
  logger?: pino.Logger;
  /** pino level of the default logger; default `silent`. */
  logLevel?: string;
}

export interface ShenpiClock {
  /** The server time, epoch ms. */
  now(): Promise<number>;
  /** Sets the server time (time flows on from there, or stands still with `frozen: true`); answers it. */
  set(epochMs: number, options?: { frozen?: boolean }): Promise<number>;
  /** Moves the server time on by `ms` (a frozen clock stays frozen); answers it. */
  advance(ms: number): Promise<number>;
}

export interface Shenpi {
  /** Base URL, e.g. `http://127.0.0.1:38215`: the `domain` of the official SDKs. */
  url: string;
  port: number;
  adminToken: string;
  clock: ShenpiClock;
  /** Deletes all data, the request log and fault rules, starts the ids over, then loads the start clock and fixture again. */
  reset(): Promise<void>;
  /** Keeps every table's rows (data, tokens, clock, deliveries) and the id state in memory; answers the snapshot's id. */
  snapshot(): Promise<string>;
  /** Brings a snapshot back in one transaction; throws for an unknown id. */
  restore(id: string): Promise<void>;
  /** The latest Open API requests (secrets redacted), oldest first, those `filter` names. */
  requests(filter?: RequestFilter): RequestRecord[];
  faults: {
    /** Answers matching Open API requests with an error and/or delays them; throws a TypeError for a malformed rule. */
    add(rule: FaultRuleInput): FaultRule;
    list(): FaultRule[];
    clear(): void;
  };
  /** Stops the server and closes its database. */
  close(): Promise<void>;
}

/**
 * Starts shenpi in this process, in emulator mode, on an in-memory SQLite database unless told otherwise.
 *
 * @example
 * ```ts
 * import * as lark from '@larksuiteoapi/node-sdk';
 * import { startShenpi } from 'shenpi';
 *
 * const shenpi = await startShenpi({ fixture: './test/fixture.json' });
 * const client = new lark.Client({ appId: 'cli_test', appSecret: 'test-secret', domain: shenpi.url });
 * const form = JSON.stringify([{ id: 'reason', type: 'input', value: 'Family trip' }]);
 * await client.approval.v4.instance.create({ data: { approval_code: LEAVE, open_id: 'ou_alice', form } });
 * await shenpi.clock.advance(61 * 60 * 1000); // the revoke window of an hour has passed
 * await shenpi.close();
 * ```
 */
export async function startShenpi(options: ShenpiOptions = {}): Promise<Shenpi> {
  // Through the CLI's own checks (port, seed, log level); the environment is not read.
  const config: ServeConfig = resolveServeConfig(
    {
      port: String(options.port ?? 0),
      host: options.host ?? '127.0.0.1',
      db: options.database ?? 'sqlite::memory:',
      ...(typeof options.fixture === 'string' ? { fixture: options.fixture } : {}),
      ...(options.adminToken !== undefined ? { adminToken: options.adminToken } : {}),
      emulator: true,
      demo: options.demo ?? false,
      logLevel: options.logLevel ?? 'silent',
      rateLimit: options.rateLimit ? 'on' : 'off',
      ...(options.seed !== undefined ? { seed: String(options.seed) } : {}),
    },
    {},
  );
  const server = await startServer(config, {
    logger: options.logger ?? pino({ level: config.logLevel }),
    ...(typeof options.fixture === 'object' ? { fixture: options.fixture } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const { services } = server;
  const controls = server.controls!;
  const time = services.clock;
  return {
    url: server.url,
    port: server.port,
    adminToken: server.adminToken,
    clock: {
      async now() {
        await time.refresh();
        return time.clock.now();
      },
      set: (epochMs, setOptions = {}) => time.change({ now: epochMs, frozen: setOptions.frozen ?? false }),
      advance: (ms) => time.change({ advance_ms: ms }),
    },
    reset: () => controls.reset(),
    snapshot: () => services.emulator.snapshot(),
    async restore(id) {
      if (!(await services.emulator.restore(id))) throw new Error(`no snapshot "${id}" on this server`);
    },
    requests: (filter) => controls.listRequests(filter),
    faults: {
      add: (rule) => controls.addFault(rule),
      list: () => [...controls.faults],
      clear() {
        controls.faults = [];
      },
    },
    close: () => server.close(),
  };
}
