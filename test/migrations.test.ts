/**
 * Migrations that rebuild a table holding data or change its indexes or storage, on SQLite and PostgreSQL: what
 * was stored stays, the queries keep an index, and an update stays on its page.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { CompiledQuery, Migrator, sql, type Kysely } from 'kysely';
import { instancesMatching } from '../src/storage/approval-repositories.js';
import { migrationProvider } from '../src/storage/migrations/index.js';
import { DEMO_LEAVE_CODE } from '../src/fixtures/demo.js';
import { connect, openStore } from '../src/storage/open-store.js';
import { ensureSchema } from '../src/storage/postgres.js';
import type { Database } from '../src/storage/schema.js';
import { createLeaveThrough, DEMO_CALLER, demoServices } from './helpers/approval.js';
import { createTestDatabase, TEST_STORE } from './helpers/stores.js';

/** A database no migration has touched yet (the suite's own start as a copy of a migrated one). */
async function unmigrated(t: TestContext): Promise<{ db: Kysely<Database>; migrator: Migrator }> {
  let url: string;
  if (TEST_STORE === 'sqlite') {
    const folder = mkdtempSync(join(tmpdir(), 'shenpi-migrations-'));
    t.after(() => rmSync(folder, { recursive: true, force: true }));
    url = `sqlite:${join(folder, 'shenpi.sqlite')}`;
  } else {
    const database = await createTestDatabase('postgres');
    t.after(() => database.drop());
    url = database.url;
  }
  const db = await connect(url);
  t.after(() => db.destroy());
  if (TEST_STORE === 'postgres') await ensureSchema(db, url);
  return { db, migrator: new Migrator({ db, provider: migrationProvider }) };
}

async function outboxRow(db: Kysely<Database>, eventId: string, seq: number): Promise<void> {
  await sql`insert into outbox (event_id, tenant_key, approval_code, instance_code, seq, event_type, payload, created_at)
    values (${eventId}, 'acme', 'A', 'I-1', ${seq}, 'approval_instance', '{}', 1)`.execute(db);
}

const deliveryRow = (db: Kysely<Database>, eventId: string) =>
  sql`insert into deliveries (event_id, app_id, instance_code, seq, status, attempts, next_attempt_at, locked_until)
    values (${eventId}, 'cli_a', 'I-1', 1000, 'pending', 0, 1, 0)`.execute(db);

test('0013: the outbox keeps its events and their deliveries, takes a repeated (instance, seq), and deliveries still need their event', async (t) => {
  const { db, migrator } = await unmigrated(t);
  assert.equal((await migrator.migrateTo('0012-external-approvals')).error, undefined);
  await outboxRow(db, 'E1', 1000);
  await outboxRow(db, 'E2', 1001);
  await assert.rejects(outboxRow(db, 'E0', 1000), 'before 0013 a repeated (instance, seq) is refused');
  await deliveryRow(db, 'E1');

  const { error, results } = await migrator.migrateToLatest();
  assert.equal(error, undefined);
  assert.ok(results?.some((r) => r.migrationName === '0013-outbox-without-order' && r.status === 'Success'));

  const events = await db.selectFrom('outbox').select(['event_id', 'seq', 'instance_code']).orderBy('event_id').execute();
  assert.deepEqual(events.map((e) => [e.event_id, Number(e.seq), e.instance_code]), [['E1', 1000, 'I-1'], ['E2', 1001, 'I-1']]);
  assert.deepEqual((await db.selectFrom('deliveries').select('event_id').execute()).map((d) => d.event_id), ['E1']);
  await outboxRow(db, 'E3', 1000);
  await assert.rejects(deliveryRow(db, 'MISSING'), 'a delivery of no stored event is refused');
  if (TEST_STORE === 'sqlite') {
    assert.deepEqual((await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db)).rows, [{ foreign_keys: 1 }]);
    assert.deepEqual((await sql`pragma foreign_key_check`.execute(db)).rows, []);
  }
});

test('0014: instances are found by approval and by reverted instance through an index still, on SQLite', { skip: TEST_STORE !== 'sqlite' && 'SQLite query plans' }, async (t) => {
  const { db, migrator } = await unmigrated(t);
  assert.equal((await migrator.migrateToLatest()).error, undefined);
  const plan = async (filter: Parameters<typeof instancesMatching>[2]) => {
    const query = instancesMatching(db, 'acme', filter).selectAll().orderBy('start_time').orderBy('created_seq').compile();
    const { rows } = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]));
    return rows.map((r) => r.detail).join(' | ');
  };
  assert.match(await plan({ approvalCode: 'A', startFrom: 1, startTo: 2 }), /USING INDEX instances_by_approval_in_order/);
  assert.match(await plan({ revertedInstanceCode: 'I-1' }), /USING INDEX instances_by_reverted_instance/);
  assert.match(await plan({ submitter: 'u_alice' }), /USING INDEX instances_by_submitter/);
  const indexes = await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = 'instances'`.execute(db);
  assert.ok(!indexes.rows.some((r) => r.name === 'instances_by_approval'));
});

test('0016: on PostgreSQL an instance whose page later instances filled changes on its own page (no index entries)', { skip: TEST_STORE !== 'postgres' && 'a PostgreSQL storage setting' }, async (t) => {
  const database = await createTestDatabase('postgres');
  t.after(() => database.drop());
  const store = await openStore(database.url);
  t.after(() => store.close());
  const services = await demoServices(store);
  const codes: string[] = [];
  // The first page full (about 20 instances a page), and more after it.
  for (let i = 0; i < 50; i++) codes.push(await createLeaveThrough(services));
  const db = await connect(database.url);
  t.after(() => db.destroy());
  const page = async (code: string) =>
    (await sql<{ ctid: string }>`select ctid::text as ctid from instances where instance_code = ${code}`.execute(db)).rows[0]!.ctid.split(',')[0];
  const before = await page(codes[0]!);
  const withdrawn = await services.withdrawals.cancel(DEMO_CALLER, { approvalCode: DEMO_LEAVE_CODE, instanceCode: codes[0]!, userId: 'ou_alice', userIdType: 'open_id' });
  assert.deepEqual(withdrawn, { ok: true, value: undefined });
  assert.equal(await page(codes[0]!), before);
});
