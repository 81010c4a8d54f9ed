/**
 * Builds the Bolt app, in Socket Mode (an app-level token, no public URL) or HTTP mode (events,
 * commands and interactivity signed with the signing secret at `POST /slack/events`, served by the
 * service's own HTTP server rather than a second port). Either way the receiver is Threadline's own
 * (socket-mode-receiver.ts, http-receiver.ts): Slack is acknowledged only after the listeners finished.
 * @see https://docs.slack.dev/tools/bolt-js/concepts/socket-mode
 * @see https://docs.slack.dev/authentication/verifying-requests-from-slack
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { App, LogLevel, webApi, type Logger as BoltLogger, type Receiver } from '@slack/bolt';
import type { Logger } from 'pino';
import { ConfigError, displayUrl, StartupError } from '../errors.ts';
import { createHttpReceiver } from './http-receiver.ts';
import { createSocketModeReceiver } from './socket-mode-receiver.ts';
import { explainSlackStartError } from './start-errors.ts';

/** Options for {@link createSlackApp}. Exactly one of `appToken` (Socket Mode) or `signingSecret` (HTTP) is needed. */
export interface SlackAppOptions {
  /** Bot token (xoxb-). */
  readonly botToken: string;
  /** App-level token (xapp-): Socket Mode. */
  readonly appToken?: string;
  /** HTTP mode: verifies `X-Slack-Signature` on every request. */
  readonly signingSecret?: string;
  /** Web API base URL (SLACK_API_URL), e.g. `https://slack.com/api/`. */
  readonly apiUrl: string;
  readonly logger: Logger;
  /** Socket Mode keep-alive: how long to wait for a pong before reconnecting (Bolt's default 5000 ms). */
  readonly socketPingTimeoutMs?: number;
  /** Web API retries on network errors and 5xx (rate limits are the pacer's). Tests pass `{ retries: 0 }`. */
  readonly retryConfig?: webApi.RetryOptions;
}

/** Who the bot is in this workspace, from auth.test. @see https://docs.slack.dev/reference/methods/auth.test */
export interface SlackIdentity {
  readonly botUserId: string;
  readonly botId: string;
  readonly teamId?: string;
}

/** The running Slack side: register listeners on `app`, mount `httpHandler` (HTTP mode), then `start()`. */
export interface SlackApp {
  readonly app: App;
  /** A Web API client with the bot token and Threadline's options (also set as `app.client`). */
  readonly client: webApi.WebClient;
  readonly mode: 'socket' | 'http';
  /**
   * HTTP mode only: the request listener for `POST /slack/events`. It answers after the listeners
   * finished (the engine only journals, well within Slack's 3 seconds): 500 if they failed, so Slack
   * delivers the event again. Unknown paths get 404.
   */
  readonly httpHandler?: (req: IncomingMessage, res: ServerResponse) => void;
  /**
   * Resolves the bot's identity (auth.test) and, in Socket Mode, connects. Rejects with a
   * StartupError that says which token Slack refused, or which URL could not be reached; an
   * unreachable Slack is tried {@link STARTUP_RETRY_DELAYS_MS}.length more times, each logged with the URL.
   */
  start(): Promise<void>;
  /** Disconnects Socket Mode. Safe to call twice and before start. */
  stop(): Promise<void>;
  /** The bot's identity; undefined before start() resolved. */
  identity(): SlackIdentity | undefined;
}

/**
 * Production retry policy for Web API calls that fail on the network or with 5xx: five retries over
 * about half a minute, so a stuck Slack call cannot block a conversation's queue for long.
 */
export const DEFAULT_RETRY_CONFIG: webApi.RetryOptions = { retries: 5, factor: 2, minTimeout: 1000, maxTimeout: 15_000, randomize: true };

/**
 * Start-up's own retries of auth.test when Slack cannot be reached (or answers 5xx): a few seconds in
 * all, each one logged with the URL, so a network problem is reported at once and not after half a
 * minute of silence. A refused token is never retried.
 */
export const STARTUP_RETRY_DELAYS_MS: readonly number[] = [500, 1500];
/** How long one start-up auth.test may take before it counts as unreachable. */
export const STARTUP_TIMEOUT_MS = 5000;

/**
 * Bolt's Logger interface over pino: the level is pino's (LOG_LEVEL), Bolt's setLevel is ignored.
 * With `apiUrl`, the Web API client's bare "http request failed <reason>" says which URL failed;
 * `quiet` writes everything at debug (for a client whose failures the caller reports itself).
 */
export function toBoltLogger(logger: Logger, options: { apiUrl?: string; quiet?: boolean } = {}): BoltLogger {
  const emit = (wanted: 'debug' | 'info' | 'warn' | 'error', args: unknown[]) => {
    const level = options.quiet === true ? 'debug' : wanted;
    const err = args.find((a): a is Error => a instanceof Error);
    const text = args
      .filter((a) => !(a instanceof Error))
      .map((a) => (typeof a === 'string' ? a : safeJson(a)))
      .join(' ');
    if (options.apiUrl !== undefined && text.startsWith('http request failed')) {
      const url = displayUrl(options.apiUrl);
      logger[level]({ url }, `Slack Web API request to ${url} failed:${text.slice('http request failed'.length)}`);
      return;
    }
    logger[level](err ? { err } : {}, text || (err ? 'slack listener failed' : 'bolt'));
  };
  const levels: Record<string, LogLevel> = { trace: LogLevel.DEBUG, debug: LogLevel.DEBUG, info: LogLevel.INFO, warn: LogLevel.WARN };
  return {
    // Bolt's Logger takes `any[]` (library boundary); we only format them.
    debug: (...args: unknown[]) => emit('debug', args),
    info: (...args: unknown[]) => emit('info', args),
    warn: (...args: unknown[]) => emit('warn', args),
    error: (...args: unknown[]) => emit('error', args),
    setLevel: () => undefined,
    getLevel: () => levels[logger.level] ?? LogLevel.ERROR,
    setName: () => undefined,
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Builds the Bolt app and its receiver without connecting anything; see {@link SlackApp}. */
export function createSlackApp(options: SlackAppOptions): SlackApp {
  if (!options.appToken && !options.signingSecret) {
    throw new ConfigError(
      'SLACK_SIGNING_SECRET',
      'Set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode at POST /slack/events)',
    );
  }
  const slackApiUrl = options.apiUrl.endsWith('/') ? options.apiUrl : `${options.apiUrl}/`;
  const boltLogger = toBoltLogger(options.logger, { apiUrl: slackApiUrl });
  const retryConfig = options.retryConfig ?? DEFAULT_RETRY_CONFIG;
  // A fresh object per consumer: Bolt writes its logger into the clientOptions it is given.
  const clientOptions = (): webApi.WebClientOptions => ({ slackApiUrl, retryConfig, rejectRateLimitedCalls: true, logger: boltLogger });
  const client = new webApi.WebClient(options.botToken, clientOptions());
  // auth.test gets a client of its own: no retries of the Web API client's (identify() retries,
  // briefly and with a log line each) and a timeout, so start-up fails in seconds, not minutes.
  const authClient = new webApi.WebClient(options.botToken, {
    slackApiUrl,
    retryConfig: { retries: 0 },
    timeout: STARTUP_TIMEOUT_MS,
    rejectRateLimitedCalls: true,
    // identify() logs each failure itself, with the URL; the client's own lines are for debugging.
    logger: toBoltLogger(options.logger, { apiUrl: slackApiUrl, quiet: true }),
  });
  const shownUrl = displayUrl(slackApiUrl);

  /** auth.test, tried again briefly while Slack cannot be reached; rejects with a StartupError. */
  const identify = async (): Promise<SlackIdentity> => {
    for (let attempt = 1; ; attempt++) {
      let result: webApi.AuthTestResponse;
      try {
        result = await authClient.auth.test();
      } catch (error) {
        const problem = explainSlackStartError(error, { apiUrl: slackApiUrl, token: 'SLACK_BOT_TOKEN', method: 'auth.test' });
        const delay = STARTUP_RETRY_DELAYS_MS[attempt - 1];
        if (!problem.retryable || delay === undefined) throw problem.error;
        options.logger.warn(
          { url: shownUrl, attempt, retryInMs: delay, ...(problem.code === undefined ? {} : { code: problem.code }) },
          `${problem.error.message}; trying again in ${delay / 1000} s`,
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
        continue;
      }
      if (!result.user_id || !result.bot_id)
        throw new StartupError('SLACK_BOT_TOKEN', 'Slack auth.test did not name a bot: SLACK_BOT_TOKEN must be a bot token (xoxb-)');
      return { botUserId: result.user_id, botId: result.bot_id, ...(result.team_id ? { teamId: result.team_id } : {}) };
    }
  };
  let identity: SlackIdentity | undefined;
  let pending: Promise<SlackIdentity> | undefined;
  const resolveIdentity = (): Promise<SlackIdentity> => {
    pending ??= identify().then(
      (who) => (identity = who),
      (error: unknown) => {
        pending = undefined;
        throw error;
      },
    );
    return pending;
  };

  let receiver: Receiver;
  let httpHandler: SlackApp['httpHandler'];
  if (options.appToken) {
    receiver = createSocketModeReceiver({
      appToken: options.appToken,
      boltLogger,
      logger: options.logger,
      ...(options.socketPingTimeoutMs === undefined ? {} : { clientPingTimeoutMs: options.socketPingTimeoutMs }),
      // Without these the Socket Mode client would call the real slack.com for apps.connections.open.
      clientOptions: { slackApiUrl, retryConfig },
    });
  } else {
    const http = createHttpReceiver({ signingSecret: options.signingSecret ?? '', logger: options.logger });
    receiver = http;
    httpHandler = http.requestListener;
  }

  const app = new App({
    receiver,
    logger: boltLogger,
    clientOptions: clientOptions(),
    // One auth.test for the process, made in start() (or by the first event): no call from the
    // constructor, so an unreachable Slack cannot become an unhandled rejection.
    authorize: async () => ({ botToken: options.botToken, ...(await resolveIdentity()) }),
  });
  app.client = client;

  let started = false;
  return {
    app,
    client,
    mode: options.appToken ? 'socket' : 'http',
    ...(httpHandler ? { httpHandler } : {}),
    async start() {
      const who = await resolveIdentity();
      if (!started) {
        // Socket Mode: connects. HTTP mode: nothing to start (the service's server listens).
        try {
          await app.start();
        } catch (error) {
          throw explainSlackStartError(error, { apiUrl: slackApiUrl, token: 'SLACK_APP_TOKEN', method: 'apps.connections.open' }).error;
        }
        started = true;
      }
      options.logger.info({ botUserId: who.botUserId, botId: who.botId, mode: options.appToken ? 'socket' : 'http' }, 'slack connected');
    },
    async stop() {
      if (!started) return;
      started = false;
      await app.stop();
    },
    identity: () => identity,
  };
}
