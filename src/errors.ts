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
 * Start-up failed for a reason the operator must fix outside Threadline's code: a token that Slack
 * refused, a service that cannot be reached, a port in use. The message is one line that says what
 * happened and what to do; `setting` is the variable to look at.
 */
export class StartupError extends Error {
  constructor(
    readonly setting: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StartupError';
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
    readonly detail: {
      readonly platformCode?: string | number;
      readonly retryAfterMs?: number;
      /**
       * Threadline itself refused before asking the platform (a file type the platform does not take,
       * PUBLIC_URL unset, no phone number known): the message says why and what to do, and the
       * platform never saw the message.
       */
      readonly local?: true;
    } = {},
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

/**
 * A Slack Web API call failed; the Slack side says what that means, as adapters do with ChannelError:
 * - `transient`: network, 5xx, or Slack's own `internal_error`/`service_unavailable`: retry with backoff
 * - `rate_limited`: HTTP 429 (or `ratelimited`): retry after `retryAfterMs`
 * - `rejected`: Slack refused this call (`msg_too_long`, `invalid_blocks`…): it will refuse it again
 * - `auth`: the bot token or its scopes were refused: an admin must act
 * The message says what failed and what to do; the WebClient's error is the cause.
 */
export class SlackApiError extends Error {
  constructor(
    readonly kind: 'transient' | 'rate_limited' | 'rejected' | 'auth',
    message: string,
    readonly detail: { readonly code?: string; readonly retryAfterMs?: number } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SlackApiError';
  }
}

/**
 * The code of the network failure behind an error, looked for along its cause chain (`cause`,
 * @slack/web-api's `original`, grammY's `error`, an AggregateError's `errors`): a system or undici
 * code such as `ECONNREFUSED`, `ENOTFOUND`, `ETIMEDOUT` or `UND_ERR_CONNECT_TIMEOUT`, or `timeout`
 * for an aborted-by-timeout request. Undefined when none is found.
 */
export function networkCause(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number): string | undefined => {
    if (typeof value !== 'object' || value === null || depth > 6 || seen.has(value)) return undefined;
    seen.add(value);
    const v = value as { code?: unknown; name?: unknown; cause?: unknown; original?: unknown; error?: unknown; errors?: unknown };
    if (v.name === 'TimeoutError') return 'timeout';
    if (typeof v.code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(v.code)) return v.code;
    for (const next of [v.cause, v.original, v.error, ...(Array.isArray(v.errors) ? v.errors : [])]) {
      const found = visit(next, depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return visit(error, 0);
}

/** A URL as it may be shown: without user name, password, query or fragment. */
export function displayUrl(url: string): string {
  const parsed = URL.parse(url);
  if (parsed === null) return url;
  parsed.username = '';
  parsed.password = '';
  parsed.search = '';
  parsed.hash = '';
  return parsed.href;
}
