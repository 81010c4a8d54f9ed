import type { Platform } from './messages.ts';

/** A setting is missing or malformed. The message names the variable and is shown as one line. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

/**
 * How a platform send failed, which decides what happens next:
 * - `transient`: network, 5xx: retry with backoff
 * - `rate_limited`: 429 or a platform throttle code: retry after `retryAfterMs`
 * - `window_closed`: outside the platform's reply window: the agent must do something else
 * - `unreachable`: recipient blocked the bot, deleted, unknown
 * - `rejected`: content refused (size, type, policy)
 * - `auth`: token invalid or expired: an admin must act
 */
export type ChannelErrorKind = 'transient' | 'rate_limited' | 'window_closed' | 'unreachable' | 'rejected' | 'auth';

/** A platform refused or failed a call. Adapters map platform codes to `kind` in their errors.ts. */
export class ChannelError extends Error {
  constructor(
    readonly platform: Platform,
    readonly kind: ChannelErrorKind,
    message: string,
    readonly detail: { readonly platformCode?: string | number; readonly retryAfterMs?: number } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ChannelError';
  }
}

/** The store is unreachable or failed. Never swallowed: a silent "no thread" would duplicate threads. */
export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/**
 * Slack refused to post in a Slack channel that Threadline cannot use: the bot is not a member, the
 * channel does not exist, or it is archived. The engine then opens the conversation in the default
 * channel instead of leaving the customer with nobody.
 */
export class SlackChannelUnavailableError extends Error {
  constructor(
    readonly slackChannelId: string,
    readonly reason: 'not_in_channel' | 'channel_not_found' | 'is_archived',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SlackChannelUnavailableError';
  }
}

/** Whether retrying the same call later can succeed. */
export function isRetryable(error: unknown): boolean {
  return error instanceof ChannelError && (error.kind === 'transient' || error.kind === 'rate_limited');
}

/**
 * Why a connection failed, as a short system code (`ECONNREFUSED`, `ENOTFOUND`, `ETIMEDOUT`,
 * `UND_ERR_CONNECT_TIMEOUT`…) or `timed out`, found anywhere in the error's chain; undefined when
 * there is none. Libraries wrap fetch's `TypeError: fetch failed` differently (`cause`, grammY's
 * HttpError `error`, Slack's WebAPIRequestError `original`), so all three links are followed.
 */
export function networkCause(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  for (let queue: unknown[] = [error]; queue.length > 0; ) {
    const current = queue.shift();
    if (typeof current !== 'object' || current === null || seen.has(current)) continue;
    seen.add(current);
    const { code, name, cause, error: inner, original, errors } = current as Record<string, unknown>;
    if (typeof code === 'string' && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(code)) return code;
    if (name === 'TimeoutError' || name === 'AbortError') return 'timed out';
    queue.push(cause, inner, original, ...(Array.isArray(errors) ? errors : []));
  }
  return undefined;
}
