/** The Telegram channel: long polling or webhook intake, sending through grammY's Api. */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Api, GrammyError } from 'grammy';
import type { Update } from 'grammy/types';
import type { Channel, ChannelDeps, ChannelFactory, Intake, Logger, WebhookRejection, WebhookRoute } from '../../src/channel.ts';
import type { InboundEvent } from '../../src/messages.ts';
import { exponentialBackoff, retry, type Failure, type RetryOptions } from '../../src/retry.ts';
import { checkTelegram } from './check.ts';
import { readConfig, WEBHOOK_PATH, type TelegramConfig } from './config.ts';
import { toChannelError, toConnectError } from './errors.ts';
import { TELEGRAM_FACTS } from './facts.ts';
import { ALLOWED_UPDATES, parseUpdate, type ParseContext } from './parse.ts';
import { createSender, MAX_TEXT_LENGTH } from './send.ts';
import { createUpdateLog, type UpdateLog } from './update-log.ts';

export type { TelegramConfig } from './config.ts';

/** Tuning for tests; production uses the defaults. */
export interface TelegramChannelOptions {
  /** Delay before retry `attempt` (1, 2, …) of a failed poll or intake. Default 0.5 s, doubling up to 30 s. */
  readonly backoffMs?: (attempt: number) => number;
  /** Long-poll timeout in seconds. Default 30. */
  readonly pollTimeoutSeconds?: number;
}

/** An object with an integer `update_id`: what the webhook checked, or what getUpdates returned. */
type RawUpdate = Pick<Update, 'update_id'>;

/** Turns one update into events, logging why when there are none; undefined only when parsing failed on a bug. */
type UpdateHandler = (update: RawUpdate) => Promise<InboundEvent[] | undefined>;

/** How long getMe (start-up, and the first webhook's account lookup) may take before it counts as unreachable. */
const GET_ME_TIMEOUT_MS = 10_000;
const CONFLICT_HINT =
  'another process is polling with this bot token, or a webhook is set: stop the other instance, or set TELEGRAM_WEBHOOK_SECRET to use webhook mode';

/**
 * Builds a Telegram channel. The account is the bot's user id from getMe, fetched by start() or by
 * the first webhook request, whichever comes first (webhooks work before start()). In polling mode
 * an update is confirmed to Telegram only after `intake.accept` resolved for it, so nothing is lost
 * while the journal is down: the same batch is retried until accepted or stopped.
 * @see https://core.telegram.org/bots/api#getupdates
 * @see https://core.telegram.org/bots/api#setwebhook
 */
export function createTelegramChannel(config: TelegramConfig, deps: ChannelDeps, options: TelegramChannelOptions = {}): Channel {
  const log = deps.logger;
  const api = new Api(config.botToken, { apiRoot: config.apiRoot });
  const sender = createSender({ api, apiRoot: config.apiRoot, botToken: config.botToken, state: deps.state, now: deps.now });
  let account: Promise<string> | undefined;
  // getMe once, forgetting a failure so the next call retries. Not grammY's bot.init(): it retries
  // network errors for up to 20 minutes, which would hang start() and webhook requests. Bounded by
  // a timeout of its own: grammY's default is 500 s.
  const accountId = (): Promise<string> => {
    if (account !== undefined) return account;
    const timeout = AbortSignal.timeout(GET_ME_TIMEOUT_MS);
    account = api.getMe(apiSignal(timeout)).then(
      (me) => String(me.id),
      (error: unknown) => {
        account = undefined;
        throw toConnectError(error, config.apiRoot, timeout.aborted ? 'timeout' : undefined);
      },
    );
    return account;
  };
  const updateLog = createUpdateLog(log);
  const handleUpdate: UpdateHandler = async (update) =>
    parseLogged(update, { account: await accountId(), allowGroups: config.allowGroups, receivedAt: deps.now() }, { log, updateLog });
  let stopPolling: (() => Promise<void>) | undefined;
  let started = false;

  return {
    platform: 'telegram',
    // @see https://core.telegram.org/bots/api#senddocument ("Bots can currently send files of any type of up to 50 MB in size")
    limits: { maxTextLength: MAX_TEXT_LENGTH, maxFileBytes: 50 * 1024 * 1024 },
    facts: TELEGRAM_FACTS,
    routes: config.webhookSecret === undefined ? [] : [webhookRoute(config.webhookSecret, handleUpdate)],
    async start(intake: Intake): Promise<void> {
      if (started) return;
      await accountId();
      try {
        if (config.webhookSecret !== undefined) await registerWebhook(api, config, log);
        // getUpdates answers 409 while a webhook is set; pending updates are kept (no drop_pending_updates).
        // @see https://core.telegram.org/bots/api#deletewebhook
        else await api.deleteWebhook();
      } catch (error) {
        throw toConnectError(error, config.apiRoot);
      }
      if (config.webhookSecret === undefined) stopPolling = startPolling({ api, intake, log, handleUpdate, ...options });
      started = true;
      log.info({ mode: config.webhookSecret === undefined ? 'polling' : 'webhook' }, 'Telegram channel started');
    },
    async stop(): Promise<void> {
      const stopping = stopPolling;
      stopPolling = undefined;
      started = false;
      await stopping?.();
    },
    send: (message) => sender.send(message),
    fetchMedia: (ref) => sender.fetchMedia(ref),
    check: () => checkTelegram(api, config),
  };
}

/**
 * Registry entry for Telegram.
 * @see https://core.telegram.org/bots/api
 */
export const telegramFactory: ChannelFactory<TelegramConfig> = {
  platform: 'telegram',
  readConfig,
  secretsOf: (config) => [config.botToken, ...(config.webhookSecret === undefined ? [] : [config.webhookSecret])],
  create: (config, deps) => createTelegramChannel(config, deps),
};

function parseLogged(
  update: RawUpdate,
  ctx: ParseContext,
  logs: { readonly log: Logger; readonly updateLog: UpdateLog },
): InboundEvent[] | undefined {
  try {
    const result = parseUpdate(update, ctx);
    logs.updateLog(update.update_id, result);
    return result.events;
  } catch (error) {
    // The schemas make every documented or malformed shape a value, so this is a bug in parse.ts.
    logs.log.error({ err: error, updateId: update.update_id }, 'Telegram update could not be parsed (a Threadline bug); skipped');
    return undefined;
  }
}

/**
 * POST /webhooks/telegram: 401 unless the secret header matches (checked before the body is read,
 * and again by `handle`), 400 unless the body is an Update; else 200, also for an update Threadline
 * cannot read (it is shown as unreadable, or logged).
 * @see https://core.telegram.org/bots/api#setwebhook (header X-Telegram-Bot-Api-Secret-Token)
 */
function webhookRoute(secret: string, handleUpdate: UpdateHandler): WebhookRoute {
  const expected = digest(secret);
  const checkSecret = (headers: Headers): WebhookRejection | undefined =>
    sameSecret(headers.get('x-telegram-bot-api-secret-token'), expected)
      ? undefined
      : { status: 401, reason: 'missing or wrong secret token' };
  return {
    method: 'POST',
    path: WEBHOOK_PATH,
    precheck: checkSecret,
    async handle(request) {
      const refused = checkSecret(request.headers);
      if (refused !== undefined) return refused;
      let body: unknown;
      try {
        body = JSON.parse(request.rawBody.toString('utf8'));
      } catch {
        return { status: 400, reason: 'body is not JSON' };
      }
      // @see https://core.telegram.org/bots/api#update (update_id: Integer)
      const isUpdate = typeof body === 'object' && body !== null && Number.isInteger((body as { update_id?: unknown }).update_id);
      if (!isUpdate) return { status: 400, reason: 'body is not a Telegram Update' };
      const events = await handleUpdate(body as RawUpdate);
      return events === undefined ? { status: 400, reason: 'update could not be parsed' } : { status: 200, events };
    },
  };
}

/** @see https://core.telegram.org/bots/api#setwebhook */
async function registerWebhook(api: Api, config: TelegramConfig, log: Logger): Promise<void> {
  if (config.webhookUrl === undefined || config.webhookSecret === undefined) {
    const hint =
      `set TELEGRAM_WEBHOOK_URL, or call setWebhook with url=https://<public host>${WEBHOOK_PATH}, ` +
      `secret_token=<TELEGRAM_WEBHOOK_SECRET> and allowed_updates=${JSON.stringify(ALLOWED_UPDATES)}`;
    log.warn({ hint }, 'Telegram webhook must be registered outside Threadline');
    return;
  }
  await api.setWebhook(config.webhookUrl, { secret_token: config.webhookSecret, allowed_updates: [...ALLOWED_UPDATES] });
}

/**
 * Intake must not end by itself: a poll or an accept that fails is tried again whatever the reason
 * (a bad token included, which the log then names), until it works or the channel is stopped.
 */
const keepTrying = (): Failure => ({ kind: 'transient' });

interface PollingOptions extends TelegramChannelOptions {
  readonly api: Api;
  readonly intake: Intake;
  readonly log: Logger;
  readonly handleUpdate: UpdateHandler;
}

/**
 * Long polling with our own loop instead of bot.start(): the offset advances only after the batch
 * was accepted. Returns stop(), which aborts the pending long poll and resolves when the loop ended.
 * @see https://core.telegram.org/bots/api#getupdates ("An update is considered confirmed as soon as
 *   getUpdates is called with an offset higher than its update_id")
 */
function startPolling(o: PollingOptions): () => Promise<void> {
  const controller = new AbortController();
  const { signal } = controller;
  const backoff = o.backoffMs ?? exponentialBackoff(500, 30_000);
  const retrying: RetryOptions = { attempts: Infinity, backoff, signal, classify: keepTrying };
  const loop = async () => {
    let offset: number | undefined;
    while (!signal.aborted) {
      const timeout = o.pollTimeoutSeconds ?? 30;
      const params = { ...(offset === undefined ? {} : { offset }), timeout, allowed_updates: [...ALLOWED_UPDATES] };
      const updates = await retry(() => o.api.getUpdates(params, apiSignal(signal)), {
        ...retrying,
        onRetry: ({ error, attempt }) => {
          if (error instanceof GrammyError && error.error_code === 409)
            o.log.error({ hint: CONFLICT_HINT, code: 409 }, 'Telegram polling conflict');
          else o.log.warn({ err: toChannelError(error), attempt }, 'Telegram getUpdates failed, retrying');
        },
      }).catch((error: unknown) => {
        if (signal.aborted) return undefined;
        throw error;
      });
      if (updates === undefined) break;
      const events: InboundEvent[] = [];
      for (const update of updates) events.push(...((await o.handleUpdate(update)) ?? []));
      const last = updates.at(-1);
      if (last !== undefined && (await acceptWithRetry(events, o, retrying))) offset = last.update_id + 1;
    }
  };
  const done = loop().catch((error: unknown) => o.log.error({ err: error }, 'Telegram polling stopped unexpectedly'));
  return async () => {
    controller.abort();
    await done;
  };
}

/** true once accepted (or nothing to accept); false only when stopped first: the batch stays unconfirmed. */
async function acceptWithRetry(
  events: readonly InboundEvent[],
  o: Pick<PollingOptions, 'intake' | 'log'>,
  retrying: RetryOptions,
): Promise<boolean> {
  if (events.length === 0) return true;
  try {
    await retry(() => o.intake.accept(events), {
      ...retrying,
      onRetry: ({ error, attempt }) =>
        o.log.error({ err: error, attempt, count: events.length }, 'journal unavailable: Telegram updates kept unconfirmed, retrying'),
    });
    return true;
  } catch (error) {
    if (retrying.signal?.aborted) return false;
    throw error;
  }
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Constant-time comparison with the secret's digest; hashing gives equal-length buffers whatever was sent. */
function sameSecret(given: string | null, expected: Buffer): boolean {
  return given !== null && timingSafeEqual(digest(given), expected);
}

/** grammY types its signal with the `abort-controller` polyfill; at run time it takes Node's own AbortSignal. */
function apiSignal(signal: AbortSignal): Parameters<Api['getUpdates']>[1] & Parameters<Api['getMe']>[0] {
  return signal as unknown as Parameters<Api['getUpdates']>[1] & Parameters<Api['getMe']>[0]; // library boundary: polyfill type vs. the global
}
