/**
 * The one HTTP server: channel webhooks, Slack's `POST /slack/events` (HTTP mode), `GET /healthz` and `GET /metrics`.
 * A webhook is answered 200 only after its events are journaled, so a crash never loses an acknowledged event.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Intake, WebhookRequest, WebhookRoute } from '../channel.ts';
import type { Logger } from '../logger.ts';
import { DEFAULT_MAX_BODY_BYTES, readBody } from './body.ts';
import { DEFAULT_MAX_JSON_DEPTH, jsonDeeperThan, looksLikeJson } from './json-depth.ts';

/** What `/healthz` reports; `ok: false` answers 503 so a load balancer takes the instance out. */
export interface HealthReport {
  readonly ok: boolean;
  readonly [key: string]: unknown;
}

/** Node's request listener signature, as the Slack HTTP receiver exposes it. */
export type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

/** Everything the server serves; it owns none of it. */
export interface HttpServerOptions {
  /** Every channel's webhook routes; a method and path may appear only once. */
  readonly routes: readonly WebhookRoute[];
  /** Where a 200 route's events go before the 200 is sent. */
  readonly intake: Intake;
  /** The Slack HTTP receiver (HTTP mode, src/slack/http-receiver.ts). It reads the body itself. Absent in Socket Mode: the path is then 404. */
  readonly slackHandler?: RequestListener;
  readonly health: () => Promise<HealthReport>;
  /** Prometheus exposition for `GET /metrics`; absent: the path is 404. */
  readonly metrics?: () => Promise<{ readonly contentType: string; readonly body: string }>;
  readonly logger: Logger;
  /** Largest webhook body accepted, in bytes; larger ones get 413. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** Deepest nesting of a JSON webhook body accepted; deeper ones get 400 before the route sees them. Default 64. */
  readonly maxJsonDepth?: number;
}

/** Where Bolt's HTTP receiver is mounted (HTTP mode); manifest.yml points every request URL here. */
export const SLACK_EVENTS_PATH = '/slack/events';
/** Liveness and readiness: 200 or 503 with the health report as JSON. */
export const HEALTH_PATH = '/healthz';
/** Prometheus metrics. */
export const METRICS_PATH = '/metrics';

type Handler = (request: IncomingMessage, response: ServerResponse) => Promise<void> | void;

/**
 * Builds the HTTP server (not listening; the caller listens). Guarantees: a route's 200 is written only after
 * `intake.accept` resolved (503 if it threw); a JSON webhook body nested deeper than `maxJsonDepth` is 400
 * before any route parses it (it would fail the same way on every redelivery); a throwing handler gives 500 and never takes the process down;
 * unknown paths are 404 and wrong methods 405; request bodies, query strings and headers are never logged.
 */
export function createHttpServer(options: HttpServerOptions): Server {
  const log = options.logger.child({ component: 'http' });
  const table = buildTable(options, log);

  return createServer((request, response) => {
    const started = performance.now();
    const method = request.method ?? 'GET';
    const path = pathOf(request.url);
    response.once('close', () => {
      const ms = Math.round(performance.now() - started);
      log.debug({ method, path, status: response.statusCode, ms, completed: response.writableFinished }, 'request');
    });

    const methods = table.get(path);
    const handler = methods?.get(method);
    if (methods === undefined) return send(response, 404, 'not found');
    if (handler === undefined) {
      response.setHeader('allow', [...methods.keys()].join(', '));
      return send(response, 405, 'method not allowed');
    }
    runSafely(handler, request, response, { method, path, log });
  });
}

function buildTable(options: HttpServerOptions, log: Logger): Map<string, Map<string, Handler>> {
  const table = new Map<string, Map<string, Handler>>();
  const add = (method: string, path: string, handler: Handler) => {
    const methods = table.get(path) ?? new Map<string, Handler>();
    if (methods.has(method)) throw new Error(`Two handlers for ${method} ${path}: each route must be registered once`);
    table.set(path, methods.set(method, handler));
  };
  const limits = {
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    maxJsonDepth: options.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH,
  };
  for (const route of options.routes) {
    add(route.method, route.path, (request, response) => serveRoute(route, request, response, { intake: options.intake, ...limits, log }));
  }
  if (options.slackHandler !== undefined) add('POST', SLACK_EVENTS_PATH, options.slackHandler);
  add('GET', HEALTH_PATH, (_request, response) => serveHealth(options.health, response, log));
  const metrics = options.metrics;
  if (metrics !== undefined) {
    add('GET', METRICS_PATH, async (_request, response) => {
      const { contentType, body } = await metrics();
      response.writeHead(200, { 'content-type': contentType }).end(body);
    });
  }
  return table;
}

async function serveRoute(
  route: WebhookRoute,
  request: IncomingMessage,
  response: ServerResponse,
  deps: { readonly intake: Intake; readonly maxBodyBytes: number; readonly maxJsonDepth: number; readonly log: Logger },
): Promise<void> {
  const body = await readBody(request, deps.maxBodyBytes);
  if (!body.ok) {
    if (body.reason === 'aborted') return;
    deps.log.warn({ method: route.method, path: route.path, limit: body.limit }, 'webhook body too large');
    // The rest of the body is not read, so this connection cannot carry another request.
    response.setHeader('connection', 'close');
    return send(response, 413, 'payload too large');
  }
  if (looksLikeJson(body.body) && jsonDeeperThan(body.body, deps.maxJsonDepth)) {
    deps.log.warn({ method: route.method, path: route.path, limit: deps.maxJsonDepth }, 'webhook body nested too deeply');
    return send(
      response,
      400,
      `JSON nested deeper than ${deps.maxJsonDepth} levels; no documented webhook payload nests that deep, so it was refused`,
    );
  }

  const result = await route.handle(toWebhookRequest(request, body.body));
  if (result.status !== 200) {
    deps.log.warn({ method: route.method, path: route.path, status: result.status, reason: result.reason }, 'webhook rejected');
    return send(response, result.status, result.reason);
  }

  if (result.events.length > 0) {
    try {
      await deps.intake.accept(result.events);
    } catch (err) {
      // Not acknowledged, so the platform delivers it again later: nothing is lost.
      deps.log.error({ err, path: route.path, events: result.events.length }, 'journal failed; webhook not acknowledged');
      return send(response, 503, 'temporarily unavailable, retry later');
    }
  }
  send(response, 200, result.body ?? '', result.contentType);
}

async function serveHealth(health: () => Promise<HealthReport>, response: ServerResponse, log: Logger): Promise<void> {
  let report: HealthReport;
  try {
    report = await health();
  } catch (err) {
    log.error({ err }, 'health check failed');
    report = { ok: false, error: 'health check failed' };
  }
  response.setHeader('cache-control', 'no-store');
  send(response, report.ok ? 200 : 503, JSON.stringify(report), 'application/json; charset=utf-8');
}

function runSafely(
  handler: Handler,
  request: IncomingMessage,
  response: ServerResponse,
  context: { method: string; path: string; log: Logger },
): void {
  const fail = (err: unknown) => {
    context.log.error({ err, method: context.method, path: context.path }, 'request handler failed');
    if (!response.headersSent) send(response, 500, 'internal error');
    else response.destroy();
  };
  try {
    Promise.resolve(handler(request, response)).catch(fail);
  } catch (err) {
    fail(err);
  }
}

function toWebhookRequest(request: IncomingMessage, rawBody: Buffer): WebhookRequest {
  const headers = new Headers();
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i] as string, raw[i + 1] as string);
  const url = request.url ?? '/';
  const queryStart = url.indexOf('?');
  const query = new URLSearchParams(queryStart === -1 ? '' : url.slice(queryStart + 1));
  return { headers, query, rawBody };
}

/** The request's path as sent, without the query string (which may hold verify tokens and is never logged). */
function pathOf(url: string | undefined): string {
  const value = url ?? '/';
  const queryStart = value.indexOf('?');
  return queryStart === -1 ? value : value.slice(0, queryStart);
}

function send(response: ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
  if (response.writableEnded || response.destroyed) return;
  const bytes = Buffer.from(body);
  response.writeHead(status, { 'content-type': contentType, 'content-length': bytes.length });
  response.end(bytes);
}
