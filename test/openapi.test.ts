/**
 * `GET /openapi.json`: the OpenAPI 3.1 document of the Open API, generated from the route schemas, kept
 * equal to docs/openapi.json, valid for a maintained validator, and true to the answers shenpi writes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { DEMO_APP, DEMO_LEAVE_CODE } from '../src/fixtures/demo.js';
import { definitionBody, reasonForm, V4 } from './helpers/approval.js';
import { externalApprovalBody, externalCc, externalTask, instanceBody } from './helpers/external.js';
import { call } from './helpers/http.js';
import { AnswerChecker, operationsOf, schemasOf, strictAjv, type OpenApiDocument } from './helpers/openapi.js';
import { APP_TOKEN_PATH, TENANT_TOKEN_PATH } from './helpers/open-api.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const COMMITTED = new URL('../docs/openapi.json', import.meta.url);
const readJson = (url: URL) => JSON.parse(readFileSync(url, 'utf8'));

/** Every Open API route shenpi serves (README "Open API endpoints"), in the document's spelling. */
const OPEN_API = [
  'POST /open-apis/auth/v3/tenant_access_token/internal',
  'POST /open-apis/auth/v3/app_access_token/internal',
  'POST /open-apis/approval/v4/approvals',
  'GET /open-apis/approval/v4/approvals/{approval_code}',
  'POST /open-apis/approval/v4/approvals/{approval_code}/subscribe',
  'POST /open-apis/approval/v4/approvals/{approval_code}/unsubscribe',
  'POST /open-apis/approval/v4/instances',
  'GET /open-apis/approval/v4/instances',
  'GET /open-apis/approval/v4/instances/{instance_id}',
  'POST /open-apis/approval/v4/instances/query',
  'POST /open-apis/approval/v4/instances/preview',
  'POST /open-apis/approval/v4/instances/cancel',
  'POST /open-apis/approval/v4/instances/cc',
  'POST /open-apis/approval/v4/instances/search_cc',
  'POST /open-apis/approval/v4/instances/add_sign',
  'POST /open-apis/approval/v4/instances/specified_rollback',
  'POST /open-apis/approval/v4/instances/{instance_id}/comments',
  'GET /open-apis/approval/v4/instances/{instance_id}/comments',
  'DELETE /open-apis/approval/v4/instances/{instance_id}/comments/{comment_id}',
  'POST /open-apis/approval/v4/instances/{instance_id}/comments/remove',
  'POST /open-apis/approval/v4/tasks/approve',
  'POST /open-apis/approval/v4/tasks/reject',
  'POST /open-apis/approval/v4/tasks/transfer',
  'POST /open-apis/approval/v4/tasks/resubmit',
  'GET /open-apis/approval/v4/tasks/query',
  'POST /open-apis/approval/v4/tasks/search',
  'GET /open-apis/approval/v4/districts',
  'POST /open-apis/approval/v4/districts/search',
  'POST /open-apis/approval/v4/external_approvals',
  'GET /open-apis/approval/v4/external_approvals/{approval_code}',
  'POST /open-apis/approval/v4/external_instances',
  'POST /open-apis/approval/v4/external_instances/check',
  'GET /open-apis/approval/v4/external_tasks',
];

async function served(t: { after: (fn: () => Promise<void>) => void }): Promise<{ server: TestServer; doc: OpenApiDocument }> {
  const server = await startTestServer();
  t.after(() => server.close());
  const answer = await call(server.url, '/openapi.json');
  assert.equal(answer.status, 200, answer.text);
  return { server, doc: answer.body };
}

test('GET /openapi.json answers without a token the OpenAPI 3.1 document of every Open API route, and no other', async (t) => {
  const { server, doc } = await served(t);
  assert.equal(doc.openapi, '3.1.0');
  assert.equal(doc.info.version, readJson(new URL('../package.json', import.meta.url)).version);
  assert.deepEqual(doc.servers, [{ url: server.url }]);
  assert.deepEqual(operationsOf(doc).sort(), [...OPEN_API].sort());
});

test('docs/openapi.json is the document the code generates (npm run openapi writes it)', async (t) => {
  const { doc } = await served(t);
  const { servers: _servers, ...generated } = doc;
  assert.deepEqual(readJson(COMMITTED), generated, 'docs/openapi.json is stale: run npm run openapi');
});

test('docs/openapi.json is valid OpenAPI 3.1 for @seriousme/openapi-schema-validator', async () => {
  const result = await new Validator().validate(readJson(COMMITTED));
  assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
});

test('every schema of the document is plain JSON Schema 2020-12: strict Ajv compiles each, no custom keyword left', async () => {
  const ajv = strictAjv();
  const schemas = schemasOf(readJson(COMMITTED));
  assert.ok(schemas.length > 60, `${schemas.length} schemas`);
  for (const [where, schema] of schemas) {
    assert.doesNotThrow(() => ajv.compile(schema), where);
  }
});

test('a field one SDK sends as an integer and the other as a string is documented as either, with the same bounds', async () => {
  const doc: OpenApiDocument = readJson(COMMITTED);
  const body = (path: string) => (doc.paths[path]?.post?.requestBody?.content['application/json']?.schema ?? {}) as any;
  assert.deepEqual(body('/open-apis/approval/v4/instances').properties.cancel_bot_notification, {
    anyOf: [
      { type: 'integer', minimum: 0, maximum: 7 },
      { type: 'string', pattern: '^[0-7]$' },
    ],
  });
  assert.deepEqual(body('/open-apis/approval/v4/instances/query').properties.instance_start_time_from, {
    anyOf: [
      { type: 'integer', minimum: 0, exclusiveMaximum: 1e16 },
      { type: 'string', pattern: '^\\d{1,16}$' },
    ],
  });
  const comment = body('/open-apis/approval/v4/instances/{instance_id}/comments');
  assert.deepEqual(comment.properties.comment_id, { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string' }] });
  assert.deepEqual(comment.properties.at_info_list.items.properties.offset.anyOf[0], {
    type: 'integer',
    minimum: 0,
    exclusiveMaximum: 1e9,
  });
});

test('the approval routes take the tenant token as a bearer scheme; the token routes take none', async () => {
  const doc = readJson(COMMITTED);
  assert.deepEqual(doc.components.securitySchemes.tenantAccessToken, {
    type: 'http',
    scheme: 'bearer',
    description: 'Authorization: Bearer <tenant_access_token>, from POST /open-apis/auth/v3/tenant_access_token/internal',
  });
  for (const operation of OPEN_API) {
    const [method = '', path = ''] = operation.split(' ');
    const security = doc.paths[path][method.toLowerCase()].security;
    if (path.startsWith('/open-apis/auth/')) assert.equal(security, undefined, operation);
    else assert.deepEqual(security, [{ tenantAccessToken: [] }], operation);
  }
});

test('every Open API answer, success or refusal, matches its documented schema field for field', async (t) => {
  const { server, doc } = await served(t);
  const checker = new AnswerChecker(doc);
  const at = (path: string, options: Parameters<typeof call>[2] = {}) => checker.call(server.url, path, options);

  const token = (await at(TENANT_TOKEN_PATH, { json: DEMO_APP })).body.tenant_access_token as string;
  await at(APP_TOKEN_PATH, { json: DEMO_APP });
  const badSecret = await at(TENANT_TOKEN_PATH, { json: { ...DEMO_APP, app_secret: 'wrong' } });
  assert.deepEqual([badSecret.status, badSecret.body.code], [200, 10003]);
  assert.equal((await at(`${V4}/instances/cancel`, { json: {} })).body.code, 99991661);

  const v4 = async (path: string, options: Parameters<typeof call>[2] = {}) => {
    const answer = await at(`${V4}${path}`, { token, ...options });
    assert.equal(answer.body.code, 0, `${path}: ${answer.text}`);
    return answer.body.data;
  };
  assert.equal((await at(`${V4}/approvals/NO-SUCH-CODE`, { token })).body.code, 1390002);

  // A definition of the caller's: created, read with its admins, subscribed and unsubscribed.
  const bobNode = { id: 'bob', node_type: 'AND', approver: [{ type: 'Personal', user_id: 'u_bob' }] };
  const { approval_code: custom } = await v4('/approvals?user_id_type=user_id', { json: definitionBody({ nodes: [bobNode] }) });
  await v4(`/approvals/${custom}?with_admin_id=true`);
  await v4(`/approvals/${custom}/subscribe`, { method: 'POST' });
  await v4(`/approvals/${custom}/unsubscribe`, { method: 'POST' });

  // Alice's leave, CC'd to Carol, commented on (with a file, a mention and a reply), previewed.
  const leave = { approval_code: DEMO_LEAVE_CODE, open_id: 'ou_alice', form: reasonForm() };
  const { instance_code: code } = await v4('/instances', { json: { ...leave, uuid: 'openapi-leave', with_link: true } });
  await v4('/instances/cc', {
    json: { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: 'ou_alice', cc_user_ids: ['ou_carol'], comment: 'fyi' },
  });
  await v4('/tasks/query?user_id=ou_carol&topic=17');
  const file = { url: 'https://files.example/plan.pdf', fileSize: 2048, title: 'plan.pdf', type: 'pdf' };
  const content = JSON.stringify({ text: '@Bob see the plan', files: [file] });
  const mention = { user_id: 'ou_bob', name: 'Bob', offset: 0 };
  const { comment_id: commentId } = await v4(`/instances/${code}/comments?user_id=ou_alice`, {
    json: { content, at_info_list: [mention], extra: '{"source":"openapi"}' },
  });
  await v4(`/instances/${code}/comments?user_id=ou_bob`, { json: { content: '{"text":"ok"}', parent_comment_id: commentId } });
  await v4(`/instances/${code}/comments?user_id=ou_alice`);
  await v4(`/instances/${code}?user_id=ou_carol`);
  await v4('/tasks/query?user_id=ou_carol&topic=18');
  await v4('/instances/preview', { json: { approval_code: DEMO_LEAVE_CODE, user_id: 'ou_alice', form: reasonForm() } });
  await v4('/instances/preview', { json: { instance_code: code, user_id: 'ou_alice' } });

  // Bob approves with a comment; Alice withdraws the approved leave, which opens a revoke request Bob rejects.
  const [bobTask] = (await v4('/tasks/query?user_id=ou_bob&topic=1')).tasks;
  const action = { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: 'ou_bob', task_id: bobTask.task_id };
  await v4('/tasks/approve', { json: { ...action, comment: 'enjoy' } });
  await v4('/instances/cancel', { json: { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: 'ou_alice' } });
  const listed = await v4(`/instances?approval_code=${DEMO_LEAVE_CODE}&start_time=0&end_time=9999999999999`);
  const revokeCode = listed.instance_code_list.find((c: string) => c !== code);
  const revoke = await v4(`/instances/${revokeCode}`);
  assert.equal(revoke.reverted_instance_code, code);
  const [revokeTask] = revoke.task_list;
  await v4('/tasks/reject', { json: { ...action, instance_code: revokeCode, task_id: revokeTask.id } });
  await v4(`/instances/${code}`);

  // A second leave: Bob hands it to Carol, Alice withdraws it; then the lists and the comment removals.
  const { instance_code: second } = await v4('/instances', { json: leave });
  const [pending] = (await v4('/tasks/query?user_id=ou_bob&topic=1')).tasks;
  await v4('/tasks/transfer', { json: { ...action, instance_code: second, task_id: pending.task_id, transfer_user_id: 'ou_carol' } });
  await v4('/instances/cancel', { json: { approval_code: DEMO_LEAVE_CODE, instance_code: second, user_id: 'ou_alice' } });
  // A third leave: Bob adds Carol beside him.
  const { instance_code: third } = await v4('/instances', { json: leave });
  const [bobs] = (await v4('/tasks/query?user_id=ou_bob&topic=1')).tasks;
  const signing = { add_sign_user_ids: ['u_carol'], add_sign_type: 3 };
  await v4('/instances/add_sign', { json: { ...action, instance_code: third, task_id: bobs.task_id, user_id: 'u_bob', ...signing } });
  // Carol sends it back to Alice, who resubmits it.
  const [carols] = (await v4('/tasks/query?user_id=ou_carol&topic=1')).tasks;
  await v4('/instances/specified_rollback', { json: { user_id: 'ou_carol', task_id: carols.task_id, task_def_key_list: ['START'] } });
  const [alices] = (await v4('/tasks/query?user_id=ou_alice&topic=1')).tasks;
  await v4('/tasks/resubmit', { json: { ...action, instance_code: third, user_id: 'ou_alice', task_id: alices.task_id, form: reasonForm() } });
  await v4('/tasks/query?user_id=ou_bob&topic=2');
  await v4('/tasks/query?user_id=ou_alice&topic=3');
  await v4('/instances/query', { json: { approval_code: DEMO_LEAVE_CODE, with_revoked_instance: true } });
  await v4('/tasks/search', { json: { approval_code: DEMO_LEAVE_CODE, with_revoked_instance: true } });
  await v4('/instances/search_cc', { json: { approval_code: DEMO_LEAVE_CODE, with_revoked_instance: true } });
  await v4(`/instances/${code}/comments/${commentId}?user_id=ou_alice`, { method: 'DELETE' });
  await v4(`/instances/${code}/comments/remove?user_id=ou_alice`, { method: 'POST' });

  // Districts: a paged list, leaves with their parents, a search.
  await v4('/districts?root_district_id=1814991&page_size=5');
  await v4('/districts?root_district_id=330100&list_type=leaf_level&locale=zh-CN');
  await v4('/districts/search', { json: { keyword: '西湖' } });
  // A third-party definition, an instance synced to it with a task and a CC, checked and listed.
  await v4('/external_approvals?user_id_type=user_id', { json: externalApprovalBody('openapi_oa', { managers: ['u_dave'] }) });
  await v4('/external_approvals/openapi_oa');
  const task = externalTask({ task_id: 'oa-task', open_id: 'ou_bob' });
  await v4('/external_instances', { json: instanceBody('openapi_oa', 'oa-1', { task_list: [task], cc_list: [externalCc({ cc_id: 'oa-cc', open_id: 'ou_carol' })] }) });
  await v4('/external_instances/check', { json: { instances: [{ instance_id: 'oa-1', update_time: '1', tasks: [] }] } });
  await v4('/external_tasks');
  await v4('/tasks/query?user_id=ou_bob&topic=1');

  assert.deepEqual([...checker.succeeded].sort(), [...OPEN_API].sort(), 'every route answered a checked success');
});
