/**
 * Withdrawal, `POST /instances/cancel`: the centre of shenpi. The checks run in rules.md's order (the
 * token and the body were checked by the HTTP layer): definition, instance of that definition, the
 * user, then the domain's revoke rules, on a read; the change lands in one transaction, guarded by the version
 * read, with its timeline and events, together with a revoke request it opens or the original it gives back.
 */
import { withdraw } from '../domain/approval/revoke-round.js';
import type { Clock } from '../domain/clock.js';
import type { UserIdType } from '../domain/directory.js';
import { unwrap } from '../domain/errors.js';
import type { Ids } from '../domain/ids.js';
import { requireDefinition } from './approval-lookup.js';
import type { Caller } from './auth-service.js';
import { requireUser } from './directory-lookup.js';
import type { InstanceService } from './instance-service.js';
import type { Store } from './ports.js';
import { applyTransition, applyWithRevokeRound, withRetry } from './transitions.js';

export interface WithdrawalRequest {
  approvalCode: string;
  instanceCode: string;
  /** The submitter, as an id of `userIdType`. */
  userId: string;
  userIdType: UserIdType;
}

export class WithdrawalService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly ids: Ids,
    private readonly instances: InstanceService,
  ) {}

  async cancel(caller: Caller, request: WithdrawalRequest): Promise<void> {
    const { tenantKey } = caller;
    await withRetry(this.store, async (read) => {
      const definition = await requireDefinition(read, tenantKey, request.approvalCode);
      const instance = await this.instances.requireInstance(read, tenantKey, request.approvalCode, request.instanceCode);
      const user = await requireUser(read, tenantKey, request.userIdType, request.userId, 'user_id');
      const tasks = await read.tasks.listByInstance(instance.code);
      const now = this.clock.now();
      const withdrawal = unwrap(
        withdraw(instance, tasks, definition.settings, {
          by: user.userId,
          now,
          ids: this.ids.decimals(now),
          revokeRequest: { code: this.ids.code(), serialNumber: this.ids.serialNumber(now) },
          definition,
        }),
      );
      return {
        write: async (tx) => {
          // Withdrawing a revoke request gives its original back: that happens with it.
          await applyWithRevokeRound(tx, tenantKey, definition, instance, withdrawal.transition, now, this.ids);
          if (withdrawal.revokeRequest) await applyTransition(tx, tenantKey, definition, undefined, withdrawal.revokeRequest, now, this.ids);
        },
      };
    });
  }
}
