/**
 * What the server refuses before reading a body (a route's precheck, no free body slot) and how it
 * cuts off slow clients (headersTimeout, requestTimeout).
 */
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WebhookRoute } from '../../src/channel.ts';
import { createHttpServer, type HttpServerOptions } from '../../src/http/server.ts';
import { captureLogger } from '../support/capture-logger.ts';
import { rawClient, type RawClient } from '../support/raw-client.ts';

const servers: Server[] = [];
const clients: RawClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.kill();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function start(options: Partial<HttpServerOptions> = {}) {
  const capture = captureLogger({ level: 'debug' });
  const server = createHttpServer({
    routes: [],
    intake: { accept: async () => undefined },
    health: async () => ({ ok: true }),
    logger: capture.logger,
    ...options,
  });
  servers.push(server);
  const sockets: Socket[] = [];
  server.on('connection', (socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { base: `http://127.0.0.1:${port}`, port, capture, sockets };
}

/** A route that counts its prechecks and handles, and refuses a missing or wrong `x-secret` before the body. */
function guardedRoute() {
  const calls = { precheck: 0, handle: 0, bodies: [] as number[] };
  const route: WebhookRoute = {
    method: 'POST',
    path: '/webhooks/test',
    precheck(headers) {
      calls.precheck += 1;
      return headers.get('x-secret') === 'right' ? undefined : { status: 401, reason: 'missing or wrong secret' };
    },
    async handle(request) {
      calls.handle += 1;
      calls.bodies.push(request.rawBody.length);
      return { status: 200, events: [] };
    },
  };
  return { route, calls };
}

/** A raw connection that has written `text` (see raw-client.ts: incomplete HTTP needs a child process). */
function rawRequest(port: number, text: string): RawClient {
  const client = rawClient(port, text);
  clients.push(client);
  return client;
}

const closed = (socket: Socket) => new Promise<void>((resolve) => (socket.closed ? resolve() : socket.once('close', () => resolve())));

describe('createHttpServer: a route precheck', () => {
  it('answers a refused header at once with the status, without reading the body, and closes the connection', async () => {
    const { route, calls } = guardedRoute();
    const { base, sockets } = await start({ routes: [route] });
    const body = Buffer.alloc(16 * 1024 * 1024, 0x78);
    const res = await fetch(`${base}/webhooks/test`, { method: 'POST', body, headers: { 'x-secret': 'wrong' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('connection')).toBe('close');
    expect(await res.text()).toBe('missing or wrong secret');
    expect(calls).toMatchObject({ precheck: 1, handle: 0 });
    const socket = sockets[0];
    if (socket === undefined) throw new Error('no connection seen');
    await closed(socket);
    // What was in flight when the answer went out, not the 16 MiB.
    expect(socket.bytesRead).toBeLessThan(body.length / 2);
  });

  it('lets a request it accepts through to handle, body and all', async () => {
    const { route, calls } = guardedRoute();
    const { base } = await start({ routes: [route] });
    const res = await fetch(`${base}/webhooks/test`, { method: 'POST', body: 'x'.repeat(1000), headers: { 'x-secret': 'right' } });
    expect(res.status).toBe(200);
    expect(calls).toMatchObject({ precheck: 1, handle: 1, bodies: [1000] });
  });
});

describe('createHttpServer: bodies read at once', () => {
  it('answers 503 with Retry-After, unread, when every body slot is taken, and serves again once one is free', async () => {
    const { route, calls } = guardedRoute();
    const { base, port, capture } = await start({ routes: [route], limits: { maxConcurrentBodies: 1 } });
    const slow = rawRequest(port, 'POST /webhooks/test HTTP/1.1\r\nHost: t\r\nx-secret: right\r\ncontent-length: 20\r\n\r\n0123456789');
    await vi.waitFor(() => expect(calls.precheck).toBe(1), { timeout: 5000 });

    const busy = await fetch(`${base}/webhooks/test`, { method: 'POST', body: '{}', headers: { 'x-secret': 'right' } });
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('1');
    expect(calls.handle).toBe(0);
    expect(capture.entries().some((entry) => entry.level === 40 && /too many request bodies/.test(entry.msg))).toBe(true);

    slow.write('0123456789');
    await vi.waitFor(() => expect(slow.received()).toMatch(/^HTTP\/1\.1 200/), { timeout: 5000 });
    expect(calls.bodies).toEqual([20]);
    expect((await fetch(`${base}/webhooks/test`, { method: 'POST', body: '{}', headers: { 'x-secret': 'right' } })).status).toBe(200);
  });

  it('counts POST /slack/events bodies in the same slots', async () => {
    const { route } = guardedRoute();
    let slackBodies = 0;
    const { base, port } = await start({
      routes: [route],
      limits: { maxConcurrentBodies: 1 },
      slackHandler: (request, response) => {
        slackBodies += 1;
        request.resume().on('end', () => response.writeHead(200).end());
      },
    });
    const slow = rawRequest(port, 'POST /slack/events HTTP/1.1\r\nHost: t\r\ncontent-length: 20\r\n\r\n0123456789');
    await vi.waitFor(() => expect(slackBodies).toBe(1), { timeout: 5000 });
    expect((await fetch(`${base}/webhooks/test`, { method: 'POST', body: '{}', headers: { 'x-secret': 'right' } })).status).toBe(503);
    expect((await fetch(`${base}/slack/events`, { method: 'POST', body: '{}' })).status).toBe(503);
    expect(slackBodies).toBe(1);
    slow.kill();
    await slow.closed;
    await vi.waitFor(async () =>
      expect((await fetch(`${base}/webhooks/test`, { method: 'POST', body: '{}', headers: { 'x-secret': 'right' } })).status).toBe(200),
    );
  });

  it('does not count /healthz, which reads no body', async () => {
    const { route, calls } = guardedRoute();
    const { base, port } = await start({ routes: [route], limits: { maxConcurrentBodies: 1 } });
    rawRequest(port, 'POST /webhooks/test HTTP/1.1\r\nHost: t\r\nx-secret: right\r\ncontent-length: 20\r\n\r\n01234');
    await vi.waitFor(() => expect(calls.precheck).toBe(1), { timeout: 5000 });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});

describe('createHttpServer: slow clients', () => {
  const limits = { headersTimeoutMs: 300, requestTimeoutMs: 600, connectionsCheckingIntervalMs: 50 };

  it('closes a connection whose headers never finish', async () => {
    const { port } = await start({ limits });
    const slow = Array.from({ length: 5 }, () => rawRequest(port, 'POST /webhooks/test HTTP/1.1\r\nHost: t\r\n'));
    await Promise.all(slow.map((client) => client.closed));
    expect(slow[0]?.received()).toMatch(/^HTTP\/1\.1 408/);
  });

  it('closes a connection whose body never finishes', async () => {
    const { route } = guardedRoute();
    const { port } = await start({ routes: [route], limits });
    const slow = rawRequest(port, 'POST /webhooks/test HTTP/1.1\r\nHost: t\r\nx-secret: right\r\ncontent-length: 100\r\n\r\n0123456789');
    await slow.closed;
  });
});
