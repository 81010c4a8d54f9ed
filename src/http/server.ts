/**
 * The one HTTP server: channel webhooks, Slack's `POST /slack/events` (HTTP mode), `GET /healthz`, `GET /metrics`
 * and, with PUBLIC_URL, `GET /files/<id>` (outgoing files for platforms that take them only as links).
 * A webhook is answered 200 only after its events are journaled, so a crash never loses an acknowledged event.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Intake, WebhookRequest, WebhookRoute } from '../channel.ts';
import type { Logger } from '../logger.ts';
import { bearerMatches } from './bearer.ts';
import { DEFAULT_MAX_BODY_BYTES, readBody } from './body.ts';
import { DEFAULT_MAX_JSON_DEPTH, jsonDeeperThan, looksLikeJson } from './json-depth.ts';
import { createBodySlots, type BodySlots } from './body-slots.ts';
import { answerUnread } from './early-answer.ts';
import { isFilePath, serveFile } from './file-route.ts';
import type { PublicFileStore } from './public-files.ts';
import { BUSY_RETRY_AFTER_SECONDS, DEFAULT_HTTP_LIMITS, type HttpLimits } from './limits.ts';

/** What `/healthz` reports; `ok: false` answers 503 so a load balancer takes the instance out. */
export interface HealthReport {
  readonly ok: boolean;
  /** One word for people and load balancers (`ok`, `starting`, `degraded`): all `/healthz` shows without the METRICS_TOKEN. */
  readonly status?: string;
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
  /** Timeouts and concurrent bodies (default DEFAULT_HTTP_LIMITS). */
  readonly limits?: Partial<HttpLimits>;
  /**
   * Published outgoing files (PUBLIC_URL set): `GET /files/<id>` serves them, 404 once expired.
   * Absent: every path under `/files/` is 404.
   */
  readonly files?: Pick<PublicFileStore, 'read'>;
  /**
   * METRICS_TOKEN. When set, `/metrics` needs `Authorization: Bearer <token>` (401 otherwise) and
   * `/healthz` shows only `{ status }` (same status code) unless the bearer is given.
   */
  readonly metricsToken?: string;
}

/** Where Bolt's HTTP receiver is mounted (HTTP mode); manifest.yml points every request URL here. */
export const SLACK_EVENTS_PATH = '/slack/events';
/** Liveness and readiness: 200 or 503 with the health report as JSON. */
export const HEALTH_PATH = '/healthz';
/** Prometheus metrics. */
export const METRICS_PATH = '/metrics';

/** How a request for a published file shows in the log (its id is a secret). */
const PUBLIC_FILES_LOG_PATH = '/files/:id';

type Handler = (request: IncomingMessage, response: ServerResponse) => Promise<void> | void;

/**
 * Builds the HTTP server (not listening; the caller listens). Guarantees: a route's 200 is written only after
 * `intake.accept` resolved (503 if it threw); a JSON webhook body nested deeper than `maxJsonDepth` is 400
 * before any route parses it (it would fail the same way on every redelivery); a throwing handler gives 500 and never takes the process down;
 * unknown paths are 404 and wrong methods 405; request bodies, query strings and headers are never logged.
 * Before any body is read: a route's `precheck` may refuse it (answered at once, the body unread), and a body
 * slot must be free (else 503 busy). Slow clients are cut off by the timeouts of `limits`.
 */
export function createHttpServer(options: HttpServerOptions): Server {
  const log = options.logger.child({ component: 'http' });
  const limits = { ...DEFAULT_HTTP_LIMITS, ...options.limits };
  const table = buildTable(options, createBodySlots(limits.maxConcurrentBodies), log);
  const timeouts = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: limits.connectionsCheckingIntervalMs,
  };

  return createServer(timeouts, (request, response) => {
    const started = performance.now();
    const method = request.method ?? 'GET';
    const path = pathOf(request.url);
    const files = options.files;
    const filePath = isFilePath(path);
    response.once('close', () => {
      const ms = Math.round(performance.now() - started);
      // A file id is the link's only key: never in the log.
      const logged = filePath ? PUBLIC_FILES_LOG_PATH : path;
      log.debug({ method, path: logged, status: response.statusCode, ms, completed: response.writableFinished }, 'request');
    });

    if (filePath) {
      if (files === undefined) return send(response, 404, 'not found');
      return runSafely(() => serveFile(files, request, response, path, log), request, response, {
        method,
        path: PUBLIC_FILES_LOG_PATH,
        log,
      });
    }
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

function buildTable(options: HttpServerOptions, slots: BodySlots, log: Logger): Map<string, Map<string, Handler>> {
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
    add(route.method, route.path, (request, response) =>
      serveRoute(route, request, response, { intake: options.intake, ...limits, slots, log }),
    );
  }
  const slackHandler = options.slackHandler;
  if (slackHandler !== undefined) {
    add('POST', SLACK_EVENTS_PATH, (request, response) =>
      slots.take(request, response) ? slackHandler(request, response) : answerBusy(response, SLACK_EVENTS_PATH, log),
    );
  }
  const { metricsToken } = options;
  const authorized = (request: IncomingMessage) => metricsToken === undefined || bearerMatches(request.headers.authorization, metricsToken);
  add('GET', HEALTH_PATH, (request, response) => serveHealth(options.health, response, log, authorized(request)));
  const metrics = options.metrics;
  if (metrics !== undefined) {
    add('GET', METRICS_PATH, async (request, response) => {
      if (!authorized(request)) {
        response.setHeader('www-authenticate', 'Bearer realm="threadline metrics"');
        return send(response, 401, 'missing or wrong bearer token: send Authorization: Bearer <METRICS_TOKEN>');
      }
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
  deps: {
    readonly intake: Intake;
    readonly maxBodyBytes: number;
    readonly maxJsonDepth: number;
    readonly slots: BodySlots;
    readonly log: Logger;
  },
): Promise<void> {
  const headers = headersOf(request);
  const refused = route.precheck?.(headers);
  if (refused !== undefined) {
    deps.log.warn(
      { method: route.method, path: route.path, status: refused.status, reason: refused.reason },
      'webhook rejected before its body',
    );
    return answerUnread(response, refused.status, refused.reason);
  }
  if (!deps.slots.take(request, response)) return answerBusy(response, route.path, deps.log);
  const body = await readBody(request, deps.maxBodyBytes);
  if (!body.ok) {
    if (body.reason === 'aborted') return;
    deps.log.warn({ method: route.method, path: route.path, limit: body.limit }, 'webhook body too large');
    return answerUnread(response, 413, `payload too large: at most ${body.limit} bytes`);
  }
  if (looksLikeJson(body.body) && jsonDeeperThan(body.body, deps.maxJsonDepth)) {
    deps.log.warn({ method: route.method, path: route.path, limit: deps.maxJsonDepth }, 'webhook body nested too deeply');
    return send(
      response,
      400,
      `JSON nested deeper than ${deps.maxJsonDepth} levels; no documented webhook payload nests that deep, so it was refused`,
    );
  }

  const result = await route.handle(toWebhookRequest(request, headers, body.body));
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

/** 503 with Retry-After, unread: every body slot is taken. */
function answerBusy(response: ServerResponse, path: string, log: Logger): void {
  log.warn({ path }, 'too many request bodies at once; answered 503 busy');
  answerUnread(response, 503, 'busy: too many requests at once, retry shortly', { 'retry-after': String(BUSY_RETRY_AFTER_SECONDS) });
}

/** The report; only its `status` word when `detailed` is false (METRICS_TOKEN set and not given). */
async function serveHealth(health: () => Promise<HealthReport>, response: ServerResponse, log: Logger, detailed: boolean): Promise<void> {
  let report: HealthReport;
  try {
    report = await health();
  } catch (err) {
    log.error({ err }, 'health check failed');
    report = { ok: false, error: 'health check failed' };
  }
  response.setHeader('cache-control', 'no-store');
  const shown = detailed ? report : { status: report.status ?? (report.ok ? 'ok' : 'unavailable') };
  send(response, report.ok ? 200 : 503, JSON.stringify(shown), 'application/json; charset=utf-8');
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

function headersOf(request: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i] as string, raw[i + 1] as string);
  return headers;
}

function toWebhookRequest(request: IncomingMessage, headers: Headers, rawBody: Buffer): WebhookRequest {
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
