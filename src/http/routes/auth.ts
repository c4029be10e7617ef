/** `/open-apis/auth/v3/*_access_token/internal`: credentials in, tokens out, fields at the top level as Feishu has them. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { FeishuError } from '../../domain/errors.js';
import type { Services } from '../../services/index.js';

const Credentials = Type.Object({
  app_id: Type.String({ minLength: 1 }),
  app_secret: Type.String({ minLength: 1 }),
});

// Feishu answers the trailing-slash spelling the same way.
const paths = (base: string) => [base, `${base}/`];

export const authRoutes: FastifyPluginAsyncTypebox<{ services: Services; rateLimit: boolean }> = async (
  app,
  { services, rateLimit },
) => {
  const config = { paramErrorCode: 10003 as const };

  if (rateLimit) {
    // An app_id or an address with its fill of refused requests this minute is held off before any scrypt.
    app.addHook('preHandler', async (request, reply) => {
      const { app_id } = request.body as { app_id: string };
      const held = await services.rateLimits.tokenRequestHeld(app_id, request.ip);
      if (!held) return;
      reply.header('x-ogw-ratelimit-limit', held.limit).header('x-ogw-ratelimit-reset', held.resetSeconds);
      throw new FeishuError(99991400, `more than ${held.limit} refused token requests a minute for ${held.by}`);
    });
    app.addHook('onError', async (request, _reply, error: Error) => {
      if (error instanceof FeishuError && error.code === 10003) {
        await services.rateLimits.tokenRequestFailed((request.body as { app_id: string }).app_id, request.ip);
      }
    });
  }

  for (const url of paths('/open-apis/auth/v3/tenant_access_token/internal')) {
    app.post(url, { schema: { body: Credentials }, config }, async (request) => {
      const issued = await services.auth.issueTenantToken(request.body.app_id, request.body.app_secret);
      return { code: 0, msg: 'ok', tenant_access_token: issued.token, expire: issued.expire };
    });
  }

  for (const url of paths('/open-apis/auth/v3/app_access_token/internal')) {
    app.post(url, { schema: { body: Credentials }, config }, async (request) => {
      const issued = await services.auth.issueAppToken(request.body.app_id, request.body.app_secret);
      return {
        code: 0,
        msg: 'ok',
        app_access_token: issued.app.token,
        tenant_access_token: issued.tenant.token,
        expire: issued.app.expire,
      };
    });
  }
};
