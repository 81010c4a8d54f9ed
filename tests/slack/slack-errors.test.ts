/** What a failed Web API call means for retrying it, on the errors the real WebClient throws. */
import { webApi } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { slackFailureKind, toSlackApiError } from '../../src/slack/slack-errors.ts';

const coded = (code: string, fields: Record<string, unknown> = {}) => Object.assign(new Error(code), { code, ...fields });
const platform = (error: string) => coded(webApi.ErrorCode.PlatformError, { data: { ok: false, error } });

describe('slackFailureKind', () => {
  it('reads a 429 and Slack\'s "ratelimited" as rate limits, with Retry-After', () => {
    const limited = coded(webApi.ErrorCode.RateLimitedError, { retryAfter: 7 });
    expect(slackFailureKind(limited, undefined)).toBe('rate_limited');
    expect(toSlackApiError('slow', limited, undefined)).toMatchObject({
      kind: 'rate_limited',
      detail: { retryAfterMs: 7000 },
      cause: limited,
    });
    expect(slackFailureKind(platform('ratelimited'), 'ratelimited')).toBe('rate_limited');
  });

  it('reads network failures, 5xx and Slack\'s own "try later" codes as transient', () => {
    expect(slackFailureKind(coded(webApi.ErrorCode.RequestError, { original: new TypeError('fetch failed') }), undefined)).toBe(
      'transient',
    );
    expect(slackFailureKind(coded(webApi.ErrorCode.HTTPError, { statusCode: 503 }), undefined)).toBe('transient');
    expect(slackFailureKind(platform('internal_error'), 'internal_error')).toBe('transient');
    expect(slackFailureKind(platform('service_unavailable'), 'service_unavailable')).toBe('transient');
  });

  it('reads a refused token or scope as auth, and every other refusal as rejected', () => {
    expect(slackFailureKind(platform('invalid_auth'), 'invalid_auth')).toBe('auth');
    expect(slackFailureKind(platform('missing_scope'), 'missing_scope')).toBe('auth');
    expect(slackFailureKind(platform('msg_too_long'), 'msg_too_long')).toBe('rejected');
    expect(slackFailureKind(platform('invalid_blocks'), 'invalid_blocks')).toBe('rejected');
    expect(slackFailureKind(coded(webApi.ErrorCode.HTTPError, { statusCode: 400 }), undefined)).toBe('rejected');
  });

  it('reads a request that could not even be encoded (URI malformed) as rejected, not as a network failure', () => {
    expect(slackFailureKind(coded(webApi.ErrorCode.RequestError, { original: new URIError('URI malformed') }), undefined)).toBe('rejected');
    expect(slackFailureKind(new Error('anything else'), undefined)).toBe('rejected');
  });
});
