/** The Feishu envelope around every answer (rules.md "Every Open API request" 1, 3, 5, 6). */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { DEMO_APP } from '../src/fixtures/demo.js';
import { admin, call } from './helpers/http.js';
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
    const answer = await call(server.url, '/');
    assert.equal(answer.status, 404);
    assert.equal(answer.text, '404 page not found');
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
