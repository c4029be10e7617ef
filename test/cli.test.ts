/** The `shenpi` command as users run it: a child process over a real SQLite file (contract.md "Setup and start"). */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { DEMO_APP, DEMO_LEAVE_CODE, DEMO_PURCHASE_CODE } from '../src/fixtures/demo.js';
import { GLOBEX_APP, globexFixture } from './helpers/fixtures.js';
import { raceFixture } from './helpers/race.js';
import { call } from './helpers/http.js';
import { TENANT_TOKEN_PATH } from './helpers/open-api.js';
import { rows } from './helpers/db-snapshot.js';
import { BIN, ROOT } from './helpers/process.js';
import { createTestDatabase, TEST_STORE } from './helpers/stores.js';
import { waitFor } from './helpers/wait.js';

/** Upper bound for a start or a stop; a healthy run takes a fraction of it, a busy 2-core machine much more. */
const PATIENCE_MS = 120_000;
const RACE_CODE = 'A1B2C3D4-0000-4000-8000-00000000C11A';
/**
 * These tests drive SQLite files themselves; the PostgreSQL pass of the suite would only repeat them. Two at
 * a time: eight servers starting at once starve a 2-core machine.
 */
const once = { concurrency: 2, skip: TEST_STORE === 'postgres' ? 'the CLI tests run once, on SQLite' : false };

interface Workspace {
  folder: string;
  dbFile: string;
  dbUrl: string;
}

function workspace(t: TestContext): Workspace {
  const folder = mkdtempSync(join(tmpdir(), 'shenpi-cli-'));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  const dbFile = join(folder, 'shenpi.sqlite');
  return { folder, dbFile, dbUrl: `sqlite:${dbFile}` };
}

/** The parent's environment without any shenpi setting, plus the given ones. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(SHENPI_|PORT$|HOST$|DATABASE_URL$|LOG_LEVEL$|NODE_TEST_CONTEXT$)/.test(key)) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function spawnShenpi(args: string[], env: Record<string, string>) {
  return spawnCommand(process.execPath, [BIN, ...args], env);
}

function spawnCommand(command: string, args: string[], env: Record<string, string>) {
  const child = spawn(command, args, { cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output.stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output.stderr += chunk));
  const finished = new Promise<Finished>((done) =>
    child.on('close', (code, signal) => done({ code, signal, ...output })),
  );
  return { child, output, finished };
}

function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${PATIENCE_MS} ms`)), PATIENCE_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Runs a one-shot command to its end. */
const runShenpi = (args: string[], env: Record<string, string> = {}) =>
  within(spawnShenpi(args, env).finished, `shenpi ${args.join(' ')}`);

/** Starts `shenpi serve`, waits for its "listening on" line, and stops it after the test if still running. */
const serveShenpi = (t: TestContext, args: string[], env: Record<string, string>) =>
  listening(t, spawnShenpi(['serve', ...args], { LOG_LEVEL: 'info', ...env }));

/** The start banner (stderr) once it shows `last`: its lines may arrive after the "listening on" log line. */
const bannerOf = (run: { output: { stderr: string } }, last: RegExp) =>
  waitFor(`the banner to show ${last}`, () => (last.test(run.output.stderr) ? run.output.stderr : undefined));

/** Waits for a started server's "listening on" line; kills it after the test if it still runs. */
async function listening(t: TestContext, run: ReturnType<typeof spawnCommand>) {
  t.after(async () => {
    if (run.child.exitCode === null && run.child.signalCode === null) {
      run.child.kill('SIGKILL');
      await run.finished;
    }
  });
  const url = await within(
    new Promise<string>((found, failed) => {
      const look = () => {
        // Whatever address it listens on, the test reaches it over the loopback.
        const match = /listening on http:\/\/[^"\s]+:(\d+)/.exec(run.output.stdout);
        if (match?.[1]) found(`http://127.0.0.1:${match[1]}`);
      };
      run.child.stdout?.on('data', look);
      void run.finished.then((f) => failed(new Error(`shenpi serve exited (${f.code}) before listening: ${f.stderr}`)));
    }),
    'shenpi serve to listen',
  );
  return { ...run, url };
}

function stop(child: ChildProcess, finished: Promise<Finished>) {
  child.kill('SIGTERM');
  return within(finished, 'shenpi serve to stop on SIGTERM');
}

describe('shenpi', once, () => {
  test('--version prints the version of package.json and exits 0', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const finished = await runShenpi(['--version']);
    assert.equal(finished.code, 0, finished.stderr);
    assert.equal(finished.stdout, `${version}\n`);
  });

  test('--help lists the commands serve, migrate and load and the --version option', async () => {
    const finished = await runShenpi(['--help']);
    assert.equal(finished.code, 0, finished.stderr);
    for (const expected of [/^ {2}serve /m, /^ {2}migrate /m, /^ {2}load /m, /--version/]) assert.match(finished.stdout, expected);
  });

  test('serve --help lists its flags', async () => {
    const finished = await runShenpi(['serve', '--help']);
    assert.equal(finished.code, 0, finished.stderr);
    for (const flag of ['--port', '--db', '--fixture', '--admin-token', '--emulator', '--no-demo']) assert.ok(finished.stdout.includes(flag), flag);
  });
});

describe('shenpi serve', once, () => {
  test('with PORT=0 it prints "listening on http://127.0.0.1:<port>" and that port answers /healthz', async (t) => {
    const ws = workspace(t);
    const server = await serveShenpi(t, [], { PORT: '0', DATABASE_URL: ws.dbUrl });
    const port = Number(new URL(server.url).port);
    assert.ok(port > 0);
    const health = await call(server.url, '/healthz');
    assert.equal(health.status, 200);
    assert.deepEqual(health.body, { status: 'ok' });
  });

  test('the built server finds the files it reads at run time: GET /console answers the console page', async (t) => {
    const ws = workspace(t);
    const server = await serveShenpi(t, ['--port', '0', '--no-demo'], { DATABASE_URL: ws.dbUrl });
    const page = await fetch(`${server.url}/console`);
    assert.equal(page.status, 200);
    assert.equal(await page.text(), readFileSync(join(ROOT, 'src/console/index.html'), 'utf8'));
  });

  test('on an empty database it loads the demo data and prints its credentials, users, approval codes and a curl line', async (t) => {
    const ws = workspace(t);
    const server = await serveShenpi(t, ['--port', '0', '--db', ws.dbUrl], {});
    assert.equal((await call(server.url, TENANT_TOKEN_PATH, { json: DEMO_APP })).body.code, 0);
    const printed = await bannerOf(server, /curl .*tenant_access_token/);
    for (const expected of [DEMO_APP.app_id, DEMO_APP.app_secret, 'ou_alice', DEMO_LEAVE_CODE, DEMO_PURCHASE_CODE]) {
      assert.ok(printed.includes(expected), `the banner names ${expected}`);
    }
    assert.match(printed, new RegExp(`curl .*${server.url}/open-apis/auth/v3/tenant_access_token/internal`));
  });

  test('SIGTERM to the `npm start` process stops the server', async (t) => {
    const ws = workspace(t);
    const npm = spawnCommand('npm', ['start', '--silent'], { PORT: '0', DATABASE_URL: ws.dbUrl, SHENPI_NO_DEMO: '1', LOG_LEVEL: 'info' });
    const server = await listening(t, npm);
    assert.equal((await call(server.url, '/healthz')).status, 200);
    const finished = await stop(server.child, server.finished);
    assert.equal(finished.code, 0, finished.stderr);
    assert.match(finished.stdout, /"signal":"SIGTERM","msg":"shutting down"/);
    await assert.rejects(call(server.url, '/healthz'), 'nothing answers on its port any more');
  });

  test('SIGTERM makes it exit with code 0 and leaves a consistent SQLite file', async (t) => {
    const ws = workspace(t);
    const server = await serveShenpi(t, [], { PORT: '0', DATABASE_URL: ws.dbUrl });
    assert.equal((await call(server.url, TENANT_TOKEN_PATH, { json: DEMO_APP })).body.code, 0);
    const finished = await stop(server.child, server.finished);
    assert.equal(finished.code, 0, finished.stderr);
    const db = new BetterSqlite3(ws.dbFile, { fileMustExist: true });
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
      assert.equal(db.prepare('select count(*) from apps where app_id = ?').pluck().get(DEMO_APP.app_id), 1);
      assert.equal(db.prepare("select count(*) from access_tokens where kind = 'tenant'").pluck().get(), 1);
    } finally {
      db.close();
    }
  });

  test('--no-demo on an empty database leaves the demo app out', async (t) => {
    const ws = workspace(t);
    const server = await serveShenpi(t, ['--no-demo'], { PORT: '0', DATABASE_URL: ws.dbUrl });
    const answer = await call(server.url, TENANT_TOKEN_PATH, { json: DEMO_APP });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.code, 10003);
  });

  test('--fixture loads the file at start', async (t) => {
    const ws = workspace(t);
    const file = join(ws.folder, 'globex.json');
    writeFileSync(file, JSON.stringify(globexFixture()));
    const server = await serveShenpi(t, ['--fixture', file, '--no-demo'], { PORT: '0', DATABASE_URL: ws.dbUrl });
    assert.equal((await call(server.url, TENANT_TOKEN_PATH, { json: GLOBEX_APP })).body.code, 0);
  });

  test('with --no-demo --fixture the banner describes the fixture loaded, never the demo\'s people or secret', async (t) => {
    const ws = workspace(t);
    const file = join(ws.folder, 'own.json');
    // The demo's app_id with a secret of its own: still not the demo.
    const fixture = globexFixture();
    fixture.tenants[0]!.apps = [{ app_id: DEMO_APP.app_id, app_secret: 'own-secret' }] as never;
    writeFileSync(file, JSON.stringify(fixture));
    const server = await serveShenpi(t, ['--fixture', file, '--no-demo'], { PORT: '0', DATABASE_URL: ws.dbUrl });
    const printed = await bannerOf(server, new RegExp(`tenant "globex": app_id ${DEMO_APP.app_id}`));
    assert.match(printed, /shenpi loaded .*own\.json: 1 tenant\(s\), 1 app\(s\), 2 user\(s\), 0 approval\(s\)/);
    assert.match(printed, new RegExp(`tenant "globex": app_id ${DEMO_APP.app_id}`));
    for (const never of [DEMO_APP.app_secret, 'own-secret', 'demo data', DEMO_LEAVE_CODE, 'open_id=ou_alice']) {
      assert.ok(!printed.includes(never), `the banner must not show ${never}:\n${printed}`);
    }
  });

  test('--admin-token sets the admin bearer token', async (t) => {
    const ws = workspace(t);
    const server = await serveShenpi(t, ['--admin-token', 'cli-admin-token-16'], { PORT: '0', DATABASE_URL: ws.dbUrl });
    assert.equal((await call(server.url, '/_shenpi/clock', { token: 'cli-admin-token-16' })).status, 200);
    assert.equal((await call(server.url, '/_shenpi/clock', { token: 'other' })).status, 401);
  });

  test('an empty admin token is refused; outside emulator mode so is one under 16 characters', async () => {
    for (const [args, message] of [
      [['--admin-token', ''], /admin token .* is empty/],
      [['--admin-token', 'short'], /at least 16 characters outside emulator mode/],
    ] as const) {
      const finished = await runShenpi(['serve', '--port', '0', '--db', 'sqlite::memory:', ...args]);
      assert.notEqual(finished.code, 0);
      assert.match(finished.stderr, message);
    }
  });

  test('on an address others reach the demo data (a published secret) loads only with --demo', async (t) => {
    const held = await serveShenpi(t, ['--host', '0.0.0.0', '--port', '0'], { DATABASE_URL: workspace(t).dbUrl });
    assert.equal((await call(held.url, TENANT_TOKEN_PATH, { json: DEMO_APP })).body.code, 10003);
    await bannerOf(held, /demo data .* is not loaded on 0\.0\.0\.0.*--demo loads it/);
    assert.ok(!held.output.stderr.includes(DEMO_APP.app_secret));
    const asked = await serveShenpi(t, ['--host', '0.0.0.0', '--port', '0', '--demo'], { DATABASE_URL: workspace(t).dbUrl });
    assert.equal((await call(asked.url, TENANT_TOKEN_PATH, { json: DEMO_APP })).body.code, 0);
  });

  test('--port notaport exits non-zero with a message naming the flag', async () => {
    const finished = await runShenpi(['serve', '--port', 'notaport'], { DATABASE_URL: 'sqlite::memory:' });
    assert.notEqual(finished.code, 0);
    assert.match(finished.stderr, /--port/);
    assert.match(finished.stderr, /notaport/);
  });

  test('an unsupported DATABASE_URL exits non-zero with a message', async () => {
    const finished = await runShenpi(['serve'], { PORT: '0', DATABASE_URL: 'mysql://localhost/db' });
    assert.notEqual(finished.code, 0);
    assert.match(finished.stderr, /DATABASE_URL|mysql/);
  });

  test('a PostgreSQL that cannot be reached exits non-zero saying it is the database, without the password', async () => {
    // Port 1 on the loopback: nothing listens there, so the connection is refused at once.
    const url = 'postgres://postgres:s3cret@127.0.0.1:1/test';
    for (const args of [['serve', '--port', '0', '--db', url], ['migrate', '--db', url]]) {
      const finished = await runShenpi(args);
      assert.notEqual(finished.code, 0);
      assert.match(finished.stderr, /^shenpi: cannot connect to PostgreSQL at 127\.0\.0\.1:1\/test: .*ECONNREFUSED/m, finished.stderr);
      assert.doesNotMatch(finished.stderr, /s3cret/);
    }
  });

  test('a SQLite file that cannot be opened exits non-zero naming the file', async (t) => {
    const ws = workspace(t);
    const blocker = join(ws.folder, 'a-file');
    writeFileSync(blocker, '');
    const finished = await runShenpi(['serve', '--port', '0', '--db', `sqlite:${join(blocker, 'shenpi.sqlite')}`]);
    assert.notEqual(finished.code, 0);
    assert.match(finished.stderr, /^shenpi: cannot open the SQLite database at .*a-file\/shenpi\.sqlite: /m, finished.stderr);
  });
});

describe('shenpi migrate', once, () => {
  test('creates the tables, says what it applied and exits 0', async (t) => {
    const ws = workspace(t);
    const finished = await runShenpi(['migrate', '--db', ws.dbUrl]);
    assert.equal(finished.code, 0, finished.stderr);
    assert.ok(finished.stdout.trim().length > 0);
    const db = new BetterSqlite3(ws.dbFile, { readonly: true, fileMustExist: true });
    try {
      const tables = db.prepare("select name from sqlite_master where type = 'table'").pluck().all();
      for (const table of ['tenants', 'apps', 'users', 'departments', 'access_tokens']) assert.ok(tables.includes(table), table);
    } finally {
      db.close();
    }
  });

  test('a second run says the schema is up to date', async (t) => {
    const ws = workspace(t);
    assert.equal((await runShenpi(['migrate', '--db', ws.dbUrl])).code, 0);
    const second = await runShenpi(['migrate', '--db', ws.dbUrl]);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /up to date/);
  });

  test('reads DATABASE_URL when --db is absent', async (t) => {
    const ws = workspace(t);
    const finished = await runShenpi(['migrate'], { DATABASE_URL: ws.dbUrl });
    assert.equal(finished.code, 0, finished.stderr);
    const db = new BetterSqlite3(ws.dbFile, { readonly: true, fileMustExist: true });
    db.close();
  });
});

describe('shenpi load', once, () => {
  test('loads a fixture file into the database and exits 0', async (t) => {
    const ws = workspace(t);
    const file = join(ws.folder, 'globex.json');
    writeFileSync(file, JSON.stringify(globexFixture()));
    const finished = await runShenpi(['load', file, '--db', ws.dbUrl]);
    assert.equal(finished.code, 0, finished.stderr);
    const db = new BetterSqlite3(ws.dbFile, { readonly: true, fileMustExist: true });
    try {
      assert.equal(db.prepare('select tenant_key from apps where app_id = ?').pluck().get(GLOBEX_APP.app_id), 'globex');
      assert.equal(db.prepare("select count(*) from users where tenant_key = 'globex'").pluck().get(), 2);
    } finally {
      db.close();
    }
  });

  test('beside a running server, its ids carry a node number of their own, freed when it exits', async (t) => {
    const ws = workspace(t);
    assert.equal((await runShenpi(['migrate', '--db', ws.dbUrl])).code, 0);
    // A server holding node number 0, as it would while running.
    const db = new BetterSqlite3(ws.dbFile, { fileMustExist: true });
    try {
      db.prepare('insert into node_leases (node, holder, expires_at) values (0, ?, ?)').run('a server', Date.now() + 60_000);
    } finally {
      db.close();
    }
    const file = join(ws.folder, 'race.json');
    const [globex] = globexFixture().tenants;
    writeFileSync(file, JSON.stringify({ tenants: [{ ...globex, approvals: raceFixture(RACE_CODE).tenants[0]!.approvals }] }));
    const finished = await runShenpi(['load', file, '--db', ws.dbUrl]);
    assert.equal(finished.code, 0, finished.stderr);
    const [approval] = await rows(ws.dbUrl, 'approvals', { approval_code: RACE_CODE });
    assert.match(String(approval!.approval_id), /^\d{16}001$/);
    assert.deepEqual((await rows(ws.dbUrl, 'node_leases')).map((r) => r.holder), ['a server']);
  });

  test('a refused fixture exits non-zero, names the JSON path on stderr and loads nothing', async (t) => {
    const ws = workspace(t);
    const file = join(ws.folder, 'bad.json');
    const document = globexFixture();
    document.tenants[0]!.users[1]!.department_ids = ['nowhere'];
    writeFileSync(file, JSON.stringify(document));
    const finished = await runShenpi(['load', file, '--db', ws.dbUrl]);
    assert.notEqual(finished.code, 0);
    assert.match(finished.stderr, /tenants\[0\]\.users\[1\]\.department_ids\[0\]/);
    const db = new BetterSqlite3(ws.dbFile, { readonly: true, fileMustExist: true });
    try {
      assert.equal(db.prepare('select count(*) from tenants').pluck().get(), 0);
      assert.equal(db.prepare('select count(*) from apps').pluck().get(), 0);
    } finally {
      db.close();
    }
  });

  test('a file that is not JSON exits non-zero with a message naming the file', async (t) => {
    const ws = workspace(t);
    const file = join(ws.folder, 'broken.json');
    writeFileSync(file, '{"tenants": [');
    const finished = await runShenpi(['load', file, '--db', ws.dbUrl]);
    assert.notEqual(finished.code, 0);
    assert.ok(finished.stderr.includes('broken.json'), finished.stderr);
  });

  test('a missing file exits non-zero with a message', async (t) => {
    const ws = workspace(t);
    const finished = await runShenpi(['load', join(ws.folder, 'absent.json'), '--db', ws.dbUrl]);
    assert.notEqual(finished.code, 0);
    assert.match(finished.stderr, /absent\.json/);
  });
});

describe('shenpi migrate and load on PostgreSQL', { skip: TEST_STORE !== 'postgres' && 'runs in the PostgreSQL half' }, () => {
  test('migrate applies the schema into the URL\'s schema, then says it is up to date; load fills it', async (t) => {
    const database = await createTestDatabase('postgres');
    t.after(() => database.drop());
    const first = await runShenpi(['migrate', '--db', database.url]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /applied: 0001-directory-and-tokens/);
    const second = await runShenpi(['migrate'], { DATABASE_URL: database.url });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /up to date/);

    const folder = mkdtempSync(join(tmpdir(), 'shenpi-cli-pg-'));
    t.after(() => rmSync(folder, { recursive: true, force: true }));
    const file = join(folder, 'globex.json');
    writeFileSync(file, JSON.stringify(globexFixture()));
    const loaded = await runShenpi(['load', file, '--db', database.url]);
    assert.equal(loaded.code, 0, loaded.stderr);
    assert.equal((await rows(database.url, 'apps', { app_id: GLOBEX_APP.app_id })).length, 1);
  });
});
