import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../services/index.js';

export const healthRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  app.get('/healthz', async (request, reply) => {
    try {
      await services.store.ping();
      return { status: 'ok' };
    } catch (err) {
      // Load balancers poll this: the dispatcher warns once when the database goes away, so this stays quiet.
      request.log.debug({ reason: (err as Error).message }, 'database does not answer');
      return reply.code(503).send({ status: 'unavailable', error: 'the database does not answer' });
    }
  });
};
