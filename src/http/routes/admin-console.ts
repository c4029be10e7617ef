/** `/_shenpi/*` data of the admin console: tenants, definitions and their revoke settings, instances. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Services } from '../../services/index.js';
import { formatInstance } from '../formatters/instance.js';
import { requireAdminToken } from './admin.js';

const ApprovalParams = Type.Object({ approval_code: Type.String({ minLength: 1 }) });

const DefinitionPatchBody = Type.Object(
  {
    revert_option: Type.Optional(Type.Union([Type.Literal(0), Type.Literal(1)])),
    /** Seconds; the console shows days. */
    revert_interval: Type.Optional(Type.Integer({ minimum: 0 })),
    require_signature: Type.Optional(Type.Record(Type.String(), Type.Boolean())),
  },
  { additionalProperties: false },
);

export const adminConsoleRoutes: FastifyPluginAsyncTypebox<{ services: Services; adminToken: string }> = async (
  app,
  { services, adminToken },
) => {
  app.addHook('onRequest', requireAdminToken(adminToken));

  app.get('/tenants', async () => ({ tenants: await services.console.tenants() }));

  app.put(
    '/apps/:app_id/event',
    {
      schema: {
        params: Type.Object({ app_id: Type.String({ minLength: 1 }) }),
        body: Type.Union([
          Type.Null(),
          Type.Object(
            {
              url: Type.String({ pattern: '^https?://' }),
              encrypt_key: Type.Optional(Type.String()),
              verification_token: Type.Optional(Type.String()),
              /** Event type names; absent: the default ones. */
              types: Type.Optional(Type.Array(Type.String())),
            },
            { additionalProperties: false },
          ),
        ]),
      },
    },
    async (request) => {
      const body = request.body;
      return {
        app: await services.console.setAppEvent(
          request.params.app_id,
          body && {
            url: body.url,
            encryptKey: body.encrypt_key || null,
            verificationToken: body.verification_token || null,
            types: body.types ?? null,
          },
        ),
      };
    },
  );

  app.get(
    '/tenants/:tenant_key/approvals',
    { schema: { params: Type.Object({ tenant_key: Type.String({ minLength: 1 }) }) } },
    async (request) => ({ approvals: await services.console.definitions(request.params.tenant_key) }),
  );

  app.patch('/approvals/:approval_code', { schema: { params: ApprovalParams, body: DefinitionPatchBody } }, async (request) => {
    const { revert_option, revert_interval, require_signature } = request.body;
    return {
      approval: await services.console.updateDefinition(request.params.approval_code, {
        ...(revert_option !== undefined ? { revertOption: revert_option } : {}),
        ...(revert_interval !== undefined ? { revertInterval: revert_interval } : {}),
        ...(require_signature !== undefined ? { requireSignature: require_signature } : {}),
      }),
    };
  });

  app.get('/approvals/:approval_code/instances', { schema: { params: ApprovalParams } }, async (request) => ({
    instances: await services.console.instancesOf(request.params.approval_code),
  }));

  app.get(
    '/instances/:instance_code',
    { schema: { params: Type.Object({ instance_code: Type.String({ minLength: 1 }) }) } },
    async (request) => {
      const { view, revokeRequests } = await services.console.instance(request.params.instance_code);
      return { instance: formatInstance(view, 'user_id'), revoke_requests: revokeRequests };
    },
  );
};
