/** `/open-apis/auth/v3/*_access_token/internal`: credentials in, tokens out, fields at the top level as Feishu has them. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type, { type TSchema } from 'typebox';
import { FeishuError } from '../../domain/errors.js';
import type { Services } from '../../services/index.js';
import { ErrorEnvelope } from '../../wire/responses.js';

const Credentials = Type.Object({
  app_id: Type.String({ minLength: 1 }),
  app_secret: Type.String({ minLength: 1 }),
});

const ok = { code: Type.Literal(0), msg: Type.Literal('ok') };
const tenantToken = Type.String();
const expire = Type.Integer({ description: 'seconds the token stays valid' });
const TenantToken = Type.Object({ ...ok, tenant_access_token: tenantToken, expire });
const AppToken = Type.Object({ ...ok, app_access_token: Type.String(), tenant_access_token: tenantToken, expire });

/** Feishu answers bad credentials (10003) with HTTP 200 too, so a 200 is the tokens or that refusal. */
const tokenAnswers = <T extends TSchema>(tokens: T) => ({
  200: Type.Union([tokens, ErrorEnvelope], { description: 'The tokens (code 0), or a refusal of the credentials (10003)' }),
  '4xx': ErrorEnvelope,
});

// Feishu answers the trailing-slash spelling the same way; the OpenAPI document names only the plain one.
const paths = (base: string) => [
  { url: base, hide: false },
  { url: `${base}/`, hide: true },
];

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

  for (const { url, hide } of paths('/open-apis/auth/v3/tenant_access_token/internal')) {
    const schema = {
      operationId: 'auth.v3.tenantAccessToken.internal',
      summary: 'A tenant_access_token of a self-built app',
      hide,
      body: Credentials,
      response: tokenAnswers(TenantToken),
    };
    app.post(url, { schema, config }, async (request) => {
      const issued = await services.auth.issueTenantToken(request.body.app_id, request.body.app_secret);
      return { code: 0 as const, msg: 'ok' as const, tenant_access_token: issued.token, expire: issued.expire };
    });
  }

  for (const { url, hide } of paths('/open-apis/auth/v3/app_access_token/internal')) {
    const schema = {
      operationId: 'auth.v3.appAccessToken.internal',
      summary: "An app_access_token of a self-built app, with its tenant's tenant_access_token",
      hide,
      body: Credentials,
      response: tokenAnswers(AppToken),
    };
    app.post(url, { schema, config }, async (request) => {
      const issued = await services.auth.issueAppToken(request.body.app_id, request.body.app_secret);
      return {
        code: 0 as const,
        msg: 'ok' as const,
        app_access_token: issued.app.token,
        tenant_access_token: issued.tenant.token,
        expire: issued.app.expire,
      };
    });
  }
};
