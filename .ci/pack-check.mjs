/**
 * The package as a user gets it: `npm pack` (which builds), then an install of the tarball from the registry
 * into an empty folder (better-sqlite3 compiles there, about a minute), then each check below runs the
 * installed package from that folder. A check is `async (app) => void`: it throws to fail. .ci/run runs this
 * before `npm test` (whose count line ends the run); it exits 0 only when every check passed.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
/** Generous bounds for a busy 2-core machine; a healthy step takes a fraction of them. */
const INSTALL_LIMIT_MS = 10 * 60_000;
const STEP_LIMIT_MS = 2 * 60_000;
/** `npx shenpi`, but never fetching a package of that name when the installed one is missing. */
const NPX = ['--no', '--', 'shenpi'];

/** Runs a command to its end; resolves with its stdout, rejects on a non-zero exit or past the limit. */
function run(command, args, cwd, limitMs = STEP_LIMIT_MS) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${command} ${args.join(' ')} ended with ${signal ?? `code ${code}`}:\n${stdout}`));
    });
  });
}

/** `npx shenpi --version` prints the packed version. */
async function versionCheck(app) {
  const printed = (await run('npx', [...NPX, '--version'], app)).trim();
  if (printed !== version) throw new Error(`npx shenpi --version printed "${printed}", not ${version}`);
}

/**
 * `npx shenpi serve --port 0 --no-demo` says where it listens and answers /healthz 200. npx (npm 11) dies on
 * SIGTERM without passing it on, so the signal goes to the whole process group, as a terminal's Ctrl-C or a
 * process manager's stop does; then nothing may answer on the port any more.
 */
async function serveCheck(app) {
  const child = spawn('npx', [...NPX, 'serve', '--port', '0', '--no-demo'], {
    cwd: app,
    detached: true,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve(signal ?? code)));
  const killGroup = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // The group has ended already.
    }
  };
  const timer = setTimeout(() => killGroup('SIGKILL'), STEP_LIMIT_MS);
  try {
    const url = await new Promise((resolve, reject) => {
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (chunk) => {
        stdout += chunk;
        const match = /listening on (http:\/\/[^"\s]+)/.exec(stdout);
        if (match) resolve(match[1]);
      });
      void exited.then((end) => reject(new Error(`npx shenpi serve ended (${end}) before listening:\n${stdout}`)));
    });
    const health = await fetch(`${url}/healthz`);
    if (health.status !== 200) throw new Error(`GET ${url}/healthz answered ${health.status}`);
    killGroup('SIGTERM');
    await exited;
    for (let waited = 0; ; waited += 100) {
      const answered = await fetch(`${url}/healthz`).then(() => true, () => false);
      if (!answered) break;
      if (waited > STEP_LIMIT_MS) throw new Error(`shenpi serve still answers at ${url} after SIGTERM`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    clearTimeout(timer);
    killGroup('SIGKILL');
  }
}

/**
 * `import { startShenpi } from 'shenpi'` in a plain ES module of the user's: the server starts in-process, a
 * token request and a withdrawal-free round trip answer, and close() lets the process end.
 */
async function startShenpiCheck(app) {
  const script = `
import { startShenpi } from 'shenpi';
const shenpi = await startShenpi({ demo: true });
const answer = await fetch(shenpi.url + '/open-apis/auth/v3/tenant_access_token/internal', {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ app_id: 'cli_acme_demo', app_secret: 'acme-secret' }),
});
const body = await answer.json();
if (body.code !== 0 || !String(body.tenant_access_token).startsWith('t-')) throw new Error(JSON.stringify(body));
await shenpi.close();
console.log('started and closed');
`;
  writeFileSync(join(app, 'start.mjs'), script);
  const printed = await run('node', ['start.mjs'], app);
  if (!printed.includes('started and closed')) throw new Error(`startShenpi() printed:\n${printed}`);
}

const checks = { 'npx shenpi --version': versionCheck, 'npx shenpi serve': serveCheck, 'startShenpi()': startShenpiCheck };

const work = mkdtempSync(join(tmpdir(), 'shenpi-pack-'));
try {
  process.stdout.write('# npm pack\n');
  await run('npm', ['pack', '--pack-destination', work], ROOT);
  const filename = readdirSync(work).find((file) => file.endsWith('.tgz'));
  const app = join(work, 'app');
  mkdirSync(app);
  // npm 12 runs a dependency's install scripts only when the project allows them: the SQLite driver needs its
  // own; shenpi's `prepare` (a build) is for clones, its tarball ships dist.
  const allowScripts = { 'better-sqlite3': true, shenpi: false };
  const manifest = { name: 'shenpi-pack-check', private: true, type: 'module', allowScripts };
  writeFileSync(join(app, 'package.json'), JSON.stringify(manifest, null, 2));
  process.stdout.write(`# npm install ${filename} into an empty folder\n`);
  await run('npm', ['install', '--no-audit', '--no-fund', join(work, filename)], app, INSTALL_LIMIT_MS);
  for (const [name, check] of Object.entries(checks)) {
    await check(app);
    process.stdout.write(`ok - ${name}\n`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
