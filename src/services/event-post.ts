/**
 * The HTTP POST of an event push. node:http writes header names exactly as given (fetch lower-cases
 * them), and receivers read Feishu's `X-Lark-Signature` headers case-sensitively: the Python SDK's
 * event handler looks them up in a plain dict of the names as they arrived.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { EventUrlPolicy } from './event-url-policy.js';

export interface PostAnswer {
  ok: boolean;
  status: number;
  text: string;
}

/**
 * POSTs `body` and reads the whole answer (so the connection is free again at once), all within `timeoutMs`,
 * only to an address `policy` allows; redirects are answers like any other, never followed.
 */
export function postEvent(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  policy: EventUrlPolicy,
): Promise<PostAnswer> {
  return new Promise((resolve, reject) => {
    policy.checkSend(url);
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
        lookup: policy.lookup,
        signal: AbortSignal.timeout(timeoutMs),
      },
      (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          resolve({ ok: status >= 200 && status < 300, status, text: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
