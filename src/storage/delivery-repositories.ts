/** Subscriptions and event deliveries over kysely (SQL both SQLite and PostgreSQL accept). */
import { sql, type Kysely, type Transaction } from 'kysely';
import { EVENT_TYPES, takesEvent } from '../domain/event-types.js';
import type {
  ClaimedDelivery,
  Delivery,
  DeliveryFilter,
  DeliveryRepository,
  DeliveryStatus,
  SubscriptionRepository,
} from '../services/ports.js';
import { prepared, preparedIn, preparedInsert } from './prepared.js';
import { toApp, toOutboxEvent } from './rows.js';
import type { Database, DeliveriesTable } from './schema.js';

type Executor = Kysely<Database> | Transaction<Database>;

const receiversOf = prepared<{ approvalCode: string }, { app_id: string; event_types: string | null }>((db, p) =>
  db
    .selectFrom('subscriptions')
    .innerJoin('apps', 'apps.app_id', 'subscriptions.app_id')
    .select(['subscriptions.app_id', 'apps.event_types'])
    .where('subscriptions.approval_code', '=', p('approvalCode'))
    .where('apps.event_url', 'is not', null)
    .orderBy('subscriptions.app_id'),
);

const insertDeliveries = preparedInsert('deliveries', [
  'event_id',
  'app_id',
  'instance_code',
  'seq',
  'status',
  'attempts',
  'next_attempt_at',
  'locked_until',
]);

/** Each event's values in `insertSubscribedDeliveries`, in its order. */
const EVENT_VALUES = 5;

/**
 * The deliveries of some events to the apps that receive them, the apps chosen by the statement itself: it can
 * then be issued with a transaction's other writes, with nothing read first to wait for. Per event: its id,
 * instance and seq, 1 when the default types include its type, and a LIKE pattern that finds its type in an
 * app's JSON list of chosen types (the names in such a list are checked on the way in, so the match is exact).
 */
const insertSubscribedDeliveries = preparedIn<{ approvalCode: string; now: number }, string | number, never>((db, p, list) => {
  const events = [];
  for (let i = 0; i < list.length; i += EVENT_VALUES) {
    const [eventId, instanceCode, seq, byDefault, pattern] = list.slice(i, i + EVENT_VALUES);
    events.push(sql`select cast(${eventId} as text) as event_id, cast(${instanceCode} as text) as instance_code,
      cast(${seq} as integer) as seq, cast(${byDefault} as integer) as by_default, cast(${pattern} as text) as pattern`);
  }
  return db
    .insertInto('deliveries')
    .columns(['event_id', 'app_id', 'instance_code', 'seq', 'status', 'attempts', 'next_attempt_at', 'locked_until'])
    .expression(
      sql`select e.event_id, s.app_id, e.instance_code, e.seq, 'pending', 0, cast(${p('now')} as bigint), 0
        from (${sql.join(events, sql` union all `)}) e
        join subscriptions s on s.approval_code = ${p('approvalCode')}
        join apps a on a.app_id = s.app_id
        where a.event_url is not null
          and case when a.event_types is null then e.by_default = 1 else a.event_types like e.pattern escape '\\' end`,
    );
});

/** Per event type, the LIKE pattern and whether the default types include it, made once. */
const MATCHING = new Map(
  EVENT_TYPES.map((type) => {
    const pattern = `%${JSON.stringify(type).replace(/[\\%_]/g, '\\$&')}%`;
    return [type, { byDefault: takesEvent(null, type) ? 1 : 0, pattern }];
  }),
);

export function subscriptionRepository(db: Executor): SubscriptionRepository {
  return {
    async subscribe(appId, approvalCode, now) {
      const result = await db
        .insertInto('subscriptions')
        .values({ app_id: appId, approval_code: approvalCode, created_at: now })
        .onConflict((oc) => oc.columns(['app_id', 'approval_code']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    async unsubscribe(appId, approvalCode) {
      const result = await db
        .deleteFrom('subscriptions')
        .where('app_id', '=', appId)
        .where('approval_code', '=', approvalCode)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async receivers(approvalCode) {
      const { rows } = await receiversOf(db, { approvalCode });
      return rows.map((r) => ({
        appId: r.app_id,
        eventTypes: r.event_types === null ? null : (JSON.parse(r.event_types) as string[]),
      }));
    },
  };
}

const toDelivery = (row: DeliveriesTable & { event_type: string }): Delivery => ({
  eventId: row.event_id,
  appId: row.app_id,
  instanceCode: row.instance_code,
  seq: row.seq,
  eventType: row.event_type,
  status: row.status as DeliveryStatus,
  attempts: row.attempts,
  nextAttemptAt: row.next_attempt_at,
  lastAttemptAt: row.last_attempt_at,
  lastError: row.last_error,
  deliveredAt: row.delivered_at,
});

/**
 * `receivers`: where the apps subscribed to an approval are kept in memory (SQLite), they are taken from it and
 * their deliveries inserted; elsewhere one statement chooses them (`insertSubscribedDeliveries`).
 */
export function deliveryRepository(db: Executor, receivers?: SubscriptionRepository['receivers']): DeliveryRepository {
  /** Deliveries with their event's type, narrowed by `filter`. */
  const selected = (filter: DeliveryFilter) => {
    let query = db
      .selectFrom('deliveries')
      .innerJoin('outbox', 'outbox.event_id', 'deliveries.event_id')
      .selectAll('deliveries')
      .select('outbox.event_type');
    if (filter.eventId) query = query.where('deliveries.event_id', '=', filter.eventId);
    if (filter.instanceCode) query = query.where('deliveries.instance_code', '=', filter.instanceCode);
    if (filter.approvalCode) query = query.where('outbox.approval_code', '=', filter.approvalCode);
    if (filter.appId) query = query.where('deliveries.app_id', '=', filter.appId);
    return query;
  };

  return {
    async enqueue(events, now) {
      if (events.length === 0) return;
      const approvalCode = events[0]!.approvalCode;
      if (!receivers) {
        const values = events.flatMap((e) => {
          const { byDefault, pattern } = MATCHING.get(e.eventType)!;
          return [e.eventId, e.instanceCode, e.seq, byDefault, pattern];
        });
        await insertSubscribedDeliveries(db, { approvalCode, now }, values);
        return;
      }
      const apps = await receivers(approvalCode);
      const rows = events.flatMap((event) =>
        apps.filter((r) => takesEvent(r.eventTypes, event.eventType)).map(({ appId }) => ({
          event_id: event.eventId,
          app_id: appId,
          instance_code: event.instanceCode,
          seq: event.seq,
          status: 'pending',
          attempts: 0,
          next_attempt_at: now,
          locked_until: 0,
        })),
      );
      await insertDeliveries(db, rows);
    },

    async claimDue(now, leaseMs, limit) {
      const due = await db
        .selectFrom('deliveries as d')
        .selectAll('d')
        .where('d.status', '=', 'pending')
        .where('d.next_attempt_at', '<=', now)
        .where('d.locked_until', '<=', now)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('deliveries as e')
                .select('e.seq')
                .whereRef('e.app_id', '=', 'd.app_id')
                .whereRef('e.instance_code', '=', 'd.instance_code')
                .where('e.status', '=', 'pending')
                .whereRef('e.seq', '<', 'd.seq'),
            ),
          ),
        )
        .orderBy('d.next_attempt_at')
        .orderBy('d.seq')
        .limit(limit)
        .execute();

      const claimed: ClaimedDelivery[] = [];
      for (const row of due) {
        // Taking the lease is a compare-and-set: of several nodes, one gets each delivery.
        const taken = await db
          .updateTable('deliveries')
          .set({ locked_until: now + leaseMs })
          .where('event_id', '=', row.event_id)
          .where('app_id', '=', row.app_id)
          .where('locked_until', '=', row.locked_until)
          .where('status', '=', 'pending')
          .executeTakeFirst();
        if (Number(taken.numUpdatedRows) !== 1) continue;
        const event = await db.selectFrom('outbox').selectAll().where('event_id', '=', row.event_id).executeTakeFirst();
        const app = await db.selectFrom('apps').selectAll().where('app_id', '=', row.app_id).executeTakeFirst();
        if (!event || !app?.event_url) continue;
        claimed.push({
          ...toDelivery({ ...row, event_type: event.event_type }),
          event: toOutboxEvent(event),
          app: toApp(app),
          verifiedUrl: app.event_verified_url,
        });
      }
      return claimed;
    },

    async settle(d) {
      await db
        .updateTable('deliveries')
        .set({
          status: d.status,
          attempts: d.attempts,
          next_attempt_at: d.nextAttemptAt,
          last_attempt_at: d.lastAttemptAt,
          last_error: d.lastError,
          delivered_at: d.deliveredAt,
          locked_until: 0,
        })
        .where('event_id', '=', d.eventId)
        .where('app_id', '=', d.appId)
        .execute();
    },

    async markUrlVerified(appId, url) {
      await db.updateTable('apps').set({ event_verified_url: url }).where('app_id', '=', appId).execute();
    },

    async list(filter) {
      const rows = await selected(filter)
        .orderBy('deliveries.instance_code')
        .orderBy('deliveries.seq')
        .orderBy('deliveries.app_id')
        .limit(1000)
        .execute();
      return rows.map(toDelivery);
    },

    async redrive(filter, now) {
      const dead = await selected(filter).where('deliveries.status', '=', 'dead').execute();
      for (const row of dead) {
        await db
          .updateTable('deliveries')
          .set({ status: 'pending', attempts: 0, next_attempt_at: now, locked_until: 0 })
          .where('event_id', '=', row.event_id)
          .where('app_id', '=', row.app_id)
          .where('status', '=', 'dead')
          .execute();
      }
      return dead.map((row) => toDelivery({ ...row, status: 'pending', attempts: 0, next_attempt_at: now, locked_until: 0 }));
    },
  };
}
