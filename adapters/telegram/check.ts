/**
 * Telegram's part of `threadline doctor`: is the token accepted (getMe), and does the webhook that
 * Telegram has on record (getWebhookInfo) fit the configured mode. Read-only: nothing is set or deleted.
 * @see https://core.telegram.org/bots/api#getme
 * @see https://core.telegram.org/bots/api#getwebhookinfo
 */
import type { Api } from 'grammy';
import type { WebhookInfo } from 'grammy/types';
import type { CheckResult } from '../../src/channel.ts';
import { WEBHOOK_PATH, type TelegramConfig } from './config.ts';
import { toChannelError, toConnectError } from './errors.ts';
import { ALLOWED_UPDATES } from './parse.ts';

/** A check waits this long for Telegram; grammY's own default is minutes. */
const CHECK_TIMEOUT_MS = 10_000;
const TOKEN = 'TELEGRAM_BOT_TOKEN';
const WEBHOOK = 'telegram webhook';

/** Runs the checks; never throws (every failure is a `fail` result). */
export async function checkTelegram(api: Api, config: TelegramConfig): Promise<readonly CheckResult[]> {
  let me: Awaited<ReturnType<Api['getMe']>>;
  try {
    me = await api.getMe(timeoutSignal());
  } catch (error) {
    // Without a working token or connection the webhook cannot be read either.
    return [failure(TOKEN, error, config)];
  }
  const bot: CheckResult = { status: 'ok', subject: TOKEN, detail: `bot @${me.username} (${me.id}) accepts the token` };
  try {
    return [bot, ...webhookChecks(await api.getWebhookInfo(timeoutSignal()), config)];
  } catch (error) {
    return [bot, failure(WEBHOOK, error, config)];
  }
}

/**
 * What the webhook on record means for the configured mode. Long polling needs none (start() deletes
 * one, as getUpdates "will not work if an outgoing webhook is set up"); webhook mode needs one that
 * reaches POST /webhooks/telegram. Telegram never shows the secret_token, so it cannot be compared.
 * @see https://core.telegram.org/bots/api#getupdates
 * @see https://core.telegram.org/bots/api#webhookinfo ("url: Webhook URL, may be empty if webhook is not set up")
 */
function webhookChecks(info: WebhookInfo, config: TelegramConfig): CheckResult[] {
  // grammY types url as optional; Telegram sends "" when no webhook is set.
  const url = info.url ?? '';
  if (config.webhookSecret === undefined) {
    if (url === '') return [ok('none set, as long polling needs')];
    return [
      warn(
        `${url} is set, but Threadline long-polls (TELEGRAM_WEBHOOK_SECRET is unset): starting Threadline deletes that webhook ` +
          '(deleteWebhook), and whatever received it stops getting updates. If another service uses this bot, give Threadline its own ' +
          'bot from @BotFather; to use webhook mode instead, set TELEGRAM_WEBHOOK_SECRET and TELEGRAM_WEBHOOK_URL',
      ),
    ];
  }
  const results: CheckResult[] = [];
  if (config.webhookUrl !== undefined) {
    if (url === config.webhookUrl) results.push(ok(`set to ${url}, as TELEGRAM_WEBHOOK_URL says`));
    else if (url === '') results.push(ok(`none set yet: Threadline registers TELEGRAM_WEBHOOK_URL (${config.webhookUrl}) when it starts`));
    else
      results.push(
        warn(
          `set to ${url}, not to TELEGRAM_WEBHOOK_URL (${config.webhookUrl}): Threadline replaces it when it starts; if another service uses this bot, give Threadline its own bot from @BotFather`,
        ),
      );
  } else if (url === '') {
    return [
      fail(
        'none set, and TELEGRAM_WEBHOOK_URL is unset, so Telegram delivers nothing: set TELEGRAM_WEBHOOK_URL=https://<public host>' +
          `${WEBHOOK_PATH} (Threadline then registers it), or call setWebhook yourself with that url and secret_token=<TELEGRAM_WEBHOOK_SECRET>`,
      ),
    ];
  } else if (!url.endsWith(WEBHOOK_PATH)) {
    results.push(
      warn(
        `set to ${url}, which is not Threadline's path ${WEBHOOK_PATH}: make sure it reaches POST ${WEBHOOK_PATH}, or set TELEGRAM_WEBHOOK_URL so Threadline registers the right URL`,
      ),
    );
  } else {
    results.push(
      ok(`set to ${url} (registered outside Threadline; its secret_token must be TELEGRAM_WEBHOOK_SECRET, which Telegram does not show)`),
    );
  }
  // "Defaults to all update types except chat_member" when absent: only a list that leaves ours out is a problem.
  const missing = info.allowed_updates === undefined ? [] : ALLOWED_UPDATES.filter((kind) => !info.allowed_updates?.includes(kind));
  if (url !== '' && missing.length > 0) {
    const kinds = JSON.stringify(ALLOWED_UPDATES);
    const fix =
      config.webhookUrl !== undefined
        ? `(re)start Threadline, which registers it with allowed_updates=${kinds}`
        : `set TELEGRAM_WEBHOOK_URL so Threadline registers it with allowed_updates=${kinds}, or call setWebhook with that list`;
    results.push(warn(`does not ask for ${missing.join(', ')} updates, so those never arrive: ${fix}`));
  }
  if (url !== '' && info.last_error_message !== undefined) {
    const when = info.last_error_date === undefined ? '' : ` at ${new Date(info.last_error_date * 1000).toISOString()}`;
    results.push(
      warn(
        `Telegram's last delivery to ${url} failed${when}: "${info.last_error_message}": check that the URL is public, serves HTTPS with a valid certificate, and reaches Threadline's POST ${WEBHOOK_PATH}`,
      ),
    );
  }
  return results;
}

/** A failed call, worded for the operator: a refused token, an unreachable API, or what Telegram said. */
function failure(subject: string, error: unknown, config: TelegramConfig): CheckResult {
  const channelError = toChannelError(error);
  if (channelError.kind === 'auth') return { status: 'fail', subject: TOKEN, detail: channelError.message };
  if (channelError.kind === 'transient' && channelError.detail.platformCode === undefined) {
    // Worded as at start-up: which URL could not be reached, and that it is the network, not the token.
    return { status: 'fail', subject: 'telegram', detail: toConnectError(error, config.apiRoot).message };
  }
  const retry =
    channelError.kind === 'transient' || channelError.kind === 'rate_limited' ? ': run threadline doctor again in a minute' : '';
  return { status: 'fail', subject, detail: `${channelError.message}${retry}` };
}

const ok = (detail: string): CheckResult => ({ status: 'ok', subject: WEBHOOK, detail });
const warn = (detail: string): CheckResult => ({ status: 'warn', subject: WEBHOOK, detail });
const fail = (detail: string): CheckResult => ({ status: 'fail', subject: WEBHOOK, detail });

/** grammY types its signal with the `abort-controller` polyfill; at run time it takes Node's own AbortSignal. */
function timeoutSignal(): Parameters<Api['getMe']>[0] {
  return AbortSignal.timeout(CHECK_TIMEOUT_MS) as unknown as Parameters<Api['getMe']>[0]; // library boundary: polyfill type vs. the global
}
