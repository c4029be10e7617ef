/** Loading fixtures (contract.md "Fixture file"): idempotent, all or nothing, errors naming the JSON path. */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { DEMO_APP, demoFixture } from '../src/fixtures/demo.js';
import { GLOBEX_APP, globexFixture } from './helpers/fixtures.js';
import { admin, call } from './helpers/http.js';
import { TENANT_TOKEN_PATH } from './helpers/open-api.js';
import { startTestServer } from './helpers/server.js';
import { rows, snapshot } from './helpers/db-snapshot.js';

async function serve(t: TestContext) {
  const server = await startTestServer();
  t.after(() => server.close());
  return server;
}

const load = (url: string, document: unknown) => admin(url, '/fixtures', { json: document });

const tokenCode = async (url: string, app: { app_id: string; app_secret: string }) =>
  (await call(url, TENANT_TOKEN_PATH, { json: app })).body.code as number;

/** Loads a fixture that must be refused; answers its error message. */
async function refusal(url: string, document: unknown): Promise<string> {
  const answer = await load(url, document);
  assert.equal(answer.status, 400, answer.text);
  assert.equal(typeof answer.body.error, 'string', answer.text);
  return answer.body.error as string;
}

const tenant = (extra: Record<string, unknown>) => ({ tenants: [{ tenant_key: 'initech', ...extra }] });

describe('loading is an idempotent upsert', () => {
  test('loading the stored demo fixture again changes no row of any table, secret hashes included', async (t) => {
    const server = await serve(t);
    const before = await snapshot(server.databaseUrl);
    assert.equal((await load(server.url, demoFixture)).status, 200);
    assert.deepEqual(await snapshot(server.databaseUrl), before);
  });

  test('loading the same new fixture twice: the second load changes no row', async (t) => {
    const server = await serve(t);
    assert.equal((await load(server.url, globexFixture())).status, 200);
    const before = await snapshot(server.databaseUrl);
    assert.equal((await rows(server.databaseUrl, 'apps', { app_id: GLOBEX_APP.app_id })).length, 1);
    assert.equal((await load(server.url, globexFixture())).status, 200);
    assert.deepEqual(await snapshot(server.databaseUrl), before);
  });

  test('a tenant loaded twice keeps one row per user, app and department', async (t) => {
    const server = await serve(t);
    await load(server.url, globexFixture());
    await load(server.url, globexFixture());
    assert.equal((await rows(server.databaseUrl, 'users', { tenant_key: 'globex' })).length, 2);
    assert.equal((await rows(server.databaseUrl, 'apps', { tenant_key: 'globex' })).length, 1);
    assert.equal((await rows(server.databaseUrl, 'departments', { tenant_key: 'globex' })).length, 1);
  });

  test('loading a changed app_secret replaces the old one', async (t) => {
    const server = await serve(t);
    const changed = structuredClone(demoFixture);
    changed.tenants[0]!.apps = [{ app_id: DEMO_APP.app_id, app_secret: 'rotated-secret' }];
    assert.equal((await load(server.url, changed)).status, 200);
    assert.equal(await tokenCode(server.url, { app_id: DEMO_APP.app_id, app_secret: 'rotated-secret' }), 0);
    assert.equal(await tokenCode(server.url, DEMO_APP), 10003);
  });

  test('loading a changed user name updates that user in place', async (t) => {
    const server = await serve(t);
    await load(server.url, tenant({ users: [{ user_id: 'u_x', name: 'Before' }] }));
    await load(server.url, tenant({ users: [{ user_id: 'u_x', name: 'After' }] }));
    assert.deepEqual(
      (await rows(server.databaseUrl, 'users', { tenant_key: 'initech' })).map((r: any) => [r.user_id, r.name]),
      [['u_x', 'After']],
    );
  });

  test('app secrets are stored hashed, never in clear', async (t) => {
    const server = await serve(t);
    await load(server.url, globexFixture());
    const text = JSON.stringify(await snapshot(server.databaseUrl));
    assert.equal(text.includes(GLOBEX_APP.app_secret), false);
    assert.equal(text.includes(DEMO_APP.app_secret), false);
  });

  test('a loaded fixture answers a summary of what it holds', async (t) => {
    const server = await serve(t);
    const answer = await load(server.url, globexFixture());
    assert.deepEqual(answer.body, { loaded: { tenants: 1, apps: 1, departments: 1, users: 2, approvals: [] } });
  });

  test('a user without open_id or union_id gets ones made from the user_id', async (t) => {
    const server = await serve(t);
    await load(server.url, tenant({ users: [{ user_id: 'u_x' }] }));
    assert.deepEqual(
      (await rows(server.databaseUrl, 'users', { tenant_key: 'initech' })).map((r: any) => [r.open_id, r.union_id, r.name]),
      [['ou_u_x', 'on_u_x', 'u_x']],
    );
  });
});

describe('a refused fixture is refused as a whole', () => {
  test('a second tenant with a leader naming nobody leaves no row of the first tenant', async (t) => {
    const server = await serve(t);
    const before = await snapshot(server.databaseUrl);
    const document = {
      tenants: [
        ...globexFixture().tenants,
        { tenant_key: 'initech', users: [{ user_id: 'u_x', leader_user_id: 'u_nobody' }] },
      ],
    };
    const error = await refusal(server.url, document);
    assert.match(error, /^tenants\[1\]\.users\[0\]\.leader_user_id: /);
    assert.deepEqual(await snapshot(server.databaseUrl), before);
    assert.equal(await tokenCode(server.url, GLOBEX_APP), 10003);
  });

  test('a second tenant with a malformed field leaves no row of the first tenant', async (t) => {
    const server = await serve(t);
    const before = await snapshot(server.databaseUrl);
    const document = { tenants: [...globexFixture().tenants, { tenant_key: 'initech', users: [{ user_id: 7 }] }] };
    await refusal(server.url, document);
    assert.deepEqual(await snapshot(server.databaseUrl), before);
  });

  test('a refused update of a stored tenant leaves its rows as they were', async (t) => {
    const server = await serve(t);
    const before = await snapshot(server.databaseUrl);
    const update = structuredClone(demoFixture);
    update.tenants[0]!.name = 'Renamed';
    update.tenants[0]!.users!.push({ user_id: 'u_eve', leader_user_id: 'u_nobody' });
    await refusal(server.url, update);
    assert.deepEqual(await snapshot(server.databaseUrl), before);
  });
});

describe('a refusal names the JSON path at fault', () => {
  test('an unknown field is refused, naming the object that holds it', async (t) => {
    const server = await serve(t);
    const error = await refusal(server.url, tenant({ users: [{ user_id: 'u_x', nickname: 'X' }] }));
    assert.equal(error, 'tenants[0].users[0]: unknown field "nickname"');
  });

  test('an unknown top-level field is refused', async (t) => {
    const server = await serve(t);
    const error = await refusal(server.url, { tenants: [], version: 2 });
    assert.match(error, /unknown field "version"/);
  });

  test('a field of the wrong type is refused, naming the field', async (t) => {
    const server = await serve(t);
    const error = await refusal(server.url, tenant({ users: [{ user_id: 'u_x', department_ids: 'eng' }] }));
    assert.match(error, /^tenants\[0\]\.users\[0\]\.department_ids: /);
  });

  test('a number where an id string belongs is refused, naming the field', async (t) => {
    const server = await serve(t);
    const error = await refusal(server.url, tenant({ users: [{ user_id: 42 }] }));
    assert.match(error, /^tenants\[0\]\.users\[0\]\.user_id: /);
  });

  test('a tenant without tenant_key is refused, naming the tenant', async (t) => {
    const server = await serve(t);
    const error = await refusal(server.url, { tenants: [{ name: 'Nameless' }] });
    assert.equal(error, 'tenants[0]: missing "tenant_key"');
  });

  test('a document without tenants is refused', async (t) => {
    const server = await serve(t);
    const error = await refusal(server.url, {});
    assert.match(error, /tenants/);
  });

  test('the same tenant_key twice in one file is refused, naming the second', async (t) => {
    const server = await serve(t);
    const error = await refusal(server.url, { tenants: [{ tenant_key: 'initech' }, { tenant_key: 'initech' }] });
    assert.match(error, /^tenants\[1\]\.tenant_key: /);
  });

  test('the same user_id twice in one tenant is refused, naming the second', async (t) => {
    const server = await serve(t);
    const error = await refusal(server.url, tenant({ users: [{ user_id: 'u_x' }, { user_id: 'u_x' }] }));
    assert.match(error, /^tenants\[0\]\.users\[1\]\.user_id: "u_x"/);
  });

  test('the same open_id for two users of one tenant is refused, naming the second', async (t) => {
    const server = await serve(t);
    const error = await refusal(
      server.url,
      tenant({ users: [{ user_id: 'u_x', open_id: 'ou_same' }, { user_id: 'u_y', open_id: 'ou_same' }] }),
    );
    assert.match(error, /^tenants\[0\]\.users\[1\]\.open_id: "ou_same"/);
  });

  test('the same union_id for two users of one tenant is refused, naming the second', async (t) => {
    const server = await serve(t);
    const error = await refusal(
      server.url,
      tenant({ users: [{ user_id: 'u_x', union_id: 'on_same' }, { user_id: 'u_y', union_id: 'on_same' }] }),
    );
    assert.match(error, /^tenants\[0\]\.users\[1\]\.union_id: "on_same"/);
  });

  test('an open_id already held by another stored user of the tenant is refused, naming the holder', async (t) => {
    const server = await serve(t);
    const error = await refusal(server.url, {
      tenants: [{ tenant_key: 'acme', users: [{ user_id: 'u_zed', open_id: 'ou_alice' }] }],
    });
    assert.match(error, /^tenants\[0\]\.users\[0\]\.open_id: "ou_alice" already names user "u_alice"/);
  });

  test("a user's leader_user_id naming nobody is refused", async (t) => {
    const server = await serve(t);
    const error = await refusal(server.url, tenant({ users: [{ user_id: 'u_x', leader_user_id: 'u_nobody' }] }));
    assert.match(error, /^tenants\[0\]\.users\[0\]\.leader_user_id: .*u_nobody/);
  });

  test("a leader_user_id naming a user of another tenant only is refused", async (t) => {
    const server = await serve(t);
    const error = await refusal(server.url, tenant({ users: [{ user_id: 'u_x', leader_user_id: 'u_alice' }] }));
    assert.match(error, /^tenants\[0\]\.users\[0\]\.leader_user_id: /);
  });

  test("a department's leader_user_id naming nobody is refused", async (t) => {
    const server = await serve(t);
    const error = await refusal(
      server.url,
      tenant({ departments: [{ department_id: 'ops', name: 'Ops', leader_user_id: 'u_nobody' }] }),
    );
    assert.match(error, /^tenants\[0\]\.departments\[0\]\.leader_user_id: /);
  });

  test('department_ids naming no department is refused, naming the entry', async (t) => {
    const server = await serve(t);
    const error = await refusal(server.url, tenant({ users: [{ user_id: 'u_x', department_ids: ['nowhere'] }] }));
    assert.match(error, /^tenants\[0\]\.users\[0\]\.department_ids\[0\]: .*nowhere/);
  });

  test('a parent_department_id naming no department is refused', async (t) => {
    const server = await serve(t);
    const error = await refusal(
      server.url,
      tenant({ departments: [{ department_id: 'ops', name: 'Ops', parent_department_id: 'nowhere' }] }),
    );
    assert.match(error, /^tenants\[0\]\.departments\[0\]\.parent_department_id: /);
  });

  test('the same open_department_id for two departments of one tenant is refused, naming the second', async (t) => {
    const server = await serve(t);
    const error = await refusal(
      server.url,
      tenant({
        departments: [
          { department_id: 'ops', open_department_id: 'od-same', name: 'Ops' },
          { department_id: 'qa', open_department_id: 'od-same', name: 'QA' },
        ],
      }),
    );
    assert.match(error, /^tenants\[0\]\.departments\[1\]\.open_department_id: /);
  });

  test('an open_department_id already held by another stored department of the tenant is refused, not a 500', async (t) => {
    const server = await serve(t);
    const error = await refusal(server.url, {
      tenants: [{ tenant_key: 'acme', departments: [{ department_id: 'ops', open_department_id: 'od-eng', name: 'Ops' }] }],
    });
    assert.match(error, /^tenants\[0\]\.departments\[0\]/);
  });

  test('an app_id already owned by another tenant is refused and the owner keeps it', async (t) => {
    const server = await serve(t);
    const error = await refusal(server.url, tenant({ apps: [{ app_id: DEMO_APP.app_id, app_secret: 'mine' }] }));
    assert.equal(error, 'tenants[0].apps[0].app_id: "cli_acme_demo" already belongs to tenant "acme"');
    assert.equal(await tokenCode(server.url, DEMO_APP), 0);
  });

  test('an empty app_secret is refused', async (t) => {
    const server = await serve(t);
    const error = await refusal(server.url, tenant({ apps: [{ app_id: 'cli_x', app_secret: '' }] }));
    assert.match(error, /^tenants\[0\]\.apps\[0\]\.app_secret: /);
  });
});

describe('approval definitions in a fixture', () => {
  const approval = (extra: Record<string, unknown> = {}) => ({
    approval_name: 'Trip',
    viewers: [{ viewer_type: 'TENANT' }],
    form: { form_content: JSON.stringify([{ id: 'where', type: 'input', name: 'Where' }]) },
    node_list: [
      { id: 'START' },
      { id: 'boss', name: 'Boss', node_type: 'AND', approver: [{ type: 'Personal', user_id: 'u_boss' }] },
      { id: 'END' },
    ],
    i18n_resources: [{ locale: 'en-US', is_default: true, texts: [] }],
    ...extra,
  });
  const initech = (approvals: unknown[]) =>
    tenant({
      apps: [{ app_id: 'cli_initech', app_secret: 'initech-secret' }],
      users: [{ user_id: 'u_boss' }, { user_id: 'u_peter', leader_user_id: 'u_boss' }],
      approvals,
    });

  test('approvals[] entries become definitions the tenant reads through the Open API', async (t) => {
    const server = await serve(t);
    const loaded = await load(server.url, initech([approval({ approval_code: 'C0DE0000-0000-4000-8000-000000000001' })]));
    assert.equal(loaded.status, 200, loaded.text);
    assert.deepEqual(loaded.body.loaded.approvals, ['C0DE0000-0000-4000-8000-000000000001']);
    const token = (await call(server.url, TENANT_TOKEN_PATH, { json: { app_id: 'cli_initech', app_secret: 'initech-secret' } }))
      .body.tenant_access_token as string;
    const got = await call(server.url, '/open-apis/approval/v4/approvals/C0DE0000-0000-4000-8000-000000000001', { token });
    assert.equal(got.body.code, 0, got.text);
    assert.equal(got.body.data.approval_name, 'Trip');
    assert.equal(got.body.data.node_list[0].custom_node_id, 'boss');
  });

  test('an entry without approval_code gets a stable code, so loading it twice changes nothing', async (t) => {
    const server = await serve(t);
    const first = await load(server.url, initech([approval()]));
    assert.equal(first.status, 200, first.text);
    const before = await snapshot(server.databaseUrl);
    const second = await load(server.url, initech([approval()]));
    assert.deepEqual(second.body.loaded.approvals, first.body.loaded.approvals);
    assert.match(first.body.loaded.approvals[0], /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
    assert.deepEqual(await snapshot(server.databaseUrl), before);
  });

  test('a refused entry names its path and leaves the whole tenant unloaded', async (t) => {
    const server = await serve(t);
    const error = await refusal(server.url, initech([approval(), approval({ approval_name: 'Bad', node_list: [{ id: 'START' }] })]));
    assert.match(error, /^tenants\[0\]\.approvals\[1\]: node_list/);
    assert.equal((await rows(server.databaseUrl, 'tenants', { tenant_key: 'initech' })).length, 0);
    assert.equal((await rows(server.databaseUrl, 'approvals')).length, 2, 'only the demo definitions remain');
  });

  test('an entry of the wrong shape names the field at fault', async (t) => {
    const server = await serve(t);
    const error = await refusal(server.url, initech([approval({ viewers: 'everyone' })]));
    assert.match(error, /^tenants\[0\]\.approvals\[0\]\.viewers: /);
  });

  test('an approval_code of another tenant is refused', async (t) => {
    const server = await serve(t);
    const error = await refusal(server.url, initech([approval({ approval_code: '7C468A54-8745-2245-9675-08B7C63E7A85' })]));
    assert.match(error, /^tenants\[0\]\.approvals\[0\]: .*another tenant/);
  });
});
