/**
 * What the HTTP server answers before any route, and how long it waits (issue: hostile clients): slow and
 * stalled clients are cut after the request time, idle connections after the keep-alive time, and every
 * answer the server can shape is the Feishu envelope with `X-Tt-Logid`, never a framework body.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test, type TestContext } from 'node:test';
import type { ServeConfig } from '../src/config.js';
import { call, tenantToken } from './helpers/http.js';
import { startTestServer } from './helpers/server.js';
import { waitFor } from './helpers/wait.js';

async function serve(t: TestContext, overrides: Partial<ServeConfig> = {}) {
  const server = await startTestServer(overrides);
  t.after(() => server.close());
  return { server, port: Number(new URL(server.url).port) };
}

/** A raw connection: what was written to it, what came back, and whether the server closed it. */
async function connect(t: TestContext, port: number) {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const state = { received: '', closed: false };
  socket.setEncoding('utf8').on('data', (chunk: string) => (state.received += chunk));
  socket.on('close', () => (state.closed = true)).on('error', () => undefined);
  t.after(() => socket.destroy());
  return { socket, state };
}

/** The status, headers and JSON body of a raw HTTP answer. */
function parse(raw: string) {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const [statusLine = '', ...headers] = head.split('\r\n');
  return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body) };
}

function assertEnvelope(raw: string, status: number, reason: RegExp) {
  const answer = parse(raw);
  assert.equal(answer.status, status, raw);
  const logId = answer.headers.find((h) => h.startsWith('X-Tt-Logid: '))?.slice('X-Tt-Logid: '.length);
  assert.ok(logId, `an X-Tt-Logid header, written in that case: ${raw}`);
  assert.equal(answer.body.code, 1390001);
  assert.equal(answer.body.msg, 'param is invalid');
  assert.equal(answer.body.error.log_id, logId);
  assert.match(answer.body.error.details[0].value, reason);
}

test('a client that sends its headers and then trickles its body is cut after the request time, answered 408 in the envelope', async (t) => {
  const { server, port } = await serve(t, { requestTimeoutMs: 500 });
  const token = await tenantToken(server.url);
  const { socket, state } = await connect(t, port);
  const head = `POST /open-apis/approval/v4/instances HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n`;
  socket.write(`${head}Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`);
  await waitFor('the server to close the connection', () => (state.closed ? true : undefined));
  assertEnvelope(state.received, 408, /did not arrive in time/);
});

test('a client that never finishes its headers is cut after the request time too', async (t) => {
  const { port } = await serve(t, { requestTimeoutMs: 500 });
  const { socket, state } = await connect(t, port);
  socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
  await waitFor('the server to close the connection', () => (state.closed ? true : undefined));
});

test('while a hundred stalled clients wait to be cut, the server answers everyone else', async (t) => {
  const { server, port } = await serve(t, { requestTimeoutMs: 2_000 });
  const stalled = await Promise.all(Array.from({ length: 100 }, () => connect(t, port)));
  for (const { socket } of stalled) socket.write('POST /open-apis/approval/v4/instances/cancel HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n');
  assert.equal((await call(server.url, '/healthz')).status, 200);
  await waitFor('every stalled client to be cut', () => (stalled.every(({ state }) => state.closed) ? true : undefined));
  assert.equal((await call(server.url, '/healthz')).status, 200);
});

test('a cut client that keeps its side of the connection open is closed all the same: its place under the cap comes back', async (t) => {
  const { server, port } = await serve(t, { requestTimeoutMs: 500, maxConnections: 1 });
  // allowHalfOpen: this client never closes its side after the server's answer, as a hostile one would not.
  const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  try {
    const state = { received: '', ended: false };
    socket.setEncoding('utf8').on('data', (chunk: string) => (state.received += chunk));
    socket.on('end', () => (state.ended = true)).on('error', () => undefined);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    await waitFor('the 408 and the server\'s end of the connection', () => (state.ended ? true : undefined));
    assertEnvelope(state.received, 408, /did not arrive in time/);
    await waitFor('room for another client', async () =>
      (await call(server.url, '/healthz').catch(() => undefined))?.status === 200 ? true : undefined,
    );
  } finally {
    // Before the server closes (t.after), which would otherwise wait for this connection.
    socket.destroy();
  }
});

test('a graceful stop is not held open by a client still sending its request: it is cut after the request time', async (t) => {
  const server = await startTestServer({ requestTimeoutMs: 500 });
  let trickle: NodeJS.Timeout | undefined;
  let socket: net.Socket | undefined;
  let closing: Promise<void> | undefined;
  // The test closes the server; should it fail first, this stops the client, then closes the server.
  t.after(async () => {
    clearInterval(trickle);
    socket?.destroy();
    await (closing ?? server.close());
  });
  const token = await tenantToken(server.url);
  const client = await connect(t, Number(new URL(server.url).port));
  socket = client.socket;
  socket.write(
    `POST /open-apis/approval/v4/instances HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n` +
      'Content-Type: application/json\r\nContent-Length: 100000\r\nExpect: 100-continue\r\n\r\n{',
  );
  // A byte of body every 100 ms: never idle, never done.
  trickle = setInterval(() => socket?.write(' '), 100);
  // The 100 Continue says the server has the request under way (a connection without one is closed at once).
  await waitFor('the server to read the headers', () => (client.state.received.includes('100 Continue') ? true : undefined));
  let closed = false;
  closing = server.close().then(() => void (closed = true));
  await waitFor('the server to close', () => (closed ? true : undefined));
});

test('an idle kept-alive connection is closed after the keep-alive time', async (t) => {
  const { port } = await serve(t, { keepAliveTimeoutMs: 300 });
  const { socket, state } = await connect(t, port);
  socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
  await waitFor('the answer', () => (state.received.includes('"status":"ok"') ? true : undefined));
  await waitFor('the idle connection to be closed', () => (state.closed ? true : undefined));
});

test('more connections than the cap are closed as they come; those within it are answered', async (t) => {
  const { server, port } = await serve(t, { maxConnections: 5 });
  const held = await Promise.all(Array.from({ length: 5 }, () => connect(t, port)));
  const extra = await connect(t, port);
  await waitFor('the connection over the cap to be closed', () => (extra.state.closed ? true : undefined));
  for (const { socket } of held) socket.destroy();
  await waitFor('room again', async () => ((await call(server.url, '/healthz').catch(() => undefined))?.status === 200 ? true : undefined));
});

test('a URL over 16 KiB is answered 431 in the envelope with a log id, not the framework\'s body', async (t) => {
  const { port } = await serve(t);
  const { socket, state } = await connect(t, port);
  socket.write(`GET /open-apis/approval/v4/instances/${'A'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
  await waitFor('the answer', () => (state.closed ? true : undefined));
  assertEnvelope(state.received, 431, /larger than the server reads/);
});

test('a request that is not HTTP is answered 400 in the envelope with a log id, not "Client Error"', async (t) => {
  const { port } = await serve(t);
  const { socket, state } = await connect(t, port);
  socket.write('HELLO THERE\r\n\r\n');
  await waitFor('the answer', () => (state.closed ? true : undefined));
  assertEnvelope(state.received, 400, /not well-formed HTTP/);
});

test('a request without Host reaches the routes and gets their envelope, not an empty 400', async (t) => {
  const { port } = await serve(t);
  const { socket, state } = await connect(t, port);
  socket.write('GET /open-apis/approval/v4/instances/X HTTP/1.1\r\nConnection: close\r\n\r\n');
  await waitFor('the answer', () => (state.closed ? true : undefined));
  const answer = parse(state.received);
  assert.equal(answer.status, 400, state.received);
  assert.equal(answer.body.code, 99991661);
  assert.ok(answer.headers.some((h) => h.startsWith('X-Tt-Logid: ')), state.received);
});

test('a client still uploading a body over 1 MiB finishes it and reads the 1390001 answer, not a reset', async (t) => {
  const { server, port } = await serve(t);
  const token = await tenantToken(server.url);
  const { socket, state } = await connect(t, port);
  const total = 3 * 1024 * 1024;
  socket.write(
    `POST /open-apis/approval/v4/instances HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${total}\r\n\r\n`,
  );
  // In chunks, each waiting for the last to be taken: a server that closes early stops the upload half-way.
  const chunk = Buffer.alloc(64 * 1024, ' ');
  let sent = 0;
  while (sent < total && !state.closed) {
    await new Promise<void>((resolve) => socket.write(chunk, () => resolve()));
    sent += chunk.length;
  }
  assert.equal(sent, total, 'the whole body was taken');
  await waitFor('the answer', () => (state.received.includes('\r\n\r\n{') && state.received.endsWith('}') ? true : undefined));
  assert.equal(state.closed, false, 'the connection stays usable');
  const answer = parse(state.received);
  assert.equal(answer.status, 400);
  assert.equal(answer.body.code, 1390001);
  assert.match(answer.body.error.details[0].value, /larger than 1048576 bytes/);
});
