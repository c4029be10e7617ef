/** Event deliveries as the admin API and console see them: listed, and dead ones re-driven. */
import type { Clock } from '../domain/clock.js';
import { InvalidRequestError, NotFoundError } from './console-service.js';
import type { Delivery, DeliveryFilter, Store } from './ports.js';

export class DeliveryService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  list(filter: DeliveryFilter): Promise<Delivery[]> {
    return this.store.deliveries.list(filter);
  }

  /**
   * Makes dead deliveries pending again with a fresh attempt count: the one of `eventId` to `appId`, or
   * every dead one of an instance, a definition and/or an app. They go out in their instance's order.
   */
  async redrive(filter: DeliveryFilter): Promise<Delivery[]> {
    return this.store.transaction(async (tx) => {
      if (filter.eventId !== undefined) {
        if (filter.appId === undefined) throw new InvalidRequestError('event_id names a delivery together with app_id');
        const [named] = await tx.deliveries.list({ eventId: filter.eventId, appId: filter.appId });
        if (!named) throw new NotFoundError(`no delivery of event "${filter.eventId}" to app "${filter.appId}"`);
        if (named.status !== 'dead') {
          throw new InvalidRequestError(`the delivery is ${named.status}; only a dead delivery is re-driven`);
        }
      }
      return tx.deliveries.redrive(filter, this.clock.now());
    });
  }
}
