import { OffsetClock } from '../domain/clock.js';
import { AuthService } from './auth-service.js';
import { ClockService } from './clock-service.js';
import { FixtureService } from './fixture-service.js';
import type { Store } from './ports.js';

/** Every use case, wired over one store and one clock. */
export interface Services {
  store: Store;
  clock: ClockService;
  auth: AuthService;
  fixtures: FixtureService;
}

export function createServices(store: Store, options: { emulator: boolean }): Services {
  const clock = new ClockService(store, new OffsetClock(), options.emulator);
  return {
    store,
    clock,
    auth: new AuthService(store, clock.clock),
    fixtures: new FixtureService(store),
  };
}
