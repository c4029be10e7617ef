/**
 * Withdrawal, `POST /instances/cancel`: the centre of shenpi. The checks run in rules.md's order (the
 * token and the body were checked by the HTTP layer): definition, instance of that definition, the
 * user, then the domain's revoke rules, on a read; the change lands in one transaction, guarded by the version
 * read, with its timeline and events, together with a revoke request it opens or the original it gives back.
 * A refusal is answered as a value, not thrown: in a busy server a throw cost a refused withdrawal about a tenth
 * of its CPU.
 */
import { checkRevocable } from '../domain/approval/revoke.js';
import { withdrawal } from '../domain/approval/revoke-round.js';
import type { Clock } from '../domain/clock.js';
import type { UserIdType } from '../domain/directory.js';
import { allOk, type Result } from '../domain/errors.js';
import type { Ids } from '../domain/ids.js';
import { allInOrder } from '../util/in-order.js';
import type { Caller } from './auth-service.js';
import { lookUpUser } from './directory-lookup.js';
import type { InstanceService } from './instance-service.js';
import type { Store } from './ports.js';
import { issueTransition, issueWithRevokeRound, revokeRoundOriginal, withRetry } from './transitions.js';

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

  async cancel(caller: Caller, request: WithdrawalRequest): Promise<Result<void>> {
    const { tenantKey } = caller;
    return withRetry(this.store, async (read) => {
      const [located, userFound, early] = await allInOrder([
        this.instances.lookUpWithDefinition(read, tenantKey, request.approvalCode, request.instanceCode),
        lookUpUser(read, tenantKey, request.userIdType, request.userId, 'user_id'),
        // The instance's tasks (by its code: used only once the instance is found to be this tenant's).
        read.batchesReads ? read.tasks.listByInstance(request.instanceCode) : undefined,
      ] as const);
      const found = allOk([located, userFound] as const);
      if (!found.ok) return { refused: found.refusal };
      const [{ definition, instance }, user] = found.value;
      const now = this.clock.now();
      // The rules first: where reads cost their own work, a refusal reads no tasks.
      const kind = checkRevocable(instance, definition.settings, user.userId, now);
      if (!kind.ok) return { refused: kind.refusal };
      const tasks = early ?? (await read.tasks.listByInstance(instance.code));
      // Withdrawing a revoke request gives its original back: that happens with it.
      const original = await revokeRoundOriginal(read, tenantKey, instance);
      const { transition, revokeRequest } = withdrawal(kind.value, instance, tasks, {
        by: user.userId,
        now,
        ids: this.ids.decimals(now),
        revokeRequest: { code: this.ids.code(), serialNumber: this.ids.serialNumber(now) },
        definition,
      });
      return {
        issue: (tx) => [
          ...issueWithRevokeRound(tx, tenantKey, definition, instance, transition, original, now, this.ids),
          ...(revokeRequest ? issueTransition(tx, tenantKey, definition, undefined, revokeRequest, now, this.ids) : []),
        ],
        answer: undefined,
      };
    });
  }
}
