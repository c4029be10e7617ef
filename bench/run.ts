/**
 * `npm run bench` (second part), issue 10: shenpi's throughput and latency under load, each as a ratio to a
 * baseline measured in the same run on the same machine (a bare fastify route answering the withdrawal JSON,
 * `bench/baseline.ts`). Every server runs as its own process on 127.0.0.1; autocannon drives it from this
 * process with BENCH_CONNECTIONS connections, a BENCH_WARMUP_SECONDS warm-up (discarded), then BENCH_SECONDS
 * measured, in which every answer is checked (status and Feishu code). Prints one table, writes
 * bench/results/<date>.json. BENCHMARKS.md says what each scenario does.
 */
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { DEMO_APP, DEMO_LEAVE_CODE } from '../src/fixtures/demo.js';
import { childPids, startNode, ROOT, type NodeProcess } from '../test/helpers/process.js';
import { schemaOf } from '../src/storage/postgres.js';
import { createTestDatabase, onPostgres, vacuumCatalogue, type TestDatabase, type TestStore } from '../test/helpers/stores.js';
import { CANCEL_PATH, INSTANCES_PATH } from './cancel-route.js';
import { BENCH_FORM, BENCH_SUBMITTER, fillInstances, removeInstances, type Filled } from './fill.js';

const setting = (name: string, fallback: number, least = 1) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < least) throw new Error(`${name} must be a whole number, ${least} or more`);
  return value;
};
const SECONDS = setting('BENCH_SECONDS', 10);
const WARMUP_SECONDS = setting('BENCH_WARMUP_SECONDS', 3);
const CONNECTIONS = setting('BENCH_CONNECTIONS', 50);
/** Instances stored for the large-database withdrawal (issue 10: a million). */
const BIG = setting('BENCH_BIG', 1_000_000);
const SMALL = 10_000;
/** Withdrawals made in each of the two size scenarios, warm-up included: fewer than SMALL, so that its instances last. */
const SIZE_RUN = 9_000;
/**
 * Instances made for the other withdrawal scenarios, as a multiple of what the baseline answers in warm-up and
 * window together: more than shenpi can withdraw, as it cannot outrun a route that does nothing. A run that uses
 * a pool up (the 10,000 can be) says so, and counts each request past its end an error.
 */
const POOL_OVER_BASELINE = 1.25;
/**
 * Requests each new server process answers before its first scenario, unmeasured and on spare instances removed
 * afterwards: V8 compiles the code a request runs over its first few thousand runs, and a new shenpi spent
 * three times its settled CPU per withdrawal in its first second and settled after about 12,000.
 */
const SERVER_WARMUP = setting('BENCH_SERVER_WARMUP', 12_000, 0);
const ONLY = process.env.BENCH_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
/** A folder to write a CPU profile of each shenpi node into (Node's `--cpu-prof`), written when the node stops. */
const PROFILE_DIR = process.env.BENCH_CPU_PROF;
/** `--workers` of the worker scenarios: one process per core by default. */
const WORKERS = setting('BENCH_WORKERS', availableParallelism());
/** Issue 10: the server's resident memory stays under this throughout. */
const RSS_LIMIT_MB = 200;
/** /proc counts CPU time in USER_HZ ticks, 100 a second on Linux whatever the kernel's own HZ. */
const CLOCK_TICKS = 100;

/** The submitter withdraws; anyone else is refused with 1390001 (rules.md withdrawal check 5). */
const OTHER_USER = 'ou_bob';

/** What the scenario's requests must be answered with; anything else is an error. */
interface Expected {
  status: number;
  code: number;
}

/** Codes drawn one per request, in order: each withdrawal takes an instance no other request takes. */
class CodePool {
  private next = 0;
  /** Requests made after the pool ran out (each sent with a code that names no instance, so refused). */
  exhausted = 0;
  constructor(
    private readonly codes: string[],
    private readonly cycle: boolean,
  ) {}

  take(): string {
    if (this.next === this.codes.length) {
      if (this.cycle) this.next = 0;
      else {
        this.exhausted++;
        return 'POOL-EXHAUSTED';
      }
    }
    return this.codes[this.next++]!;
  }
}

/** Counts the answers that are not the expected one, with a few of them to show. */
class AnswerCheck {
  checked = 0;
  wrong = 0;
  samples: string[] = [];
  /** When the last answer came (performance.now()). */
  lastAt = 0;
  constructor(private readonly expected: Expected) {}

  record(status: number, body: string): void {
    this.checked++;
    this.lastAt = performance.now();
    let code: unknown;
    try {
      code = (JSON.parse(body) as { code?: unknown }).code;
    } catch {
      code = undefined;
    }
    if (status === this.expected.status && code === this.expected.code) return;
    this.wrong++;
    if (this.samples.length < 5) this.samples.push(`${status} ${body.slice(0, 300)}`);
  }
}

interface Load {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  /** The path and body of the next request. */
  next(): { path: string; body?: string };
  expected: Expected;
  pool?: CodePool;
}

interface Measured {
  perSecond: number;
  p50: number;
  p99: number;
  /** Wrong answers, time-outs (autocannon's 10 s) and other socket errors in the measured window. */
  errors: number;
  wrong: number;
  timeouts: number;
  checked: number;
  wrongSamples: string[];
  poolExhausted: number;
  /**
   * Highest VmRSS sampled during warm-up and measurement, and VmHWM at the end, in MB: a server's processes
   * (its workers) added up, the highest over the servers.
   */
  rssMaxMb: number;
  rssHwmMb: number;
  /** The servers' CPU time (user + system, all processes) over the measured window, per answer: µs. */
  cpuPerRequestUs: number;
  /** The same for PostgreSQL's own processes, when it runs on this machine. */
  databaseCpuPerRequestUs: number | undefined;
  /** The baseline as measured in turns with this scenario (absent for the baseline's own row). */
  beside?: Beside;
}

/** What the baseline made in the windows that alternated with a scenario's: the scenario's ratios are to this. */
type Beside = Pick<Measured, 'perSecond' | 'p50' | 'p99' | 'cpuPerRequestUs'>;

const besideOf = ({ perSecond, p50, p99, cpuPerRequestUs }: Measured): Beside => ({ perSecond, p50, p99, cpuPerRequestUs });

/** The process's CPU time so far (user + system), in µs: /proc/PID/stat, fields 14 and 15, in clock ticks. */
function cpuMicros(pid: number): number {
  // The command name (field 2) is in parentheses and may hold spaces: count the fields after its end.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / CLOCK_TICKS;
}

/**
 * The CPU time of PostgreSQL's processes on this machine (backends, WAL writer, checkpointer...), by pid: the
 * database's share of a request, which runs on the same cores as the nodes and the load.
 */
function postgresCpu(): Map<number, number> {
  const cpu = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') cpu.set(Number(entry), cpuMicros(Number(entry)));
    } catch {
      // The process ended while we looked.
    }
  }
  return cpu;
}

/** CPU used since `before` by the processes still there (a backend that started since counts from nothing). */
function cpuSince(before: Map<number, number>): number {
  let used = 0;
  for (const [pid, micros] of postgresCpu()) used += micros - (before.get(pid) ?? 0);
  return used;
}

function memoryMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return kb / 1024;
}

/** A process and its descendants (a server's workers). */
const processTree = (pid: number): number[] => [pid, ...childPids(pid).flatMap(processTree)];

const treeMemoryMb = (pids: number[], field: 'VmRSS' | 'VmHWM') => pids.reduce((sum, pid) => sum + memoryMb(pid, field), 0);

/** Samples the servers' VmRSS every 200 ms until stopped; answers the highest seen. */
function sampleRss(trees: number[][]): () => number {
  let highest = 0;
  const sample = () => {
    for (const pids of trees) highest = Math.max(highest, treeMemoryMb(pids, 'VmRSS'));
  };
  sample();
  const timer = setInterval(sample, 200);
  return () => {
    clearInterval(timer);
    sample();
    return highest;
  };
}

/** How long a run lasts: a time, or a number of requests. */
type Span = { seconds: number } | { requests: number };

/**
 * One autocannon run over the servers (connections spread round robin over the URLs). autocannon ends a run at
 * the first sample tick after its duration or its last request: ticks every 100 ms keep a window of 1.7 s from
 * running to 2 s.
 */
function drive(urls: string[], load: Load, span: Span, check: AnswerCheck | undefined) {
  return autocannon({
    // autocannon takes a list of URLs and spreads the connections over them in turn; its types know one URL.
    url: urls as unknown as string,
    connections: CONNECTIONS,
    sampleInt: 100,
    ...('seconds' in span ? { duration: span.seconds } : { amount: span.requests }),
    requests: [
      {
        method: load.method,
        headers: load.headers,
        setupRequest: (request) => ({ ...request, ...load.next() }),
        onResponse: (status, body) => check?.record(status, body),
      },
    ],
  });
}

/**
 * The measured windows of one load on one set of servers: every answer checked, the servers' CPU counted over the
 * windows alone, their memory sampled from the meter's start (warm-up included) to its result.
 */
class Meter {
  private readonly urls: string[];
  private readonly trees: number[][];
  private readonly pids: number[];
  private readonly rss: () => number;
  private readonly check: AnswerCheck;
  private readonly exhaustedBefore: number;
  private cpuUsed = 0;
  private databaseUsed: number | undefined;
  private seconds = 0;
  private p50Sum = 0;
  private p99Sum = 0;
  private socketErrors = 0;
  private timeouts = 0;

  constructor(
    servers: NodeProcess[],
    private readonly load: Load,
    private readonly localPostgres: boolean,
  ) {
    this.urls = servers.map((s) => s.url);
    this.trees = servers.map((s) => processTree(s.child.pid!));
    this.pids = this.trees.flat();
    this.rss = sampleRss(this.trees);
    this.check = new AnswerCheck(load.expected);
    this.exhaustedBefore = load.pool?.exhausted ?? 0;
  }

  /** Load whose answers are not counted. */
  async warm(span: Span): Promise<void> {
    await drive(this.urls, this.load, span, undefined);
  }

  async window(span: Span): Promise<void> {
    const cpuBefore = this.pids.map(cpuMicros);
    const databaseBefore = this.localPostgres ? postgresCpu() : undefined;
    const checkedBefore = this.check.checked;
    const started = performance.now();
    const result = await drive(this.urls, this.load, span, this.check);
    this.cpuUsed += this.pids.reduce((sum, pid, i) => sum + cpuMicros(pid) - cpuBefore[i]!, 0);
    if (databaseBefore) this.databaseUsed = (this.databaseUsed ?? 0) + cpuSince(databaseBefore);
    // Timed here, to the window's last answer: autocannon's own average is per whole second of its run, and its
    // start and finish times miss the part of a tick it waits for after the last request.
    if (this.check.checked > checkedBefore) this.seconds += (this.check.lastAt - started) / 1000;
    this.p50Sum += result.latency.p50 * (this.check.checked - checkedBefore);
    this.p99Sum += result.latency.p99 * (this.check.checked - checkedBefore);
    this.socketErrors += result.errors;
    this.timeouts += result.timeouts;
  }

  /** Answers over the windows' time; the latencies are each window's own, averaged by its answers. */
  result(): Measured {
    const { checked, wrong, samples } = this.check;
    return {
      perSecond: checked / Math.max(this.seconds, 1e-3),
      p50: Math.round(this.p50Sum / Math.max(1, checked)),
      p99: Math.round(this.p99Sum / Math.max(1, checked)),
      errors: wrong + this.socketErrors,
      wrong,
      timeouts: this.timeouts,
      checked,
      wrongSamples: samples,
      poolExhausted: (this.load.pool?.exhausted ?? 0) - this.exhaustedBefore,
      rssMaxMb: this.rss(),
      rssHwmMb: Math.max(...this.trees.map((tree) => treeMemoryMb(tree, 'VmHWM'))),
      cpuPerRequestUs: this.cpuUsed / Math.max(1, checked),
      databaseCpuPerRequestUs: this.databaseUsed === undefined ? undefined : this.databaseUsed / Math.max(1, checked),
    };
  }
}

/** Of a scenario's fixed number of requests, the warm-up: a tenth. */
const warmupOf = (requests: number) => Math.ceil(requests / 10);

/** Windows per side: the measured time (or number of requests) of each side is cut into this many. */
const TURNS = 6;

/** A scenario on its started servers. */
interface Side {
  scenario: Scenario;
  started: Started;
}

/**
 * Each side's warm-up (discarded), then its measured windows in turns with the others' and, unless these are the
 * baseline's own, the baseline's (A B base, base B A, A B base...), rather than one after the other: this shared
 * host runs in plateaus, its CPU per request moving by half for 8 to 15 s at a time, so that two rows measured a
 * minute apart (or a ratio of two such windows) compared two hosts. A side of a fixed number of requests (a tenth
 * of them warm-up) is one whose stored instances would not last the times.
 */
async function measureInTurns(sides: Side[], baseline: Started | undefined): Promise<Measured[]> {
  const requests = Math.min(...sides.map((side) => side.scenario.requests ?? Infinity));
  const fixed = Number.isFinite(requests);
  const meters = sides.map(({ scenario, started }) => new Meter(started.servers, scenario.load(started.token, started.filled), started.localPostgres));
  for (const meter of meters) await meter.warm(fixed ? { requests: warmupOf(requests) } : { seconds: WARMUP_SECONDS });
  const span: Span = fixed ? { requests: Math.floor((requests - warmupOf(requests)) / TURNS) } : { seconds: SECONDS / TURNS };
  const turns = meters.map((meter) => ({ meter, span }));
  const besides = baseline && new Meter(baseline.servers, baseline.scenario.load('', baseline.filled), false);
  if (besides) turns.push({ meter: besides, span: { seconds: SECONDS / TURNS } });
  for (let turn = 0; turn < TURNS; turn++) {
    for (const { meter, span } of turn % 2 === 0 ? turns : [...turns].reverse()) await meter.window(span);
  }
  const beside = besides && besideOf(besides.result());
  return meters.map((meter) => ({ ...meter.result(), ...(beside ? { beside } : {}) }));
}

/** The baseline (bench/baseline.ts) or the reference withdrawal (bench/minimal.ts) as its own process, stopped like a shenpi node. */
async function startScript(script: string, args: string[] = []): Promise<NodeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      const match = /listening on (\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before listening`)));
  });
  return {
    url,
    child,
    stdout: [],
    // Its stderr is this process's.
    stderr: () => '',
    async stop() {
      const exited = once(child, 'exit') as Promise<[number | null]>;
      child.kill('SIGTERM');
      return (await exited)[0];
    },
  };
}

async function tenantToken(url: string): Promise<string> {
  const answer = await fetch(`${url}/open-apis/auth/v3/tenant_access_token/internal`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(DEMO_APP),
  });
  const body = (await answer.json()) as { code: number; tenant_access_token?: string };
  if (body.code !== 0 || !body.tenant_access_token) throw new Error(`no tenant token: ${JSON.stringify(body)}`);
  return body.tenant_access_token;
}

const withdrawal = (code: string, userId = BENCH_SUBMITTER) =>
  JSON.stringify({ approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: userId });

/** What a scenario drives, given the servers' token and the instances stored. */
type LoadOf = (token: string, filled: Filled) => Load;

const json = (token: string) => ({ 'content-type': 'application/json', authorization: `Bearer ${token}` });

const withdrawals: LoadOf = (token, filled) => {
  const pool = new CodePool(filled.pool, false);
  return { method: 'POST', headers: json(token), next: () => ({ path: CANCEL_PATH, body: withdrawal(pool.take()) }), expected: { status: 200, code: 0 }, pool };
};

/** GETs of the stored instances, cycling through them. */
const reads: LoadOf = (token, filled) => {
  const pool = new CodePool(filled.pool, true);
  return { method: 'GET', headers: json(token), next: () => ({ path: `${INSTANCES_PATH}/${pool.take()}` }), expected: { status: 200, code: 0 } };
};

/** Withdrawals by a user who is not the submitter, refused with 1390001; they change nothing, so the pool cycles. */
const refusals: LoadOf = (token, filled) => {
  const pool = new CodePool(filled.pool, true);
  return {
    method: 'POST',
    headers: json(token),
    next: () => ({ path: CANCEL_PATH, body: withdrawal(pool.take(), OTHER_USER) }),
    expected: { status: 400, code: 1390001 },
  };
};

/** A server set-up: which store and how many stored instances; scenarios sharing one run on the same servers in turn. */
interface Setup {
  name: string;
  store: TestStore;
  /** Instances stored, given the pool size. */
  instances: (pool: number) => number;
  synchronous?: 'FULL' | 'NORMAL';
  /** Shenpi nodes on the one database. */
  nodes: number;
  /** Each node's `--workers`; 1 when absent. */
  workers?: number;
  /** The reference withdrawal (bench/minimal.ts, SQLite) in place of shenpi. */
  minimal?: true;
}

/** What a scenario must reach: a ratio to the baseline's req/s (or to another scenario's), and a p99 bound. */
interface Target {
  ratio: number;
  /** The scenario whose req/s the ratio is taken to; the baseline when absent. */
  of?: string;
  /** p99 at most this many times the baseline's. */
  p99?: number;
}

interface Scenario {
  /** BENCH_ONLY names scenarios by this. */
  name: string;
  title: string;
  /** Absent: the baseline process. */
  setup?: Setup;
  load: LoadOf;
  target?: Target;
  /** Requests made in all (warm-up included), rather than the times: the instances stored must last. */
  requests?: number;
}

const everyOne = (pool: number) => pool;
const normal: Setup = { name: 'SQLite NORMAL', store: 'sqlite', synchronous: 'NORMAL', nodes: 1, instances: everyOne };
const full: Setup = { name: 'SQLite FULL', store: 'sqlite', synchronous: 'FULL', nodes: 1, instances: everyOne };
const small: Setup = { ...normal, name: 'SQLite NORMAL, 10,000 stored', instances: () => SMALL };
const big: Setup = { ...normal, name: `SQLite NORMAL, ${BIG.toLocaleString('en')} stored`, instances: () => BIG };
const minimalNormal: Setup = { ...normal, name: 'reference withdrawal, SQLite NORMAL', minimal: true };
const minimalFull: Setup = { ...full, name: 'reference withdrawal, SQLite FULL', minimal: true };
/** Half the pool: PostgreSQL fills several times slower than SQLite, and its target is 0.2× the baseline, not 1×. */
const postgres: Setup = { name: 'PostgreSQL, two nodes', store: 'postgres', nodes: 2, instances: (pool) => Math.ceil(pool / 2) };

/** The same scenario on a server of `--workers` processes. */
const onWorkers = (scenario: Scenario, setup: Setup): Scenario => ({
  ...scenario,
  name: `${scenario.name}-workers`,
  title: `${scenario.title}, ${WORKERS} workers`,
  setup,
});

const ONE_PROCESS: Scenario[] = [
  {
    name: 'baseline',
    title: 'baseline: fastify route, body schema, no storage',
    load: () => {
      let n = 0;
      // Same request as a withdrawal, a different code each time, so the client side costs the same.
      return { method: 'POST', headers: json('baseline'), next: () => ({ path: CANCEL_PATH, body: withdrawal(`BASELINE-${n++}`) }), expected: { status: 200, code: 0 } };
    },
  },
  // Not shenpi: the floor that SQLite and fastify set on this machine (bench/minimal.ts), for scale.
  { name: 'minimal-normal', title: 'reference: minimal withdrawal (fastify + better-sqlite3, a transaction each), NORMAL', setup: minimalNormal, load: withdrawals },
  { name: 'minimal-full', title: 'reference: the same, FULL', setup: minimalFull, load: withdrawals },
  { name: 'minimal-get', title: 'reference: GET of the instance row, its tasks and timeline (one read transaction)', setup: minimalFull, load: reads },
  { name: 'minimal-refused', title: 'reference: refused withdrawal (the instance and the user read)', setup: minimalFull, load: refusals },
  { name: 'withdraw-normal', title: 'withdrawal, SQLite NORMAL', setup: normal, load: withdrawals, target: { ratio: 0.5, p99: 3 } },
  { name: 'withdraw-full', title: 'withdrawal, SQLite FULL', setup: full, load: withdrawals, target: { ratio: 0.3 } },
  {
    name: 'create',
    title: 'create, SQLite FULL',
    setup: full,
    load: (token) => {
      const body = JSON.stringify({ approval_code: DEMO_LEAVE_CODE, open_id: BENCH_SUBMITTER, form: BENCH_FORM });
      return { method: 'POST', headers: json(token), next: () => ({ path: INSTANCES_PATH, body }), expected: { status: 200, code: 0 } };
    },
    target: { ratio: 0.3 },
  },
  { name: 'get', title: 'GET instance, SQLite FULL', setup: full, load: reads, target: { ratio: 0.6 } },
  { name: 'refused', title: 'refused withdrawal (not the submitter: 1390001), SQLite FULL', setup: full, load: refusals, target: { ratio: 0.7 } },
  { name: 'withdraw-10k', title: 'withdrawal, SQLite NORMAL, 10,000 stored', setup: small, load: withdrawals, requests: SIZE_RUN },
  {
    name: 'withdraw-big',
    title: `withdrawal, SQLite NORMAL, ${BIG.toLocaleString('en')} stored`,
    setup: big,
    load: withdrawals,
    requests: SIZE_RUN,
    target: { ratio: 0.9, of: 'withdraw-10k' },
  },
  { name: 'withdraw-pg', title: 'withdrawal, PostgreSQL, two nodes, round robin', setup: postgres, load: withdrawals, target: { ratio: 0.2 } },
];

const normalWorkers: Setup = { ...normal, name: `SQLite NORMAL, ${WORKERS} workers`, workers: WORKERS };
const fullWorkers: Setup = { ...full, name: `SQLite FULL, ${WORKERS} workers`, workers: WORKERS };
const workerSetups = new Map([
  [normal, normalWorkers],
  [full, fullWorkers],
]);

/** Each scenario on one process, then the SQLite ones on `--workers` processes (not with BENCH_WORKERS=1). */
const SCENARIOS: Scenario[] = [
  ...ONE_PROCESS,
  ...(WORKERS > 1
    ? ONE_PROCESS.flatMap((scenario) => {
        const setup = scenario.setup && workerSetups.get(scenario.setup);
        return setup ? [onWorkers(scenario, setup)] : [];
      })
    : []),
];

interface Row extends Measured {
  name: string;
  title: string;
  ratio: number;
  target: string;
  met: boolean | undefined;
  /** Why it is not met, or what it is measured against. */
  note: string;
}

function targetText(target: Target | undefined): string {
  if (!target) return '';
  const of = target.of ? ` ${target.of}` : '';
  return `≥ ${target.ratio}×${of}${target.p99 ? `, p99 ≤ ${target.p99}× baseline` : ''}`;
}

/** Ratios and verdicts once every scenario has run (a target may name a later row). */
function judge(results: Map<string, Measured>): Row[] {
  const baseline = results.get('baseline')!;
  const rows: Row[] = [];
  for (const scenario of SCENARIOS) {
    const m = results.get(scenario.name);
    if (!m) continue;
    const failures: string[] = [];
    if (m.errors > 0) failures.push(`${m.errors} errors`);
    if (m.poolExhausted > 0) failures.push(`pool ran out (${m.poolExhausted} requests)`);
    // The limit is shenpi's; the baseline process is not the server under test.
    if (scenario.setup && !scenario.setup.minimal && m.rssHwmMb >= RSS_LIMIT_MB) failures.push(`RSS ${m.rssHwmMb.toFixed(0)} MB`);
    const target = scenario.target;
    // Ratios are to the baseline measured in turns with the row (the first baseline row for itself).
    const base = m.beside ?? baseline;
    const reference = target && (target.of ? results.get(target.of) : base);
    let met: boolean | undefined;
    if (target && reference) {
      if (m.perSecond / reference.perSecond < target.ratio) failures.push('below the target');
      if (target.p99 && m.p99 > target.p99 * base.p99) failures.push(`p99 ${(m.p99 / base.p99).toFixed(1)}× baseline`);
      met = failures.length === 0;
    } else if (failures.length > 0) met = false;
    // The ratio column is to the baseline; a target against another scenario gets its ratio here.
    const note = [
      target?.of && reference ? `${(m.perSecond / reference.perSecond).toFixed(2)}× ${target.of}` : '',
      m.databaseCpuPerRequestUs === undefined ? '' : `PostgreSQL's processes: ${m.databaseCpuPerRequestUs.toFixed(0)} µs CPU / request`,
    ]
      .filter(Boolean)
      .join('; ');
    const ratio = m.perSecond / base.perSecond;
    rows.push({ ...m, name: scenario.name, title: scenario.title, ratio, target: targetText(target), met, note: [note, ...failures].filter(Boolean).join('; ') });
  }
  return rows;
}

function table(rows: Row[]): string {
  const lines = [
    '| scenario | req/s | p50 ms | p99 ms | errors | baseline beside: req/s, p99 ms | ratio | target | met | CPU µs / request (× baseline beside) | RSS max / peak MB | notes |',
    '|---|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---|',
  ];
  for (const r of rows) {
    // A fast wrong answer is not a result: no ratio for a scenario with errors.
    const ratio = r.errors > 0 ? 'errors' : r.ratio.toFixed(2);
    const met = r.met === undefined ? '' : r.met ? 'yes' : 'NO';
    lines.push(
      `| ${r.title} | ${r.perSecond.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.beside ? `${r.beside.perSecond.toFixed(0)}, ${r.beside.p99}` : ''} | ${ratio} | ${r.target} | ${met} | ` +
        `${r.cpuPerRequestUs.toFixed(0)}${r.beside ? ` (${(r.cpuPerRequestUs / r.beside.cpuPerRequestUs).toFixed(1)}×)` : ''} | ${r.rssMaxMb.toFixed(0)} / ${r.rssHwmMb.toFixed(0)} | ${r.note} |`,
    );
  }
  return lines.join('\n');
}

function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  return {
    nproc: availableParallelism(),
    cpu: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? 'unknown',
    node: process.version,
    loadAverage: loadavg().map((n) => Number(n.toFixed(2))),
  };
}

/** A set-up's servers, started and warmed, with the data they serve. */
interface Started {
  /** The scenario measured first (its set-up is the servers'): the new servers' warm-up runs its load. */
  scenario: Scenario;
  servers: NodeProcess[];
  database: TestDatabase | undefined;
  filled: Filled;
  token: string;
  /** PostgreSQL on this machine shares its cores with the nodes: its CPU is measured too. */
  localPostgres: boolean;
}

/**
 * Fills a new database for `first`'s set-up (none for the baseline), starts its servers and warms them with
 * `first`'s load on the spare instances, which are then removed.
 */
async function startSetup(first: Scenario, pool: number, fills: Fill[]): Promise<Started> {
  const { setup } = first;
  const started: Started = {
    scenario: first,
    servers: [],
    database: undefined,
    filled: { instances: 0, pool: [], spare: [], seconds: 0 },
    token: '',
    localPostgres: false,
  };
  const processes = setup ? setup.nodes * (setup.workers ?? 1) : 1;
  try {
    if (setup) {
      // Dead catalogue rows of earlier runs' schemas (where autovacuum is off) would slow PostgreSQL's every plan.
      if (setup.store === 'postgres') await vacuumCatalogue();
      const database = (started.database = await createTestDatabase(setup.store));
      const filled = (started.filled = await fillInstances(database.url, setup.instances(pool), SERVER_WARMUP * processes));
      const fill: Fill = { setup: setup.name, instances: filled.instances, seconds: Number(filled.seconds.toFixed(1)) };
      if (setup.store === 'postgres') Object.assign(fill, await postgresSize(database.url));
      fills.push(fill);
      const size = fill.tablesMb === undefined ? '' : ` (${fill.tablesMb} MB of tables and indexes; PostgreSQL's shared_buffers ${fill.sharedBuffers})`;
      process.stdout.write(`${setup.name}: ${filled.instances.toLocaleString('en')} instances stored in ${filled.seconds.toFixed(1)} s${size}\n`);
      if (setup.minimal) {
        started.servers.push(await startScript('bench/minimal.ts', [database.url.slice('sqlite:'.length), setup.synchronous ?? 'FULL']));
      } else {
        // Rate limits off: the point is what the server can do, not Feishu's per-app quota.
        const args = ['--db', database.url, '--log-level', 'warn', '--admin-token', 'bench-admin-token', '--rate-limit', 'off'];
        if (setup.synchronous) args.push('--sqlite-synchronous', setup.synchronous);
        if (setup.workers) args.push('--workers', String(setup.workers));
        for (let n = 0; n < setup.nodes; n++) started.servers.push(await startNode(args, {}, PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []));
      }
      started.token = setup.minimal ? '' : await tenantToken(started.servers[0]!.url);
      started.localPostgres = setup.store === 'postgres' && ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(database.url).hostname);
    } else {
      started.servers.push(await startScript('bench/baseline.ts'));
    }
    const warmLoad = first.load(started.token, { ...started.filled, pool: started.filled.spare });
    // autocannon sends at least a request on each connection.
    if (SERVER_WARMUP > 0) await drive(started.servers.map((s) => s.url), warmLoad, { requests: Math.max(CONNECTIONS, SERVER_WARMUP * processes) }, undefined);
    if (started.database) await removeInstances(started.database.url, started.filled.spare);
    return started;
  } catch (err) {
    await stopSetup(started);
    throw err;
  }
}

async function stopSetup(started: Started): Promise<void> {
  for (const server of started.servers) await server.stop();
  await started.database?.drop();
}

function report(name: string, measured: Measured): void {
  const { wrong, timeouts, errors } = measured;
  const kinds = errors > 0 ? ` (${wrong} wrong answers, ${timeouts} time-outs, ${errors - wrong - timeouts} other socket errors)` : '';
  process.stdout.write(
    `  ${name}: ${measured.perSecond.toFixed(0)} req/s, p99 ${measured.p99} ms, ` +
      `${measured.cpuPerRequestUs.toFixed(0)} µs of server CPU per request` +
      (measured.databaseCpuPerRequestUs === undefined ? '' : ` (and ${measured.databaseCpuPerRequestUs.toFixed(0)} µs of PostgreSQL's)`) +
      `, ${measured.checked} answers checked, ${errors} errors${kinds}` +
      (measured.beside
        ? `; the baseline beside it: ${measured.beside.perSecond.toFixed(0)} req/s, p99 ${measured.beside.p99} ms, ${measured.beside.cpuPerRequestUs.toFixed(0)} µs`
        : '') +
      '\n',
  );
  for (const sample of measured.wrongSamples) process.stdout.write(`    wrong answer: ${sample}\n`);
  if (measured.poolExhausted > 0) process.stdout.write(`    the PENDING instances ran out: ${measured.poolExhausted} requests past the end\n`);
}

/**
 * Scenarios measured together in turns (measureInTurns), each alone on its set-up, beside the baseline. The
 * runner's results and fills are added to.
 */
async function runTogether(scenarios: Scenario[], run: Run) {
  const sides: Side[] = [];
  try {
    for (const scenario of scenarios) sides.push({ scenario, started: await startSetup(scenario, run.pool, run.fills) });
    record(scenarios, await measureInTurns(sides, run.baseline), run.results);
  } finally {
    for (const side of sides) await stopSetup(side.started);
  }
}

/** A set-up's scenarios one after the other, on the same servers, each in turns with the baseline. */
async function runSetup(scenarios: Scenario[], run: Run) {
  const started = await startSetup(scenarios[0]!, run.pool, run.fills);
  try {
    for (const scenario of scenarios) record([scenario], await measureInTurns([{ scenario, started }], run.baseline), run.results);
  } finally {
    await stopSetup(started);
  }
}

function record(scenarios: Scenario[], measured: Measured[], results: Map<string, Measured>): void {
  for (const [i, scenario] of scenarios.entries()) {
    results.set(scenario.name, measured[i]!);
    report(scenario.name, measured[i]!);
  }
}

/** What every set-up of a run shares: the baseline's servers, the pool size, and where results go. */
interface Run {
  baseline: Started;
  pool: number;
  results: Map<string, Measured>;
  fills: Fill[];
}

interface Fill {
  setup: string;
  instances: number;
  seconds: number;
  /** PostgreSQL: what the fill takes, against the buffer cache it has (past it, pages come from the OS). */
  tablesMb?: number;
  sharedBuffers?: string;
}

async function postgresSize(url: string): Promise<Pick<Fill, 'tablesMb' | 'sharedBuffers'>> {
  return onPostgres(async (client) => {
    const { rows: [size] } = await client.query<{ bytes: string }>(
      `select sum(pg_total_relation_size(c.oid)) as bytes from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = $1 and c.relkind = 'r'`,
      [schemaOf(url)],
    );
    const { rows: [buffers] } = await client.query<{ shared_buffers: string }>('show shared_buffers');
    return { tablesMb: Math.round(Number(size?.bytes ?? 0) / 2 ** 20), sharedBuffers: buffers?.shared_buffers ?? 'unknown' };
  });
}

/** The baseline first (every ratio and the pool size need it), then the chosen scenarios grouped by set-up. */
async function main() {
  const began = performance.now();
  const host = machine();
  const unknown = ONLY?.filter((name) => !SCENARIOS.some((s) => s.name === name)) ?? [];
  if (unknown.length > 0) throw new Error(`BENCH_ONLY names no scenario "${unknown.join('", "')}"; they are: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  process.stdout.write(
    `shenpi load bench: ${CONNECTIONS} connections, ${WARMUP_SECONDS} s warm-up + ${SECONDS} s measured per scenario; ` +
      `nproc ${host.nproc}, ${host.cpu}, node ${host.node}, load average ${host.loadAverage.join(' ')}\n`,
  );
  const results = new Map<string, Measured>();
  const fills: Fill[] = [];
  const [baselineScenario, ...others] = SCENARIOS;
  // The baseline serves the whole run: measured alone first, then in turns with every scenario.
  const baseline = await startSetup(baselineScenario!, 0, fills);
  let pool = 0;
  try {
    record([baselineScenario!], await measureInTurns([{ scenario: baselineScenario!, started: baseline }], undefined), results);
    pool = Math.ceil(results.get('baseline')!.perSecond * (WARMUP_SECONDS + SECONDS) * POOL_OVER_BASELINE);
    const run: Run = { baseline, pool, results, fills };
    const chosen = others.filter((s) => !ONLY || ONLY.includes(s.name));
    // A scenario whose target is its ratio to another of a number of requests runs in turns with it, when both run.
    const pairs = chosen.flatMap((s) => {
      const of = s.requests && s.target?.of ? chosen.find((o) => o.name === s.target!.of && o.requests) : undefined;
      return of ? [[of, s]] : [];
    });
    const paired = new Set(pairs.flat());
    for (const setup of new Set(chosen.filter((s) => !paired.has(s)).map((s) => s.setup))) {
      await runSetup(chosen.filter((s) => s.setup === setup && !paired.has(s)), run);
    }
    for (const pair of pairs) await runTogether(pair, run);
  } finally {
    await stopSetup(baseline);
  }
  const rows = judge(results);
  const seconds = (performance.now() - began) / 1000;
  const loadAtEnd = loadavg().map((n) => Number(n.toFixed(2)));
  process.stdout.write(`\n${table(rows)}\n\nload bench took ${seconds.toFixed(0)} s; load average then ${loadAtEnd.join(' ')}\n`);
  const date = new Date().toISOString().slice(0, 10);
  mkdirSync(`${ROOT}bench/results`, { recursive: true });
  const file = `${ROOT}bench/results/${date}.json`;
  const settings = { seconds: SECONDS, warmupSeconds: WARMUP_SECONDS, connections: CONNECTIONS, big: BIG, workers: WORKERS, pool, only: ONLY ?? null };
  const report = { date, machine: { ...host, loadAverageAtEnd: loadAtEnd }, settings, fills, rows, seconds: Number(seconds.toFixed(1)), table: table(rows) };
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`written to ${file.slice(ROOT.length)}\n`);
}

await main();
