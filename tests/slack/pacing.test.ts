/** The per-channel pacer with an injected clock and sleep: no real waiting, no timing assertions. */
import { describe, expect, it } from 'vitest';
import { createPacer, PacerClosedError, RATE_LIMITED_CODE } from '../../src/slack/pacing.ts';
import { captureLogger } from '../support/capture-logger.ts';

/** A clock that only moves when the pacer sleeps. */
function fakeTime() {
  const slept: number[] = [];
  let now = 1_000_000;
  return {
    slept,
    now: () => now,
    sleep: async (ms: number) => {
      slept.push(ms);
      now += ms;
    },
  };
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** What WebClient throws for a 429 when rejectRateLimitedCalls is on. */
const rateLimited = (retryAfter: number) =>
  Object.assign(new Error('A rate-limit has been reached'), { code: RATE_LIMITED_CODE, retryAfter });

describe('createPacer', () => {
  it('runs one channel’s calls one at a time, in the order they were queued', async () => {
    const time = fakeTime();
    const pacer = createPacer({ ...time, burst: 10 });
    const gate = deferred();
    const log: string[] = [];
    const first = pacer.run('C1', async () => {
      log.push('first:start');
      await gate.promise;
      log.push('first:end');
    });
    const second = pacer.run('C1', async () => {
      log.push('second');
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(log).toEqual(['first:start']);
    gate.resolve();
    await Promise.all([first, second]);
    expect(log).toEqual(['first:start', 'first:end', 'second']);
  });

  it('lets other channels proceed while one channel is busy', async () => {
    const pacer = createPacer(fakeTime());
    const gate = deferred();
    const blocked = pacer.run('C1', () => gate.promise);
    await expect(pacer.run('C2', async () => 'done')).resolves.toBe('done');
    gate.resolve();
    await blocked;
  });

  it('starts a channel with one call, not the burst: then one per second, counted from each answer', async () => {
    const time = fakeTime();
    const pacer = createPacer({ ...time, perSecond: 1, burst: 3 });
    await Promise.all([1, 2, 3, 4, 5].map((i) => pacer.run('C1', async () => i)));
    expect(time.slept).toEqual([1000, 1000, 1000, 1000]);
    await pacer.run('C2', async () => 0);
    expect(time.slept).toHaveLength(4);
  });

  it('earns the burst only from quiet time after Slack answered, never from time a call spent on its way', async () => {
    const time = fakeTime();
    const pacer = createPacer({ ...time, perSecond: 1, burst: 3 });
    // A slow answer: 5 s on the way. Those seconds earn nothing, so the next call waits a full second after it.
    await pacer.run('C1', () => time.sleep(5000));
    expect(pacer.wouldWait('C1')).toBe(true);
    await pacer.run('C1', async () => 'next');
    expect(time.slept).toEqual([5000, 1000]);
    // Then 10 quiet seconds after the answer earn the burst of 3 (no more), and a fourth call waits.
    await time.sleep(10_000);
    expect(pacer.wouldWait('C1')).toBe(false);
    await Promise.all([1, 2, 3, 4].map((i) => pacer.run('C1', async () => i)));
    expect(time.slept).toEqual([5000, 1000, 10_000, 1000]);
  });

  it('says a call would wait while calls are queued in its channel or no token is free', async () => {
    const time = fakeTime();
    const pacer = createPacer({ ...time, perSecond: 1, burst: 3 });
    expect(pacer.wouldWait('C1')).toBe(false);
    const gate = deferred();
    const running = pacer.run('C1', () => gate.promise);
    expect(pacer.wouldWait('C1')).toBe(true);
    expect(pacer.wouldWait('C2')).toBe(false);
    gate.resolve();
    await running;
    expect(pacer.wouldWait('C1')).toBe(true);
    await time.sleep(1000);
    expect(pacer.wouldWait('C1')).toBe(false);
  });

  it('on a rate limit waits Retry-After, retries the same call, and keeps the order of the rest', async () => {
    const time = fakeTime();
    const logs = captureLogger();
    const pacer = createPacer({ ...time, burst: 10, logger: logs.logger });
    const log: string[] = [];
    let failed = false;
    const results = await Promise.all([
      pacer.run('C1', async () => {
        log.push('a');
        if (!failed) {
          failed = true;
          throw rateLimited(4);
        }
        return 'a';
      }),
      pacer.run('C1', async () => {
        log.push('b');
        return 'b';
      }),
      pacer.run('C1', async () => {
        log.push('c');
        return 'c';
      }),
    ]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['a', 'a', 'b', 'c']);
    expect(time.slept[0]).toBe(4000);
    expect(
      logs
        .entries()
        .filter((e) => e.level === 40)
        .map((e) => e.msg),
    ).toEqual(['slack rate limited, waiting']);
  });

  it('gives up after maxAttempts with the rate-limit error, and the channel goes on', async () => {
    const time = fakeTime();
    const pacer = createPacer({ ...time, maxAttempts: 3 });
    let calls = 0;
    const error = await pacer
      .run('C1', async () => {
        calls += 1;
        throw rateLimited(1);
      })
      .catch((e: unknown) => e);
    expect(calls).toBe(3);
    expect(time.slept).toEqual([1000, 1000]); // Retry-After before each retry, none after the last attempt
    expect(error).toMatchObject({ code: RATE_LIMITED_CODE });
    await expect(pacer.run('C1', async () => 'next')).resolves.toBe('next');
  });

  it('when closed, finishes the call on its way and makes none of those still waiting for the pace', async () => {
    const time = fakeTime();
    const pacer = createPacer({ ...time, perSecond: 1, burst: 3 });
    const gate = deferred();
    const made: string[] = [];
    const first = pacer.run('C1', async () => {
      made.push('first');
      await gate.promise;
      return 'first';
    });
    const second = pacer.run('C1', async () => made.push('second'));
    const third = pacer.run('C2', async () => made.push('third'));
    await third;
    pacer.close();
    gate.resolve();
    await expect(first).resolves.toBe('first');
    await expect(second).rejects.toBeInstanceOf(PacerClosedError);
    await expect(pacer.run('C3', async () => made.push('late'))).rejects.toBeInstanceOf(PacerClosedError);
    expect(made).toEqual(['first', 'third']);
  });

  it('does not retry other errors', async () => {
    const pacer = createPacer(fakeTime());
    let calls = 0;
    await expect(
      pacer.run('C1', async () => {
        calls += 1;
        throw new Error('not_in_channel');
      }),
    ).rejects.toThrow('not_in_channel');
    expect(calls).toBe(1);
  });
});
