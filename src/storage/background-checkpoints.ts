/**
 * SQLite WAL checkpoints, mostly on a thread of their own. By default the connection whose commit takes the WAL
 * past 1,000 pages copies them all into the database file there and then, fsyncs included, while every request
 * waits on the one thread. Here the server's connection only says that it wrote; a worker thread with a
 * connection of its own runs a PASSIVE checkpoint (which never blocks a writer or a reader) a moment later, on the
 * other core. A PASSIVE checkpoint cannot let the WAL start over while the server keeps writing, though, so the
 * server's connection still checkpoints by itself past CATCH_UP_PAGES: by then the worker has copied nearly all of
 * them, and what is left is the pages written since its last pass. Durability does not change: a commit is
 * durable once it is in the WAL (synchronous FULL syncs it there), whoever copies it into the database later.
 * Measured on the withdrawal bench: about a fifth more withdrawals a second on NORMAL, less on FULL.
 */
import BetterSqlite3 from 'better-sqlite3';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** After the first write since its last pass, the worker waits this long, so that one pass takes many commits. */
const CHECKPOINT_DELAY_MS = 20;
/**
 * WAL pages past which the server's connection checkpoints by itself (16 MB of 4 KB pages): what the worker has
 * not copied yet, after which the WAL starts over. It also bounds the WAL if the worker falls behind.
 */
const CATCH_UP_PAGES = 4_000;
/** SQLite's own, restored if the worker fails. */
const SQLITE_DEFAULT_PAGES = 1_000;

/**
 * The worker, as CommonJS source: a file of its own would need a different path in each of the ways the server
 * runs (sources under tsx, the bundled command, the bundled tests). It gets the driver's resolved path.
 * Messages in: 'checkpoint' (some time after, one PASSIVE checkpoint, answered 'done'), 'close'. A failure is
 * answered { error }.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
const checkpoint = db.prepare('pragma wal_checkpoint(PASSIVE)');
let timer;
parentPort.on('message', (message) => {
  if (message === 'close') {
    clearTimeout(timer);
    db.close();
    parentPort.close();
    return;
  }
  timer = setTimeout(() => {
    try {
      checkpoint.get();
      parentPort.postMessage('done');
    } catch (err) {
      parentPort.postMessage({ error: String(err && err.message) });
    }
  }, workerData.delay);
});
`;

/**
 * idle: no checkpoint asked for; asked: one is on its way; again: and more was written since it was asked for;
 * inline: the worker failed, and SQLite's own checkpoints run on the connection; closed: the store is closing.
 */
type State = 'idle' | 'asked' | 'again' | 'inline' | 'closed';

export class BackgroundCheckpoints {
  private worker: Worker | undefined;
  private state: State = 'idle';

  /**
   * `connection` is the server's, opened on `path` in WAL mode; `warn` hears why the checkpoints went back to the
   * connection itself, if they do.
   */
  constructor(
    private readonly connection: BetterSqlite3.Database,
    private readonly path: string,
    private readonly warn: (message: string) => void = () => {},
    private readonly delayMs = CHECKPOINT_DELAY_MS,
  ) {}

  /** The connection wrote: asks for a checkpoint unless one is already on its way. Called at every write, so cheap. */
  wrote(): void {
    if (this.state === 'idle') this.ask();
    else if (this.state === 'asked') this.state = 'again';
  }

  /** Stops the worker and waits for it to close its connection, so that the server's is the last to close. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.state = 'closed';
    this.worker = undefined;
    if (!worker) return;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    // Unreferenced, its exit would not keep the process waiting for it.
    worker.ref();
    worker.postMessage('close');
    await exited;
  }

  private ask(): void {
    this.state = 'asked';
    (this.worker ??= this.start()).postMessage('checkpoint');
  }

  private start(): Worker {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { driver: createRequire(import.meta.url).resolve('better-sqlite3'), path: this.path, delay: this.delayMs },
      // Not the server's flags: under tsx they would load its hooks into the worker too.
      execArgv: [],
    });
    worker.on('message', (message: unknown) => {
      if (message === 'done') this.done();
      else this.fail(`the checkpoint thread failed: ${(message as { error?: string }).error}`);
    });
    worker.on('error', (err) => this.fail(`the checkpoint thread failed: ${err.message}`));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.fail(`the checkpoint thread exited (code ${code})`);
    });
    // A process that never closes the store still exits. After the listeners: a 'message' listener refs it again.
    worker.unref();
    this.connection.pragma(`wal_autocheckpoint = ${CATCH_UP_PAGES}`);
    return worker;
  }

  private done(): void {
    if (this.state === 'again') this.ask();
    else if (this.state === 'asked') this.state = 'idle';
  }

  /** Back to SQLite's own checkpoints on the server's connection, for good. */
  private fail(reason: string): void {
    if (this.state === 'inline' || this.state === 'closed') return;
    const worker = this.worker;
    this.state = 'inline';
    this.worker = undefined;
    this.connection.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_PAGES}`);
    void worker?.terminate();
    this.warn(`${reason}; the server's connection checkpoints the WAL itself from now on`);
  }
}
