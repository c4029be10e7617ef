/**
 * `npm test`: the unit tests once, then the behaviour suite (test/) on SQLite and on PostgreSQL. The suite
 * also runs the built `shenpi` command, so the build comes first: a stale dist is never tested.
 * PostgreSQL is DATABASE_URL_PG or the local default; when it does not answer, its half is skipped
 * with a notice, except under CI (or SHENPI_REQUIRE_PG=1), where that is a failure. `reliability` runs
 * test/reliability/ alone (kill -9 under load, fuzzing, cross-process races, floods) on both stores. The last line
 * counts the tests of every part, `N passed, N failed`, and says when the PostgreSQL half was skipped.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import pg from 'pg';
import { POSTGRES_URL, vacuumCatalogue } from '../test/helpers/stores.js';

/** The reliability suite (test/reliability/) is a run of its own: `npm run test:reliability`. */
const RELIABILITY = 'reliability';

function testFiles(dir: string, { reliability = false } = {}): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.ts') && file.startsWith(`${RELIABILITY}/`) === reliability)
    .map((file) => join(dir, file))
    .sort();
}

const counts = { passed: 0, failed: 0 };
const countsFolder = mkdtempSync(join(tmpdir(), 'shenpi-test-counts-'));
mkdirSync('.tmp', { recursive: true });
const compiledFolder = mkdtempSync(join('.tmp', 'tests-'));

/** The packages of hundreds of small modules each, bundled with the code that imports them. */
const BUNDLED_PACKAGES = /^(typebox|kysely|@fastify\/type-provider-typebox)(\/|$)/;

/**
 * Every test process would load its ~1,400 modules through tsx's hooks, which run on a thread of their own in
 * Node 20 and cost each process about 2.5 s of CPU, more than the tests of most files. esbuild bundles each test
 * file once per run instead (the same code; tsx uses esbuild too), split into chunks the files share, and node
 * runs them without hooks. Packages stay where they are, except BUNDLED_PACKAGES, which would load hundreds of
 * modules into every process. Each module's import.meta.url stays its source's URL, so what it reads relative to
 * itself (README.md, package.json, the console page) is found as before; names stay as written, and source maps
 * keep stack traces on the .ts lines.
 */
async function compileTests(files: string[]): Promise<void> {
  await build({
    entryPoints: files,
    outbase: '.',
    outdir: compiledFolder,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: `node${process.versions.node}`,
    keepNames: true,
    sourcemap: 'inline',
    logLevel: 'warning',
    plugins: [
      {
        name: 'tests',
        setup(compile) {
          compile.onResolve({ filter: /^[^./]/ }, ({ path }) => (BUNDLED_PACKAGES.test(path) ? undefined : { external: true }));
          compile.onLoad({ filter: /\.ts$/ }, ({ path }) => ({
            contents: readFileSync(path, 'utf8').replaceAll('import.meta.url', JSON.stringify(pathToFileURL(path).href)),
            loader: 'ts',
          }));
        },
      },
    ],
  });
}

function run(label: string, files: string[], env: Record<string, string>): boolean {
  process.stdout.write(`\n# ${label}\n`);
  // node --test without files looks for tests everywhere (dist/ too): a part with none is a failure.
  if (files.length === 0) {
    process.stderr.write(`no test files for the ${label}\n`);
    counts.failed += 1;
    return false;
  }
  const countsFile = join(countsFolder, `${counts.passed + counts.failed}-${label.length}.json`);
  const reporters = ['--test-reporter=spec', '--test-reporter-destination=stdout'];
  reporters.push('--test-reporter=./scripts/count-reporter.mjs', `--test-reporter-destination=${countsFile}`);
  const compiled = files.map((file) => join(compiledFolder, file.replace(/\.ts$/, '.js')));
  const result = spawnSync(process.execPath, ['--enable-source-maps', '--test', '--test-concurrency=2', ...reporters, ...compiled], {
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  try {
    const counted = JSON.parse(readFileSync(countsFile, 'utf8')) as typeof counts;
    counts.passed += counted.passed;
    counts.failed += counted.failed;
  } catch {
    // The run died before its reporter wrote: count it as one failure, so the line never says all passed.
    counts.failed += 1;
  }
  return result.status === 0;
}

async function postgresAnswers(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** What the count line must also say: a half of the suite that did not run. */
const skipped: string[] = [];

function finish(passed: boolean): never {
  rmSync(countsFolder, { recursive: true, force: true });
  rmSync(compiledFolder, { recursive: true, force: true });
  const notes = skipped.length ? ` (${skipped.join('; ')})` : '';
  process.stdout.write(`\n${counts.passed} passed, ${counts.failed} failed${notes}\n`);
  process.exit(passed ? 0 : 1);
}

const only = process.argv[2];
const results: boolean[] = [];
if (only !== 'unit') {
  process.stdout.write('# npm run build\n');
  if (spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' }).status !== 0) {
    counts.failed += 1;
    finish(false);
  }
}
try {
  await compileTests([...testFiles('src'), ...testFiles('test'), ...testFiles('test', { reliability: true })]);
} catch {
  // esbuild has printed what it could not compile.
  counts.failed += 1;
  finish(false);
}
if (only === RELIABILITY) {
  // Both stores in one run; each test file says which it uses. PostgreSQL is required, as in CI.
  if (!(await postgresAnswers())) {
    process.stderr.write(`PostgreSQL does not answer at ${POSTGRES_URL}; the reliability suite needs it.\n`);
    counts.failed += 1;
    finish(false);
  }
  await vacuumCatalogue();
  finish(run('reliability suite', testFiles('test', { reliability: true }), {}));
}
if (!only || only === 'unit') results.push(run('unit tests', testFiles('src'), {}));
if (!only || only === 'sqlite') results.push(run('behaviour suite on SQLite', testFiles('test'), { SHENPI_TEST_STORE: 'sqlite' }));
if (!only || only === 'postgres') {
  if (await postgresAnswers()) {
    await vacuumCatalogue();
    results.push(run('behaviour suite on PostgreSQL', testFiles('test'), { SHENPI_TEST_STORE: 'postgres' }));
  } else if (process.env.CI || process.env.SHENPI_REQUIRE_PG === '1') {
    process.stderr.write(`PostgreSQL does not answer at ${POSTGRES_URL}; CI requires it.\n`);
    results.push(false);
  } else {
    process.stdout.write(`\n# PostgreSQL does not answer at ${POSTGRES_URL}: its half of the suite is skipped\n`);
    skipped.push(`the PostgreSQL half was skipped: nothing answers at ${POSTGRES_URL}`);
  }
}
finish(results.every(Boolean));
