/**
 * The load benchmark's reference server (issue 10's second and third rows): the least a server can do for
 * `POST /instances/cancel` on the same database, to show in the same run how far the targets are from what
 * SQLite allows on the machine. fastify 5 with the baseline's body schema, no logger, and one better-sqlite3
 * transaction per request, committed before the answer: the instance and the user read, the instance's guarded
 * update, a timeline entry and an outbox event. No token, no definition, no tasks, no deliveries, no group commit: a floor, not a server.
 * A withdrawal by another user is refused on those two reads; `GET /instances/:instance_id` answers the instance's
 * row with its tasks and timeline, as stored, in one read transaction: the floors of the refused and GET targets.
 * Args: the SQLite file, then NORMAL or FULL. Prints `listening on URL` like the baseline.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import Type from 'typebox';
import { CANCEL_PATH, CancelBody, INSTANCES_PATH, listen } from './cancel-route.js';

const [path, synchronous] = process.argv.slice(2);
if (!path || (synchronous !== 'NORMAL' && synchronous !== 'FULL')) throw new Error('usage: minimal.ts FILE NORMAL|FULL');
const db = new Database(path);
db.pragma('journal_mode = WAL');
db.pragma(`synchronous = ${synchronous}`);

const readInstance = db.prepare<[string], { tenant_key: string; approval_code: string; submitter: string; status: string; version: number }>(
  'select tenant_key, approval_code, submitter, status, version from instances where instance_code = ?',
);
const userIdOf = db.prepare<[string, string], string>('select user_id from users where tenant_key = ? and open_id = ?').pluck();
const updateInstance = db.prepare(
  "update instances set status = 'CANCELED', end_time = ?, version = version + 1, updated_at = ? where instance_code = ? and version = ?",
);
const appendTimeline = db.prepare(
  `insert into timeline (instance_code, seq, type, create_time, entry)
   values (?, (select coalesce(max(seq), 0) + 1 from timeline where instance_code = ?), 'CANCEL', ?, ?)`,
);
const queueEvent = db.prepare(
  `insert into outbox (event_id, tenant_key, approval_code, instance_code, seq, event_type, payload, created_at)
   values (?, ?, ?, ?, ?, 'approval_instance', ?, ?)`,
);

const instanceRow = db.prepare<[string], Record<string, unknown>>('select * from instances where instance_code = ?');
const tasksOf = db.prepare<[string], Record<string, unknown>>('select * from tasks where instance_code = ? order by start_time');
const timelineOf = db.prepare<[string], Record<string, unknown>>('select * from timeline where instance_code = ? order by seq');
const readView = db.transaction((instanceCode: string) => {
  const instance = instanceRow.get(instanceCode);
  return instance && { ...instance, task_list: tasksOf.all(instanceCode), timeline: timelineOf.all(instanceCode) };
});

let events = 0;
/** The Feishu code of the answer: 0, or why the withdrawal is refused. */
const withdraw = db.transaction((instanceCode: string, openId: string): number => {
  const instance = readInstance.get(instanceCode);
  if (!instance || instance.submitter !== userIdOf.get(instance.tenant_key, openId) || instance.status !== 'PENDING') return 1390001;
  const now = Date.now();
  updateInstance.run(now, now, instanceCode, instance.version);
  appendTimeline.run(instanceCode, instanceCode, now, JSON.stringify({ type: 'CANCEL', open_id: openId, create_time: String(now) }));
  const payload = JSON.stringify({ type: 'approval_instance', approval_code: instance.approval_code, instance_code: instanceCode, status: 'CANCELED', operate_time: String(now) });
  queueEvent.run(`${now}${String(events++ % 1e6).padStart(6, '0')}`, instance.tenant_key, instance.approval_code, instanceCode, instance.version + 1, payload, now);
  return 0;
});

const app = Fastify({ logger: false }).withTypeProvider<TypeBoxTypeProvider>();
app.post(CANCEL_PATH, { schema: { body: CancelBody } }, async (request, reply) => {
  const code = withdraw(request.body.instance_code, request.body.user_id);
  if (code !== 0) return reply.code(400).send({ code, msg: 'refused', data: {} });
  return { code: 0, msg: 'success', data: {} };
});
app.get(`${INSTANCES_PATH}/:instance_id`, { schema: { params: Type.Object({ instance_id: Type.String() }) } }, async (request, reply) => {
  const view = readView(request.params.instance_id);
  if (!view) return reply.code(400).send({ code: 1390003, msg: 'instance code not found', data: {} });
  return { code: 0, msg: 'success', data: view };
});
await listen(app, () => db.close());
