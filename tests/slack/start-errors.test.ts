/**
 * The words of a failed first call to Slack, for the failures the local fakes cannot produce (DNS,
 * timeouts, a proxy's 502, a wrong base URL). The error shapes are @slack/web-api's: `code`, and
 * `original` for a request error, `data.error` for a platform error, `statusCode` for an HTTP error.
 * @see https://docs.slack.dev/tools/node-slack-sdk/web-api#handle-errors
 */
import { describe, expect, it } from 'vitest';
import { explainSlackStartError } from '../../src/slack/start-errors.ts';

const context = { apiUrl: 'https://user:pw@slack.proxy.internal/api/', token: 'SLACK_BOT_TOKEN', method: 'auth.test' } as const;
const requestError = (original: Error) => ({
  code: 'slack_webapi_request_error',
  original,
  message: `A request error occurred: ${original.message}`,
});
const systemError = (code: string) => Object.assign(new Error(`${code} slack.proxy.internal`), { code });

describe('explainSlackStartError', () => {
  it('DNS failure: the URL (without credentials) and the code, a network problem, retried', () => {
    const problem = explainSlackStartError(requestError(new TypeError('fetch failed', { cause: systemError('ENOTFOUND') })), context);
    expect(problem).toMatchObject({ retryable: true, code: 'ENOTFOUND' });
    expect(problem.error.message).toBe(
      "could not reach Slack at https://slack.proxy.internal/api/: ENOTFOUND — a network problem (proxy, DNS, firewall), not a bad token; check SLACK_API_URL and this host's network",
    );
    expect(problem.error.setting).toBe('SLACK_API_URL');
  });

  it('a refused connection to one of several addresses (AggregateError) still has its code', () => {
    const aggregate = Object.assign(new AggregateError([systemError('ECONNREFUSED'), systemError('ECONNREFUSED')], ''), {
      code: 'ECONNREFUSED',
    });
    expect(explainSlackStartError(requestError(new TypeError('fetch failed', { cause: aggregate })), context).code).toBe('ECONNREFUSED');
  });

  it('a timeout says timeout', () => {
    const problem = explainSlackStartError(
      requestError(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
      context,
    );
    expect(problem.error.message).toMatch(/^could not reach Slack at https:\/\/slack\.proxy\.internal\/api\/: timeout — a network problem/);
  });

  it.each(['invalid_auth', 'not_authed', 'token_revoked', 'account_inactive'])('%s: the token was refused, never retried', (slackError) => {
    const problem = explainSlackStartError({ code: 'slack_webapi_platform_error', data: { ok: false, error: slackError } }, context);
    expect(problem.retryable).toBe(false);
    expect(problem.error.message).toMatch(
      new RegExp(`^Slack refused SLACK_BOT_TOKEN \\(${slackError}\\): set it to the Bot User OAuth Token`),
    );
    expect(problem.error.setting).toBe('SLACK_BOT_TOKEN');
  });

  it('another platform error is named, not called a refused token', () => {
    const problem = explainSlackStartError(
      { code: 'slack_webapi_platform_error', data: { ok: false, error: 'team_added_to_org' } },
      context,
    );
    expect(problem.error.message).toBe(
      'Slack answered auth.test with the error team_added_to_org (Slack at https://slack.proxy.internal/api/)',
    );
  });

  it('a 502 from a proxy is retried and not blamed on the token; a 404 points at SLACK_API_URL', () => {
    const bad = explainSlackStartError({ code: 'slack_webapi_http_error', statusCode: 502 }, context);
    expect(bad).toMatchObject({ retryable: true });
    expect(bad.error.message).toMatch(/answered HTTP 502 to auth\.test: .*not a bad token/);
    const wrong = explainSlackStartError({ code: 'slack_webapi_http_error', statusCode: 404 }, context);
    expect(wrong).toMatchObject({ retryable: false });
    expect(wrong.error.message).toMatch(/answered HTTP 404 to auth\.test: SLACK_API_URL must be Slack's Web API base URL/);
  });
});
