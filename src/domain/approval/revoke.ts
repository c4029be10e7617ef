/**
 * May this user withdraw this instance now? rules.md "Withdrawal" checks 5-7, in exactly that
 * order: the first that fails answers. (Checks 1-4 and "is a user of this tenant" belong to the
 * services, which read the token, the body and the store.)
 */
import { ok, refuse, type Result } from '../errors.js';
import type { RevokeSettings } from './definition.js';
import type { Instance } from './instance.js';

const invalid = (reason: string) => refuse(1390001, reason);

/** Answers which kind of withdrawal applies: of a request under approval, or of an approved one. */
export function checkRevocable(
  instance: Instance,
  settings: RevokeSettings,
  by: string,
  now: number,
): Result<'PENDING' | 'APPROVED'> {
  // 5. Only the submitter withdraws.
  if (by !== instance.submitter) return invalid(`user "${by}" is not the submitter of this instance`);
  // 6. The submitting app may have ruled withdrawal out for this instance.
  if (instance.forbidRevoke) return invalid('the instance was created with forbid_revoke');
  // 7. By status, against the definition's two console boxes; a revoke round has rules of its own.
  switch (instance.status) {
    case 'PENDING':
      if (instance.revokeRequestCode) {
        return invalid(`the instance is being revoked: its revoke request ${instance.revokeRequestCode} is under approval`);
      }
      // The submitter may take a revoke request back while it is open, whatever revert_option says.
      if (instance.revertedInstanceCode) return ok('PENDING');
      return settings.revertOption === 1
        ? ok('PENDING')
        : invalid('the definition does not allow withdrawing requests under approval (settings.revert_option is 0)');
    case 'APPROVED':
      if (instance.revertedInstanceCode) {
        return invalid(`the instance is an approved revoke request (of ${instance.revertedInstanceCode}); it cannot be revoked`);
      }
      return approvedWithinWindow(instance, settings, now);
    case 'CANCELED':
      return invalid('the instance is already withdrawn');
    case 'REJECTED':
    case 'DELETED':
      return invalid(`the instance is already finished (${instance.status})`);
  }
}

/** The window is inclusive: exactly revert_interval seconds after approval still counts. */
function approvedWithinWindow(instance: Instance, settings: RevokeSettings, now: number): Result<'APPROVED'> {
  if (settings.revertInterval <= 0) {
    return invalid('the definition does not allow withdrawing approved requests (settings.revert_interval is 0)');
  }
  const windowMs = settings.revertInterval * 1000;
  if (now - instance.endTime > windowMs) {
    return invalid(
      `withdrawal window closed: the instance was approved at ${isoTime(instance.endTime)} ` +
        `and settings.revert_interval allows ${settings.revertInterval} seconds after approval`,
    );
  }
  return ok('APPROVED');
}

/** Epoch ms as ISO text for reasons; a stored time out of Date's range is shown as the number. */
function isoTime(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? String(ms) : date.toISOString();
}
