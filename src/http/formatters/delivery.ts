/** An event delivery as the admin API answers it: snake_case keys, like every other admin answer. */
import type { Delivery } from '../../services/ports.js';

export const formatDelivery = (d: Delivery) => ({
  event_id: d.eventId,
  app_id: d.appId,
  instance_code: d.instanceCode,
  seq: d.seq,
  event_type: d.eventType,
  status: d.status,
  attempts: d.attempts,
  next_attempt_at: d.nextAttemptAt,
  last_attempt_at: d.lastAttemptAt,
  last_error: d.lastError,
  delivered_at: d.deliveredAt,
});
