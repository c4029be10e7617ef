/**
 * Requests that never reach a route, answered by the HTTP server itself: one that took too long to arrive
 * (a slow or stalled client), one whose request line and headers exceed what the server reads (an over-long
 * URL), one that is not HTTP at all. They get the Feishu envelope with a log id too (rules.md "Every Open API
 * request" 5), written on the socket before it is closed, never fastify's or Node's own bodies.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { errorBody } from './feishu-envelope.js';

/** Why the HTTP server refused a connection's request, as HTTP status and reason. */
function refusal(err: NodeJS.ErrnoException): [number, string] {
  switch (err.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [408, 'the request did not arrive in time: the server stopped waiting for it'];
    case 'HPE_HEADER_OVERFLOW':
      return [431, 'the request line and headers are larger than the server reads (16 KiB): is the URL too long?'];
    default:
      return [400, `the request is not well-formed HTTP (${err.code ?? err.message})`];
  }
}

/**
 * fastify's `clientErrorHandler`: `logId` makes the answer's log id, as for any request; `lingerMs` is how long
 * the connection stays half-closed after the answer for the client to read it and close its side.
 */
export function clientErrorHandler(logId: () => string, lingerMs: number) {
  return (err: NodeJS.ErrnoException, socket: Socket): void => {
    // A reset connection has nobody left to answer.
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const [status, reason] = refusal(err);
    const id = logId();
    const body = JSON.stringify(errorBody(1390001, reason, id));
    const head = [
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
      `X-Tt-Logid: ${id}`,
      'Content-Type: application/json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Connection: close',
    ].join('\r\n');
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    // end(), not destroy(): the answer is flushed before the connection closes.
    socket.end(`${head}\r\n\r\n${body}`);
    // The HTTP server keeps its side open until the client closes its own: a client that never does would hold
    // the connection, its place under the cap and a graceful stop for good.
    const linger = setTimeout(() => socket.destroy(), lingerMs).unref();
    socket.once('close', () => clearTimeout(linger));
  };
}
