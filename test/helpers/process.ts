/** A shenpi started as its own process (`bin/shenpi.js serve`), as a second node or a CLI user would. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = `${ROOT}bin/shenpi.js`;
/** Written by the last step of `npm run build`. */
const BUILT = `${ROOT}dist/cli/cli.js`;

/**
 * BIN runs dist, so a test of it must not run a build older than the sources: `npm test` builds first; a test
 * file run by itself after an edit fails here, saying so, rather than testing yesterday's code.
 */
export function assertFreshBuild(): void {
  const built = statSync(BUILT, { throwIfNoEntry: false })?.mtimeMs;
  if (built === undefined) throw new Error('dist/ is missing: run `npm run build` first');
  const inputs = ['tsconfig.build.json', 'scripts/build.mjs', ...readdirSync(`${ROOT}src`, { recursive: true, encoding: 'utf8' }).map((f) => `src/${f}`)];
  const newer = inputs.find((file) => !file.endsWith('.test.ts') && statSync(`${ROOT}${file}`).mtimeMs > built);
  if (newer) throw new Error(`${newer} is newer than dist/: run \`npm run build\` first`);
}

/** Upper bound for a start or a stop; a healthy one takes a fraction of it, a busy 2-core machine much more. */
const PATIENCE_MS = 120_000;

export interface NodeProcess {
  url: string;
  child: ChildProcess;
  /** Every stdout line so far (JSON logs). */
  stdout: string[];
  /** Everything written to stderr so far (the start banner). */
  stderr(): string;
  /** SIGTERM, then the exit code; a child that has not exited within the patience is killed and fails. */
  stop(): Promise<number | null>;
}

/** Settles with `promise`, or kills the child and fails once the patience is over: a stuck child never hangs the suite. */
async function withinPatience<T>(child: ChildProcess, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`shenpi did not ${what} within ${PATIENCE_MS} ms`));
    }, PATIENCE_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** `nodeFlags`: options for Node itself, before the script (the bench's `--cpu-prof`). */
export async function startNode(args: string[], env: Record<string, string> = {}, nodeFlags: string[] = []): Promise<NodeProcess> {
  assertFreshBuild();
  const child = spawn(process.execPath, [...nodeFlags, BIN, 'serve', '--port', '0', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const listening = new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        stdout.push(line);
        const match = /listening on (http:\/\/[^"\s]+)/.exec(line);
        if (match?.[1]) resolve(match[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`shenpi exited with ${code} before listening: ${stderr}`)));
  });
  const url = await withinPatience(child, listening, 'listen');
  return {
    url,
    child,
    stdout,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      const exited = once(child, 'exit') as Promise<[number | null]>;
      child.kill('SIGTERM');
      const [code] = await withinPatience(child, exited, 'stop after SIGTERM');
      return code;
    },
  };
}

/** The pids of a process's children (a server's workers): /proc/PID/task/TID/children, Linux. */
export function childPids(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
    readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(' ').filter(Boolean).map(Number),
  );
}
