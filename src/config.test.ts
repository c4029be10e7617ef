import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { availableParallelism } from 'node:os';
import { ConfigError, isLoopbackHost, MAX_WORKERS, resolveServeConfig, type ServeConfig } from './config.js';

/** The settings of contract.md's configuration table (plus the SQLite durability mode). */
const CONTRACT_KEYS = [
  'port',
  'host',
  'databaseUrl',
  'fixture',
  'adminToken',
  'emulator',
  'noDemo',
  'logLevel',
  'sqliteSynchronous',
] as const;

const contractSettings = (config: ServeConfig) =>
  Object.fromEntries(CONTRACT_KEYS.map((key) => [key, config[key]]));

describe('serve configuration defaults (contract.md)', () => {
  test('with no flag and no environment every setting takes the documented default', () => {
    assert.deepEqual(contractSettings(resolveServeConfig({}, {})), {
      port: 8080,
      host: '127.0.0.1',
      databaseUrl: 'sqlite:./data/shenpi.sqlite',
      fixture: undefined,
      adminToken: undefined,
      emulator: false,
      noDemo: false,
      logLevel: 'info',
      sqliteSynchronous: 'FULL',
    });
  });
});

describe('where each setting comes from', () => {
  const env = {
    PORT: '9000',
    HOST: '0.0.0.0',
    DATABASE_URL: 'sqlite:/env.sqlite',
    SHENPI_FIXTURE: 'env.json',
    SHENPI_ADMIN_TOKEN: 'env-token',
    SHENPI_EMULATOR: '1',
    SHENPI_NO_DEMO: '1',
    LOG_LEVEL: 'warn',
    SHENPI_SQLITE_SYNCHRONOUS: 'NORMAL',
  };

  test('each environment variable is used when its flag is absent', () => {
    assert.deepEqual(contractSettings(resolveServeConfig({}, env)), {
      port: 9000,
      host: '0.0.0.0',
      databaseUrl: 'sqlite:/env.sqlite',
      fixture: 'env.json',
      adminToken: 'env-token',
      emulator: true,
      noDemo: true,
      logLevel: 'warn',
      sqliteSynchronous: 'NORMAL',
    });
  });

  test('each flag beats its environment variable', () => {
    const flags = {
      port: '7000',
      host: '::1',
      db: 'sqlite::memory:',
      fixture: 'flag.json',
      adminToken: 'flag-token-of-16+',
      emulator: false,
      logLevel: 'debug',
      sqliteSynchronous: 'full',
    };
    assert.deepEqual(contractSettings(resolveServeConfig(flags, { ...env, SHENPI_EMULATOR: '0' })), {
      port: 7000,
      host: '::1',
      databaseUrl: 'sqlite::memory:',
      fixture: 'flag.json',
      adminToken: 'flag-token-of-16+',
      emulator: false,
      noDemo: true,
      logLevel: 'debug',
      sqliteSynchronous: 'FULL',
    });
    assert.equal(resolveServeConfig({ emulator: true }, { SHENPI_EMULATOR: '0' }).emulator, true);
  });

  test('PORT=0 asks for a free port', () => {
    assert.equal(resolveServeConfig({}, { PORT: '0' }).port, 0);
  });
});

describe('boolean environment variables', () => {
  for (const value of ['1', 'true', 'TRUE']) {
    test(`SHENPI_EMULATOR=${value} turns emulator mode on`, () => {
      assert.equal(resolveServeConfig({}, { SHENPI_EMULATOR: value }).emulator, true);
    });
  }

  for (const value of ['0', 'false', '']) {
    test(`SHENPI_EMULATOR=${JSON.stringify(value)} leaves emulator mode off`, () => {
      assert.equal(resolveServeConfig({}, { SHENPI_EMULATOR: value }).emulator, false);
    });
  }

  test('SHENPI_EMULATOR with a value that is neither true nor false is refused', () => {
    assert.throws(() => resolveServeConfig({}, { SHENPI_EMULATOR: 'maybe' }), ConfigError);
  });

  test('SHENPI_NO_DEMO=true skips the demo data', () => {
    assert.equal(resolveServeConfig({}, { SHENPI_NO_DEMO: 'true' }).noDemo, true);
  });

  test('SHENPI_NO_DEMO=false keeps the demo data', () => {
    assert.equal(resolveServeConfig({}, { SHENPI_NO_DEMO: 'false' }).noDemo, false);
  });
});

describe('flags as commander hands them over', () => {
  test('--no-demo (demo: false) skips the demo data', () => {
    assert.equal(resolveServeConfig({ demo: false }, {}).noDemo, true);
  });

  test('demo: true (no --no-demo given) keeps the demo data', () => {
    assert.equal(resolveServeConfig({ demo: true }, {}).noDemo, false);
  });
});

describe('refused settings', () => {
  for (const port of ['abc', '-1', '65536', '80.5', '8080x']) {
    test(`PORT=${port} is refused with a ConfigError`, () => {
      assert.throws(() => resolveServeConfig({}, { PORT: port }), ConfigError);
    });
  }

  test('--port that is not a number is refused with a ConfigError naming the flag', () => {
    assert.throws(() => resolveServeConfig({ port: 'notaport' }, {}), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /--port/);
      return true;
    });
  });

  test('an unknown log level is refused with a ConfigError', () => {
    assert.throws(() => resolveServeConfig({}, { LOG_LEVEL: 'verbose' }), ConfigError);
    assert.throws(() => resolveServeConfig({ logLevel: 'loud' }, {}), ConfigError);
  });

  test('an SQLite synchronous mode other than FULL or NORMAL is refused with a ConfigError', () => {
    assert.throws(() => resolveServeConfig({}, { SHENPI_SQLITE_SYNCHRONOUS: 'OFF' }), ConfigError);
    assert.throws(() => resolveServeConfig({ sqliteSynchronous: 'extra' }, {}), ConfigError);
  });
});

describe('the id seed', () => {
  test('absent: ids are random (no seed)', () => {
    assert.equal(resolveServeConfig({ emulator: true }, {}).seed, undefined);
  });

  test('--seed wins over SHENPI_SEED, which applies without the flag', () => {
    assert.equal(resolveServeConfig({ emulator: true, seed: '7' }, { SHENPI_SEED: '8' }).seed, 7);
    assert.equal(resolveServeConfig({}, { SHENPI_SEED: '8', SHENPI_EMULATOR: '1' }).seed, 8);
  });

  test('a seed without emulator mode is refused with a ConfigError: seeded tokens can be guessed', () => {
    assert.throws(() => resolveServeConfig({ seed: '7' }, {}), /needs emulator mode/);
  });

  for (const seed of ['-1', '1.5', 'abc', '9007199254740992']) {
    test(`--seed ${seed} is refused with a ConfigError`, () => {
      assert.throws(() => resolveServeConfig({ emulator: true, seed }, {}), ConfigError);
    });
  }
});

describe('the admin token (contract.md: random, printed at start, when not given)', () => {
  test('an empty one is refused, from the flag or the environment, in any mode', () => {
    for (const [flags, env] of [
      [{ adminToken: '' }, {}],
      [{ adminToken: '  ' }, {}],
      [{}, { SHENPI_ADMIN_TOKEN: '' }],
      [{ emulator: true, adminToken: '' }, {}],
    ] as const) {
      assert.throws(() => resolveServeConfig(flags, env), (err: unknown) => err instanceof ConfigError && /admin token .* is empty/.test(err.message));
    }
  });

  test('outside emulator mode one under 16 characters is refused; in emulator mode it is taken', () => {
    assert.throws(() => resolveServeConfig({ adminToken: 'fifteen-chars-x' }, {}), /at least 16 characters/);
    assert.equal(resolveServeConfig({ adminToken: 'sixteen-chars-xy' }, {}).adminToken, 'sixteen-chars-xy');
    assert.equal(resolveServeConfig({ adminToken: 'x', emulator: true }, {}).adminToken, 'x');
  });

  test('none given leaves it to be generated', () => assert.equal(resolveServeConfig({}, {}).adminToken, undefined));
});

describe('the demo data', () => {
  test('--demo or SHENPI_DEMO asks for it explicitly; --no-demo wins over SHENPI_DEMO', () => {
    assert.equal(resolveServeConfig({ demo: true }, {}).demoAsked, true);
    assert.equal(resolveServeConfig({}, { SHENPI_DEMO: '1' }).demoAsked, true);
    assert.equal(resolveServeConfig({}, {}).demoAsked, false);
    const refused = resolveServeConfig({ demo: false }, { SHENPI_DEMO: '1' });
    assert.deepEqual([refused.demoAsked, refused.noDemo], [false, true]);
  });

  test('loopback addresses are told apart from the others', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1']) assert.equal(isLoopbackHost(host), true, host);
    for (const host of ['0.0.0.0', '::', '10.0.0.5', 'example.com']) assert.equal(isLoopbackHost(host), false, host);
  });
});

describe('worker processes', () => {
  test('one by default; --workers beats SHENPI_WORKERS; auto is one per core the process may use', () => {
    assert.equal(resolveServeConfig({}, {}).workers, 1);
    assert.equal(resolveServeConfig({}, { SHENPI_WORKERS: '3' }).workers, 3);
    assert.equal(resolveServeConfig({ workers: '2' }, { SHENPI_WORKERS: '3' }).workers, 2);
    assert.equal(resolveServeConfig({ workers: 'auto' }, {}).workers, Math.min(availableParallelism(), MAX_WORKERS));
  });

  test('a count that is not a whole number from 1 to 64 is refused', () => {
    for (const workers of ['0', '-1', '1.5', 'two', '65']) assert.throws(() => resolveServeConfig({ workers }, {}), ConfigError, workers);
  });

  test('more than one is refused in emulator mode and on an in-memory database, which live in one process', () => {
    assert.throws(() => resolveServeConfig({ workers: '2', emulator: true }, {}), /emulator mode runs in one process/);
    assert.throws(() => resolveServeConfig({ workers: '2', db: 'sqlite::memory:' }, {}), /in-memory database/);
    assert.equal(resolveServeConfig({ workers: '1', emulator: true, db: 'sqlite::memory:' }, {}).workers, 1);
  });
});
