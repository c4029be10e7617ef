/** `/open-apis/auth/v3/*_access_token/internal`: credentials in, tokens out, fields at the top level as Feishu has them. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Services } from '../../services/index.js';

const Credentials = Type.Object({
  app_id: Type.String({ minLength: 1 }),
  app_secret: Type.String({ minLength: 1 }),
});

// Feishu answers the trailing-slash spelling the same way.
const paths = (base: string) => [base, `${base}/`];

export const authRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const config = { paramErrorCode: 10003 as const };

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
