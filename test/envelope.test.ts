/** The Feishu envelope around every answer (rules.md "Every Open API request" 1, 3, 5, 6). */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { DEMO_APP, DEMO_LEAVE_CODE } from '../src/fixtures/demo.js';
import { admin, call, rawCall, tenantToken } from './helpers/http.js';
import { assertFeishuError, PROTECTED_PATH, TENANT_TOKEN_PATH } from './helpers/open-api.js';
import { startTestServer } from './helpers/server.js';

async function serve(t: TestContext) {
  const server = await startTestServer();
  t.after(() => server.close());
  return server;
}

/** Sends bytes as they are, with the given Content-Type. */
async function send(url: string, path: string, body: string | Buffer, contentType = 'application/json') {
  const res = await fetch(url + path, { method: 'POST', headers: { 'content-type': contentType }, body });
  const text = await res.text();
  let parsed: any = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // left as text
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

const depth = 100_000;
const NASTY_BODIES: [string, string | Buffer][] = [
  ['an empty array', '[]'],
  ['null', 'null'],
  ['a JSON string', '"x"'],
  ['a number', '42'],
  ['app_id as an array of strings', '{"app_id":["x"],"app_secret":"y"}'],
  ['a __proto__ key', '{"__proto__":{"admin":true},"app_id":"x","app_secret":"y"}'],
  ['deeply nested arrays', '['.repeat(depth) + ']'.repeat(depth)],
  ['deeply nested objects', '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)],
  ['deeply nested objects under app_id', '{"app_id":' + '{"a":'.repeat(depth) + '1' + '}'.repeat(depth) + ',"app_secret":"y"}'],
  ['invalid UTF-8 bytes', Buffer.concat([Buffer.from('{"app_id":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('","app_secret":"y"}')])],
  ['invalid UTF-8 bytes outside strings', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])],
  ['a truncated document', '{"app_id":"cli_acme_demo","app_secr'],
];

describe('X-Tt-Logid', () => {
  test('a successful answer carries X-Tt-Logid', async (t) => {
    const server = await serve(t);
    const answer = await call(server.url, TENANT_TOKEN_PATH, { json: DEMO_APP });
    assert.equal(answer.body.code, 0);
    assert.match(answer.headers.get('x-tt-logid') ?? '', /^\d{14}[0-9A-F]{20}$/);
  });

  test('a 4xx answer carries X-Tt-Logid', async (t) => {
    const server = await serve(t);
    const answer = await call(server.url, '/_shenpi/clock');
    assert.equal(answer.status, 401);
    assert.ok(answer.headers.get('x-tt-logid'));
  });

  test('a 404 answer carries X-Tt-Logid', async (t) => {
    const server = await serve(t);
    const answer = await call(server.url, '/open-apis/nothing/here');
    assert.equal(answer.status, 404);
    assert.ok(answer.headers.get('x-tt-logid'));
  });

  test('each request gets its own log id', async (t) => {
    const server = await serve(t);
    const first = await call(server.url, '/healthz');
    const second = await call(server.url, '/healthz');
    assert.notEqual(first.headers.get('x-tt-logid'), second.headers.get('x-tt-logid'));
  });

  test('a log id sent by the client is not echoed back', async (t) => {
    const server = await serve(t);
    const answer = await call(server.url, '/healthz', { headers: { 'x-tt-logid': 'client-chosen', 'x-request-id': 'client-chosen' } });
    assert.notEqual(answer.headers.get('x-tt-logid'), 'client-chosen');
  });
});

describe('header names written exactly as Feishu writes them', () => {
  test('a success answer writes the header name exactly X-Tt-Logid, and Content-Type', async (t) => {
    const server = await serve(t);
    const answer = await rawCall(server.url, TENANT_TOKEN_PATH, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(DEMO_APP),
    });
    assert.equal(answer.body.code, 0, answer.text);
    assert.ok(answer.headerNames.includes('X-Tt-Logid'), answer.headerNames.join());
    assert.ok(answer.headerNames.includes('Content-Type'), answer.headerNames.join());
    assert.match(answer.header('X-Tt-Logid') ?? '', /^\d{14}[0-9A-F]{20}$/);
  });

  for (const [label, path, headers] of [
    ['an Open API error', PROTECTED_PATH, {}],
    ['the plain 404', '/open-apis/nothing/here', {}],
    ['an admin answer', '/_shenpi/clock', { authorization: 'Bearer test-admin-token' }],
    ['an admin refusal', '/_shenpi/clock', {}],
    ['the health check', '/healthz', {}],
  ] as const) {
    test(`${label} writes the header name exactly X-Tt-Logid`, async (t) => {
      const server = await serve(t);
      const answer = await rawCall(server.url, path, { headers });
      assert.ok(answer.headerNames.includes('X-Tt-Logid'), `${answer.status}: ${answer.headerNames.join()}`);
      assert.ok(!answer.headerNames.includes('x-tt-logid'), answer.headerNames.join());
    });
  }
});

describe('a body without any Content-Type is read as JSON', () => {
  test('a token request without any Content-Type header gets the token (the Python SDK sends none)', async (t) => {
    const server = await serve(t);
    const answer = await rawCall(server.url, TENANT_TOKEN_PATH, { method: 'POST', body: JSON.stringify(DEMO_APP) });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.body.code, 0, answer.text);
    assert.match(answer.body.tenant_access_token, /^t-/);
  });

  test('an Open API POST without any Content-Type header is read as JSON', async (t) => {
    const server = await serve(t);
    const token = await tenantToken(server.url);
    const body = JSON.stringify({
      approval_code: DEMO_LEAVE_CODE,
      open_id: 'ou_alice',
      form: JSON.stringify([{ id: 'reason', type: 'input', value: 'x' }]),
    });
    const answer = await rawCall(server.url, '/open-apis/approval/v4/instances', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body,
    });
    assert.equal(answer.body.code, 0, answer.text);
  });

  test('a body without any Content-Type that is not JSON answers 10003 on the token endpoint', async (t) => {
    const server = await serve(t);
    const answer = await rawCall(server.url, TENANT_TOKEN_PATH, { method: 'POST', body: 'app_id=cli_acme_demo' });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.body.code, 10003, answer.text);
  });

  test('an explicit Content-Type application/xml still answers the Feishu envelope 1390001', async (t) => {
    const server = await serve(t);
    const token = await tenantToken(server.url);
    const answer = await rawCall(server.url, '/open-apis/approval/v4/instances', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'Content-Type': 'application/xml' },
      body: JSON.stringify({ approval_code: DEMO_LEAVE_CODE }),
    });
    assert.equal(answer.status, 400, answer.text);
    assert.equal(answer.body.code, 1390001, answer.text);
    assert.match(answer.body.error.details[0].value, /Content-Type/);
  });
});

describe('query booleans', () => {
  test('with_admin_id=True is read as true, as the Python SDK writes it', async (t) => {
    const server = await serve(t);
    const token = await tenantToken(server.url);
    const answer = await call(server.url, `${PROTECTED_PATH}?with_admin_id=True`, { token });
    assert.equal(answer.body.code, 0, answer.text);
    assert.ok(Array.isArray(answer.body.data.approval_admin_ids), answer.text);
  });

  test('with_admin_id=FALSE is read as false', async (t) => {
    const server = await serve(t);
    const token = await tenantToken(server.url);
    const answer = await call(server.url, `${PROTECTED_PATH}?with_admin_id=FALSE`, { token });
    assert.equal(answer.body.code, 0, answer.text);
    assert.equal(answer.body.data.approval_admin_ids, undefined);
  });

  test('a query boolean that is neither true nor false answers 1390001', async (t) => {
    const server = await serve(t);
    const token = await tenantToken(server.url);
    const answer = await call(server.url, `${PROTECTED_PATH}?with_admin_id=yes`, { token });
    assertFeishuError(answer, 1390001, 'param is invalid', 400);
    assert.match(answer.body.error.details[0].value, /with_admin_id/);
  });
});

describe('requests the framework itself refuses', () => {
  test('a path with broken percent-encoding still answers with X-Tt-Logid, not a framework error', async (t) => {
    const server = await serve(t);
    const answer = await call(server.url, '/open-apis/approval/v4/approvals/%E0%A4%A');
    assert.ok(answer.status < 500, `HTTP ${answer.status}`);
    assert.ok(answer.headers.get('x-tt-logid'), 'X-Tt-Logid header');
    assert.doesNotMatch(answer.text, /FST_ERR/);
  });

  test('a path parameter over 100 characters still answers with X-Tt-Logid, not a framework error', async (t) => {
    const server = await serve(t);
    const answer = await call(server.url, `/open-apis/approval/v4/approvals/${'A'.repeat(150)}`);
    assert.ok(answer.status < 500, `HTTP ${answer.status}`);
    assert.ok(answer.headers.get('x-tt-logid'), 'X-Tt-Logid header');
    assert.doesNotMatch(answer.text, /FST_ERR/);
  });
});

describe('internal failures', () => {
  test('an internal failure answers HTTP 400 1395001 in the envelope, not a 5xx', async (t) => {
    const server = await serve(t);
    await server.services.store.close(); // the database stops answering under a running server
    const answer = await call(server.url, TENANT_TOKEN_PATH, { json: DEMO_APP });
    assertFeishuError(answer, 1395001, 'There have been some errors. Please try again later', 400);
  });
});

describe('the error body', () => {
  test('an error body names the X-Tt-Logid in error.log_id and gives a reason in error.details', async (t) => {
    const server = await serve(t);
    const answer = await call(server.url, TENANT_TOKEN_PATH, { json: { ...DEMO_APP, app_secret: 'wrong' } });
    assertFeishuError(answer, 10003, 'invalid param', 200);
    assert.deepEqual(Object.keys(answer.body).sort(), ['code', 'error', 'msg']);
    assert.deepEqual(answer.body.error.details, [{ key: 'reason', value: answer.body.error.details[0].value }]);
  });

  for (const [label, code, ask] of [
    ['the token endpoint', 10003, (url: string) => call(url, TENANT_TOKEN_PATH, { json: { ...DEMO_APP, app_secret: 'wrong' } })],
    ['a missing token', 99991661, (url: string) => call(url, PROTECTED_PATH)],
    [
      'a malformed body',
      1390001,
      async (url: string) => call(url, '/open-apis/approval/v4/instances', { token: await tenantToken(url), json: [] }),
    ],
  ] as const) {
    test(`an error body of ${label} carries error.troubleshooter: a sentence and a URL naming the log id and code ${code}`, async (t) => {
      const server = await serve(t);
      const answer = await ask(server.url);
      assert.equal(answer.body.code, code, answer.text);
      const logId = answer.headers.get('x-tt-logid');
      assert.equal(
        answer.body.error.troubleshooter,
        `排查建议查看(Troubleshooting suggestions): https://open.feishu.cn/search?from=openapi&log_id=${logId}&code=${code}`,
      );
    });
  }

  test('an error answered by an emulator fault rule carries error.troubleshooter too', async (t) => {
    const server = await serve(t);
    const rule = await admin(server.url, '/faults', { json: { path: TENANT_TOKEN_PATH, code: 99991400 } });
    assert.equal(rule.status, 200, rule.text);
    const answer = await call(server.url, TENANT_TOKEN_PATH, { json: DEMO_APP });
    assert.equal(answer.body.code, 99991400, answer.text);
    assert.match(answer.body.error.troubleshooter, new RegExp(`log_id=${answer.headers.get('x-tt-logid')}&code=99991400$`));
  });

  test('an auth error on an Open API route has the same envelope', async (t) => {
    const server = await serve(t);
    const answer = await call(server.url, PROTECTED_PATH);
    assertFeishuError(
      answer,
      99991661,
      'Missing access token for authorization. Please make a request with token attached.',
      400,
    );
  });
});

describe('routing', () => {
  test('an unknown path answers HTTP 404 text/plain "404 page not found"', async (t) => {
    const server = await serve(t);
    const answer = await call(server.url, '/open-apis/approval/v4/no-such-resource');
    assert.equal(answer.status, 404);
    assert.match(answer.headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(answer.text, '404 page not found');
  });

  test('a path outside /open-apis answers the same plain 404', async (t) => {
    const server = await serve(t);
    const answer = await call(server.url, '/no-such-page');
    assert.equal(answer.status, 404);
    assert.equal(answer.text, '404 page not found');
  });

  test('GET / leads to the console', async (t) => {
    const server = await serve(t);
    const answer = await fetch(`${server.url}/`, { redirect: 'manual' });
    assert.equal(answer.status, 302);
    assert.equal(answer.headers.get('location'), '/console');
    const followed = await fetch(`${server.url}/`);
    assert.equal(followed.status, 200);
    assert.match(await followed.text(), /<title>[^<]*shenpi/i);
  });

  test('GET on the token path (a wrong method) answers the same plain 404', async (t) => {
    const server = await serve(t);
    const answer = await call(server.url, TENANT_TOKEN_PATH);
    assert.equal(answer.status, 404);
    assert.match(answer.headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(answer.text, '404 page not found');
  });
});

describe('bodies the token endpoint refuses', () => {
  test('a body that is not JSON answers code 10003 with a reason', async (t) => {
    const server = await serve(t);
    const answer = await send(server.url, TENANT_TOKEN_PATH, '{"app_id": cli_acme_demo}');
    assertFeishuError(answer, 10003, 'invalid param', 200);
    assert.match(answer.body.error.details[0].value, /JSON/);
  });

  test('a body over 1 MiB answers the Feishu envelope, not a framework error', async (t) => {
    const server = await serve(t);
    const body = JSON.stringify({ ...DEMO_APP, padding: 'x'.repeat(1024 * 1024) });
    const answer = await send(server.url, TENANT_TOKEN_PATH, body);
    assertFeishuError(answer, 10003, 'invalid param', 200);
    assert.match(answer.body.error.details[0].value, /larger than/);
  });

  test('Content-Type text/plain answers the Feishu envelope, not a framework error', async (t) => {
    const server = await serve(t);
    const answer = await send(server.url, TENANT_TOKEN_PATH, JSON.stringify(DEMO_APP), 'text/plain');
    assertFeishuError(answer, 10003, 'invalid param', 200);
  });

  test('Content-Type application/x-www-form-urlencoded answers the Feishu envelope', async (t) => {
    const server = await serve(t);
    const answer = await send(
      server.url,
      TENANT_TOKEN_PATH,
      'app_id=cli_acme_demo&app_secret=acme-secret',
      'application/x-www-form-urlencoded',
    );
    assertFeishuError(answer, 10003, 'invalid param', 200);
  });

  test('Content-Type application/json; charset=utf-8 is accepted', async (t) => {
    const server = await serve(t);
    const answer = await send(server.url, TENANT_TOKEN_PATH, JSON.stringify(DEMO_APP), 'application/json; charset=utf-8');
    assert.equal(answer.body.code, 0);
  });

  for (const [label, body] of NASTY_BODIES) {
    test(`${label} as the body answers code 10003 in the envelope, never a 5xx`, async (t) => {
      const server = await serve(t);
      const answer = await send(server.url, TENANT_TOKEN_PATH, body);
      assert.ok(answer.status < 500, `HTTP ${answer.status}: ${answer.text.slice(0, 200)}`);
      assertFeishuError(answer, 10003, 'invalid param', 200);
    });
  }
});

describe('bodies the admin fixture endpoint refuses', () => {
  for (const [label, body] of NASTY_BODIES) {
    test(`${label} as a fixture answers 400 {"error"}, never a 5xx`, async (t) => {
      const server = await serve(t);
      const res = await fetch(`${server.url}/_shenpi/fixtures`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer test-admin-token' },
        body,
      });
      const text = await res.text();
      assert.equal(res.status, 400, text.slice(0, 200));
      assert.equal(typeof JSON.parse(text).error, 'string');
    });
  }

  test('a fixture over 1 MiB answers 400 {"error"}, never a 5xx', async (t) => {
    const server = await serve(t);
    const answer = await admin(server.url, '/fixtures', { json: { tenants: [], padding: 'x'.repeat(1024 * 1024) } });
    assert.ok(answer.status >= 400 && answer.status < 500, `HTTP ${answer.status}`);
    assert.equal(typeof answer.body.error, 'string');
  });
});
