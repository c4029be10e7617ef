import { OffsetClock } from '../domain/clock.js';
import { ApprovalService } from './approval-service.js';
import { AuthService } from './auth-service.js';
import { ClockService } from './clock-service.js';
import { CommentService } from './comment-service.js';
import { ConsoleService } from './console-service.js';
import { DeliveryService } from './delivery-service.js';
import { EventUrlPolicy } from './event-url-policy.js';
import { FixtureService } from './fixture-service.js';
import { InstanceService } from './instance-service.js';
import type { Store } from './ports.js';
import { RateLimitService } from './rate-limit-service.js';
import { SubscriptionService } from './subscription-service.js';
import { TaskService } from './task-service.js';
import { WithdrawalService } from './withdrawal-service.js';

/** Every use case, wired over one store and one clock. */
export interface Services {
  store: Store;
  clock: ClockService;
  auth: AuthService;
  fixtures: FixtureService;
  approvals: ApprovalService;
  instances: InstanceService;
  comments: CommentService;
  withdrawals: WithdrawalService;
  tasks: TaskService;
  rateLimits: RateLimitService;
  subscriptions: SubscriptionService;
  console: ConsoleService;
  deliveries: DeliveryService;
  /** Where event pushes may go. */
  eventUrls: EventUrlPolicy;
}

export interface ServiceOptions {
  emulator: boolean;
  /** SHENPI_ALLOW_PRIVATE_EVENT_URLS: event URLs may name private and loopback addresses. */
  allowPrivateEventUrls?: boolean;
}

export function createServices(store: Store, options: ServiceOptions): Services {
  const clock = new ClockService(store, new OffsetClock(), options.emulator);
  const eventUrls = new EventUrlPolicy({ allowLoopback: options.emulator, allowPrivate: options.allowPrivateEventUrls ?? false });
  const approvals = new ApprovalService(store, clock.clock);
  const instances = new InstanceService(store, clock.clock);
  return {
    store,
    clock,
    auth: new AuthService(store, clock.clock),
    fixtures: new FixtureService(store, eventUrls, approvals),
    approvals,
    instances,
    comments: new CommentService(store, clock.clock, instances),
    withdrawals: new WithdrawalService(store, clock.clock, instances),
    tasks: new TaskService(store, clock.clock, instances),
    rateLimits: new RateLimitService(store, clock.clock),
    subscriptions: new SubscriptionService(store, clock.clock),
    console: new ConsoleService(store, clock.clock, instances, eventUrls),
    deliveries: new DeliveryService(store, clock.clock),
    eventUrls,
  };
}
