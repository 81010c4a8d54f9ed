/** The X channel: DMs by polling GET /2/dm_events (or the Account Activity webhook), sent with twitter-api-v2. */
import type { Channel, ChannelDeps, ChannelFactory, Intake } from '../../src/channel.ts';
import { checkX } from './check.ts';
import { createXClient } from './client.ts';
import { readConfig, type XConfig } from './config.ts';
import { toConnectError } from './errors.ts';
import { X_FACTS } from './facts.ts';
import { startPoller } from './poller.ts';
import { createProfiles } from './profiles.ts';
import { createEventReader } from './read-events.ts';
import { createSender, MAX_TEXT_LENGTH } from './send.ts';
import { webhookRoutes } from './webhook.ts';

export type { XConfig } from './config.ts';

/** Tuning for tests; production uses the defaults. */
export interface XChannelOptions {
  /** Milliseconds between polls; default X_POLL_SECONDS. */
  readonly pollMs?: number;
  /** How long the poller's lease lasts unless renewed; default three polls, at least a minute. */
  readonly leaseMs?: number;
  /** Delay before retry `attempt` of a failed intake. Default 0.5 s, doubling up to 30 s. */
  readonly backoffMs?: (attempt: number) => number;
}

const ME_TIMEOUT_MS = 10_000;

/**
 * Builds an X channel. The account is our user id from GET /2/users/me, fetched by start() or by the
 * first webhook delivery that needs it. Polling is the default; with X_WEBHOOK=true the channel
 * serves GET and POST /webhooks/x instead.
 * @see https://docs.x.com/x-api/direct-messages/lookup/integrate
 * @see https://docs.x.com/x-api/webhooks/quickstart
 */
export function createXChannel(config: XConfig, deps: ChannelDeps, options: XChannelOptions = {}): Channel {
  const log = deps.logger;
  const client = createXClient(config);
  const sender = createSender({ client, state: deps.state, now: deps.now });
  const read = createEventReader({ profiles: createProfiles(client, deps.state, log), state: deps.state, log, now: deps.now });
  let account: Promise<string> | undefined;
  // users/me once, forgetting a failure so the next call retries.
  const accountId = (): Promise<string> => {
    if (account !== undefined) return account;
    account = client.v2.get('users/me', undefined, { timeout: ME_TIMEOUT_MS }).then(
      (answer) => String((answer.data as { id: unknown }).id),
      (error: unknown) => {
        account = undefined;
        throw toConnectError(error, config.apiRoot, deps.now);
      },
    );
    return account;
  };
  const pollMs = options.pollMs ?? config.pollSeconds * 1000;
  let stopPolling: (() => Promise<void>) | undefined;
  let started = false;

  return {
    platform: 'x',
    // @see https://docs.x.com/x-api/media/quickstart/media-upload-chunked (images up to 5 MB, GIFs up to 15 MB, videos up to 512 MB)
    limits: { maxTextLength: MAX_TEXT_LENGTH, maxFileBytes: 512 * 1024 * 1024 },
    facts: X_FACTS,
    routes: config.webhook ? webhookRoutes({ appSecret: config.appSecret, read, log, knownAccount: () => account }) : [],
    async start(intake: Intake): Promise<void> {
      if (started) return;
      const id = await accountId();
      started = true;
      if (!config.webhook) {
        stopPolling = startPoller({
          client,
          account: accountId,
          read,
          state: deps.state,
          intake,
          log,
          now: deps.now,
          pollMs,
          leaseMs: options.leaseMs ?? Math.max(3 * pollMs, 60_000),
          ...(options.backoffMs === undefined ? {} : { backoffMs: options.backoffMs }),
        });
      }
      log.info({ mode: config.webhook ? 'webhook' : 'polling', account: id }, 'X channel started');
    },
    async stop(): Promise<void> {
      const stopping = stopPolling;
      stopPolling = undefined;
      started = false;
      await stopping?.();
    },
    send: (message) => sender.send(message),
    fetchMedia: (ref) => sender.fetchMedia(ref),
    check: () => checkX(client, config),
  };
}

/**
 * Registry entry for X.
 * @see https://docs.x.com/x-api/direct-messages/manage/integrate
 */
export const xFactory: ChannelFactory<XConfig> = {
  platform: 'x',
  readConfig,
  secretsOf: (config) => [config.appKey, config.appSecret, config.accessToken, config.accessSecret],
  create: (config, deps) => createXChannel(config, deps),
};
