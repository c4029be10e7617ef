import { OffsetClock } from '../domain/clock.js';
import { Ids } from '../domain/ids.js';
import { ApprovalService } from './approval-service.js';
import { AuthService } from './auth-service.js';
import { ClockService } from './clock-service.js';
import { CommentService } from './comment-service.js';
import { ConsoleService } from './console-service.js';
import { DeliveryService } from './delivery-service.js';
import { DistrictService } from './district-service.js';
import { EventUrlPolicy } from './event-url-policy.js';
import { EmulatorService } from './emulator-service.js';
import { ExternalDefinitionService } from './external-definition-service.js';
import { ExternalInstanceService } from './external-instance-service.js';
import { FixtureService } from './fixture-service.js';
import { InstanceService } from './instance-service.js';
import type { Store } from './ports.js';
import { RateLimitService } from './rate-limit-service.js';
import { SearchService } from './search-service.js';
import { SubscriptionService } from './subscription-service.js';
import { TaskService } from './task-service.js';
import { WithdrawalService } from './withdrawal-service.js';

/** Every use case, wired over one store, one clock and one id source. */
export interface Services {
  store: Store;
  clock: ClockService;
  ids: Ids;
  auth: AuthService;
  fixtures: FixtureService;
  approvals: ApprovalService;
  instances: InstanceService;
  comments: CommentService;
  withdrawals: WithdrawalService;
  tasks: TaskService;
  search: SearchService;
  rateLimits: RateLimitService;
  subscriptions: SubscriptionService;
  console: ConsoleService;
  deliveries: DeliveryService;
  /** Where event pushes may go. */
  eventUrls: EventUrlPolicy;
  emulator: EmulatorService;
  /** The address widget's divisions (static data, loaded on first use). */
  districts: DistrictService;
  externalDefinitions: ExternalDefinitionService;
  externalInstances: ExternalInstanceService;
}

export interface ServiceOptions {
  emulator: boolean;
  /** SHENPI_ALLOW_PRIVATE_EVENT_URLS: event URLs may name private and loopback addresses. */
  allowPrivateEventUrls?: boolean;
  /** Random unless given (a seeded one makes ids repeat run to run). */
  ids?: Ids;
}

export function createServices(store: Store, options: ServiceOptions): Services {
  const clock = new ClockService(store, new OffsetClock(), options.emulator);
  const eventUrls = new EventUrlPolicy({ allowLoopback: options.emulator, allowPrivate: options.allowPrivateEventUrls ?? false });
  const ids = options.ids ?? Ids.random();
  const approvals = new ApprovalService(store, clock.clock, ids);
  const instances = new InstanceService(store, clock.clock, ids);
  return {
    store,
    clock,
    ids,
    auth: new AuthService(store, clock.clock, ids),
    fixtures: new FixtureService(store, eventUrls, approvals),
    approvals,
    instances,
    comments: new CommentService(store, clock.clock, ids, instances),
    withdrawals: new WithdrawalService(store, clock.clock, ids, instances),
    tasks: new TaskService(store, clock.clock, ids, instances),
    search: new SearchService(store),
    rateLimits: new RateLimitService(store, clock.clock),
    subscriptions: new SubscriptionService(store, clock.clock),
    console: new ConsoleService(store, clock.clock, ids, instances, eventUrls),
    deliveries: new DeliveryService(store, clock.clock),
    eventUrls,
    emulator: new EmulatorService(store, clock, ids),
    districts: new DistrictService(),
    externalDefinitions: new ExternalDefinitionService(store, clock.clock, ids),
    externalInstances: new ExternalInstanceService(store, clock.clock, ids),
  };
}
