/**
 * The official Python SDK (lark-oapi) as a second client, run from its unmodified sources: found at
 * $SHENPI_PYTHON_SDK, else ../shared/clients/lark-oapi-python beside the repository, else
 * /work/shared/clients/lark-oapi-python; run by the first python3 that has its Debian dependencies
 * (.ci/run installs them). Debian names pycryptodome `Cryptodome` and the SDK imports `Crypto`, so a
 * temporary directory with a `Crypto` symlink goes on PYTHONPATH.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const PYTHON_SCRIPTS = join(REPO, 'test/python');

const SDK_CANDIDATES = [
  process.env.SHENPI_PYTHON_SDK,
  join(REPO, '../shared/clients/lark-oapi-python'),
  '/work/shared/clients/lark-oapi-python',
];
const PYTHON_CANDIDATES = [process.env.SHENPI_PYTHON, 'python3', '/usr/bin/python3'];
const MODULES = 'requests, requests_toolbelt, httpx, websockets, google.protobuf, Cryptodome';

export interface PythonSdk {
  python: string;
  env: NodeJS.ProcessEnv;
  /** Removes the temporary `Crypto` link directory. */
  dispose(): void;
}

/** The SDK and a python3 able to run it, or why not. */
export function findPythonSdk(): PythonSdk | { missing: string } {
  const sdk = SDK_CANDIDATES.find((dir): dir is string => !!dir && existsSync(join(dir, 'lark_oapi/__init__.py')));
  if (!sdk) return { missing: `the lark-oapi sources (looked in ${SDK_CANDIDATES.filter(Boolean).join(', ')})` };
  for (const python of PYTHON_CANDIDATES) {
    if (!python) continue;
    const probe = spawnSync(python, ['-c', `import ${MODULES}, os; print(os.path.dirname(Cryptodome.__file__))`], {
      encoding: 'utf8',
    });
    if (probe.status !== 0) continue;
    const links = mkdtempSync(join(tmpdir(), 'shenpi-pycrypto-'));
    symlinkSync(probe.stdout.trim(), join(links, 'Crypto'));
    return {
      python,
      env: { ...process.env, PYTHONPATH: [sdk, links].join(':'), PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' },
      dispose: () => rmSync(links, { recursive: true, force: true }),
    };
  }
  const packages = 'python3-requests python3-requests-toolbelt python3-pycryptodome python3-httpx python3-websockets python3-protobuf';
  return { missing: `a python3 with ${MODULES} (apt-get install ${packages})` };
}

/** Runs a script of test/python to its end; answers its stdout and stderr. */
export function runPython(
  sdk: PythonSdk,
  script: string,
  args: string[],
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(sdk.python, [join(PYTHON_SCRIPTS, script), ...args], { env: sdk.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolvePromise({ status, stdout, stderr }));
  });
}

/** Starts a long-running script of test/python; `lines` collects its stdout line by line. */
export function startPython(
  sdk: PythonSdk,
  script: string,
  args: string[],
): { child: ChildProcess; lines: string[]; stderr: () => string } {
  const child = spawn(sdk.python, [join(PYTHON_SCRIPTS, script), ...args], { env: sdk.env });
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { child, lines, stderr: () => stderr };
}
