/** Telegram failures → ChannelError. The one table from Bot API error codes to what happens next. */
import { GrammyError, HttpError } from 'grammy';
import { ChannelError, displayUrl, networkCause, type ChannelErrorKind } from '../../src/errors.ts';

interface Rule {
  readonly when: (code: number, description: string) => boolean;
  readonly kind: ChannelErrorKind;
  readonly say: string;
}

const AUTH_HINT = 'set TELEGRAM_BOT_TOKEN to the token from @BotFather';

/**
 * First match wins. Telegram answers `{ ok: false, error_code, description, parameters? }`; the
 * descriptions below are the exact texts of the official Bot API server
 * (https://github.com/tdlib/telegram-bot-api/blob/master/telegram-bot-api/Client.cpp).
 */
const RULES: readonly Rule[] = [
  // "Too Many Requests: retry after N"; parameters.retry_after is "the number of seconds left to
  // wait before the request can be repeated". @see https://core.telegram.org/bots/api#responseparameters
  { when: (c) => c === 429, kind: 'rate_limited', say: 'Telegram flood control: retry after the given delay' },
  // "Forbidden: bot was blocked by the user". @see https://core.telegram.org/bots/api#making-requests
  { when: (c, d) => c === 403 && /blocked by the user/i.test(d), kind: 'unreachable', say: 'The customer blocked the bot on Telegram' },
  // "Forbidden: user is deactivated" (the account was deleted). @see https://core.telegram.org/bots/api#making-requests
  { when: (c, d) => c === 403 && /user is deactivated/i.test(d), kind: 'unreachable', say: 'The customer deleted their Telegram account' },
  // Any other "Forbidden: …" (kicked from the group, group deleted…). @see https://core.telegram.org/bots/api#making-requests
  { when: (c) => c === 403, kind: 'unreachable', say: 'Telegram does not let the bot write to this chat' },
  // "Bad Request: chat not found" (e.g. the user never started the bot). @see https://core.telegram.org/bots/api#making-requests
  { when: (c, d) => c === 400 && /chat not found/i.test(d), kind: 'unreachable', say: 'Telegram does not know this chat' },
  // "Bad Request: file is too big" or HTTP 413: bots upload up to 50 MB and download up to 20 MB.
  // @see https://core.telegram.org/bots/api#sending-files
  // @see https://core.telegram.org/bots/api#getfile
  {
    when: (c, d) => c === 413 || (c === 400 && /too big|too large/i.test(d)),
    kind: 'rejected',
    say: 'Telegram refused the file as too big',
  },
  // Any other "Bad Request: …": content or parameters refused. @see https://core.telegram.org/bots/api#making-requests
  { when: (c) => c === 400, kind: 'rejected', say: 'Telegram refused the request' },
  // "Unauthorized: invalid token specified" (401); a token the server does not route is "Not Found" (404).
  // @see https://core.telegram.org/bots/api#authorizing-your-bot
  { when: (c) => c === 401 || c === 404, kind: 'auth', say: `Telegram rejected the bot token: ${AUTH_HINT}` },
  // "Internal Server Error" and gateway errors: Telegram's side failed, retry later.
  // @see https://core.telegram.org/bots/api#making-requests
  { when: (c) => c >= 500, kind: 'transient', say: 'Telegram had a server error' },
  // Any other 4xx (e.g. 409 Conflict) will not succeed by retrying the same call.
  { when: (c) => c >= 400 && c < 500, kind: 'rejected', say: 'Telegram refused the request' },
];

/**
 * Maps anything a Telegram call threw to a ChannelError, keeping it as `cause`. The bot token
 * never appears in the result: grammY's own messages omit it, and URLs in nested network errors
 * (`/bot<token>/…`) are scrubbed in place before they are kept.
 * @see https://core.telegram.org/bots/api#making-requests
 */
export function toChannelError(error: unknown): ChannelError {
  if (error instanceof ChannelError) return error;
  if (error instanceof GrammyError) {
    const rule = RULES.find((r) => r.when(error.error_code, error.description));
    const retryAfter = error.parameters.retry_after;
    return new ChannelError(
      'telegram',
      rule?.kind ?? 'transient',
      `${rule?.say ?? 'Telegram call failed'} (${error.error_code}: ${error.description})`,
      { platformCode: error.error_code, ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter * 1000 }) },
      { cause: error },
    );
  }
  // grammY's HttpError (network, timeout, unreadable answer) and fetch's TypeError: the call may work later.
  scrub(error);
  return new ChannelError('telegram', 'transient', 'Telegram could not be reached (network error)', {}, { cause: error });
}

/**
 * Like {@link toChannelError}, for the calls that connect the channel (getMe, setWebhook,
 * deleteWebhook): a network failure names the Bot API root that could not be reached (TELEGRAM_API_ROOT,
 * never the token-bearing method URL) and says it is a network problem, not the token; a server
 * error names the root too. A rejected token keeps toChannelError's message naming TELEGRAM_BOT_TOKEN.
 * `code` overrides the network code found in the error (the caller knows its own timeout fired).
 */
export function toConnectError(error: unknown, apiRoot: string, code?: string): ChannelError {
  const mapped = toChannelError(error);
  if (mapped !== error && error instanceof GrammyError) {
    if (mapped.kind !== 'transient') return mapped;
    return new ChannelError(
      'telegram',
      'transient',
      `Telegram at ${displayUrl(apiRoot)} had a server error (${error.error_code}: ${error.description}) — not a bad token`,
      mapped.detail,
      { cause: error },
    );
  }
  if (mapped === error) return mapped;
  const cause = code ?? networkCause(error) ?? 'network error';
  return new ChannelError(
    'telegram',
    'transient',
    `could not reach Telegram at ${displayUrl(apiRoot)}: ${cause} — a network problem (proxy, DNS, firewall), not a bad token; check TELEGRAM_API_ROOT and this host's network`,
    {},
    { cause: error },
  );
}

/**
 * Maps a failed file download (an HTTP status from the file endpoint, not a Bot API error body).
 * @see https://core.telegram.org/bots/api#getfile
 */
export function toDownloadError(status: number): ChannelError {
  const kind: ChannelErrorKind = status === 429 ? 'rate_limited' : status >= 500 ? 'transient' : 'rejected';
  return new ChannelError('telegram', kind, `Telegram refused the file download (HTTP ${status})`, { platformCode: status });
}

const TOKEN_IN_URL = /\/bot[0-9]+:[A-Za-z0-9_-]+/g;

/** Removes `/bot<token>` from the messages and stacks of an error and its nested errors. */
function scrub(error: unknown, depth = 0): void {
  if (!(error instanceof Error) || depth > 4) return;
  error.message = error.message.replace(TOKEN_IN_URL, '/bot[redacted]');
  if (error.stack) error.stack = error.stack.replace(TOKEN_IN_URL, '/bot[redacted]');
  scrub(error.cause, depth + 1);
  if (error instanceof HttpError) scrub(error.error, depth + 1);
}
