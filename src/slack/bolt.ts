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
import { ConfigError } from '../errors.ts';
import { createHttpReceiver } from './http-receiver.ts';
import { createSocketModeReceiver } from './socket-mode-receiver.ts';

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
  /** Resolves the bot's identity (auth.test) and, in Socket Mode, connects. Rejects if Slack refuses the token. */
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

/** Bolt's Logger interface over pino: the level is pino's (LOG_LEVEL), Bolt's setLevel is ignored. */
export function toBoltLogger(logger: Logger): BoltLogger {
  const emit = (level: 'debug' | 'info' | 'warn' | 'error', args: unknown[]) => {
    const err = args.find((a): a is Error => a instanceof Error);
    const text = args
      .filter((a) => !(a instanceof Error))
      .map((a) => (typeof a === 'string' ? a : safeJson(a)))
      .join(' ');
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
    throw new ConfigError('SLACK_SIGNING_SECRET', 'Set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode at POST /slack/events)');
  }
  const boltLogger = toBoltLogger(options.logger);
  const slackApiUrl = options.apiUrl.endsWith('/') ? options.apiUrl : `${options.apiUrl}/`;
  const retryConfig = options.retryConfig ?? DEFAULT_RETRY_CONFIG;
  // A fresh object per consumer: Bolt writes its logger into the clientOptions it is given.
  const clientOptions = (): webApi.WebClientOptions => ({ slackApiUrl, retryConfig, rejectRateLimitedCalls: true, logger: boltLogger });
  const client = new webApi.WebClient(options.botToken, clientOptions());

  let identity: SlackIdentity | undefined;
  let pending: Promise<SlackIdentity> | undefined;
  const resolveIdentity = (): Promise<SlackIdentity> => {
    pending ??= client.auth.test().then(
      (result) => {
        if (!result.user_id || !result.bot_id) throw new Error('Slack auth.test did not name a bot: SLACK_BOT_TOKEN must be a bot token (xoxb-)');
        identity = { botUserId: result.user_id, botId: result.bot_id, ...(result.team_id ? { teamId: result.team_id } : {}) };
        return identity;
      },
      (error: unknown) => {
        pending = undefined;
        throw new Error('Slack refused SLACK_BOT_TOKEN (auth.test failed)', { cause: error });
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
        await app.start();
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
