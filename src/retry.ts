/**
 * The one retry policy: what a failure means (classifyFailure) and what to do about it (retry).
 * A transient failure (network, 5xx, a store outage) is tried again after an exponential backoff;
 * a rate limit waits exactly the time the other side asked for, nothing added; anything else
 * (refused content, an unreachable recipient, a bad token, a bug) stops at once, since the same
 * call would fail the same way. An aborted signal (a lost lease, a shutdown) stops at once, and
 * nothing waits after the last attempt.
 *
 * p-retry cannot wait exactly `Retry-After`: its backoff always follows `onFailedAttempt`, even
 * after the last attempt. This helper is small enough to own. It imports only the error types, so
 * the engine, the Slack side and the adapters share it.
 */
import { ChannelError, SlackApiError, SlackChannelUnavailableError, StoreError } from './errors.ts';

/**
 * - `transient`: may work later: retry with backoff
 * - `rate_limited`: retry after `retryAfterMs` (when known)
 * - `auth`: Threadline's own credentials were refused: nothing works until an admin acts
 * - `permanent`: this call will fail the same way again
 */
export type FailureKind = 'transient' | 'rate_limited' | 'auth' | 'permanent';

/** What a failure means for trying again. */
export interface Failure {
  readonly kind: FailureKind;
  /** How long the other side asked to wait, for `rate_limited`. */
  readonly retryAfterMs?: number;
}

const TRANSIENT: Failure = { kind: 'transient' };
const PERMANENT: Failure = { kind: 'permanent' };

/** Node's codes for a connection that failed or dropped. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * Classifies any error Threadline's calls throw: ChannelError and SlackApiError by their `kind`,
 * a store failure and a network failure as transient, everything else (a plain Error, a bug) as
 * permanent. Looks through `cause` when the error itself says nothing.
 */
export function classifyFailure(error: unknown): Failure {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth += 1) {
    if (e instanceof ChannelError || e instanceof SlackApiError) {
      const { retryAfterMs } = e.detail;
      switch (e.kind) {
        case 'transient':
          return TRANSIENT;
        case 'rate_limited':
          return retryAfterMs === undefined ? { kind: 'rate_limited' } : { kind: 'rate_limited', retryAfterMs };
        case 'auth':
          return { kind: 'auth' };
        default:
          return PERMANENT;
      }
    }
    if (e instanceof SlackChannelUnavailableError) return PERMANENT;
    if (e instanceof StoreError) return TRANSIENT;
    // undici reports a failed connection as TypeError('fetch failed'), with the reason as its cause.
    if (e instanceof TypeError && e.message === 'fetch failed') return TRANSIENT;
    if (e.name === 'TimeoutError') return TRANSIENT;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return TRANSIENT;
  }
  return PERMANENT;
}

/** The delay before retry `retry` (1 for the first retry): `baseMs`, doubling, at most `maxMs`. */
export function exponentialBackoff(baseMs: number, maxMs: number): (retry: number) => number {
  return (retry) => Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(retry - 1, 0), 30));
}

/** How {@link retry} tries. */
export interface RetryOptions {
  /** Tries in all, the first one included; `Infinity` for "until it works, stops for good, or is aborted". */
  readonly attempts: number;
  /** The delay before retry n after a transient failure (see {@link exponentialBackoff}). */
  readonly backoff: (retry: number) => number;
  /** A rate limit asking to wait longer than this is not waited out: the failure is thrown (default: no limit). */
  readonly maxRetryAfterMs?: number;
  /** Stops at once when aborted (a lost lease, a shutdown): no further try, no further wait. */
  readonly signal?: AbortSignal;
  /** What a failure means (default {@link classifyFailure}). */
  readonly classify?: (error: unknown) => Failure;
  /** Waits `ms`, or less when `signal` aborts (default: a timer). Tests pass a recorder. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Called before each wait, for logs. */
  readonly onRetry?: (retry: {
    readonly error: unknown;
    readonly attempt: number;
    readonly waitMs: number;
    readonly failure: Failure;
  }) => void;
}

/**
 * Calls `call` (with the attempt number, from 1) until it resolves, then resolves with its value.
 * Rejects with the last failure when it cannot be retried, when the attempts are used up, or when
 * `signal` aborts (with the signal's reason if no attempt was made yet).
 */
export async function retry<T>(call: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const classify = options.classify ?? classifyFailure;
  const sleep = options.sleep ?? abortableSleep;
  const { signal } = options;
  for (let attempt = 1; ; attempt += 1) {
    signal?.throwIfAborted();
    try {
      return await call(attempt);
    } catch (error) {
      const failure = classify(error);
      const waitMs = attempt < options.attempts ? waitBefore(failure, attempt, options) : undefined;
      if (waitMs === undefined || signal?.aborted) throw error;
      options.onRetry?.({ error, attempt, waitMs, failure });
      await sleep(waitMs, signal);
      if (signal?.aborted) throw error;
    }
  }
}

/** The wait before trying again after `attempt` failed with `failure`, or undefined when it must not be retried. */
export function waitBefore(
  failure: Failure,
  attempt: number,
  options: Pick<RetryOptions, 'backoff' | 'maxRetryAfterMs'>,
): number | undefined {
  switch (failure.kind) {
    case 'transient':
      return options.backoff(attempt);
    case 'rate_limited':
      if (failure.retryAfterMs === undefined) return options.backoff(attempt);
      return failure.retryAfterMs <= (options.maxRetryAfterMs ?? Infinity) ? failure.retryAfterMs : undefined;
    case 'auth':
    case 'permanent':
      return undefined;
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
