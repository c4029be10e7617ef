/** Subscriptions and event deliveries over kysely (SQL both SQLite and PostgreSQL accept). */
import type { Kysely, Transaction } from 'kysely';
import type {
  ClaimedDelivery,
  Delivery,
  DeliveryRepository,
  DeliveryStatus,
  SubscriptionRepository,
} from '../services/ports.js';
import { toApp, toOutboxEvent } from './rows.js';
import type { Database, DeliveriesTable } from './schema.js';

type Executor = Kysely<Database> | Transaction<Database>;

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
      const rows = await db
        .selectFrom('subscriptions')
        .innerJoin('apps', 'apps.app_id', 'subscriptions.app_id')
        .select('subscriptions.app_id')
        .where('subscriptions.approval_code', '=', approvalCode)
        .where('apps.event_url', 'is not', null)
        .orderBy('subscriptions.app_id')
        .execute();
      return rows.map((r) => r.app_id);
    },
  };
}

const toDelivery = (row: DeliveriesTable): Delivery => ({
  eventId: row.event_id,
  appId: row.app_id,
  instanceCode: row.instance_code,
  seq: row.seq,
  status: row.status as DeliveryStatus,
  attempts: row.attempts,
  nextAttemptAt: row.next_attempt_at,
  lastError: row.last_error,
  deliveredAt: row.delivered_at,
});

export function deliveryRepository(db: Executor): DeliveryRepository {
  return {
    async enqueue(events, appIds, now) {
      const rows = events.flatMap((event) =>
        appIds.map((appId) => ({
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
      if (rows.length) await db.insertInto('deliveries').values(rows).execute();
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
          ...toDelivery(row),
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
      let query = db.selectFrom('deliveries').selectAll();
      if (filter.instanceCode) query = query.where('instance_code', '=', filter.instanceCode);
      if (filter.appId) query = query.where('app_id', '=', filter.appId);
      const rows = await query.orderBy('instance_code').orderBy('seq').orderBy('app_id').limit(1000).execute();
      return rows.map(toDelivery);
    },
  };
}
