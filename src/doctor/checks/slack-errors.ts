/**
 * A failed Web API call, worded for the operator. The point is to tell the causes apart: an
 * unreachable Slack is a network problem and never a reason to replace a token that may be fine.
 * @see https://docs.slack.dev/tools/node-slack-sdk/web-api (errors: platform, request, HTTP, rate limited)
 */
import { webApi } from '@slack/bolt';
import { explainSlackStartError, TOKEN_REFUSED } from '../../slack/start-errors.ts';
import { fail, type CheckResult } from '../results.ts';

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

/**
 * A `fail` for a Web API call that threw, worded as at start-up ({@link explainSlackStartError}):
 * a refused token names its variable, an unreachable Slack is a network problem. Other Slack errors
 * (about a channel, say) name the method and where Slack explains the code.
 */
export function slackFailure(error: unknown, { method, subject, apiUrl }: SlackCall): CheckResult {
  const code = slackErrorCode(error);
  if (code !== undefined && !TOKEN_REFUSED.has(code)) {
    return fail(subject, `Slack answered ${method} with ${code}: https://docs.slack.dev/reference/methods/${method} says what it means`);
  }
  const token = subject === 'SLACK_APP_TOKEN' ? 'SLACK_APP_TOKEN' : 'SLACK_BOT_TOKEN';
  const { error: explained } = explainSlackStartError(error, { apiUrl, token, method });
  return fail(code === undefined ? 'Slack' : token, explained.message);
}
