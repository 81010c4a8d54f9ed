/** Telegram settings: read from the environment once, validated, frozen. */
import { ConfigError } from '../../src/errors.ts';

/** A validated Telegram configuration. Webhook mode when `webhookSecret` is set, long polling otherwise. */
export interface TelegramConfig {
  readonly botToken: string;
  /** Bot API base URL without a trailing slash. */
  readonly apiRoot: string;
  readonly webhookSecret?: string;
  /** Public https URL that start() registers with setWebhook; only meaningful with `webhookSecret`. */
  readonly webhookUrl?: string;
  /** Whether group, supergroup and channel chats become conversations. */
  readonly allowGroups: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Where Telegram posts updates in webhook mode, on the shared HTTP server. */
export const WEBHOOK_PATH = '/webhooks/telegram';

/** @see https://core.telegram.org/bots/api#authorizing-your-bot (token "looks something like 123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11") */
const TOKEN = /^[0-9]+:[A-Za-z0-9_-]+$/;
/** @see https://core.telegram.org/bots/api#setwebhook (secret_token: 1-256 characters, A-Z, a-z, 0-9, _ and -) */
const SECRET = /^[A-Za-z0-9_-]{1,256}$/;

/**
 * Reads the TELEGRAM_* variables: `undefined` when none is set (the channel is off), a frozen
 * config when they are valid, and a ConfigError naming the first wrong variable otherwise.
 * An empty value counts as unset.
 * @see https://core.telegram.org/bots/api#authorizing-your-bot
 */
export function readConfig(env: Env): TelegramConfig | undefined {
  const value = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  if (!Object.keys(env).some((name) => name.startsWith('TELEGRAM_') && value(name) !== undefined)) return undefined;

  const botToken = value('TELEGRAM_BOT_TOKEN');
  if (botToken === undefined || !TOKEN.test(botToken)) {
    throw invalid('TELEGRAM_BOT_TOKEN', 'must look like 123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11 (the token from @BotFather)');
  }
  const apiRoot = (value('TELEGRAM_API_ROOT') ?? 'https://api.telegram.org').replace(/\/+$/, '');
  if (!isUrl(apiRoot, ['http:', 'https:'])) {
    throw invalid('TELEGRAM_API_ROOT', 'must be an http(s) URL such as https://api.telegram.org');
  }
  const webhookSecret = value('TELEGRAM_WEBHOOK_SECRET');
  if (webhookSecret !== undefined && !SECRET.test(webhookSecret)) {
    throw invalid('TELEGRAM_WEBHOOK_SECRET', 'must be 1-256 characters of A-Z, a-z, 0-9, _ and -');
  }
  const webhookUrl = value('TELEGRAM_WEBHOOK_URL');
  if (webhookUrl !== undefined && !isUrl(webhookUrl, ['https:'])) {
    throw invalid('TELEGRAM_WEBHOOK_URL', 'must be an https URL ending in /webhooks/telegram');
  }
  if (webhookUrl !== undefined && webhookSecret === undefined) {
    throw invalid('TELEGRAM_WEBHOOK_URL', 'needs TELEGRAM_WEBHOOK_SECRET too (webhook mode is off without it)');
  }
  const groups = value('TELEGRAM_ALLOW_GROUPS')?.toLowerCase() ?? 'false';
  if (groups !== 'true' && groups !== 'false') throw invalid('TELEGRAM_ALLOW_GROUPS', 'must be true or false');

  return Object.freeze({
    botToken,
    apiRoot,
    allowGroups: groups === 'true',
    ...(webhookSecret === undefined ? {} : { webhookSecret }),
    ...(webhookUrl === undefined ? {} : { webhookUrl }),
  });
}

function invalid(variable: string, rule: string): ConfigError {
  return new ConfigError(variable, `Invalid configuration: ${variable} ${rule}`);
}

function isUrl(text: string, protocols: readonly string[]): boolean {
  try {
    return protocols.includes(new URL(text).protocol);
  } catch {
    return false;
  }
}
