/**
 * HTTP mode as a Bolt receiver mounted on the service's own server at `POST /slack/events`: verifies
 * Slack's signature, then answers only after the listeners finished (200 with the listener's answer;
 * 500 when processing failed, so Slack delivers the event again). Bad requests are answered as values:
 * 401 for a missing, wrong or stale signature, 400 for a malformed body, 413 for an oversized one.
 * What the headers tell (the declared size, a missing signature header, a timestamp outside Slack's
 * 5-minute window) is refused before the body is read (request-checks.ts).
 * @see https://docs.slack.dev/authentication/verifying-requests-from-slack
 * @see https://docs.slack.dev/apis/events-api/ (a 2xx within 3 seconds, else Slack retries)
 * @see https://docs.slack.dev/interactivity/handling-user-interaction (interactions: 200 within 3 seconds)
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { App, Receiver } from '@slack/bolt';
import { verifySlackRequest } from '@slack/bolt';
import type { Logger } from 'pino';
import { readBody } from '../http/body.ts';
import { answerUnread } from '../http/early-answer.ts';
import { DEFAULT_MAX_JSON_DEPTH, jsonDeeperThan } from '../http/json-depth.ts';
import { SLACK_EVENTS_PATH } from '../http/server.ts';
import { payloadProblem } from './payload-shape.ts';
import { logNotProcessed, logUnacknowledged, processThenAcknowledge, type SlackRequest } from './receiver.ts';
import { isSigned, refusalBeforeBody, SLACK_MAX_BODY_BYTES, SSL_CHECK_MAX_BYTES, timestampProblem } from './request-checks.ts';

/** Options for {@link createHttpReceiver}. */
export interface HttpReceiverOptions {
  readonly signingSecret: string;
  readonly logger: Logger;
  /** Largest body accepted (default SLACK_MAX_BODY_BYTES, 1 MiB); larger ones get 413. */
  readonly maxBodyBytes?: number;
  /** The clock for Slack's 5-minute window (default Date.now). */
  readonly now?: () => number;
}

/** A Bolt Receiver whose transport is `requestListener`; `start` and `stop` do nothing (the service's server listens). */
export interface HttpReceiver extends Receiver {
  /** Serves `POST /slack/events`; anything else gets 404. Never throws. */
  readonly requestListener: (request: IncomingMessage, response: ServerResponse) => void;
}

/** What to answer Slack. */
export interface SlackHttpAnswer {
  readonly status: 200 | 400 | 401 | 413 | 500;
  readonly body?: string;
  readonly contentType?: string;
}

const FORM = 'application/x-www-form-urlencoded';

/** Creates the HTTP receiver; Bolt calls `init(app)` when it is passed as `new App({ receiver })`. */
export function createHttpReceiver(options: HttpReceiverOptions): HttpReceiver {
  const { logger } = options;
  const maxBodyBytes = options.maxBodyBytes ?? SLACK_MAX_BODY_BYTES;
  const now = options.now ?? Date.now;
  let app: App | undefined;

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const refused = refusalBeforeBody(request.headers, maxBodyBytes, now());
    if (refused !== undefined) {
      logger.warn({ status: refused.status, reason: refused.reason }, 'slack request rejected before its body');
      return answerUnread(response, refused.status, refused.answer);
    }
    const signed = isSigned(request.headers);
    const read = await readBody(request, signed ? maxBodyBytes : SSL_CHECK_MAX_BYTES);
    if (!read.ok) {
      if (read.reason === 'aborted') return;
      if (!signed) {
        logger.warn({ limit: read.limit }, 'slack request rejected: unsigned, and larger than an SSL check');
        return answerUnread(response, 401, 'Slack signature missing');
      }
      logger.warn({ limit: read.limit }, 'slack request body too large');
      return answerUnread(response, 413, `payload too large: at most ${read.limit} bytes`);
    }
    if (!app) throw new Error('Slack HTTP receiver used before Bolt initialised it (new App({ receiver }))');
    write(response, await answerSlackRequest(app, { headers: request.headers, rawBody: read.body }, { ...options, now }));
  }

  return {
    init(given) {
      app = given;
    },
    start: () => Promise.resolve(),
    stop: () => Promise.resolve(),
    requestListener(request, response) {
      if (request.method !== 'POST' || (request.url ?? '').split('?')[0] !== SLACK_EVENTS_PATH) {
        response.writeHead(404).end();
        return;
      }
      serve(request, response).catch((error: unknown) => {
        logger.error({ err: error }, 'slack request failed');
        if (!response.headersSent) write(response, { status: 500 });
      });
    },
  };
}

/**
 * The answer to one signed Slack request, after every listener finished: `ssl_check` and
 * `url_verification` are answered directly, everything else goes through `app.processEvent`. A
 * request that Bolt or a listener did not acknowledge but that was processed without error still gets
 * 200 at once (Bolt's HTTPReceiver would answer 404 after 3 s): Slack counts anything but a 2xx as a
 * failed delivery, and there is nothing to deliver again.
 */
export async function answerSlackRequest(
  app: App,
  request: { readonly headers: IncomingHttpHeaders; readonly rawBody: Buffer },
  options: Pick<HttpReceiverOptions, 'signingSecret' | 'logger' | 'now'>,
): Promise<SlackHttpAnswer> {
  const text = request.rawBody.toString('utf8');
  const form = contentTypeOf(request.headers) === FORM;
  // Slack's SSL check carries nothing to process and is answered unverified, as Bolt does.
  // https://docs.slack.dev/interactivity/implementing-slash-commands/#responding_basic_receipt
  if (form && new URLSearchParams(text).get('ssl_check') === '1') return { status: 200 };
  const unverified = verificationFailure(request.headers, text, options.signingSecret, (options.now ?? Date.now)());
  if (unverified !== undefined) {
    options.logger.warn({ reason: unverified }, 'slack request rejected: signature');
    return plain(401, 'Slack signature missing, wrong or outside the 5-minute window');
  }
  // As for webhooks: nothing Slack sends nests that deep, and a body that does overflows whatever walks it (a 500 on every delivery).
  const jsonText = form ? (new URLSearchParams(text).get('payload') ?? '') : text;
  if (jsonDeeperThan(Buffer.from(jsonText), DEFAULT_MAX_JSON_DEPTH)) {
    options.logger.warn({ limit: DEFAULT_MAX_JSON_DEPTH }, 'slack request rejected: JSON nested too deeply');
    return { status: 400 };
  }
  const body = parseBody(text, form);
  if (body === undefined) {
    options.logger.warn({ contentType: contentTypeOf(request.headers) }, 'slack request rejected: malformed body');
    return plain(400, 'not a Slack payload: expected a JSON object, or a form');
  }
  if (body.type === 'url_verification') return json({ challenge: body.challenge });
  // What Slack documents (payloadProblem), then what Bolt itself reads before any listener (unroutableBy).
  const unroutable = unroutableBy(body);
  const problem = payloadProblem(body) ?? (unroutable === undefined ? undefined : `${unroutable} has a type Slack does not send`);
  if (problem !== undefined) {
    options.logger.warn({ type: body.type, problem }, 'slack request rejected: the payload lacks fields Slack documents; not processed');
    return plain(400, `malformed Slack payload: ${problem}`);
  }

  const processed = await processThenAcknowledge(app, { body, ...retryOf(request.headers) });
  if (!processed.ok) {
    logNotProcessed(options.logger, processed.error, { type: body.type });
    return { status: 500 };
  }
  if (!processed.acked) logUnacknowledged(options.logger, body);
  return content(processed.response);
}

/** Why the signature does not hold (missing header, timestamp outside the window either way, mismatch), or undefined when it does. */
function verificationFailure(headers: IncomingHttpHeaders, body: string, signingSecret: string, nowMs: number): string | undefined {
  const signature = headers['x-slack-signature'];
  const timestamp = headers['x-slack-request-timestamp'];
  if (typeof signature !== 'string' || typeof timestamp !== 'string') return 'signature headers missing';
  const outside = timestampProblem(timestamp, nowMs);
  if (outside !== undefined) return outside;
  try {
    verifySlackRequest({
      signingSecret,
      body,
      nowMilliseconds: nowMs,
      headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': Number(timestamp) },
    });
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** The payload: JSON, a form with a `payload` JSON field (interactions), or a plain form (slash commands). */
function parseBody(text: string, form: boolean): Record<string, unknown> | undefined {
  try {
    const fields = form ? new URLSearchParams(text) : undefined;
    const payload = fields?.get('payload');
    const parsed: unknown = fields && payload === null ? Object.fromEntries(fields) : JSON.parse(payload ?? text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null;
const INTERACTION_TYPES = new Set([
  'block_actions',
  'block_suggestion',
  'interactive_message',
  'dialog_submission',
  'shortcut',
  'message_action',
  'view_submission',
  'view_closed',
]);

/**
 * The field that keeps Bolt from routing a signed body, or undefined. Before any listener runs, Bolt
 * reads the conversation, team and user of every request (`getTypeAndConversation`, `buildSource`)
 * and throws a TypeError when one of them has the wrong type: that would be a 500 on every delivery,
 * so Slack would retry a body that can never be processed. The fields checked are those Bolt reads.
 * @see https://docs.slack.dev/reference/events (event wrapper), https://docs.slack.dev/reference/interaction-payloads
 */
function unroutableBy(body: Record<string, unknown>): string | undefined {
  const event = body.event;
  if (event !== undefined) {
    if (!isRecord(event)) return 'event';
    if (Array.isArray(body.authorizations) && body.authorizations[0] !== undefined && !isObject(body.authorizations[0]))
      return 'authorizations';
    if (event.item !== undefined && !isObject(event.item)) return 'event.item';
    if (event.channel !== undefined && typeof event.channel !== 'string' && !isRecord(event.channel)) return 'event.channel';
    if (event.user !== undefined && typeof event.user !== 'string' && !isRecord(event.user)) return 'event.user';
    if (event.subteam !== undefined && !isRecord(event.subteam)) return 'event.subteam';
    return undefined;
  }
  if (body.command !== undefined) return undefined;
  const interaction =
    body.actions !== undefined || body.name !== undefined || (typeof body.type === 'string' && INTERACTION_TYPES.has(body.type));
  if (!interaction) return body.channel === null ? 'channel' : undefined;
  if (!isRecord(body.user)) return 'user';
  for (const field of ['channel', 'team', 'enterprise'] as const) {
    if (body[field] !== undefined && body[field] !== null && !isRecord(body[field])) return field;
  }
  if (body.channel === null) return 'channel';
  if (body.actions !== undefined && !(Array.isArray(body.actions) && body.actions.every(isRecord))) return 'actions';
  if ((body.type === 'view_submission' || body.type === 'view_closed') && !isRecord(body.view)) return 'view';
  return undefined;
}

function retryOf(headers: IncomingHttpHeaders): Omit<SlackRequest, 'body'> {
  const num = Number.parseInt(String(headers['x-slack-retry-num'] ?? ''), 10);
  const reason = headers['x-slack-retry-reason'];
  return { ...(Number.isNaN(num) ? {} : { retryNum: num }), ...(typeof reason === 'string' ? { retryReason: reason } : {}) };
}

const contentTypeOf = (headers: IncomingHttpHeaders) => (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';

/** As Bolt answers an ack: nothing, a text, or JSON. */
function content(response: unknown): SlackHttpAnswer {
  if (response === undefined || response === '') return { status: 200 };
  if (typeof response === 'string') return { status: 200, body: response };
  return json(response);
}

const json = (value: unknown): SlackHttpAnswer => ({ status: 200, body: JSON.stringify(value), contentType: 'application/json' });
const plain = (status: SlackHttpAnswer['status'], body: string): SlackHttpAnswer => ({
  status,
  body,
  contentType: 'text/plain; charset=utf-8',
});

function write(response: ServerResponse, answer: SlackHttpAnswer): void {
  response.writeHead(answer.status, answer.contentType ? { 'content-type': answer.contentType } : {}).end(answer.body ?? '');
}
