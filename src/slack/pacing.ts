/**
 * Paces Slack writes per Slack channel. chat.postMessage allows "generally 1 message per second per
 * channel, short bursts allowed"; over the limit Slack answers HTTP 429 with `Retry-After` seconds.
 * A backlog never reorders one channel's calls, so a conversation's messages stay in order.
 * @see https://docs.slack.dev/apis/web-api/rate-limits
 */
import type { Logger } from 'pino';
import { retry } from '../retry.ts';

/** Runs Slack calls one at a time per Slack channel, at a steady rate, retrying on Retry-After. */
export interface Pacer {
  /**
   * Runs `fn` after every call queued earlier for `slackChannelId` has settled and a rate token is
   * free. On a Slack rate-limit error it waits `Retry-After` and calls `fn` again (bounded); any
   * other error, or the last rate-limit error, rejects the returned promise.
   */
  run<T>(slackChannelId: string, fn: () => Promise<T>): Promise<T>;
  /** Whether a call for `slackChannelId` queued now would wait: calls are queued before it, or no token is free. */
  wouldWait(slackChannelId: string): boolean;
  /**
   * Stops: calls still waiting for their turn (or for Retry-After) are never made and reject with
   * PacerClosedError, so a stopping service does not wait out Slack's pace; calls already sent finish.
   */
  close(): void;
}

/** A call the pacer did not make because it was closed (the service is stopping); its job is tried again after the restart. */
export class PacerClosedError extends Error {
  constructor() {
    super('Slack call not made: the service is stopping');
    this.name = 'PacerClosedError';
  }
}

/** Options for {@link createPacer}; `now` and `sleep` let tests drive time. */
export interface PacerOptions {
  /** Sustained calls per second per Slack channel (default 1). */
  readonly perSecond?: number;
  /**
   * Calls that may go out back to back after a quiet period (default 3). A channel this pacer has
   * not heard Slack answer for starts with one: another process may have just spent its burst.
   */
  readonly burst?: number;
  /** Tries per call when Slack keeps answering 429 (default 5). */
  readonly maxAttempts?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly logger?: Logger;
}

/** The error `@slack/web-api` throws for a 429 when `rejectRateLimitedCalls` is on. */
export const RATE_LIMITED_CODE = 'slack_webapi_rate_limited_error';

/** Seconds Slack asked to wait, when `error` is a WebClient rate-limit error. */
export function retryAfterSeconds(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, retryAfter } = error as { code?: unknown; retryAfter?: unknown };
  if (code !== RATE_LIMITED_CODE) return undefined;
  return typeof retryAfter === 'number' && Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : 1;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Calls `fn`, and on a Slack rate-limit error waits `Retry-After` and calls it again, at most
 * `maxAttempts` times in all. Any other error is thrown at once: the WebClient already retried
 * network failures and 5xx, and Slack's refusals do not change. For calls that need no
 * per-channel pacing (reads), and inside the pacer.
 */
export async function retryRateLimited<T>(
  fn: () => Promise<T>,
  options: {
    readonly maxAttempts?: number;
    readonly sleep?: (ms: number) => Promise<void>;
    readonly logger?: Logger;
    readonly key?: string;
  } = {},
): Promise<T> {
  const sleep = options.sleep ?? defaultSleep;
  return retry(fn, {
    attempts: options.maxAttempts ?? 5,
    backoff: () => 1000, // unused: only rate limits are retried, and Slack says how long to wait
    classify: (error) => {
      const seconds = retryAfterSeconds(error);
      return seconds === undefined ? { kind: 'permanent' } : { kind: 'rate_limited', retryAfterMs: seconds * 1000 };
    },
    sleep: (ms) => sleep(ms),
    onRetry: ({ attempt, waitMs }) =>
      options.logger?.warn({ slackChannelId: options.key, retryAfterSeconds: waitMs / 1000, attempt }, 'slack rate limited, waiting'),
  });
}

interface Lane {
  tail: Promise<unknown>;
  /** Calls queued or running. */
  pending: number;
  tokens: number;
  updatedAt: number;
}

/**
 * Creates a token-bucket pacer: up to `burst` tokens per Slack channel, refilled at `perSecond`.
 *
 * Slack counts a post when it receives it, and we only know it was received by the time it is
 * answered. So the bucket refills from each answer, not from each send: the next call leaves at
 * least 1/perSecond after Slack answered the previous one, and therefore arrives at least that long
 * after it, however long the previous one spent on the way. A new lane starts with one token, not
 * the burst: the burst is only spent on time this pacer saw pass after Slack's answers, never on the
 * first calls after a start, when another process (an instance before a restart) may have just
 * used the channel's allowance.
 */
export function createPacer(options: PacerOptions = {}): Pacer {
  const perSecond = options.perSecond ?? 1;
  const burst = Math.max(1, options.burst ?? 3);
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const lanes = new Map<string, Lane>();
  let closed = false;
  const open = () => {
    if (closed) throw new PacerClosedError();
  };

  const refill = (lane: Lane) => {
    const t = now();
    lane.tokens = Math.min(burst, lane.tokens + (Math.max(0, t - lane.updatedAt) / 1000) * perSecond);
    lane.updatedAt = t;
  };

  const takeToken = async (lane: Lane) => {
    refill(lane);
    while (lane.tokens < 1) {
      await sleep(Math.ceil(((1 - lane.tokens) / perSecond) * 1000));
      open();
      refill(lane);
    }
    lane.tokens -= 1;
  };

  const execute = async <T>(lane: Lane, key: string, fn: () => Promise<T>): Promise<T> => {
    open();
    await takeToken(lane);
    try {
      return await retryRateLimited(fn, {
        maxAttempts: options.maxAttempts ?? 5,
        logger: options.logger,
        key,
        sleep: async (ms) => {
          await sleep(ms);
          open();
          // Slack just said this channel is over its limit: start the bucket empty again.
          lane.tokens = 0;
          lane.updatedAt = now();
        },
      });
    } finally {
      // Slack answered (or the call failed): the time the call was on its way earns no token; the
      // next one is earned from now.
      lane.updatedAt = now();
    }
  };

  return {
    run<T>(slackChannelId: string, fn: () => Promise<T>): Promise<T> {
      let lane = lanes.get(slackChannelId);
      if (lane === undefined) {
        lane = { tail: Promise.resolve(), pending: 0, tokens: 1, updatedAt: now() };
        lanes.set(slackChannelId, lane);
      }
      const current = lane;
      current.pending += 1;
      const result = current.tail
        .then(() => execute(current, slackChannelId, fn))
        .finally(() => {
          current.pending -= 1;
        });
      current.tail = result.catch(() => undefined);
      return result;
    },
    close() {
      closed = true;
    },
    wouldWait(slackChannelId: string): boolean {
      const lane = lanes.get(slackChannelId);
      if (lane === undefined) return false;
      if (lane.pending > 0) return true;
      refill(lane);
      return lane.tokens < 1;
    },
  };
}
