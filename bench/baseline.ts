/**
 * The load benchmark's baseline (issue 10): a bare fastify 5 route that validates the withdrawal body with a
 * TypeBox schema and answers what a successful withdrawal answers, with no storage and no logger. Run as its
 * own process (`bench/run.ts` spawns it), so that it shares the machine with the load tool exactly as shenpi
 * does; it prints `listening on URL` once it listens on a free port of 127.0.0.1.
 */
import Fastify from 'fastify';
import { CANCEL_PATH, CancelBody, listen } from './cancel-route.js';

const app = Fastify({ logger: false });
app.post(CANCEL_PATH, { schema: { body: CancelBody } }, async () => ({
  code: 0,
  msg: 'success',
  data: {},
}));
await listen(app);
