/**
 * The admin console in a real browser (Debian's Chromium driven by playwright-core): signing in, the
 * two revoke boxes of a definition deciding what the withdrawal endpoint answers, an app's event
 * settings, and re-driving a dead event delivery.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { DEMO_LEAVE_CODE } from '../src/fixtures/demo.js';
import {
  createLeave,
  EVENT_APP,
  exhaust,
  startEventReceiver,
} from './helpers/event-receiver.js';
import { admin, call, tenantToken } from './helpers/http.js';
import { startTestServer, TEST_ADMIN_TOKEN, type TestServer } from './helpers/server.js';
import { waitFor } from './helpers/wait.js';

const CHROMIUM = '/usr/bin/chromium';
const V4 = '/open-apis/approval/v4';
// CI installs Chromium (.ci/run); elsewhere the browser half is skipped when it is absent.
const skip = !existsSync(CHROMIUM) && !process.env.CI ? `no browser at ${CHROMIUM} (apt-get install chromium)` : false;

describe('admin console', { skip }, () => {
  let browser: Browser;
  let server: TestServer;
  let token: string;

  before(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    server = await startTestServer();
    token = await tenantToken(server.url);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function signedIn(): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${server.url}/console`);
    await page.fill('#admin-token', TEST_ADMIN_TOKEN);
    await page.click('#sign-in button[type=submit]');
    await page.getByTestId(`definition-${DEMO_LEAVE_CODE}`).waitFor();
    return page;
  }

  /** Clicks a definition's Save and waits for its answer: an earlier "Saved" may still be on the page. */
  async function saveDefinition(page: Page, definition: Locator) {
    const answered = page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes('/_shenpi/approvals/'));
    await definition.getByTestId('save').click();
    assert.equal((await answered).status(), 200);
    await definition.getByText('Saved').waitFor();
  }

  /** Clicks an app's Save and waits for its answer. */
  async function saveApp(page: Page, appId: string) {
    const answered = page.waitForResponse((r) => r.request().method() === 'PUT' && r.url().includes(`/_shenpi/apps/${appId}/event`));
    await page.getByTestId(`save-app-${appId}`).click();
    assert.equal((await answered).status(), 200);
    await page.locator('#tenant-detail').getByText('Saved').waitFor();
  }

  async function newLeave() {
    const created = await call(server.url, `${V4}/instances`, {
      token,
      json: { approval_code: DEMO_LEAVE_CODE, open_id: 'ou_alice', form: JSON.stringify([{ id: 'reason', type: 'input', value: 'x' }]) },
    });
    return created.body.data.instance_code as string;
  }

  async function withdrawNewLeave() {
    const code = await newLeave();
    const answer = await call(server.url, `${V4}/instances/cancel`, {
      token,
      json: { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: 'ou_alice' },
    });
    return { code, answer };
  }

  test('a wrong admin token is refused with a message, and nothing is shown', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/console`);
    await page.fill('#admin-token', 'not-the-token');
    await page.click('#sign-in button[type=submit]');
    await page.getByText('That is not the admin token.').waitFor();
    assert.equal(await page.locator('#app').isHidden(), true);
    await page.close();
  });

  test('signed in, the console lists the demo tenant with its apps, users and definitions', async () => {
    const page = await signedIn();
    const tenantDetail = await page.locator('#tenant-detail').innerText();
    assert.match(tenantDetail, /cli_acme_demo/);
    assert.match(tenantDetail, /ou_alice/);
    const leave = page.getByTestId(`definition-${DEMO_LEAVE_CODE}`);
    assert.equal(await leave.getByTestId('revert-option').isChecked(), true);
    assert.equal(await leave.getByTestId('revert-days').inputValue(), '31');
    await page.close();
  });

  test('unticking 允许撤销审批中的申请 makes withdrawing a pending request answer 1390001; ticking it again allows it', async () => {
    const page = await signedIn();
    const leave = page.getByTestId(`definition-${DEMO_LEAVE_CODE}`);
    await leave.getByTestId('revert-option').uncheck();
    await saveDefinition(page, leave);

    const refused = await withdrawNewLeave();
    assert.equal(refused.answer.body.code, 1390001, refused.answer.text);
    assert.match(refused.answer.body.error.details[0].value, /does not allow withdrawing requests under approval/);

    await leave.getByTestId('revert-option').check();
    await saveDefinition(page, leave);
    const allowed = await withdrawNewLeave();
    assert.equal(allowed.answer.body.code, 0, allowed.answer.text);

    // The withdrawn instance, with its timeline, is one click away.
    await leave.getByText('Instances').click();
    await page.getByText(allowed.code).click();
    await page.locator('#instance-timeline').getByText('CANCEL').waitFor();
    assert.equal(await page.locator('#instance-status').innerText(), 'CANCELED');
    await page.close();
  });

  test("an app's event URL, encrypt key and verification token are set in the console", async () => {
    const page = await signedIn();
    await page.getByTestId('event-url-cli_acme_demo').fill('http://127.0.0.1:9/hook');
    await page.getByTestId('encrypt-key-cli_acme_demo').fill('key');
    await page.getByTestId('verification-token-cli_acme_demo').fill('token');
    await saveApp(page, 'cli_acme_demo');
    const app = (await admin(server.url, '/tenants')).body.tenants[0].apps[0];
    assert.deepEqual(app, {
      app_id: 'cli_acme_demo',
      event_url: 'http://127.0.0.1:9/hook',
      encrypt_key: 'key',
      verification_token: 'token',
      event_types: null,
    });
    await page.getByTestId('event-url-cli_acme_demo').fill('');
    await saveApp(page, 'cli_acme_demo');
    assert.equal((await admin(server.url, '/tenants')).body.tenants[0].apps[0].event_url, null);
    await page.close();
  });

  test("a create's instance_link (with_link: true) opens that instance in the console", async () => {
    const created = await call(server.url, `${V4}/instances`, {
      token,
      json: { approval_code: DEMO_LEAVE_CODE, open_id: 'ou_alice', form: JSON.stringify([{ id: 'reason', type: 'input', value: 'x' }]), with_link: true },
    });
    const { instance_code: code, instance_link: link } = created.body.data;
    const page = await browser.newPage();
    await page.goto(link);
    await page.fill('#admin-token', TEST_ADMIN_TOKEN);
    await page.click('#sign-in button[type=submit]');
    await page.locator('#instance-code').getByText(code).waitFor();
    await page.locator('#instance-timeline').getByText('START').waitFor();
    await page.close();
  });

  test('a revoke request and the approved instance it revokes link to each other', async () => {
    const original = await newLeave();
    const task = (await call(server.url, `${V4}/instances/${original}`, { token })).body.data.task_list[0];
    const approved = await call(server.url, `${V4}/tasks/approve`, {
      token,
      json: { approval_code: DEMO_LEAVE_CODE, instance_code: original, user_id: 'ou_bob', task_id: task.id },
    });
    assert.equal(approved.body.code, 0, approved.text);
    const withdrawn = await call(server.url, `${V4}/instances/cancel`, {
      token,
      json: { approval_code: DEMO_LEAVE_CODE, instance_code: original, user_id: 'ou_alice' },
    });
    assert.equal(withdrawn.body.code, 0, withdrawn.text);
    const request = (await admin(server.url, `/instances/${original}`)).body.revoke_requests[0].instance_code as string;

    const page = await signedIn();
    await page.getByTestId(`definition-${DEMO_LEAVE_CODE}`).getByText('Instances').click();
    await page.locator('#instances').getByText(original).click();
    const links = page.getByTestId('instance-revoke');
    await links.getByText(request).waitFor();
    assert.match(await links.innerText(), /Revoke requests: .* \(PENDING\)/);
    await links.getByText(request).click();
    await page.locator('#instance-code').getByText(request).waitFor();
    assert.match(await page.getByTestId('instance-revoke').innerText(), new RegExp(`Revoke request of ${original}`));
    await page.getByTestId('instance-revoke').getByText(original).click();
    await page.locator('#instance-code').getByText(original).waitFor();
    await page.close();
  });

  test("an app's event types are chosen in the console: unticking one and ticking the 2.0 definition update", async () => {
    const page = await signedIn();
    await page.getByTestId('event-url-cli_acme_demo').fill('http://127.0.0.1:9/hook');
    await page.getByTestId('event-type-cli_acme_demo-approval_task').uncheck();
    await page.getByTestId('event-type-cli_acme_demo-approval.approval.updated_v4').check();
    await saveApp(page, 'cli_acme_demo');
    const app = (await admin(server.url, '/tenants')).body.tenants[0].apps[0];
    assert.deepEqual(app.event_types, ['approval_instance', 'approval_cc', 'approval.approval.updated_v4']);
    assert.equal((await admin(server.url, '/apps/cli_acme_demo/event', { method: 'PUT', raw: 'null', headers: { 'content-type': 'application/json' } })).status, 200);
    await page.close();
  });

  test('a dead event delivery is re-driven from the console and then delivered', async () => {
    const receiver = await startEventReceiver('k', 'v');
    try {
      const event = { url: receiver.url, encrypt_key: 'k', verification_token: 'v' };
      assert.equal((await admin(server.url, '/fixtures', { json: { tenants: [{ tenant_key: 'acme', apps: [{ ...EVENT_APP, event }] }] } })).status, 200);
      const appToken = await tenantToken(server.url, EVENT_APP);
      await call(server.url, `${V4}/approvals/${DEMO_LEAVE_CODE}/subscribe`, { token: appToken, method: 'POST' });
      receiver.script.push(...Array<number>(10).fill(500));
      const code = await createLeave(server, appToken);
      const [dead] = await exhaust(server, code);
      assert.equal(dead?.status, 'dead');

      const page = await signedIn();
      await page.getByTestId(`definition-${DEMO_LEAVE_CODE}`).getByText('Instances').click();
      await page.getByRole('link', { name: code }).click();
      const row = page.getByTestId(`delivery-${dead.event_id}`);
      await row.getByText('dead').waitFor();
      await row.getByTestId(`redrive-${dead.event_id}`).click();
      await waitFor('the re-driven event', () => (receiver.received.some((e) => e.instance_code === code && !e.task_id) ? true : undefined));
      await page.getByRole('link', { name: code }).click();
      await row.getByText('delivered').waitFor();
      await page.close();
    } finally {
      await admin(server.url, '/apps/cli_acme_events/event', { method: 'PUT', raw: 'null', headers: { 'content-type': 'application/json' } });
      await receiver.close();
    }
  });

  test('the days of 允许撤销 x 天内通过的审批 bound withdrawing an approved request', async () => {
    const page = await signedIn();
    const leave = page.getByTestId(`definition-${DEMO_LEAVE_CODE}`);
    await leave.getByTestId('revert-days').fill('1');
    await saveDefinition(page, leave);
    const stored = await admin(server.url, '/tenants/acme/approvals');
    const approval = stored.body.approvals.find((a: { approval_code: string }) => a.approval_code === DEMO_LEAVE_CODE);
    assert.equal(approval.revert_interval, 86400);

    // One day: an approval two days old can no longer be withdrawn. (Earlier tests moved the clock on.)
    token = await tenantToken(server.url);
    const code = await newLeave();
    const [task] = (await call(server.url, `${V4}/instances/${code}`, { token })).body.data.task_list;
    const approved = await call(server.url, `${V4}/tasks/approve`, {
      token,
      json: { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: 'ou_bob', task_id: task.id },
    });
    assert.equal(approved.body.code, 0, approved.text);
    assert.equal((await admin(server.url, '/clock', { json: { advance_ms: 2 * 86_400_000 } })).status, 200);
    token = await tenantToken(server.url);
    const late = await call(server.url, `${V4}/instances/cancel`, {
      token,
      json: { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: 'ou_alice' },
    });
    assert.equal(late.body.code, 1390001, late.text);
    assert.match(late.body.error.details[0].value, /withdrawal window closed: .* allows 86400 seconds after approval/);

    await leave.getByTestId('revert-interval-on').uncheck();
    await saveDefinition(page, leave);
    const off = await admin(server.url, '/tenants/acme/approvals');
    assert.equal(off.body.approvals.find((a: { approval_code: string }) => a.approval_code === DEMO_LEAVE_CODE).revert_interval, 0);

    await leave.getByTestId('revert-interval-on').check();
    await leave.getByTestId('revert-days').fill('31');
    await saveDefinition(page, leave);
    // 31 days: the same two-day-old approval can be withdrawn (its revoke round opens).
    const inTime = await call(server.url, `${V4}/instances/cancel`, {
      token,
      json: { approval_code: DEMO_LEAVE_CODE, instance_code: code, user_id: 'ou_alice' },
    });
    assert.equal(inTime.body.code, 0, inTime.text);
    await page.close();
  });
});
