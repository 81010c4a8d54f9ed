/**
 * What a failed Web API call means for retrying it: the WebClient's error, read into a
 * SlackApiError `kind` (the engine and src/retry.ts act on the kind, never on Slack's codes).
 * @see https://docs.slack.dev/tools/node-slack-sdk/web-api#handle-errors
 * @see https://docs.slack.dev/reference/methods/chat.postMessage#errors
 */
import { webApi } from '@slack/bolt';
import { SlackApiError } from '../errors.ts';
import { retryAfterSeconds } from './pacing.ts';

/** Slack's own "try again later" answers (HTTP 200, `ok: false`). */
const TRANSIENT_CODES = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);
/** The bot token, or what it may do, was refused: every call fails until an admin acts. */
const AUTH_CODES = new Set([
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'token_expired',
  'account_inactive',
  'missing_scope',
  'not_allowed_token_type',
  'no_permission',
  'ekm_access_denied',
  'team_access_not_granted',
]);

/**
 * The error SlackPort throws for a failed call: `message` (what failed and what to do), the kind,
 * Slack's code and Retry-After, and the WebClient's error as cause.
 */
export function toSlackApiError(message: string, error: unknown, code: string | undefined): SlackApiError {
  const seconds = retryAfterSeconds(error);
  const detail = { ...(code === undefined ? {} : { code }), ...(seconds === undefined ? {} : { retryAfterMs: seconds * 1000 }) };
  return new SlackApiError(slackFailureKind(error, code), message, detail, { cause: error });
}

/** The kind of a WebClient failure; `code` is Slack's error code when it answered `ok: false`. */
export function slackFailureKind(error: unknown, code: string | undefined): SlackApiError['kind'] {
  if (retryAfterSeconds(error) !== undefined || code === 'ratelimited') return 'rate_limited';
  if (code !== undefined) return TRANSIENT_CODES.has(code) ? 'transient' : AUTH_CODES.has(code) ? 'auth' : 'rejected';
  const {
    code: clientCode,
    statusCode,
    original,
  } = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    statusCode?: unknown;
    original?: unknown;
  };
  if (clientCode === webApi.ErrorCode.HTTPError) return typeof statusCode === 'number' && statusCode >= 500 ? 'transient' : 'rejected';
  // A request error is a network failure, unless the request could not even be built (a bug, or
  // text Slack's client cannot encode): that fails the same way every time.
  if (clientCode === webApi.ErrorCode.RequestError) return isProgrammingError(original) ? 'rejected' : 'transient';
  return 'rejected';
}

function isProgrammingError(error: unknown): boolean {
  if (error instanceof TypeError) return error.message !== 'fetch failed';
  return error instanceof URIError || error instanceof RangeError || error instanceof SyntaxError || error instanceof ReferenceError;
}
