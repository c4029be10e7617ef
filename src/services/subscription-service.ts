/** `POST /approvals/:approval_code/subscribe` and `/unsubscribe`: event delivery per definition, per calling app. */
import type { Clock } from '../domain/clock.js';
import { requireDefinition } from './approval-lookup.js';
import type { Caller } from './auth-service.js';
import type { Store } from './ports.js';

export class SubscriptionService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** Subscribing twice is the same as once. */
  async subscribe(caller: Caller, approvalCode: string): Promise<void> {
    await requireDefinition(this.store, caller.tenantKey, approvalCode);
    await this.store.subscriptions.subscribe(caller.appId, approvalCode, this.clock.now());
  }

  async unsubscribe(caller: Caller, approvalCode: string): Promise<void> {
    await requireDefinition(this.store, caller.tenantKey, approvalCode);
    await this.store.subscriptions.unsubscribe(caller.appId, approvalCode);
  }
}
