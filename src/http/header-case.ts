/**
 * Response header names written exactly as Feishu writes them. Fastify lower-cases every header it sets,
 * and some official clients read headers case-sensitively: the Python SDK looks up `X-Tt-Logid` (its
 * `get_log_id()`) and `Content-Type` in a plain dict of the names as they arrived.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Sets the log id header on the raw response, where Node keeps the name's case. */
export function writeLogId(reply: FastifyReply, logId: string): void {
  reply.raw.setHeader('X-Tt-Logid', logId);
}

/** Moves the Content-Type fastify chose to the raw response, spelt `Content-Type`. */
export function keepContentTypeCase(app: FastifyInstance): void {
  app.addHook('onSend', (_request, reply, payload, done) => {
    const type = reply.getHeader('content-type');
    if (type !== undefined) {
      reply.removeHeader('content-type');
      reply.raw.setHeader('Content-Type', type);
    }
    done(null, payload);
  });
}
