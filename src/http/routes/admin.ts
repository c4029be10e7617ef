/** `/_shenpi/*`: fixtures, the clock, event deliveries and (in emulator mode) reset, snapshots, the request log and fault rules. Not part of the Feishu API; errors are `{"error": ...}`. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import type { Services } from '../../services/index.js';
import type { DeliveryFilter } from '../../services/ports.js';
import { FaultRuleBody, RequestFilterQuery, type EmulatorControls } from '../emulator-controls.js';
import { formatDelivery } from '../formatters/delivery.js';

export interface AdminOptions {
  services: Services;
  adminToken: string;
  /** Present in emulator mode only: the emulator-only endpoints exist exactly then. */
  controls: EmulatorControls | undefined;
}

const DeliveryQuery = Type.Object({
  event_id: Type.Optional(Type.String()),
  instance_code: Type.Optional(Type.String()),
  approval_code: Type.Optional(Type.String()),
  app_id: Type.Optional(Type.String()),
});

/** One delivery (`event_id` + `app_id`), or every dead one of an instance, a definition and/or an app. */
const RedriveBody = Type.Object(
  {
    event_id: Type.Optional(Type.String({ minLength: 1 })),
    instance_code: Type.Optional(Type.String({ minLength: 1 })),
    approval_code: Type.Optional(Type.String({ minLength: 1 })),
    app_id: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false, minProperties: 1 },
);

const deliveryFilter = (named: Static<typeof DeliveryQuery>): DeliveryFilter => ({
  ...(named.event_id ? { eventId: named.event_id } : {}),
  ...(named.instance_code ? { instanceCode: named.instance_code } : {}),
  ...(named.approval_code ? { approvalCode: named.approval_code } : {}),
  ...(named.app_id ? { appId: named.app_id } : {}),
});

/** `{now, frozen?}` (time flows on from `now`, or stands still there) or `{advance_ms}`. */
const ClockChange = Type.Union([
  Type.Object({ now: Type.Integer({ minimum: 0 }), frozen: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
  Type.Object({ advance_ms: Type.Integer() }, { additionalProperties: false }),
]);

const SnapshotParams = Type.Object({ id: Type.String() });

/** `{now}`, and `frozen: true` while the clock stands still. */
const clockAnswer = ({ clock }: Services) => ({ now: clock.clock.now(), ...(clock.clock.frozen !== undefined ? { frozen: true } : {}) });

/** An onRequest hook admitting only `Authorization: Bearer <admin token>`. */
export function requireAdminToken(adminToken: string) {
  const expected = createHash('sha256').update(`Bearer ${adminToken}`).digest();
  return async (request: FastifyRequest, reply: FastifyReply) => {
    // Compared as fixed-length digests, in constant time.
    const given = createHash('sha256').update(request.headers.authorization ?? '').digest();
    if (!timingSafeEqual(given, expected)) {
      return reply.code(401).send({ error: 'the admin token is required: Authorization: Bearer <SHENPI_ADMIN_TOKEN>' });
    }
  };
}

export const adminRoutes: FastifyPluginAsyncTypebox<AdminOptions> = async (app, options) => {
  const { services } = options;

  app.addHook('onRequest', requireAdminToken(options.adminToken));

  app.post('/fixtures', { schema: { body: Type.Unknown() } }, async (request) => ({
    loaded: await services.fixtures.load(request.body),
  }));

  app.get('/clock', async () => clockAnswer(services));

  app.get('/deliveries', { schema: { querystring: DeliveryQuery } }, async (request) => ({
    deliveries: (await services.deliveries.list(deliveryFilter(request.query))).map(formatDelivery),
  }));

  app.post('/deliveries/redrive', { schema: { body: RedriveBody } }, async (request) => ({
    deliveries: (await services.deliveries.redrive(deliveryFilter(request.body))).map(formatDelivery),
  }));

  const { controls } = options;
  if (!controls) return;

  app.post('/clock', { schema: { body: ClockChange } }, async (request) => {
    await services.clock.change(request.body);
    return clockAnswer(services);
  });

  app.get('/requests', { schema: { querystring: RequestFilterQuery } }, async (request) => ({
    requests: controls.listRequests(request.query),
  }));
  app.delete('/requests', async () => {
    controls.requests.length = 0;
    return { cleared: true };
  });

  app.get('/faults', async () => ({ faults: controls.faults }));
  app.post('/faults', { schema: { body: FaultRuleBody } }, async (request) => ({ fault: controls.addFault(request.body) }));
  app.delete('/faults', async () => {
    controls.faults = [];
    return { cleared: true };
  });

  app.post('/reset', async () => {
    await controls.reset();
    return { reset: true };
  });

  app.post('/snapshots', async () => ({ id: await services.emulator.snapshot() }));
  app.post('/snapshots/:id/restore', { schema: { params: SnapshotParams } }, async (request, reply) => {
    const { id } = request.params;
    if (!(await services.emulator.restore(id))) return reply.code(404).send({ error: `no snapshot "${id}" on this server` });
    return { restored: id };
  });
};
