/** `/open-apis/approval/v4`: every route behind the tenant token, which decides the tenant. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { FeishuError } from '../../../../../domain/errors.js';
import type { Caller } from '../../../../../services/auth-service.js';
import type { Services } from '../../../../../services/index.js';
import { approvalRoutes } from './approvals.js';
import { commentRoutes } from './comments.js';
import { districtRoutes } from './districts.js';
import { externalRoutes } from './external.js';
import { instanceRoutes } from './instances.js';
import { taskRoutes } from './tasks.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the token check before anything else of the request is looked at. */
    caller: Caller;
  }
}

export interface ApprovalV4Options {
  services: Services;
  /** Feishu's per-app, per-endpoint limits; off by default in emulator mode. */
  rateLimit: boolean;
}

const tokenRoutes: FastifyPluginAsyncTypebox<ApprovalV4Options> = async (app, { services, rateLimit }) => {
  app.decorateRequest('caller', null as unknown as Caller);
  // onRequest runs before body parsing and validation: the token is checked first (rules.md).
  app.addHook('onRequest', async (request, reply) => {
    request.caller = await services.auth.authenticate(request.headers.authorization);
    if (!rateLimit) return;
    const route = request.routeOptions.url ?? request.url;
    const refusal = await services.rateLimits.hit(request.caller.appId, request.method, route);
    if (refusal) {
      reply.header('x-ogw-ratelimit-limit', refusal.limit).header('x-ogw-ratelimit-reset', refusal.resetSeconds);
      throw new FeishuError(99991400, `more than ${refusal.limit} requests a ${refusal.window} to ${request.method} ${route} from this app`);
    }
  });
  await app.register(approvalRoutes, { services });
  await app.register(instanceRoutes, { services });
  await app.register(commentRoutes, { services });
  await app.register(taskRoutes, { services });
  await app.register(districtRoutes, { services });
  await app.register(externalRoutes, { services });
};

/**
 * Literal GET paths of Feishu (user-token operations, approval-v4.md §9) that shenpi has not built. They
 * answer the plain 404 of any unknown path, before the token check, rather than fall into
 * `GET /instances/:instance_id` as an instance id.
 */
const UNBUILT_GET_PATHS = ['/instances/detail', '/instances/initiated'];

export const approvalV4Routes: FastifyPluginAsyncTypebox<ApprovalV4Options> = async (app, { services, rateLimit }) => {
  for (const path of UNBUILT_GET_PATHS) app.get(path, (_request, reply) => reply.callNotFound());
  // Its own plugin, so that the token hook below does not run for the paths above.
  await app.register(tokenRoutes, { services, rateLimit });
};
