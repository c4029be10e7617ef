/** Migrations that change a table holding data: what was stored before is there after, on SQLite and PostgreSQL. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { Migrator, sql, type Kysely } from 'kysely';
import { migrationProvider } from '../src/storage/migrations/index.js';
import { connect } from '../src/storage/open-store.js';
import { ensureSchema } from '../src/storage/postgres.js';
import type { Database } from '../src/storage/schema.js';
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
