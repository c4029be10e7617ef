/**
 * kill -9 under load (issue 11): a real `shenpi serve` process takes concurrent creates, approvals and
 * withdrawals of the demo Leave as Alice and Bob; after some of them were answered, and while others are in
 * flight, it is SIGKILLed and started again on the same database. Then every request answered code 0 is
 * stored, each request the kill cut off either landed whole or not at all (and a client retrying it gets the
 * answer that says which), and every instance in the database is whole: status, tasks, timeline and outbox
 * agree (helpers/whole-instances.ts). On SQLite with synchronous FULL and on PostgreSQL, several rounds each.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { test, type TestContext } from 'node:test';
import { DEMO_LEAVE_CODE } from '../../src/fixtures/demo.js';
import { reasonForm, V4 } from '../helpers/approval.js';
import { rows } from '../helpers/db-snapshot.js';
import { call, tenantToken, type Answer } from '../helpers/http.js';
import { startNode, type NodeProcess } from '../helpers/process.js';
import { createTestDatabase, type TestStore } from '../helpers/stores.js';
import { auditInstances, type Audit } from '../helpers/whole-instances.js';
import { sized } from './sizes.js';

/** Kills (and restarts) per store. */
const ROUNDS = sized('SHENPI_CRASH_ROUNDS', 5);
/** Clients sending at once. */
const CLIENTS = sized('SHENPI_CRASH_CLIENTS', 16);
/** Writes answered code 0 in a round before the kill, on average: each round kills after 50 % to 150 % of it. */
const KILL_AFTER = sized('SHENPI_CRASH_KILL_AFTER', 80);
/** Every REVOKE_EVERY-th client's instance is approved, withdrawn (a revoke round) and revoked; the others withdrawn. */
const REVOKE_EVERY = 4;

type Step = 'create' | 'approve' | 'withdraw' | 'approve revoke request';
/** What the test knows of an instance: `absent` before its create is answered. */
type State = 'absent' | 'pending' | 'withdrawn' | 'approved' | 'revoking' | 'revoked';

/** One instance's life, driven by one client at a time. */
interface Chain {
  uuid: string;
  steps: Step[];
  code?: string;
  taskId?: string;
  revokeCode?: string;
  revokeTaskId?: string;
  /** The state the last answered step left. */
  state: State;
  /** A write the kill cut off: it may or may not have landed. */
  cut?: Step;
}

/** The state a step leaves: withdrawing an approved instance opens its revoke round. */
function after(step: Step, state: State): State {
  if (step === 'create') return 'pending';
  if (step === 'approve') return 'approved';
  if (step === 'withdraw') return state === 'approved' ? 'revoking' : 'withdrawn';
  return 'revoked';
}

/** The answer to a step sent again after it landed: the uuid is used (60012), or the change is already made (1390001). */
const refusalOf = (step: Step) => (step === 'create' ? 60012 : 1390001);

/** The stored state of a chain's instance (the audit's shapes of an original carry these names). */
const stateIn = (audit: Audit, chain: Chain): State => {
  const code = audit.byUuid.get(chain.uuid);
  return code === undefined ? 'absent' : (audit.shapes.get(code) as State);
};

interface Counts {
  answered: Record<Step, number>;
  /** Writes in flight at each kill. */
  inFlight: number[];
  /** Of those, the ones left without an answer, and how many of these had landed. */
  cut: number;
  landed: number;
}

class Load {
  private acknowledged = 0;
  killed = false;
  readonly unexpected: string[] = [];

  constructor(
    private readonly node: NodeProcess,
    private readonly databaseUrl: string,
    private readonly token: string,
    private readonly killAt: number,
    private readonly counts: Counts,
  ) {}

  /** Sends a step's write (after `prepare`), to this node or the one given. */
  async send(chain: Chain, step: Step, url = this.node.url): Promise<Answer> {
    const json = (body: Record<string, unknown>) => ({ token: this.token, json: { approval_code: DEMO_LEAVE_CODE, ...body } });
    switch (step) {
      case 'create':
        return call(url, `${V4}/instances`, json({ open_id: 'ou_alice', form: reasonForm(chain.uuid), uuid: chain.uuid }));
      case 'withdraw':
        return call(url, `${V4}/instances/cancel`, json({ instance_code: chain.code, user_id: 'ou_alice' }));
      case 'approve':
        return call(url, `${V4}/tasks/approve`, json({ instance_code: chain.code, user_id: 'ou_bob', task_id: chain.taskId }));
      case 'approve revoke request':
        return call(
          url,
          `${V4}/tasks/approve`,
          json({ instance_code: chain.revokeCode, user_id: 'ou_bob', task_id: chain.revokeTaskId }),
        );
    }
  }

  /** The task ids a step needs, read before the write is counted as sent. */
  async prepare(chain: Chain, step: Step): Promise<void> {
    if (step === 'approve') chain.taskId = await this.pendingTask(chain.code!);
    if (step === 'approve revoke request') {
      // The answer to the withdrawal does not name the revoke request it opened: the database does.
      const [request] = await rows(this.databaseUrl, 'instances', { reverted_instance_code: chain.code! });
      chain.revokeCode = String(request?.instance_code);
      chain.revokeTaskId = await this.pendingTask(chain.revokeCode);
    }
  }

  private async pendingTask(code: string): Promise<string> {
    const answer = await call(this.node.url, `${V4}/instances/${code}`, { token: this.token });
    return answer.body.data.task_list.find((t: { status: string }) => t.status === 'PENDING').id as string;
  }

  /** One client: new instances, one after another, each through its steps, until the kill. */
  async client(chains: Chain[], index: number): Promise<void> {
    try {
      await this.run(chains, index);
    } catch (err) {
      // Anything but the kill's cut connections is a failure, and ends the round at once.
      if (this.killed) return;
      this.unexpected.push(String((err as Error).stack ?? err));
      this.kill(chains);
    }
  }

  private async run(chains: Chain[], index: number): Promise<void> {
    for (let n = 0; !this.killed; n++) {
      const revoke = (index + n * CLIENTS) % REVOKE_EVERY === 0;
      const chain: Chain = {
        uuid: randomUUID(),
        steps: revoke ? ['create', 'approve', 'withdraw', 'approve revoke request'] : ['create', 'withdraw'],
        state: 'absent',
      };
      chains.push(chain);
      for (const step of chain.steps) {
        if (this.killed) return;
        await this.prepare(chain, step);
        if (this.killed) return;
        // Until its answer, the write may or may not land: if the kill cuts it off, chain.cut says which it was.
        chain.cut = step;
        const answer = await this.send(chain, step);
        chain.cut = undefined;
        if (answer.body?.code !== 0) throw new Error(`${step} of ${chain.code ?? chain.uuid}: HTTP ${answer.status} ${answer.text}`);
        if (step === 'create') chain.code = answer.body.data.instance_code as string;
        chain.state = after(step, chain.state);
        this.counts.answered[step]++;
        if (++this.acknowledged >= this.killAt) this.kill(chains);
      }
    }
  }

  private kill(chains: Chain[]): void {
    if (this.killed) return;
    this.killed = true;
    this.node.child.kill('SIGKILL');
    this.counts.inFlight.push(chains.filter((c) => c.cut).length);
  }
}

/** Every chain's instance is stored in the state its answers allow; every instance in the database is one of them, whole. */
function assertConsistent(audit: Audit, chains: Chain[]): void {
  assert.deepEqual(audit.problems, [], audit.problems.join('\n'));
  const known = new Set(chains.map((c) => c.uuid));
  for (const instance of audit.instances.values()) {
    const original = instance.revertedInstanceCode ? audit.instances.get(instance.revertedInstanceCode) : instance;
    assert.ok(original?.uuid && known.has(original.uuid), `${instance.code} was created by no request of the test`);
  }
  for (const chain of chains) {
    const stored = stateIn(audit, chain);
    const allowed = chain.cut ? [chain.state, after(chain.cut, chain.state)] : [chain.state];
    assert.ok(allowed.includes(stored), `${chain.code ?? chain.uuid}: stored ${stored}, answers allow ${allowed.join(' or ')}`);
    if (chain.code) assert.equal(audit.byUuid.get(chain.uuid), chain.code);
  }
}

/** Sends each cut-off write again on the restarted node: 0 when it had not landed, its refusal when it had. */
async function retryCut(load: Load, audit: Audit, chains: Chain[], counts: Counts, url: string): Promise<void> {
  for (const chain of chains.filter((c) => c.cut)) {
    const step = chain.cut!;
    const landed = stateIn(audit, chain) !== chain.state;
    chain.code ??= audit.byUuid.get(chain.uuid);
    // The task ids were read before the write was sent, and the task is still open if it did not land.
    const answer = await load.send(chain, step, url);
    assert.equal(answer.body?.code, landed ? refusalOf(step) : 0, `${step} of ${chain.code ?? chain.uuid} sent again: ${answer.text}`);
    if (step === 'create' && !landed) chain.code = answer.body.data.instance_code as string;
    chain.state = after(step, chain.state);
    chain.cut = undefined;
    counts.cut++;
    if (landed) counts.landed++;
  }
}

async function crashRounds(t: TestContext, store: TestStore): Promise<void> {
  const database = await createTestDatabase(store);
  // Rate limits off: the load is far above Feishu's 100 withdrawals a minute.
  const args = ['--db', database.url, '--log-level', 'warn', '--rate-limit', 'off'];
  if (store === 'sqlite') args.push('--sqlite-synchronous', 'FULL');
  let node = await startNode(args);
  t.after(async () => {
    await node.stop();
    await database.drop();
  });
  const token = await tenantToken(node.url);
  const chains: Chain[] = [];
  const answered = { create: 0, approve: 0, withdraw: 0, 'approve revoke request': 0 };
  const counts: Counts = { answered, inFlight: [], cut: 0, landed: 0 };

  for (let round = 0; round < ROUNDS; round++) {
    const killAt = Math.round(KILL_AFTER * (0.5 + Math.random()));
    const load = new Load(node, database.url, token, killAt, counts);
    const exited = once(node.child, 'exit');
    const roundChains: Chain[] = [];
    await Promise.all(Array.from({ length: CLIENTS }, (_, i) => load.client(roundChains, i)));
    assert.deepEqual(load.unexpected, [], load.unexpected.join('\n'));
    assert.ok(load.killed, 'the load ran until the kill');
    await exited;
    chains.push(...roundChains);

    node = await startNode(args);
    const audit = await auditInstances(database.url);
    assertConsistent(audit, chains);
    await retryCut(load, audit, chains, counts, node.url);
  }
  const audit = await auditInstances(database.url);
  assertConsistent(audit, chains);
  assert.equal(await node.stop(), 0);

  const n = (value: number) => value.toLocaleString('en-US');
  t.diagnostic(
    `crash ${store}: ${ROUNDS} rounds of kill -9 under ${CLIENTS} clients; ${n(answered.create)} creates, ` +
      `${n(answered.withdraw)} withdrawals and ${n(answered.approve + answered['approve revoke request'])} approvals acknowledged, ` +
      `all persisted; ${counts.inFlight.join('/')} writes in flight at the kills, ${n(counts.cut)} of them left unanswered: ` +
      `${n(counts.landed)} had landed whole, the rest not at all, and each sent again got the answer that says so; ` +
      `${n(audit.instances.size)} instances whole`,
  );
}

test('kill -9 under load on SQLite (synchronous FULL): every acknowledged write persisted, every instance whole', (t) =>
  crashRounds(t, 'sqlite'));

test('kill -9 under load on PostgreSQL: every acknowledged write persisted, every instance whole', (t) => crashRounds(t, 'postgres'));
