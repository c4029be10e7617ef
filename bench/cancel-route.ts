/**
 * What the baseline (bench/baseline.ts) and the reference withdrawal (bench/minimal.ts) share, so that they differ
 * only in what their handler does: the withdrawal's path and body schema, and how each listens and stops.
 */
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';

export const INSTANCES_PATH = '/open-apis/approval/v4/instances';
export const CANCEL_PATH = `${INSTANCES_PATH}/cancel`;

const Required = Type.String({ minLength: 1 });
export const CancelBody = Type.Object({ approval_code: Required, instance_code: Required, user_id: Required });

/**
 * Listens on a free port of 127.0.0.1 and prints `listening on URL` (bench/run.ts waits for it); the bench ends
 * the process with SIGTERM, on which the app closes, then `closed` runs, so that the exit is clean.
 */
export async function listen(app: FastifyInstance, closed: () => void = () => {}): Promise<void> {
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(`listening on ${url}\n`);
  process.once('SIGTERM', () => void app.close().then(() => (closed(), process.exit(0))));
}
