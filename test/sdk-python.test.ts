/**
 * The official Python SDK (lark-oapi 1.3.5, unmodified) as a second client of a real shenpi, a whole revoke
 * round included: its token request without a Content-Type, int-typed fields, `True` query booleans,
 * case-sensitive header reads (`X-Tt-Logid`, the `X-Lark-*` push headers), and its event handler decoding a
 * real encrypted push.
 * Without the SDK or its Python dependencies these tests are skipped with a notice, except under CI.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { DEMO_APP, DEMO_LEAVE_CODE } from '../src/fixtures/demo.js';
import { admin, call, tenantToken } from './helpers/http.js';
import { findPythonSdk, runPython, startPython, type PythonSdk } from './helpers/python-sdk.js';
import { startTestServer } from './helpers/server.js';
import { waitFor } from './helpers/wait.js';

const found = findPythonSdk();

if ('missing' in found) {
  if (process.env.CI) {
    test('the official Python SDK runs under CI', () => assert.fail(`missing ${found.missing}`));
  } else {
    process.stderr.write(`# the Python SDK tests are skipped: missing ${found.missing}\n`);
    test('the official Python SDK as a client', { skip: `missing ${found.missing}` }, () => {});
  }
} else {
  const sdk: PythonSdk = found;
  after(() => sdk.dispose());

  describe('the Python SDK drives shenpi', async () => {
    const server = await startTestServer();
    after(() => server.close());
    const run = await runPython(sdk, 'sdk_flow.py', [
      JSON.stringify({ base_url: server.url, ...DEMO_APP, approval_code: DEMO_LEAVE_CODE }),
    ]);
    const line = run.stdout.split('\n').find((l) => l.startsWith('SHENPI_RESULT '));
    const results: Record<string, any> = line ? JSON.parse(line.slice('SHENPI_RESULT '.length)) : {};

    /** A step's result; a step that raised fails its test with the Python traceback. */
    const stepResult = (name: string) => {
      assert.ok(line, `the script printed no result (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
      const result = results[name];
      assert.ok(result, `no result for step ${name}`);
      assert.equal(result.failed, undefined, result.failed);
      return result;
    };

    /** A success answer whose X-Tt-Logid the SDK read (`get_log_id()` looks the exact name up). */
    const assertOk = (answer: any) => {
      assert.equal(answer.code, 0, JSON.stringify(answer));
      assert.match(answer.log_id ?? '', /^\d{14}[0-9A-F]{20}$/, JSON.stringify(answer));
    };

    test('the SDK gets a tenant_access_token with its own token request, which sends no Content-Type', () => {
      assert.match(stepResult('token').token, /^t-/);
    });

    test('create with cancel_bot_notification as an int answers an instance code, and the SDK reads X-Tt-Logid', () => {
      const created = stepResult('create');
      assertOk(created);
      assert.match(created.instance_code, /^[0-9A-F-]{36}$/);
    });

    test('get shows the PENDING instance with its PENDING task for Bob', () => {
      const got = stepResult('get');
      assertOk(got);
      assert.equal(got.status, 'PENDING');
      assert.deepEqual(got.tasks, [['ou_bob', 'PENDING']]);
    });

    test('comments: create with an int offset, reply by an int parent_comment_id, list, delete', () => {
      const { created, reply, listed, deleted } = stepResult('comments');
      for (const answer of [created, reply, listed, deleted]) assertOk(answer);
      assert.deepEqual(listed.comments, [{ id: created.comment_id, offsets: ['0'], replies: [[reply.comment_id, 0]] }]);
    });

    test('cancel withdraws the PENDING instance', () => {
      const cancelled = stepResult('cancel');
      assertOk(cancelled);
      assert.equal(cancelled.status, 'CANCELED');
    });

    test('the revoke round: cancel on an APPROVED instance puts it under approval; its approved revoke request revokes it', () => {
      const round = stepResult('revoke_round');
      assertOk(round);
      assert.equal(round.during, 'PENDING');
      assert.equal(round.requests, 1);
      assert.equal(round.request_status, 'APPROVED');
      assert.deepEqual([round.status, round.reverted, round.last_timeline], ['CANCELED', true, 'CANCEL']);
    });

    test('task actions: approve, reject and transfer', () => {
      const approved = stepResult('approve');
      assertOk(approved);
      assert.equal(approved.status, 'APPROVED');
      const rejected = stepResult('reject');
      assertOk(rejected);
      assert.equal(rejected.status, 'REJECTED');
      const transferred = stepResult('transfer');
      assertOk(transferred);
      assert.deepEqual(transferred.tasks, [
        ['ou_bob', 'TRANSFERRED'],
        ['ou_carol', 'PENDING'],
      ]);
    });

    test('approval get with with_admin_id=True (as the SDK writes it) lists the admin ids', () => {
      const got = stepResult('approval_with_admin_id');
      assertOk(got);
      assert.equal(got.has_admin_ids, true);
    });

    test('instances/query with int start times and tasks/query with an int topic', () => {
      const queried = stepResult('query');
      assertOk(queried);
      assert.deepEqual(queried.codes, [stepResult('create').instance_code]);
      const tasks = stepResult('tasks_query');
      assertOk(tasks);
      assert.equal(tasks.count, 1, "Carol's transferred task");
    });

    test('an error answer reaches the SDK as code and msg, with the log id and the troubleshooter', () => {
      const failed = stepResult('error');
      assert.equal(failed.success, false);
      assert.equal(failed.code, 1390003);
      assert.equal(failed.msg, 'instance code not found');
      assert.equal(failed.log_id, failed.error_log_id);
      assert.match(failed.troubleshooter, new RegExp(`log_id=${failed.log_id}&code=1390003`));
    });
  });

  test('the SDK event handler decodes a real encrypted, signed approval_instance push', async (t) => {
    const keys = { encrypt_key: 'py-event-key', verification_token: 'py-event-token' };
    const receiver = startPython(sdk, 'event_receiver.py', [JSON.stringify(keys)]);
    t.after(() => void receiver.child.kill());
    const port = await waitFor('the receiver to listen', () =>
      receiver.lines.find((l) => l.startsWith('SHENPI_LISTENING '))?.slice('SHENPI_LISTENING '.length),
    );
    const server = await startTestServer();
    t.after(() => server.close());
    const app = { app_id: 'cli_acme_python', app_secret: 'python-secret' };
    const event = { url: `http://127.0.0.1:${port}/hook`, ...keys };
    assert.equal((await admin(server.url, '/fixtures', { json: { tenants: [{ tenant_key: 'acme', apps: [{ ...app, event }] }] } })).status, 200);
    const token = await tenantToken(server.url, app);
    const subscribe = `/open-apis/approval/v4/approvals/${DEMO_LEAVE_CODE}/subscribe`;
    assert.equal((await call(server.url, subscribe, { token, method: 'POST' })).body.code, 0);
    const created = await call(server.url, '/open-apis/approval/v4/instances', {
      token,
      json: { approval_code: DEMO_LEAVE_CODE, open_id: 'ou_alice', form: JSON.stringify([{ id: 'reason', type: 'input', value: 'x' }]) },
    });
    assert.equal(created.body.code, 0, created.text);
    const decoded = await waitFor(`the decoded event (receiver stderr: ${receiver.stderr()})`, () => {
      const event = receiver.lines.find((l) => l.startsWith('SHENPI_EVENT '));
      return event ? JSON.parse(event.slice('SHENPI_EVENT '.length)) : undefined;
    });
    assert.equal(decoded.type, 'event_callback');
    assert.equal(decoded.token, keys.verification_token);
    assert.equal(decoded.event.type, 'approval_instance');
    assert.equal(decoded.event.status, 'PENDING');
    assert.equal(decoded.event.instance_code, created.body.data.instance_code);
    assert.equal(decoded.event.app_id, app.app_id);
  });
}
