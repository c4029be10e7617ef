/**
 * Sends the outbox's events to the subscribed apps' event URLs: at least once, in commit order per
 * instance and app, with Feishu's policy (approval-v4.md §5.1: HTTP 200 within 3 s, else retried after
 * 15 s, 5 min, 1 h and 6 h, then dead until re-driven), and from the database, so that a restart (or
 * another node) picks up where this one stopped. A URL is first proven with the url_verification challenge.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { OffsetClock } from '../domain/clock.js';
import type { ClockService } from './clock-service.js';
import { challenge, eventEnvelope, seal } from '../wire/event-envelope.js';
import { UserDirectory } from './directory-lookup.js';
import { postEvent } from './event-post.js';
import type { EventUrlPolicy } from './event-url-policy.js';
import type { ClaimedDelivery, Store } from './ports.js';

/** Waits after the 1st, 2nd, ... failed attempt; a failure after the last one makes the delivery dead. */
export const RETRY_DELAYS_MS = [15_000, 300_000, 3_600_000, 21_600_000];

/** How long a receiver has to answer a push. */
export const ANSWER_WITHIN_MS = 3_000;

export interface DispatcherOptions {
  pollMs?: number;
  timeoutMs?: number;
  batch?: number;
}

export class EventDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private databaseAway = false;
  private readonly pollMs: number;
  private readonly timeoutMs: number;
  private readonly batch: number;

  private readonly clock: OffsetClock;

  constructor(
    private readonly store: Store,
    private readonly time: ClockService,
    private readonly eventUrls: EventUrlPolicy,
    private readonly log: FastifyBaseLogger,
    options: DispatcherOptions = {},
  ) {
    this.clock = time.clock;
    this.pollMs = options.pollMs ?? 200;
    this.timeoutMs = options.timeoutMs ?? ANSWER_WITHIN_MS;
    this.batch = options.batch ?? 20;
  }

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  /** Stops polling and waits for the pass in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One pass: sends every delivery due now. Answers how many were attempted. */
  async runOnce(): Promise<number> {
    // In emulator mode the clock may have been moved (by any node): retries follow it.
    await this.time.refresh();
    const now = this.clock.now();
    const due = await this.store.deliveries.claimDue(now, this.timeoutMs * 3, this.batch);
    await Promise.all(due.map((delivery) => this.deliver(delivery)));
    return due.length;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .then(() => this.databaseAnswers(true), (err: unknown) => this.databaseAnswers(false, err))
        .then(() => this.schedule());
    }, this.pollMs);
  }

  /**
   * A pass fails when the database does not answer. The log says so once when it goes away and once when it
   * is back, not at every pass while it is away.
   */
  private databaseAnswers(answers: boolean, err?: unknown): void {
    if (!answers) this.log.debug({ reason: err instanceof Error ? err.message : String(err) }, 'event dispatch pass failed');
    if (answers === !this.databaseAway) return;
    this.databaseAway = !answers;
    if (answers) this.log.warn('the database answers again; event delivery goes on');
    else this.log.warn({ reason: err instanceof Error ? err.message : String(err) }, 'the database does not answer; event delivery waits');
  }

  private async deliver(delivery: ClaimedDelivery): Promise<void> {
    const { app, event } = delivery;
    const url = app.event?.url ?? '';
    const attempts = delivery.attempts + 1;
    try {
      if (delivery.verifiedUrl !== url) {
        await this.verify(delivery, url);
        await this.store.deliveries.markUrlVerified(app.appId, url);
      }
      const users = await UserDirectory.load(this.store, event.tenantKey, [String(event.payload.user_id ?? '')]);
      const push = seal(eventEnvelope(event, app, (id) => users.idOf(id, 'open_id')), app, this.clock.now());
      const answer = await this.post(url, push.body, push.headers);
      // Feishu counts only HTTP 200 as received: a 201 or 204 is retried like a 500.
      if (answer.status !== 200) throw new Error(`the event URL answered HTTP ${answer.status}`);
      const now = this.clock.now();
      await this.store.deliveries.settle({
        ...delivery,
        status: 'delivered',
        attempts,
        lastAttemptAt: now,
        lastError: null,
        deliveredAt: now,
      });
    } catch (err) {
      const delay = RETRY_DELAYS_MS[attempts - 1];
      const reason = err instanceof Error ? err.message : String(err);
      const now = this.clock.now();
      this.log.warn({ eventId: event.eventId, appId: app.appId, attempts, err: reason }, 'event delivery failed');
      await this.store.deliveries.settle({
        ...delivery,
        status: delay === undefined ? 'dead' : 'pending',
        attempts,
        nextAttemptAt: now + (delay ?? 0),
        lastAttemptAt: now,
        lastError: reason,
        deliveredAt: null,
      });
    }
  }

  /** url_verification: the URL must answer the challenge back (approval-v4.md §5.2). */
  private async verify(delivery: ClaimedDelivery, url: string): Promise<void> {
    const question = challenge(delivery.app);
    const push = seal(question, delivery.app, this.clock.now());
    const answer = await this.post(url, push.body, push.headers);
    let body: { challenge?: unknown } | undefined;
    try {
      body = JSON.parse(answer.text) as { challenge?: unknown };
    } catch {
      body = undefined;
    }
    if (!answer.ok || body?.challenge !== question.challenge) {
      throw new Error(`the event URL did not answer the url_verification challenge (HTTP ${answer.status})`);
    }
  }

  private post(url: string, body: string, headers: Record<string, string>) {
    return postEvent(url, body, headers, this.timeoutMs, this.eventUrls);
  }
}
