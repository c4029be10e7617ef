/**
 * The load benchmark's baseline (issue 10): a bare fastify 5 route that validates the withdrawal body with a
 * TypeBox schema and answers what a successful withdrawal answers, with no storage and no logger. Run as its
 * own process (`bench/run.ts` spawns it), so that it shares the machine with the load tool exactly as shenpi
 * does; it prints `listening on URL` once it listens on a free port of 127.0.0.1.
 */
import Fastify from 'fastify';
import Type from 'typebox';

const Required = Type.String({ minLength: 1 });
const CancelBody = Type.Object({ approval_code: Required, instance_code: Required, user_id: Required });

const app = Fastify({ logger: false });
app.post('/open-apis/approval/v4/instances/cancel', { schema: { body: CancelBody } }, async () => ({
  code: 0,
  msg: 'success',
  data: {},
}));
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`listening on ${url}\n`);
// The bench ends it with SIGTERM; close so that the exit is clean.
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
