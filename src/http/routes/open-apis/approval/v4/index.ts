/** `/open-apis/approval/v4`: every route behind the tenant token, which decides the tenant. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Caller } from '../../../../../services/auth-service.js';
import type { Services } from '../../../../../services/index.js';
import { approvalRoutes } from './approvals.js';
import { instanceRoutes } from './instances.js';
import { taskRoutes } from './tasks.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the token check before anything else of the request is looked at. */
    caller: Caller;
  }
}

export const approvalV4Routes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.decorateRequest('caller', null as unknown as Caller);
  // onRequest runs before body parsing and validation: the token is checked first (rules.md).
  app.addHook('onRequest', async (request) => {
    request.caller = await services.auth.authenticate(request.headers.authorization);
  });
  await app.register(approvalRoutes, { services });
  await app.register(instanceRoutes, { services });
  await app.register(taskRoutes, { services });
};
