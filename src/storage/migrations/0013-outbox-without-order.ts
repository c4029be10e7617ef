import { sql, SqliteAdapter, type Kysely, type Migration } from 'kysely';

const COLUMNS = ['event_id', 'tenant_key', 'approval_code', 'instance_code', 'seq', 'event_type', 'payload', 'created_at'];

/**
 * The outbox loses its unique (instance_code, seq): nothing reads events by instance (each delivery keeps its own
 * order, deliveries_order), and a second transition of one instance version is already refused by the instance's
 * version guard and by the timeline's key. Its entry was the one random index page each event dirtied: without it a
 * withdrawal on SQLite writes about 40% fewer pages.
 */
export const outboxWithoutOrder: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    if (!(db.getExecutor().adapter instanceof SqliteAdapter)) {
      await sql`alter table outbox drop constraint outbox_order`.execute(db);
      return;
    }
    // SQLite drops a table constraint only by building the table anew. Foreign keys are off meanwhile (the pragma
    // is ignored inside a transaction): deliveries name the outbox, which is dropped before its copy takes its name.
    await sql`pragma foreign_keys = off`.execute(db);
    try {
      await db.transaction().execute(async (trx) => {
        await trx.schema
          .createTable('outbox_rebuilt')
          .addColumn('event_id', 'text', (c) => c.primaryKey())
          .addColumn('tenant_key', 'text', (c) => c.notNull())
          .addColumn('approval_code', 'text', (c) => c.notNull())
          .addColumn('instance_code', 'text', (c) => c.notNull())
          .addColumn('seq', 'integer', (c) => c.notNull())
          .addColumn('event_type', 'text', (c) => c.notNull())
          .addColumn('payload', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        const columns = sql.join(COLUMNS.map((c) => sql.id(c)));
        await sql`insert into outbox_rebuilt (${columns}) select ${columns} from outbox`.execute(trx);
        await trx.schema.dropTable('outbox').execute();
        await trx.schema.alterTable('outbox_rebuilt').renameTo('outbox').execute();
        const { rows } = await sql`pragma foreign_key_check`.execute(trx);
        if (rows.length > 0) throw new Error(`the outbox rebuilt leaves ${rows.length} rows naming missing rows`);
      });
    } finally {
      await sql`pragma foreign_keys = on`.execute(db);
    }
  },
};
