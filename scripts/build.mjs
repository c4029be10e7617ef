/**
 * `npm run build`, also run as `prepare` (so `npm install` / `npm ci` in a clone and `npm pack` build too).
 * dist/      tsc's modules and type declarations: the package's import entry; the console page beside them.
 * dist/cli/  the `shenpi` command as one esbuild bundle (split at its lazy imports): Node 20 loads the ~1,400
 *            modules of the unbundled server in about a second, which `shenpi serve` and `--help` cannot afford.
 * dist is emptied first, so nothing deleted from src lives on there.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = `${root}src`;
const dist = `${root}dist`;
const cliDir = `${dist}/cli`;

rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', `${root}tsconfig.build.json`], { stdio: 'inherit' });
if (compiled.status !== 0) process.exit(compiled.status ?? 1);
// Read at run time relative to src/http/routes/console.ts, so it sits at the same place under dist.
cpSync(`${src}/console`, `${dist}/console`, { recursive: true });

/**
 * In a bundle every module's import.meta.url is its chunk's. Each of our modules gets instead the URL its tsc
 * output has (dist/<path>.js), so what a module reads relative to itself (the console page, package.json) is
 * found from the bundle as from tsc's output.
 */
const moduleUrls = {
  name: 'module-urls',
  setup(bundle) {
    bundle.onLoad({ filter: /\.ts$/ }, ({ path }) => {
      const source = path.startsWith(`${src}/`) ? readFileSync(path, 'utf8') : '';
      if (!source.includes('import.meta.url')) return undefined;
      const output = relative(cliDir, `${dist}/${relative(src, path)}`).replace(/\.ts$/, '.js');
      return { contents: source.replaceAll('import.meta.url', `new URL(${JSON.stringify(output)}, import.meta.url).href`), loader: 'ts' };
    });
  },
};

await build({
  entryPoints: [`${src}/cli.ts`],
  outdir: cliDir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  // The SQLite driver is a native module found through its own package; pg only runs against PostgreSQL.
  external: ['better-sqlite3', 'pg'],
  // The bundled CommonJS dependencies call require() for Node's own modules.
  banner: { js: "import { createRequire as shenpiRequire } from 'node:module'; const require = shenpiRequire(import.meta.url);" },
  plugins: [moduleUrls],
  logLevel: 'warning',
});
