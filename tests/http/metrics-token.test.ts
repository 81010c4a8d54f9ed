/** METRICS_TOKEN: `/metrics` behind a bearer token, and `/healthz` details only with it. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { bearerMatches } from '../../src/http/bearer.ts';
import { createHttpServer, type HealthReport } from '../../src/http/server.ts';
import { captureLogger } from '../support/capture-logger.ts';

const TOKEN = 'metrics-token-0123456789abcdef';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function start(options: { metricsToken?: string; report?: () => HealthReport } = {}) {
  const report =
    options.report ?? (() => ({ ok: true, status: 'ok', store: { kind: 'memory', ok: true }, platforms: { telegram: 'live' } }));
  const server = createHttpServer({
    routes: [],
    intake: { accept: async () => undefined },
    health: async () => report(),
    metrics: async () => ({ contentType: 'text/plain; version=0.0.4', body: 'threadline_journal_pending 0\n' }),
    logger: captureLogger().logger,
    ...(options.metricsToken === undefined ? {} : { metricsToken: options.metricsToken }),
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('METRICS_TOKEN', () => {
  it('when unset, serves /metrics and the whole /healthz report to anyone', async () => {
    const base = await start();
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
    expect(await (await fetch(`${base}/healthz`)).json()).toMatchObject({ ok: true, store: { kind: 'memory' } });
  });

  it('answers /metrics 401 with WWW-Authenticate without the bearer token, or with a wrong one', async () => {
    const base = await start({ metricsToken: TOKEN });
    for (const headers of [{}, bearer('wrong'), bearer(`${TOKEN}x`), { authorization: TOKEN }, { authorization: `Basic ${TOKEN}` }]) {
      const res = await fetch(`${base}/metrics`, { headers });
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const text = await res.text();
      expect(text).toContain('METRICS_TOKEN');
      expect(text).not.toContain('threadline_');
    }
  });

  it('serves /metrics with the bearer token', async () => {
    const base = await start({ metricsToken: TOKEN });
    const res = await fetch(`${base}/metrics`, { headers: bearer(TOKEN) });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('threadline_journal_pending');
  });

  it('answers /healthz with only the status word, and the same status code, without the token', async () => {
    let report: HealthReport = { ok: true, status: 'ok', store: { kind: 'redis', ok: true } };
    const base = await start({ metricsToken: TOKEN, report: () => report });
    const healthy = await fetch(`${base}/healthz`);
    expect(healthy.status).toBe(200);
    expect(await healthy.json()).toEqual({ status: 'ok' });
    report = { ok: false, status: 'degraded', store: { kind: 'redis', ok: false } };
    const degraded = await fetch(`${base}/healthz`, { headers: bearer('wrong') });
    expect(degraded.status).toBe(503);
    expect(await degraded.json()).toEqual({ status: 'degraded' });
    report = { ok: false };
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'unavailable' });
  });

  it('answers /healthz with the whole report given the bearer token', async () => {
    const base = await start({ metricsToken: TOKEN });
    const res = await fetch(`${base}/healthz`, { headers: bearer(TOKEN) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, status: 'ok', store: { kind: 'memory', ok: true }, platforms: { telegram: 'live' } });
  });
});

describe('bearerMatches', () => {
  it('accepts exactly the token after "Bearer" (any case), nothing else', () => {
    expect(bearerMatches(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(bearerMatches(`bearer ${TOKEN}`, TOKEN)).toBe(true);
    for (const header of [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      TOKEN,
      `Bearer ${TOKEN.slice(1)}`,
      `Bearer ${TOKEN} extra`,
      `Token ${TOKEN}`,
    ]) {
      expect(bearerMatches(header, TOKEN), String(header)).toBe(false);
    }
  });
});
