/**
 * An app's event endpoint for the event tests, built on the official Node SDK's EventDispatcher (it
 * decrypts, checks the signature and hands each event to the handler registered for its type). What it
 * answers can be scripted per push, to play a receiver that fails.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import * as lark from '@larksuiteoapi/node-sdk';
import { DEFINITION_UPDATED } from '../../src/domain/event-types.js';
import { DEMO_LEAVE_CODE } from '../../src/fixtures/demo.js';
import { admin, call, tenantToken } from './http.js';
import { startTestServer, type TestServer } from './server.js';
import { waitFor } from './wait.js';

const V4 = '/open-apis/approval/v4';
export const EVENT_APP = { app_id: 'cli_acme_events', app_secret: 'events-secret' };

/** An event as the SDK hands it to its handler: 1.0 `event` fields, or 2.0 `header` and `event` fields, flattened. */
export type ReceivedEvent = Record<string, any>;

/**
 * What the receiver does with the next push: answer that HTTP status without reading the event, or
 * `'late'`: answer 200 only after 4.5 s, past Feishu's 3 s limit.
 */
export type ScriptedAnswer = number | 'late';

export const LATE_ANSWER_MS = 4_500;

export interface EventReceiver {
  url: string;
  /** Events the SDK accepted and the receiver acknowledged with HTTP 200, in arrival order. */
  received: ReceivedEvent[];
  /** Every push body exactly as it arrived (challenges included), in arrival order. */
  raw: string[];
  /** Answers for the coming pushes (url_verification challenges aside); when empty, the SDK answers. */
  script: ScriptedAnswer[];
  /** How many url_verification challenges were answered. */
  challenges(): number;
  close(): Promise<void>;
}

export async function startEventReceiver(encryptKey: string, verificationToken: string): Promise<EventReceiver> {
  const received: ReceivedEvent[] = [];
  const bodies: string[] = [];
  const script: ScriptedAnswer[] = [];
  const late = new Set<NodeJS.Timeout>();
  let challenges = 0;
  const dispatcher = new lark.EventDispatcher({ encryptKey, verificationToken, loggerLevel: lark.LoggerLevel.error });
  const record = async (data: ReceivedEvent) => void received.push(data);
  dispatcher.register({ approval_instance: record, approval_task: record, [DEFINITION_UPDATED]: record } as never);
  // What lark.adaptDefault does with a request, with room to answer otherwise before the SDK sees it.
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', async () => {
      bodies.push(raw);
      const data = Object.assign(Object.create({ headers: req.headers }), JSON.parse(raw));
      const { isChallenge, challenge } = lark.generateChallenge(data, { encryptKey });
      if (isChallenge) {
        challenges += 1;
        res.end(JSON.stringify(challenge));
        return;
      }
      const answer = script.shift();
      if (answer === 'late') {
        const timer = setTimeout(() => res.end('{}'), LATE_ANSWER_MS);
        late.add(timer);
        res.on('close', () => clearTimeout(timer));
        return;
      }
      if (answer !== undefined) {
        res.statusCode = answer;
        res.end('{}');
        return;
      }
      res.end(JSON.stringify(await dispatcher.invoke(data)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    raw: bodies,
    script,
    challenges: () => challenges,
    close: () => {
      for (const timer of late) clearTimeout(timer);
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface EventsSetUp {
  receiver: EventReceiver;
  server: TestServer;
  /** A tenant token of EVENT_APP. */
  token: string;
}

/**
 * A server whose tenant acme has EVENT_APP pushing to a fresh receiver (encrypted and signed), taking
 * `types` (absent: the default ones), subscribed to the Leave definition unless `subscribe` is false.
 */
export async function setUpEvents(
  t: TestContext,
  options: { subscribe?: boolean; types?: string[] } = {},
): Promise<EventsSetUp> {
  const receiver = await startEventReceiver('event-key', 'event-token');
  t.after(() => receiver.close());
  const server = await startTestServer();
  t.after(() => server.close());
  const event = { url: receiver.url, encrypt_key: 'event-key', verification_token: 'event-token', ...(options.types ? { types: options.types } : {}) };
  const fixture = { tenants: [{ tenant_key: 'acme', apps: [{ ...EVENT_APP, event }] }] };
  const loaded = await admin(server.url, '/fixtures', { json: fixture });
  assert.equal(loaded.status, 200, loaded.text);
  const token = await tenantToken(server.url, EVENT_APP);
  if (options.subscribe !== false) {
    const subscribed = await call(server.url, `${V4}/approvals/${DEMO_LEAVE_CODE}/subscribe`, { token, method: 'POST' });
    assert.deepEqual(subscribed.body, { code: 0, msg: 'success', data: {} });
  }
  return { receiver, server, token };
}

/** Alice asks for leave: the instance's approval_instance PENDING and approval_task PENDING events. */
export async function createLeave(server: TestServer, token: string): Promise<string> {
  const created = await call(server.url, `${V4}/instances`, {
    token,
    json: { approval_code: DEMO_LEAVE_CODE, open_id: 'ou_alice', form: JSON.stringify([{ id: 'reason', type: 'input', value: 'x' }]) },
  });
  assert.equal(created.body.code, 0, created.text);
  return created.body.data.instance_code as string;
}

/** A delivery as `GET /_shenpi/deliveries` lists it. */
export interface ListedDelivery {
  event_id: string;
  app_id: string;
  instance_code: string;
  seq: number;
  event_type: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  last_attempt_at: number | null;
  last_error: string | null;
  delivered_at: number | null;
}

export async function deliveries(server: TestServer, query: string): Promise<ListedDelivery[]> {
  const answer = await admin(server.url, `/deliveries?${query}`);
  assert.equal(answer.status, 200, answer.text);
  return answer.body.deliveries as ListedDelivery[];
}

/** Moves the emulator clock on. */
export const advance = (server: TestServer, ms: number) => admin(server.url, '/clock', { json: { advance_ms: ms } });

/** Moves the clock to each retry of the instance's failing deliveries until none of them is pending. */
export async function exhaust(server: TestServer, code: string): Promise<ListedDelivery[]> {
  for (let step = 0; step < 20; step++) {
    const list = await waitFor('a failed attempt', async () => {
      const listed = await deliveries(server, `instance_code=${code}`);
      const settled = listed.every((d) => d.status !== 'pending') || listed.some((d) => d.status === 'pending' && d.attempts > 0);
      return settled ? listed : undefined;
    });
    const waiting = list.find((d) => d.status === 'pending' && d.attempts > 0);
    if (!waiting) return list;
    await advance(server, waiting.next_attempt_at - waiting.last_attempt_at!);
    await waitFor('the retry', async () => {
      const again = (await deliveries(server, `instance_code=${code}`)).find((d) => d.event_id === waiting.event_id);
      return again && again.attempts > waiting.attempts ? true : undefined;
    });
  }
  throw new Error('the deliveries did not settle');
}
