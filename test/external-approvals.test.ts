/**
 * Third-party (external) definitions end to end (workflow-operations.md §6-§7): `POST /external_approvals`
 * creates or updates, `GET /external_approvals/:approval_code` reads back the keys as given.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEMO_LEAVE_CODE } from '../src/fixtures/demo.js';
import { assertRefused, assertSuccess, loadFixture, serve } from './helpers/approval.js';
import {
  createExternalApproval,
  externalApproval,
  externalApprovalBody,
  getExternalApproval,
  texts,
} from './helpers/external.js';
import { GLOBEX_APP, globexFixture } from './helpers/fixtures.js';
import { tenantToken } from './helpers/http.js';

const UUID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;

test('create answers a code of its own, and GET by either code answers the definition with the code the app gave', async (t) => {
  const ctx = await serve(t);
  const generated = await externalApproval(ctx, 'oa_expense');
  assert.match(generated, UUID);
  for (const code of ['oa_expense', generated]) {
    const data = assertSuccess(await getExternalApproval(ctx, code));
    assert.deepEqual(data, {
      approval_name: '@i18n@ext_name',
      approval_code: 'oa_expense',
      group_code: 'hr',
      group_name: '@i18n@group',
      description: '@i18n@desc',
      external: { biz_name: '@i18n@biz', support_pc: true, support_mobile: true, create_link_pc: 'https://oa.example/new' },
      viewers: [{ viewer_type: 'TENANT' }],
      i18n_resources: [texts({ '@i18n@ext_name': 'Expense (OA)', '@i18n@group': 'HR', '@i18n@desc': 'From the OA', '@i18n@biz': 'OA' })],
      managers: [],
    });
  }
});

test('create with a known code updates that definition and answers the same generated code; unknown fields are dropped', async (t) => {
  const ctx = await serve(t);
  const generated = await externalApproval(ctx, 'oa_expense');
  const again = await createExternalApproval(
    ctx,
    externalApprovalBody('oa_expense', { description: undefined, external: { support_pc: true, invented: 'x' }, unknown_field: 1 }),
  );
  assert.equal(assertSuccess(again).approval_code, generated);
  const updated = assertSuccess(await getExternalApproval(ctx, 'oa_expense'));
  assert.deepEqual([updated.external, updated.description], [{ support_pc: true }, undefined]);
  const byGenerated = await createExternalApproval(ctx, externalApprovalBody(generated, { approval_name: 'Plain name' }));
  assert.equal(assertSuccess(byGenerated).approval_code, generated);
  const data = assertSuccess(await getExternalApproval(ctx, 'oa_expense'));
  assert.equal(data.approval_code, 'oa_expense');
  assert.equal(data.approval_name, 'Plain name');
  assert.equal(data.description, '@i18n@desc');
  assert.deepEqual(data.external, { biz_name: '@i18n@biz', support_pc: true, support_mobile: true, create_link_pc: 'https://oa.example/new' });
});

test('an update that leaves out the external fields replaces them; one without group_code keeps the group', async (t) => {
  const ctx = await serve(t);
  await externalApproval(ctx, 'oa_expense');
  const body = externalApprovalBody('oa_expense', { external: { support_mobile: true } });
  delete (body as Record<string, unknown>).group_code;
  delete (body as Record<string, unknown>).group_name;
  assertSuccess(await createExternalApproval(ctx, body));
  const data = assertSuccess(await getExternalApproval(ctx, 'oa_expense'));
  assert.deepEqual(data.external, { support_mobile: true });
  assert.deepEqual([data.group_code, data.group_name], ['hr', '@i18n@group']);
});

test('a group is shared: a known group_code without group_name joins it, with one renames it for every definition', async (t) => {
  const ctx = await serve(t);
  await externalApproval(ctx, 'oa_expense');
  const joined = externalApprovalBody('oa_travel');
  delete (joined as Record<string, unknown>).group_name;
  assertSuccess(await createExternalApproval(ctx, joined));
  assert.equal(assertSuccess(await getExternalApproval(ctx, 'oa_travel')).group_name, '@i18n@group');
  const renamed = externalApprovalBody('oa_leave', {
    group_name: '@i18n@people',
    i18n_resources: [texts({ '@i18n@ext_name': 'Leave', '@i18n@people': 'People', '@i18n@desc': 'd', '@i18n@biz': 'OA' })],
  });
  assertSuccess(await createExternalApproval(ctx, renamed));
  for (const code of ['oa_expense', 'oa_travel', 'oa_leave']) {
    assert.equal(assertSuccess(await getExternalApproval(ctx, code)).group_name, '@i18n@people', code);
  }
});

test('a new group_code without group_name answers 1390001', async (t) => {
  const ctx = await serve(t);
  const body = externalApprovalBody('oa_expense', { group_code: 'fresh' });
  delete (body as Record<string, unknown>).group_name;
  assertRefused(await createExternalApproval(ctx, body), 1390001, /group_name is required/);
});

test('managers and viewer users are written per user_id_type and read back per user_id_type', async (t) => {
  const ctx = await serve(t);
  const body = externalApprovalBody('oa_expense', {
    managers: ['u_dave'],
    viewers: [{ viewer_type: 'USER', viewer_user_id: 'u_bob' }, { viewer_type: 'DEPARTMENT', viewer_department_id: 'od-eng' }],
  });
  assertSuccess(await createExternalApproval(ctx, body, 'user_id'));
  const asOpen = assertSuccess(await getExternalApproval(ctx, 'oa_expense'));
  assert.deepEqual(asOpen.managers, ['ou_dave']);
  assert.deepEqual(asOpen.viewers, [{ viewer_type: 'USER', viewer_user_id: 'ou_bob' }, { viewer_type: 'DEPARTMENT', viewer_department_id: 'od-eng' }]);
  const asUnion = assertSuccess(await getExternalApproval(ctx, 'oa_expense', 'union_id'));
  assert.deepEqual([asUnion.managers, asUnion.viewers[0].viewer_user_id], [['on_dave'], 'on_bob']);
  // The default type is open_id: a user_id is no open_id of anyone.
  assertRefused(await createExternalApproval(ctx, externalApprovalBody('oa_other', { managers: ['u_dave'] })), 1390001, /managers/);
});

test('refusals answer 1390001 with the reason: both platforms off, a key with no text, a viewer without its id, a bad body', async (t) => {
  const ctx = await serve(t);
  const cases: [Record<string, unknown>, RegExp][] = [
    [externalApprovalBody('a', { external: { support_pc: false } }), /support_pc and external.support_mobile/],
    [externalApprovalBody('a', { approval_name: '@i18n@missing' }), /@i18n@missing/],
    [externalApprovalBody('a', { i18n_resources: undefined }), /i18n/],
    [externalApprovalBody('a', { viewers: [{ viewer_type: 'USER' }] }), /viewer_user_id/],
    [externalApprovalBody('a', { viewers: [{ viewer_type: 'ROLE' }] }), /viewer_type/],
    [externalApprovalBody('a'.repeat(129)), /approval_code/],
    [externalApprovalBody('a', { external: undefined }), /external/],
    [externalApprovalBody(DEMO_LEAVE_CODE), /native definition/],
  ];
  for (const [body, reason] of cases) assertRefused(await createExternalApproval(ctx, body), 1390001, reason);
});

test('GET of an unknown code, or of a native definition, answers 1390002', async (t) => {
  const ctx = await serve(t);
  assertRefused(await getExternalApproval(ctx, 'nope'), 1390002, /no third-party approval definition "nope"/);
  assertRefused(await getExternalApproval(ctx, DEMO_LEAVE_CODE), 1390002, /native definition/);
});

test("another tenant's definitions are invisible, and it may use the same code for its own", async (t) => {
  const ctx = await serve(t);
  const acmeCode = await externalApproval(ctx, 'oa_expense');
  await loadFixture(ctx, globexFixture());
  const globex = { ...ctx, token: await tenantToken(ctx.url, GLOBEX_APP) };
  assertRefused(await getExternalApproval(globex, 'oa_expense'), 1390002);
  assertRefused(await getExternalApproval(globex, acmeCode), 1390002);
  const globexCode = await externalApproval(globex, 'oa_expense', { approval_name: 'Globex expense' });
  assert.notEqual(globexCode, acmeCode);
  assert.equal(assertSuccess(await getExternalApproval(globex, 'oa_expense')).approval_name, 'Globex expense');
  assert.equal(assertSuccess(await getExternalApproval(ctx, 'oa_expense')).approval_name, '@i18n@ext_name');
});
