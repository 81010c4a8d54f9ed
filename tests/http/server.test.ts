import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Intake, WebhookRequest, WebhookResult, WebhookRoute } from '../../src/channel.ts';
import { createHttpServer, type HttpServerOptions } from '../../src/http/server.ts';
import type { InboundEvent } from '../../src/messages.ts';
import { captureLogger } from '../support/capture-logger.ts';

const event: InboundEvent = {
  kind: 'message',
  platform: 'telegram',
  eventId: 'telegram:update:1',
  account: 'bot1',
  contact: { id: '42', name: 'Ada' },
  occurredAt: '2025-01-01T00:00:00.000Z',
  messageId: '7',
  text: 'hello',
  attachments: [],
};

function route(handle: (request: WebhookRequest) => Promise<WebhookResult>, method: 'GET' | 'POST' = 'POST'): WebhookRoute {
  return { method, path: '/webhooks/test', handle };
}

/** An Intake that records every batch; `gate` lets a test hold `accept` open. */
function recordingIntake(gate?: Promise<void>) {
  const accepted: (readonly InboundEvent[])[] = [];
  const order: string[] = [];
  let called!: () => void;
  const acceptCalled = new Promise<void>((resolve) => (called = resolve));
  const intake: Intake = {
    async accept(events) {
      order.push('accept called');
      called();
      await gate;
      accepted.push(events);
      order.push('accept resolved');
    },
  };
  return { intake, accepted, order, acceptCalled };
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function start(options: Partial<HttpServerOptions> & Pick<HttpServerOptions, 'intake'>) {
  const capture = captureLogger({ level: 'debug' });
  const server = createHttpServer({ routes: [], health: async () => ({ ok: true }), logger: capture.logger, ...options });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, capture };
}

describe('createHttpServer: webhook routes', () => {
  it('journals the events before it answers 200', async () => {
    const gate = deferred();
    const { intake, accepted, order, acceptCalled } = recordingIntake(gate.promise);
    const { base } = await start({ routes: [route(async () => ({ status: 200, events: [event] }))], intake });

    let responded = false;
    const response = fetch(`${base}/webhooks/test`, { method: 'POST', body: '{}' }).then((res) => {
      responded = true;
      order.push('response');
      return res;
    });
    await acceptCalled;
    // accept is still pending: no response may have been written yet.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(responded).toBe(false);
    gate.resolve();

    const res = await response;
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect(accepted).toEqual([[event]]);
    expect(order).toEqual(['accept called', 'accept resolved', 'response']);
  });

  it('answers 503, not 200, and logs an error when the journal fails', async () => {
    const intake: Intake = {
      accept: async () => {
        throw new Error('disk full');
      },
    };
    const { base, capture } = await start({ routes: [route(async () => ({ status: 200, events: [event] }))], intake });
    const res = await fetch(`${base}/webhooks/test`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(503);
    const errors = capture.entries().filter((entry) => entry.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.msg).toMatch(/journal failed/);
  });

  it.each([401, 400, 403] as const)('writes %i with a short reason, accepts nothing and logs a warning', async (status) => {
    const { intake, accepted } = recordingIntake();
    const { base, capture } = await start({ routes: [route(async () => ({ status, reason: 'bad signature' }))], intake });
    const res = await fetch(`${base}/webhooks/test`, { method: 'POST', body: 'customer secret text' });
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('bad signature');
    expect(accepted).toEqual([]);
    const warning = capture.entries().find((entry) => entry.level === 40);
    expect(warning).toMatchObject({ status, reason: 'bad signature', path: '/webhooks/test' });
    expect(capture.text()).not.toContain('customer secret text');
  });

  it('writes a handshake body with its content type and accepts nothing', async () => {
    const { intake, accepted } = recordingIntake();
    const handshake = route(
      async (request) => ({
        status: 200,
        events: [],
        body: request.query.get('hub.challenge') ?? '',
        contentType: 'text/plain',
      }),
      'GET',
    );
    const { base, capture } = await start({ routes: [handshake], intake });
    const res = await fetch(`${base}/webhooks/test?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=vt-secret`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(await res.text()).toBe('1158201444');
    expect(accepted).toEqual([]);
    expect(capture.text()).not.toContain('vt-secret');
  });

  it('hands the route the exact raw bytes, the headers and the query', async () => {
    const seen: WebhookRequest[] = [];
    const { intake } = recordingIntake();
    const { base } = await start({
      routes: [route(async (request) => (seen.push(request), { status: 200, events: [] }))],
      intake,
    });
    const body = Buffer.from([0x7b, 0xe2, 0x82, 0xac, 0x00, 0xff, 0x7d]);
    await fetch(`${base}/webhooks/test?a=1&b=two`, { method: 'POST', body, headers: { 'X-Signature': 'sha256=abc' } });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.rawBody.equals(body)).toBe(true);
    expect(seen[0]?.headers).toBeInstanceOf(Headers);
    expect(seen[0]?.headers.get('x-signature')).toBe('sha256=abc');
    expect(seen[0]?.query.get('b')).toBe('two');
  });

  it('answers 413 to a body over the cap and does not call the route', async () => {
    let calls = 0;
    const { intake } = recordingIntake();
    const { base } = await start({
      routes: [route(async () => (calls++, { status: 200, events: [] }))],
      intake,
      maxBodyBytes: 16,
    });
    const res = await fetch(`${base}/webhooks/test`, { method: 'POST', body: 'x'.repeat(1000) });
    expect(res.status).toBe(413);
    expect(calls).toBe(0);
  });

  it('answers 413 to a chunked body (no content-length) once it passes the cap', async () => {
    let calls = 0;
    const { intake } = recordingIntake();
    const { base } = await start({
      routes: [route(async () => (calls++, { status: 200, events: [] }))],
      intake,
      maxBodyBytes: 16,
    });
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = httpRequest(`${base}/webhooks/test`, { method: 'POST' }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', reject);
      req.write('x'.repeat(10));
      req.write('x'.repeat(10));
      req.end();
    });
    expect(status).toBe(413);
    expect(calls).toBe(0);
  });

  it('accepts a body exactly at the cap', async () => {
    const { intake } = recordingIntake();
    const { base } = await start({ routes: [route(async () => ({ status: 200, events: [] }))], intake, maxBodyBytes: 16 });
    const res = await fetch(`${base}/webhooks/test`, { method: 'POST', body: 'x'.repeat(16) });
    expect(res.status).toBe(200);
  });

  it('answers 400 to a JSON body nested deeper than the limit, before the route or the journal sees it', async () => {
    let calls = 0;
    const { intake, accepted } = recordingIntake();
    const { base, capture } = await start({ routes: [route(async () => (calls++, { status: 200, events: [event] }))], intake });
    const res = await fetch(`${base}/webhooks/test`, { method: 'POST', body: `{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}` });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/nested deeper than 64 levels/);
    expect(calls).toBe(0);
    expect(accepted).toEqual([]);
    expect(capture.entries().filter((e) => e.msg === 'webhook body nested too deeply')).toMatchObject([{ level: 40, limit: 64 }]);
  });

  it('passes JSON at the depth limit, and bodies that are not JSON, to the route', async () => {
    const seen: string[] = [];
    const { intake } = recordingIntake();
    const { base } = await start({
      routes: [route(async (request) => (seen.push(request.rawBody.toString()), { status: 200, events: [] }))],
      intake,
      maxJsonDepth: 3,
    });
    const bodies = ['[[{"a":1}]]', '<xml><![CDATA[[[[[text]]]]]]></xml>', 'a=[[[[[['];
    for (const body of bodies) expect((await fetch(`${base}/webhooks/test`, { method: 'POST', body })).status, body).toBe(200);
    expect(seen).toEqual(bodies);
    expect((await fetch(`${base}/webhooks/test`, { method: 'POST', body: '[[[[1]]]]' })).status).toBe(400);
  });

  it('answers 500 to a throwing handler, logs it, and serves the next request', async () => {
    let fail = true;
    const { intake } = recordingIntake();
    const { base, capture } = await start({
      routes: [
        route(async () => {
          if (fail) throw new Error('bug in parser');
          return { status: 200, events: [] };
        }),
      ],
      intake,
    });
    const first = await fetch(`${base}/webhooks/test`, { method: 'POST', body: '{}' });
    expect(first.status).toBe(500);
    expect(capture.entries().some((entry) => entry.level === 50 && JSON.stringify(entry).includes('bug in parser'))).toBe(true);
    fail = false;
    const second = await fetch(`${base}/webhooks/test`, { method: 'POST', body: '{}' });
    expect(second.status).toBe(200);
  });

  it('refuses to register the same method and path twice', () => {
    const { intake } = recordingIntake();
    const handler = async (): Promise<WebhookResult> => ({ status: 200, events: [] });
    expect(() =>
      createHttpServer({
        routes: [route(handler), route(handler)],
        intake,
        health: async () => ({ ok: true }),
        logger: captureLogger().logger,
      }),
    ).toThrow(/POST \/webhooks\/test/);
  });
});

describe('createHttpServer: other paths', () => {
  it('answers 404 to an unknown path and 405 (with Allow) to a wrong method', async () => {
    const { intake } = recordingIntake();
    const { base } = await start({ routes: [route(async () => ({ status: 200, events: [] }))], intake });
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/webhooks/test/`, { method: 'POST' })).status).toBe(404);
    const wrong = await fetch(`${base}/webhooks/test`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expect((await fetch(`${base}/healthz`, { method: 'POST' })).status).toBe(405);
  });

  it('answers /healthz with the report as JSON: 200 when ok, 503 when not', async () => {
    const { intake } = recordingIntake();
    let ok = true;
    const { base } = await start({ intake, health: async () => ({ ok, channels: { telegram: ok ? 'live' : 'failed' } }) });
    const healthy = await fetch(`${base}/healthz`);
    expect(healthy.status).toBe(200);
    expect(healthy.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await healthy.json()).toEqual({ ok: true, channels: { telegram: 'live' } });
    ok = false;
    const unhealthy = await fetch(`${base}/healthz`);
    expect(unhealthy.status).toBe(503);
    expect(await unhealthy.json()).toEqual({ ok: false, channels: { telegram: 'failed' } });
  });

  it('answers 503 when the health check itself throws', async () => {
    const { intake } = recordingIntake();
    const { base } = await start({
      intake,
      health: async () => {
        throw new Error('store down');
      },
    });
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ ok: false });
  });

  it('passes POST /slack/events to the Slack handler with the body unread', async () => {
    const { intake } = recordingIntake();
    const bodies: string[] = [];
    const { base } = await start({
      intake,
      slackHandler: (req, res) => {
        let raw = '';
        req.setEncoding('utf8');
        req.on('data', (chunk: string) => (raw += chunk));
        req.on('end', () => {
          bodies.push(raw);
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"challenge":"abc"}');
        });
      },
    });
    const payload = JSON.stringify({ type: 'url_verification', challenge: 'abc' });
    const res = await fetch(`${base}/slack/events`, { method: 'POST', body: payload, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ challenge: 'abc' });
    expect(bodies).toEqual([payload]);
  });

  it('answers 404 to /slack/events in Socket Mode (no Slack handler)', async () => {
    const { intake } = recordingIntake();
    const { base } = await start({ intake });
    expect((await fetch(`${base}/slack/events`, { method: 'POST', body: '{}' })).status).toBe(404);
  });

  it('answers 500 when the Slack handler throws, and keeps serving', async () => {
    const { intake } = recordingIntake();
    const { base } = await start({
      intake,
      slackHandler: () => {
        throw new Error('bolt bug');
      },
    });
    expect((await fetch(`${base}/slack/events`, { method: 'POST', body: '{}' })).status).toBe(500);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('logs each request at debug with method, path, status and duration, never the query, body or secret headers', async () => {
    const { intake } = recordingIntake();
    const { base, capture } = await start({ routes: [route(async () => ({ status: 401, reason: 'bad signature' }))], intake });
    await fetch(`${base}/webhooks/test?token=query-secret`, {
      method: 'POST',
      body: 'body-secret',
      headers: { authorization: 'Bearer header-secret', 'x-telegram-bot-api-secret-token': 'tg-secret' },
    });
    // The debug line is written when the response closes, just after the client has it.
    const line = await vi.waitFor(() => {
      const found = capture.entries().find((entry) => entry.level === 20 && entry.msg === 'request');
      if (found === undefined) throw new Error('no request line yet');
      return found;
    });
    expect(line).toMatchObject({ method: 'POST', path: '/webhooks/test', status: 401 });
    expect(typeof line?.ms).toBe('number');
    for (const secret of ['query-secret', 'body-secret', 'header-secret', 'tg-secret']) expect(capture.text()).not.toContain(secret);
  });
});
