/** A TCP proxy that can be cut and restored: a database outage for one server, without touching the database. */
import net from 'node:net';
import type { TestContext } from 'node:test';
import { createTestDatabase } from './stores.js';

export interface TcpProxy {
  port: number;
  /** Refuses new connections and breaks the open ones. */
  cut(): Promise<void>;
  /** Accepts connections again, on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, targetHost);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  const listen = (port: number) =>
    new Promise<number>((resolve) => server.listen(port, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
  const port = await listen(0);
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return {
    port,
    cut: stop,
    restore: async () => void (await listen(port)),
    close: () => (server.listening ? stop() : Promise.resolve()),
  };
}

/**
 * A new PostgreSQL test database, and a proxy to it: `url` reaches the database through the proxy, `directUrl`
 * without it. Both are removed after the test.
 */
export async function proxiedPostgres(t: TestContext): Promise<{ url: string; directUrl: string; proxy: TcpProxy }> {
  const database = await createTestDatabase('postgres');
  t.after(() => database.drop());
  const url = new URL(database.url);
  const proxy = await startTcpProxy(url.hostname, Number(url.port || 5432));
  t.after(() => proxy.close());
  url.port = String(proxy.port);
  return { url: url.toString(), directUrl: database.url, proxy };
}
