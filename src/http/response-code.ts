/** The Feishu `code` of an answer, read once when it is sent, for metrics and the emulator's request log. */
import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyReply {
    /** The envelope's `code`, or undefined for answers without one (the plain 404, admin JSON). */
    feishuCode: number | undefined;
  }
}

const CODE_PREFIX = /^\{"code":(-?\d+)/;

export function trackResponseCodes(app: FastifyInstance): void {
  app.decorateReply('feishuCode', undefined);
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (typeof payload === 'string') {
      const match = CODE_PREFIX.exec(payload);
      if (match?.[1] !== undefined) reply.feishuCode = Number(match[1]);
    }
    done(null, payload);
  });
}
