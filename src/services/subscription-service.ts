/** `POST /approvals/:approval_code/subscribe` and `/unsubscribe`: event delivery per definition, per calling app. */
import type { Clock } from '../domain/clock.js';
import { ok, refuse, type Result } from '../domain/errors.js';
import { lookUpDefinition } from './approval-lookup.js';
import type { Caller } from './auth-service.js';
import type { Store } from './ports.js';

export class SubscriptionService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** A second subscribe answers Feishu's 1390007 and changes nothing; an unknown definition, 1390002. */
  async subscribe(caller: Caller, approvalCode: string): Promise<Result<void>> {
    const found = await lookUpDefinition(this.store, caller.tenantKey, approvalCode);
    if (!found.ok) return found;
    return (await this.store.subscriptions.subscribe(caller.appId, approvalCode, this.clock.now()))
      ? ok(undefined)
      : refuse(1390007, `app "${caller.appId}" is already subscribed to approval "${approvalCode}"`);
  }

  /** Unsubscribing a definition the app is not subscribed to answers 1390007 too, as Feishu does. */
  async unsubscribe(caller: Caller, approvalCode: string): Promise<Result<void>> {
    const found = await lookUpDefinition(this.store, caller.tenantKey, approvalCode);
    if (!found.ok) return found;
    return (await this.store.subscriptions.unsubscribe(caller.appId, approvalCode))
      ? ok(undefined)
      : refuse(1390007, `app "${caller.appId}" is not subscribed to approval "${approvalCode}"`);
  }
}
