/** What `npm pack` ships and what the published package.json promises (the install itself is .ci/pack-check.mjs). */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { describe, test } from 'node:test';
import { assertFreshBuild, ROOT } from './helpers/process.js';
import { TEST_STORE } from './helpers/stores.js';

interface PackageJson {
  private?: boolean;
  license: string;
  bin: Record<string, string>;
  exports: Record<string, { types: string; default: string }>;
  engines: { node: string };
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

const manifest = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as PackageJson;

function packedFiles(): string[] {
  assertFreshBuild();
  // --ignore-scripts: the build is already fresh; pack would otherwise run it again.
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
  return (JSON.parse(out) as [{ files: { path: string }[] }])[0].files.map((file) => file.path);
}

/** The packages a dist module imports or requires by name: the package's run-time needs. */
function packagesImportedByDist(): Set<string> {
  const names = new Set<string>();
  const files = readdirSync(`${ROOT}dist`, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.js'));
  for (const file of files) {
    const code = readFileSync(`${ROOT}dist/${file}`, 'utf8');
    // Import statements and import(): the bundle's require() calls are for Node's own modules (or in strings).
    const statements = /^\s*(?:import|export)\b[^;]*?from\s*["']([^"'./][^"']*)["']|\bimport\(\s*["']([^"'./][^"']*)["']\)/gm;
    for (const match of code.matchAll(statements)) {
      const specifier = match[1] ?? match[2]!;
      const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
      if (!name.startsWith('node:') && !builtinModules.includes(name)) names.add(name);
    }
  }
  return names;
}

describe('the npm package', { skip: TEST_STORE === 'postgres' && 'the package tests run once, on SQLite' }, () => {
  test('npm pack ships dist, bin/shenpi.js, README.md, LICENSE and package.json, and no source, test or test file', () => {
    const files = packedFiles();
    const outside = files.filter((file) => !file.startsWith('dist/'));
    assert.deepEqual(outside.sort(), ['LICENSE', 'README.md', 'bin/shenpi.js', 'package.json']);
    assert.ok(files.includes('dist/cli/cli.js'), 'the shenpi command');
    assert.ok(files.includes('dist/server.js') && files.includes('dist/server.d.ts'), 'modules with their types');
    assert.ok(files.includes('dist/console/index.html'), 'the console page');
    assert.deepEqual(files.filter((file) => /\.test\.|\.ts$/.test(file) && !file.endsWith('.d.ts')), []);
  });

  test('package.json is publishable: not private, bin shenpi, exports "." with its types, engines node >=20.19', () => {
    assert.equal(manifest.private, undefined);
    assert.equal(manifest.bin.shenpi, 'bin/shenpi.js');
    assert.deepEqual(manifest.exports['.'], { types: './dist/index.d.ts', default: './dist/index.js' });
    assert.equal(manifest.engines.node, '>=20.19');
  });

  test('the LICENSE file is the MIT licence package.json names', () => {
    assert.equal(manifest.license, 'MIT');
    const license = readFileSync(`${ROOT}LICENSE`, 'utf8');
    assert.match(license, /^MIT License\n\nCopyright \(c\) \d{4} /);
    assert.match(license, /THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND/);
  });

  test('every package the built code loads is a dependency, and none is only a devDependency', () => {
    assertFreshBuild();
    const imported = packagesImportedByDist();
    assert.ok(imported.has('better-sqlite3') && imported.has('fastify'), [...imported].join(', '));
    for (const name of imported) assert.ok(manifest.dependencies[name], `${name} is imported by dist but not a dependency`);
    assert.equal(manifest.dependencies.tsx, undefined, 'tsx is for tests and scripts only');
  });
});
