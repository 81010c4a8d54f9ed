/**
 * A failed Web API call, worded for the operator. The point is to tell the causes apart: an
 * unreachable Slack is a network problem and never a reason to replace a token that may be fine.
 * @see https://docs.slack.dev/tools/node-slack-sdk/web-api (errors: platform, request, HTTP, rate limited)
 */
import { webApi } from '@slack/bolt';
import { networkCause } from '../../errors.ts';
import { fail, innermostMessage, messageOf, type CheckResult } from '../results.ts';

/** auth.test's errors that mean the token itself is wrong. @see https://docs.slack.dev/reference/methods/auth.test */
const TOKEN_ERRORS = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'not_allowed_token_type']);

/** What to do about a refused token, per variable. */
const TOKEN_FIX: Record<string, string> = {
  SLACK_BOT_TOKEN: "set SLACK_BOT_TOKEN to the Bot User OAuth Token (xoxb-…) from your Slack app's OAuth & Permissions page (reinstall the app first if it was removed)",
  SLACK_APP_TOKEN: 'set SLACK_APP_TOKEN to an app-level token with connections:write (Basic Information → App-Level Tokens)',
};

/** The Web API's error code, when Slack answered `ok: false`. */
export function slackErrorCode(error: unknown): string | undefined {
  return error instanceof webApi.WebAPIPlatformError ? error.data.error : undefined;
}

/** The scope Slack says a call needed (`missing_scope` answers carry `needed`). */
export function neededScope(error: unknown): string | undefined {
  const needed = error instanceof webApi.WebAPIPlatformError ? (error.data as { needed?: unknown }).needed : undefined;
  return typeof needed === 'string' ? needed : undefined;
}

/** Which call failed, and what it was about (a variable, a channel) for the result's subject. */
export interface SlackCall {
  readonly method: string;
  readonly subject: string;
  readonly apiUrl: string;
}

/** A `fail` for a Web API call that threw. */
export function slackFailure(error: unknown, { method, subject, apiUrl }: SlackCall): CheckResult {
  if (error instanceof webApi.WebAPIRequestError) {
    const why = networkCause(error) ?? innermostMessage(error.original);
    return fail('Slack', `could not reach ${apiUrl} (${why}): a network problem, not a bad token: check SLACK_API_URL (default https://slack.com/api/), DNS, proxy and firewall`);
  }
  if (error instanceof webApi.WebAPIHTTPError) {
    return fail('Slack', `${apiUrl} answered HTTP ${error.statusCode} ${error.statusMessage}: Slack, or a proxy on the way, failed; this says nothing about the token: check that SLACK_API_URL is Slack's Web API (default https://slack.com/api/), or run threadline doctor again later`);
  }
  if (error instanceof webApi.WebAPIRateLimitedError) {
    return fail('Slack', `Slack rate-limited the check (retry after ${error.retryAfter} s): run threadline doctor again in a minute`);
  }
  const code = slackErrorCode(error);
  if (code !== undefined && TOKEN_ERRORS.has(code) && TOKEN_FIX[subject] !== undefined) {
    return fail(subject, `Slack refused the token (${code}): ${TOKEN_FIX[subject]}`);
  }
  if (code !== undefined) return fail(subject, `Slack answered ${method} with ${code}: https://docs.slack.dev/reference/methods/${method} says what it means`);
  return fail(subject, `${method} failed: ${messageOf(error)}`);
}
