/**
 * Outbox event → the push of approval-v4.md §5: the event 1.0 shape (`{ts, uuid, token, type, event}`) of
 * the approval types, the schema 2.0 shape (`{schema, header, event}`) of approval.approval.updated_v4;
 * and the url_verification challenge; all sealed the way the receiving app asked: encrypted when it has
 * an encrypt key, and signed with the X-Lark-* headers.
 */
import { randomBytes } from 'node:crypto';
import type { App } from '../domain/directory.js';
import { DEFINITION_UPDATED } from '../domain/event-types.js';
import type { OutboxEvent } from '../services/ports.js';
import { encryptEvent, signEvent } from './event-crypto.js';

export function eventEnvelope(event: OutboxEvent, app: App, openIdOf: (userId: string) => string) {
  if (event.eventType === DEFINITION_UPDATED) {
    return {
      schema: '2.0',
      header: {
        event_id: event.eventId,
        event_type: event.eventType,
        create_time: String(event.createdAt),
        token: app.event?.verificationToken ?? '',
        app_id: app.appId,
        tenant_key: event.tenantKey,
      },
      event: { object: event.payload },
    };
  }
  const payload: Record<string, unknown> = { ...event.payload };
  // The outbox holds tenant user_ids; a push also names the user by the receiving app's open_id.
  if (event.eventType === 'approval_task' && typeof payload.user_id === 'string') {
    payload.open_id = payload.user_id ? openIdOf(payload.user_id) : '';
  }
  return {
    ts: (event.createdAt / 1000).toFixed(6),
    uuid: event.eventId,
    token: app.event?.verificationToken ?? '',
    type: 'event_callback',
    event: { app_id: app.appId, tenant_key: event.tenantKey, ...payload },
  };
}

export function challenge(app: App) {
  return { challenge: randomBytes(16).toString('hex'), token: app.event?.verificationToken ?? '', type: 'url_verification' };
}

export interface SealedPush {
  body: string;
  headers: Record<string, string>;
}

export function seal(message: object, app: App, now: number): SealedPush {
  const encryptKey = app.event?.encryptKey ?? '';
  const plain = JSON.stringify(message);
  const body = encryptKey ? JSON.stringify({ encrypt: encryptEvent(plain, encryptKey) }) : plain;
  const timestamp = String(Math.floor(now / 1000));
  const nonce = randomBytes(8).toString('hex');
  return {
    body,
    // Spelt as Feishu sends them: receivers may read them case-sensitively.
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'X-Lark-Request-Timestamp': timestamp,
      'X-Lark-Request-Nonce': nonce,
      'X-Lark-Signature': signEvent(timestamp, nonce, encryptKey, body),
    },
  };
}
