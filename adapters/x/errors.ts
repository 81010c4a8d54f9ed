/** X failures → ChannelError. The one table from X API answers to what happens next. */
import { ApiPartialResponseError, ApiRequestError, ApiResponseError } from 'twitter-api-v2';
import { ChannelError, displayUrl, networkCause, type ChannelErrorKind } from '../../src/errors.ts';

export const AUTH_HINT = 'set X_APP_KEY, X_APP_SECRET, X_ACCESS_TOKEN and X_ACCESS_SECRET to the keys and tokens of the app and account';

interface Rule {
  readonly when: (status: number, type: string) => boolean;
  readonly kind: ChannelErrorKind;
  readonly say: string;
}

/**
 * First match wins. X v2 answers errors as problem objects `{ title, detail, type, status }`.
 * @see https://docs.x.com/x-api/fundamentals/response-codes-and-errors
 */
const RULES: readonly Rule[] = [
  // "Too Many Requests": the x-rate-limit-reset header says when the window resets (epoch seconds).
  // @see https://docs.x.com/x-api/fundamentals/rate-limits
  { when: (s) => s === 429, kind: 'rate_limited', say: 'X rate limit reached' },
  // "Unauthorized": missing or wrong OAuth credentials. @see https://docs.x.com/x-api/fundamentals/response-codes-and-errors
  { when: (s) => s === 401, kind: 'auth', say: `X rejected the credentials: ${AUTH_HINT}` },
  // client-forbidden: the app is not attached to a Project, or its access level lacks the endpoint.
  // @see https://docs.x.com/x-api/fundamentals/response-codes-and-errors (type .../2/problems/client-forbidden)
  {
    when: (s, t) => s === 403 && t.endsWith('/client-forbidden'),
    kind: 'auth',
    say: 'X refused the app access to Direct Messages: give the app an access level with DM endpoints, and Read, write and Direct Messages permissions',
  },
  // A 403 on a DM send: the recipient does not accept DMs from this account (privacy settings, block).
  // @see https://docs.x.com/x-api/direct-messages/manage/integrate
  { when: (s) => s === 403, kind: 'unreachable', say: 'X refuses direct messages to this person' },
  { when: (s) => s === 404, kind: 'unreachable', say: 'X does not know this user' },
  // Media or text refused (size, type, length).
  { when: (s) => s === 400 || s === 413 || s === 422, kind: 'rejected', say: 'X refused the request' },
  { when: (s) => s >= 500, kind: 'transient', say: 'X had a server error' },
  { when: (s) => s >= 400 && s < 500, kind: 'rejected', say: 'X refused the request' },
];

/**
 * Maps anything a twitter-api-v2 call threw to a ChannelError, keeping it as `cause`. A 429 carries
 * `retryAfterMs` until `x-rate-limit-reset` (at least one second) on the `now` clock.
 */
export function toChannelError(error: unknown, now: () => number = Date.now): ChannelError {
  if (error instanceof ChannelError) return error;
  if (error instanceof ApiResponseError) {
    const data = (typeof error.data === 'object' && error.data !== null ? error.data : {}) as {
      type?: unknown;
      detail?: unknown;
      title?: unknown;
    };
    const type = typeof data.type === 'string' ? data.type : '';
    const rule = RULES.find((r) => r.when(error.code, type));
    const words = typeof data.detail === 'string' ? data.detail : typeof data.title === 'string' ? data.title : '';
    const retryAfterMs = error.code === 429 ? retryAfter(error, now) : undefined;
    return new ChannelError(
      'x',
      rule?.kind ?? 'transient',
      `${rule?.say ?? 'X call failed'} (${error.code}${words ? `: ${words.slice(0, 200)}` : ''})`,
      { platformCode: error.code, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) },
      { cause: error },
    );
  }
  if (error instanceof ApiRequestError || error instanceof ApiPartialResponseError) {
    return new ChannelError('x', 'transient', 'X could not be reached (network error)', {}, { cause: error });
  }
  return new ChannelError('x', 'transient', 'X call failed', {}, { cause: error });
}

/** Like {@link toChannelError}, for the calls that connect the channel: a network failure names X_API_ROOT. */
export function toConnectError(error: unknown, apiRoot: string, now: () => number = Date.now): ChannelError {
  const mapped = toChannelError(error, now);
  if (mapped.kind !== 'transient' || mapped.detail.platformCode !== undefined) return mapped;
  const cause = networkCause(error instanceof ApiRequestError ? error.requestError : error) ?? 'network error';
  return new ChannelError(
    'x',
    'transient',
    `could not reach X at ${displayUrl(apiRoot)}: ${cause} — a network problem (proxy, DNS, firewall), not bad credentials; check X_API_ROOT and this host's network`,
    {},
    { cause: error },
  );
}

/** @see https://docs.x.com/x-api/fundamentals/rate-limits (x-rate-limit-reset: "the remaining window before the rate limit resets, in UTC epoch seconds") */
function retryAfter(error: ApiResponseError, now: () => number): number {
  const header = error.headers?.['x-rate-limit-reset'];
  const reset = Number(Array.isArray(header) ? header[0] : header);
  if (!Number.isFinite(reset) || reset <= 0) return 60_000;
  return Math.max(1000, reset * 1000 - now());
}
