import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../services/index.js';

export const healthRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  app.get('/healthz', async (request, reply) => {
    try {
      await services.store.ping();
      return { status: 'ok' };
    } catch (err) {
      request.log.warn({ err }, 'database does not answer');
      return reply.code(503).send({ status: 'unavailable', error: 'the database does not answer' });
    }
  });
};
