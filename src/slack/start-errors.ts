/**
 * What went wrong when Threadline first talks to Slack, in words an operator can act on: a token
 * Slack refused (name the variable), Slack not reachable (name the URL: a network problem, not a
 * token), or Slack (or a proxy) answering with an HTTP error.
 * @see https://docs.slack.dev/reference/methods/auth.test (errors: invalid_auth, not_authed, account_inactive, token_revoked, …)
 * @see https://docs.slack.dev/tools/node-slack-sdk/web-api#handle-errors (slack_webapi_platform_error, slack_webapi_request_error, slack_webapi_http_error)
 */
import { displayUrl, networkCause, StartupError } from '../errors.ts';

/** Slack API errors that mean the token itself is wrong, revoked or of the wrong kind. */
export const TOKEN_REFUSED: ReadonlySet<string> = new Set([
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'token_expired',
  'account_inactive',
  'not_allowed_token_type',
]);

/** Where each token comes from, for the message that says it was refused. */
const TOKEN_HINTS = {
  SLACK_BOT_TOKEN:
    "set it to the Bot User OAuth Token (xoxb-…) from your Slack app's OAuth & Permissions page (reinstall the app if it was revoked)",
  SLACK_APP_TOKEN: 'set it to an app-level token (xapp-…) with connections:write, from Basic Information → App-Level Tokens',
} as const;

/** What one failed start-up call means. */
export interface SlackStartProblem {
  /** One line: what happened and what to do. */
  readonly error: StartupError;
  /** Whether trying again in a moment can help (network, 5xx, rate limit); never for a refused token. */
  readonly retryable: boolean;
  /** The network code (ECONNREFUSED, ENOTFOUND, timeout, …) when Slack could not be reached. */
  readonly code?: string;
}

interface SlackErrorShape {
  readonly code?: unknown;
  readonly data?: { readonly error?: unknown };
  readonly statusCode?: unknown;
  readonly retryAfter?: unknown;
  readonly original?: unknown;
  readonly message?: unknown;
}

/**
 * Explains an error thrown by a Web API call made at start-up with `token` (the variable's name),
 * against `apiUrl` (SLACK_API_URL). Any other error becomes a StartupError carrying its message (retryable: false).
 */
export function explainSlackStartError(
  error: unknown,
  context: { readonly apiUrl: string; readonly token: keyof typeof TOKEN_HINTS; readonly method: string },
): SlackStartProblem {
  const url = displayUrl(context.apiUrl);
  const e = (typeof error === 'object' && error !== null ? error : {}) as SlackErrorShape;
  const say = (setting: string, message: string) => new StartupError(setting, message, { cause: error });
  switch (e.code) {
    case 'slack_webapi_platform_error': {
      const slackError = String(e.data?.error ?? 'unknown_error');
      if (TOKEN_REFUSED.has(slackError)) {
        return {
          retryable: false,
          error: say(context.token, `Slack refused ${context.token} (${slackError}): ${TOKEN_HINTS[context.token]}`),
        };
      }
      return {
        retryable: false,
        error: say(context.token, `Slack answered ${context.method} with the error ${slackError} (Slack at ${url})`),
      };
    }
    case 'slack_webapi_request_error': {
      const code = networkCause(e.original) ?? networkCause(error);
      const detail = code ?? (e.original instanceof Error ? e.original.message : 'request failed');
      const message = `could not reach Slack at ${url}: ${detail} — a network problem (proxy, DNS, firewall), not a bad token; check SLACK_API_URL and this host's network`;
      return { retryable: true, error: say('SLACK_API_URL', message), ...(code === undefined ? {} : { code }) };
    }
    case 'slack_webapi_http_error': {
      const status = Number(e.statusCode);
      if (status >= 500) {
        return {
          retryable: true,
          error: say(
            'SLACK_API_URL',
            `Slack at ${url} answered HTTP ${status} to ${context.method}: Slack, or a proxy in between, failed — not a bad token`,
          ),
        };
      }
      return {
        retryable: false,
        error: say(
          'SLACK_API_URL',
          `Slack at ${url} answered HTTP ${status} to ${context.method}: SLACK_API_URL must be Slack's Web API base URL, such as https://slack.com/api/`,
        ),
      };
    }
    case 'slack_webapi_rate_limited_error':
      return { retryable: true, error: say(context.token, `Slack rate-limited ${context.method} (retry after ${String(e.retryAfter)} s)`) };
    default:
      return {
        retryable: false,
        error:
          error instanceof StartupError
            ? error
            : say(context.token, `Slack ${context.method} failed: ${error instanceof Error ? error.message : String(error)}`),
      };
  }
}
