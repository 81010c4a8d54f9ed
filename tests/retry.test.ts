/** The one retry policy, with a recording sleep: attempts made and waits asked for, no real waiting. */
import { describe, expect, it } from 'vitest';
import { ChannelError, SlackApiError, SlackChannelUnavailableError, StoreError } from '../src/errors.ts';
import { classifyFailure, exponentialBackoff, retry, type RetryOptions } from '../src/retry.ts';

const telegram = (kind: ChannelError['kind'], retryAfterMs?: number) =>
  new ChannelError('telegram', kind, kind, retryAfterMs === undefined ? {} : { retryAfterMs });

/** Runs `retry` over a script of outcomes (an error to throw, or a value), recording every wait. */
async function run(script: readonly unknown[], options: Partial<RetryOptions> = {}) {
  const waits: number[] = [];
  let attempts = 0;
  const result = await retry(
    async (attempt) => {
      attempts = attempt;
      const outcome = script[attempt - 1];
      if (outcome instanceof Error) throw outcome;
      return outcome;
    },
    { attempts: 5, backoff: exponentialBackoff(100, 1000), sleep: async (ms) => void waits.push(ms), ...options },
  ).then(
    (value): { value?: unknown; error?: unknown } => ({ value }),
    (error: unknown): { value?: unknown; error?: unknown } => ({ error }),
  );
  return { ...result, attempts, waits };
}

describe('retry', () => {
  it('retries transient failures with a doubling backoff, then resolves', async () => {
    const outcome = await run([telegram('transient'), telegram('transient'), telegram('transient'), 'sent']);
    expect(outcome).toEqual({ value: 'sent', attempts: 4, waits: [100, 200, 400] });
  });

  it('waits exactly what a rate limit asked for, with no backoff on top', async () => {
    const outcome = await run([telegram('rate_limited', 3000), telegram('transient'), 'sent']);
    expect(outcome.waits).toEqual([3000, 200]);
    expect(outcome.value).toBe('sent');
  });

  it('backs off on a rate limit that says no time, and gives up on one longer than maxRetryAfterMs', async () => {
    expect((await run([telegram('rate_limited'), 'ok'])).waits).toEqual([100]);
    const tooLong = await run([telegram('rate_limited', 120_000), 'ok'], { maxRetryAfterMs: 60_000 });
    expect(tooLong).toMatchObject({ attempts: 1, waits: [], error: { kind: 'rate_limited' } });
  });

  it.each(['window_closed', 'unreachable', 'rejected', 'auth'] as const)('stops at once on a %s ChannelError', async (kind) => {
    const outcome = await run([telegram(kind), 'never']);
    expect(outcome).toMatchObject({ attempts: 1, waits: [], error: { kind } });
  });

  it('does not wait after the last attempt, and rejects with the last failure', async () => {
    const last = telegram('transient');
    const outcome = await run([telegram('transient'), telegram('transient'), last], { attempts: 3 });
    expect(outcome).toEqual({ error: last, attempts: 3, waits: [100, 200] });
  });

  it('caps the backoff at its maximum', async () => {
    const outcome = await run(
      Array.from({ length: 7 }, () => new StoreError('down')),
      { attempts: 7 },
    );
    expect(outcome.waits).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('makes no attempt when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('lease lost'));
    const outcome = await run(['never'], { signal: controller.signal });
    expect(outcome).toMatchObject({ attempts: 0, waits: [], error: { message: 'lease lost' } });
  });

  it('stops at once when the signal aborts during a wait, with the failure that came before', async () => {
    const controller = new AbortController();
    const first = telegram('transient');
    const outcome = await run([first, 'never'], { signal: controller.signal, sleep: async () => controller.abort() });
    expect(outcome).toEqual({ error: first, attempts: 1, waits: [] });
  });

  it('stops when the signal aborted during the attempt, without waiting', async () => {
    const controller = new AbortController();
    const waits: number[] = [];
    const failure = telegram('transient');
    const error = await retry(
      async () => {
        controller.abort();
        throw failure;
      },
      {
        attempts: 5,
        backoff: () => 100,
        signal: controller.signal,
        sleep: async (ms) => void waits.push(ms),
      },
    ).catch((e: unknown) => e);
    expect(error).toBe(failure);
    expect(waits).toEqual([]);
  });

  it('takes a classifier of its own, and reports each retry', async () => {
    const retries: unknown[] = [];
    const outcome = await run([new Error('anything'), new Error('anything'), 'ok'], {
      classify: () => ({ kind: 'transient' }),
      onRetry: ({ attempt, waitMs, failure }) => retries.push({ attempt, waitMs, kind: failure.kind }),
    });
    expect(outcome.value).toBe('ok');
    expect(retries).toEqual([
      { attempt: 1, waitMs: 100, kind: 'transient' },
      { attempt: 2, waitMs: 200, kind: 'transient' },
    ]);
  });

  it('retries until it works with attempts: Infinity', async () => {
    const outcome = await run([...Array.from({ length: 20 }, () => telegram('transient')), 'ok'], { attempts: Infinity });
    expect(outcome).toMatchObject({ value: 'ok', attempts: 21 });
  });
});

describe('classifyFailure', () => {
  it('reads ChannelError and SlackApiError kinds, with the wait a rate limit asked for', () => {
    expect(classifyFailure(telegram('transient'))).toEqual({ kind: 'transient' });
    expect(classifyFailure(telegram('rate_limited', 5000))).toEqual({ kind: 'rate_limited', retryAfterMs: 5000 });
    expect(classifyFailure(telegram('auth'))).toEqual({ kind: 'auth' });
    expect(classifyFailure(telegram('unreachable'))).toEqual({ kind: 'permanent' });
    expect(classifyFailure(new SlackApiError('rate_limited', 'slow', { retryAfterMs: 2000 }))).toEqual({
      kind: 'rate_limited',
      retryAfterMs: 2000,
    });
    expect(classifyFailure(new SlackApiError('rejected', 'msg_too_long'))).toEqual({ kind: 'permanent' });
    expect(classifyFailure(new SlackApiError('auth', 'invalid_auth'))).toEqual({ kind: 'auth' });
  });

  it('counts store and network failures as transient, looking through causes', () => {
    expect(classifyFailure(new StoreError('Redis is unreachable'))).toEqual({ kind: 'transient' });
    expect(classifyFailure(new TypeError('fetch failed'))).toEqual({ kind: 'transient' });
    expect(classifyFailure(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toEqual({ kind: 'transient' });
    expect(classifyFailure(new Error('wrapped', { cause: new StoreError('down') }))).toEqual({ kind: 'transient' });
  });

  it('counts anything else as permanent: a plain error, a bug, a channel Threadline cannot use', () => {
    expect(classifyFailure(new Error('slack down'))).toEqual({ kind: 'permanent' });
    expect(classifyFailure(new URIError('URI malformed'))).toEqual({ kind: 'permanent' });
    expect(classifyFailure(new TypeError("Cannot read properties of undefined (reading 'ts')"))).toEqual({ kind: 'permanent' });
    expect(classifyFailure(new SlackChannelUnavailableError('C1', 'not_in_channel', 'not_in_channel'))).toEqual({ kind: 'permanent' });
    expect(classifyFailure('a string')).toEqual({ kind: 'permanent' });
  });
});
