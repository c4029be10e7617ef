import type { Migration, MigrationProvider } from 'kysely';
import { directoryAndTokens } from './0001-directory-and-tokens.js';
import { approvalsAndInstances } from './0002-approvals-and-instances.js';
import { rateWindows } from './0003-rate-windows.js';
import { eventDelivery } from './0004-event-delivery.js';
import { instanceComments } from './0005-instance-comments.js';
import { instanceCreationOrder } from './0006-instance-creation-order.js';
import { revokeRounds } from './0007-revoke-rounds.js';
import { eventTypesAndDeadDeliveries } from './0008-event-types-and-dead-deliveries.js';
import { instanceCcs } from './0009-instance-ccs.js';
import { instanceI18n } from './0010-instance-i18n.js';
import { taskGroups } from './0011-task-groups.js';
import { externalApprovals } from './0012-external-approvals.js';
import { outboxWithoutOrder } from './0013-outbox-without-order.js';
import { lighterInstanceIndexes } from './0014-lighter-instance-indexes.js';
import { nodeLeases } from './0015-node-leases.js';
import { instancesRoomToUpdate } from './0016-instances-room-to-update.js';

/** Every migration, in order. Names sort by their number prefix; never rename or edit a landed one. */
const MIGRATIONS: Record<string, Migration> = {
  '0001-directory-and-tokens': directoryAndTokens,
  '0002-approvals-and-instances': approvalsAndInstances,
  '0003-rate-windows': rateWindows,
  '0004-event-delivery': eventDelivery,
  '0005-instance-comments': instanceComments,
  '0006-instance-creation-order': instanceCreationOrder,
  '0007-revoke-rounds': revokeRounds,
  '0008-event-types-and-dead-deliveries': eventTypesAndDeadDeliveries,
  '0009-instance-ccs': instanceCcs,
  '0010-instance-i18n': instanceI18n,
  '0011-task-groups': taskGroups,
  '0012-external-approvals': externalApprovals,
  '0013-outbox-without-order': outboxWithoutOrder,
  '0014-lighter-instance-indexes': lighterInstanceIndexes,
  '0015-node-leases': nodeLeases,
  '0016-instances-room-to-update': instancesRoomToUpdate,
};

/** Migrations compiled into the code, so `shenpi migrate` needs no folder on disk. */
export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};

/** Tables in an order that deletes children before parents. */
export const TABLES_CHILD_FIRST = [
  'external_ccs',
  'external_tasks',
  'external_instances',
  'external_approvals',
  'external_approval_groups',
  'deliveries',
  'subscriptions',
  'rate_windows',
  'outbox',
  'timeline',
  'instance_comments',
  'instance_ccs',
  'tasks',
  'instances',
  'approvals',
  'access_tokens', 'users', 'departments', 'apps', 'tenants', 'server_state'] as const;

/**
 * Tables of the running processes rather than of the data (which process holds which node number): a reset, a
 * snapshot and its restore leave them alone.
 */
export const PROCESS_TABLES = ['node_leases'] as const;
