/**
 * Drains the journal: each loop leases one conversation's queue, applies its jobs strictly in
 * order, acknowledges each only after it took effect, and keeps the lease alive while it works.
 * A job that fails is retried later with backoff, while other conversations go on. When it fails
 * for a reason retrying does not fix (src/retry.ts: not a network failure, 5xx, rate limit, store
 * outage or refused token), it is tried a bounded number of times, then set aside in the
 * journal's parked list, so that its own conversation goes on too; an operator can replay it.
 * Several loops, and several instances on one Redis, drain different conversations in parallel.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '../channel.ts';
import { classifyFailure, exponentialBackoff, waitBefore } from '../retry.ts';
import { truncateGraphemes } from '../safe-text.ts';
import type { Journal, JournalEntry, Store, StoreWrite } from '../store/store.ts';
import { keys } from '../store/keys.ts';
import { type BufferedStore, bufferWrites } from '../store/write-buffer.ts';
import { type Job, jobId } from './jobs.ts';

/** How the worker paces itself. */
export interface WorkerOptions {
  /** Conversations drained in parallel by this instance. */
  readonly concurrency: number;
  /** A lease not renewed for this long is free for another worker (a crashed instance's work resumes then). */
  readonly leaseMs: number;
  /**
   * How often one idle loop of this process looks at an empty journal, for work it is not told
   * about: appended by another process or instance without a notification, or a retry delay
   * ending elsewhere. The other idle loops wait to be woken: by an append (in this process, or on
   * a store whose journal notifies), by a retry delay of this process ending, or by a loop that
   * found work.
   */
  readonly idleMs: number;
  /** Backoff before a failed job is tried again: 1 s, doubling per attempt up to this. */
  readonly maxBackoffMs: number;
  /**
   * Attempts after which a job that keeps failing for a reason retrying does not fix is set
   * aside (parked), so its conversation moves on. Outages are retried for as long as they last.
   */
  readonly parkAfterAttempts: number;
}

export const DEFAULT_WORKER_OPTIONS: WorkerOptions = {
  concurrency: 16,
  leaseMs: 10_000,
  // Each look wakes an idle process (about 0.1 ms of CPU): every 5 s, a crashed instance's queue
  // resumes at most 5 s after its lease expired.
  idleMs: 5000,
  maxBackoffMs: 5 * 60_000,
  parkAfterAttempts: 5,
};

const PROCESSED_TTL_MS = 30 * 24 * 3600 * 1000;
/** The longest reason kept with a parked entry and shown in Slack. */
const MAX_REASON = 300;

/**
 * The jobs queued right behind the one being applied, in its queue's order, for a handler that
 * applies a backlog together (consecutive customer messages as one Slack post).
 */
export interface Backlog {
  /**
   * Up to `limit` jobs that follow the current one, oldest first. The list stops before the first
   * job that already took effect or repeats one before it (a redelivery), so what it holds is new.
   */
  following(limit: number): Promise<readonly Job[]>;
}

/**
 * Applies one job; throws to have it retried. The signal aborts when the lease was lost. `store`
 * is the job's view of the store: its writes wait and are committed together (src/store/write-buffer.ts).
 * Returns how many of `backlog.following()` it applied as well (they are then recorded and
 * acknowledged with it, in order); nothing means none.
 */
export type JobHandler = (job: Job, signal: AbortSignal, store: BufferedStore, backlog: Backlog) => Promise<number | undefined>;

/** A job the worker set aside: its journal entry id (to replay it) and why. */
export interface ParkedJob {
  readonly job: Job;
  readonly entryId: string;
  readonly reason: string;
}

/** Failed attempts of one journal entry; `refused` counts those retrying cannot fix. */
interface Attempts {
  readonly failed: number;
  readonly refused: number;
}

/** A running set of drain loops. */
export interface Worker {
  start(): void;
  /** Lets running jobs finish, then stops. */
  stop(): Promise<void>;
}

/** Creates the journal worker. */
export function createWorker(deps: {
  store: Store;
  handle: JobHandler;
  logger: Logger;
  options?: Partial<WorkerOptions>;
  onRetry?: () => void;
  /** Tells the people concerned that a job was set aside (a notice in Slack). A failure here is logged, never retried. */
  onParked?: (parked: ParkedJob) => Promise<void>;
}): Worker {
  const options = { ...DEFAULT_WORKER_OPTIONS, ...deps.options };
  const backoff = exponentialBackoff(1000, options.maxBackoffMs);
  const journal: Journal = deps.store.journal;
  const log = deps.logger;
  const instance = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  let running = false;
  let wakers: (() => void)[] = [];
  const loops: Promise<void>[] = [];
  /** Whether one idle loop is already the one that looks again after idleMs. */
  let watching = false;
  /** The one timer that wakes a loop when the earliest retry delay of this process ends. */
  let retryTimer: { at: number; timer: NodeJS.Timeout } | undefined;

  /** Waits until woken, or at most ms (no timer when ms is undefined). */
  const sleep = (ms?: number) =>
    new Promise<void>((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakers = wakers.filter((w) => w !== done);
        resolve();
      }
      wakers.push(done);
    });
  const wake = (count = 1) => {
    for (const done of wakers.slice(0, count)) done();
  };
  /** Nothing to do: one idle loop looks again after idleMs, the others wait to be woken. */
  async function idle(): Promise<void> {
    if (watching) return sleep();
    watching = true;
    try {
      await sleep(options.idleMs);
    } finally {
      watching = false;
    }
  }
  /** A queue released with a delay becomes leasable then: wake a loop at the earliest such time. */
  function wakeAfter(delayMs: number): void {
    const at = Date.now() + delayMs;
    if (retryTimer !== undefined && retryTimer.at <= at) return;
    if (retryTimer !== undefined) clearTimeout(retryTimer.timer);
    const timer = setTimeout(() => {
      retryTimer = undefined;
      wake();
    }, delayMs + 5);
    timer.unref();
    retryTimer = { at, timer };
  }
  const unsubscribe = { current: undefined as (() => void) | undefined };

  async function loop(owner: string): Promise<void> {
    while (running) {
      try {
        const queue = await journal.lease(owner, options.leaseMs);
        if (queue === undefined) await idle();
        else {
          wake(); // there may be more: another idle loop looks
          await drain(queue, owner);
        }
      } catch (error) {
        log.error({ err: error }, 'journal unavailable, retrying');
        await sleep(Math.min(options.maxBackoffMs, 2000));
      }
    }
  }

  async function drain(queue: string, owner: string): Promise<void> {
    const lease = new AbortController();
    const heartbeat = setInterval(
      () => {
        journal.head(queue, owner, options.leaseMs).catch((error: unknown) => {
          log.warn({ err: error, queue }, 'lease lost');
          lease.abort(error);
        });
      },
      Math.max(50, Math.floor(options.leaseMs / 3)),
    );
    try {
      while (running && !lease.signal.aborted) {
        const entry = await journal.head(queue, owner, options.leaseMs);
        if (!entry) return;
        if (!(await runEntry(entry as JournalEntry<Job>, queue, owner, lease.signal))) return;
      }
      if (!lease.signal.aborted) await journal.release(queue, owner);
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** true when the entry is done (or set aside) and the next one may follow. */
  async function runEntry(entry: JournalEntry<Job>, queue: string, owner: string, signal: AbortSignal): Promise<boolean> {
    const id = jobId(entry.payload);
    if (await deps.store.get(keys.processed(id))) {
      await journal.ack(queue, entry.id, owner);
      return true;
    }
    let behind: JournalEntry<Job>[] = [];
    const backlog: Backlog = {
      async following(limit) {
        const entries = (await journal.peek(queue, owner, limit + 1)) as JournalEntry<Job>[];
        if (entries[0]?.id !== entry.id) return [];
        const seen = new Set([id]);
        behind = [];
        for (const next of entries.slice(1)) {
          const nextId = jobId(next.payload);
          if (seen.has(nextId) || (await deps.store.get(keys.processed(nextId)))) break;
          seen.add(nextId);
          behind.push(next);
        }
        return behind.map((e) => e.payload);
      },
    };
    const store = bufferWrites(deps.store);
    let taken = 0;
    try {
      const applied = (await deps.handle(entry.payload, signal, store, backlog)) ?? 0;
      taken = Math.max(0, Math.min(behind.length, applied));
    } catch (error) {
      // The lease was lost: whoever holds the queue now redoes the job (the intents keep it from
      // posting twice), and this worker's late records must not overwrite that worker's newer ones.
      if (signal.aborted) return false;
      // What the job recorded before it failed or was interrupted (posts made, links) is kept, as if written at once.
      await store.flush().catch((flushError: unknown) => log.warn({ err: flushError, queue }, 'records of a failed job not kept'));
      if (!running) {
        // Stopping (a Slack call not made, say): not an attempt that failed. The next start tries it again.
        log.debug({ err: error, queue, entryId: entry.id }, 'job interrupted by stop, left for the next start');
        await journal.release(queue, owner);
        return false;
      }
      return failed(entry, queue, owner, error);
    }
    // The job's last writes, the processed markers of every job applied together and their acks:
    // one commit, so all or none survive a crash. On a backend that applies a commit's writes one
    // after another (a Redis Cluster), the markers go the last one first and the head last, and all
    // before any ack: a crash in between leaves the head and a contiguous run behind it unrecorded,
    // which the replayed head (the handler sees the same plan) takes along again.
    const applied = [entry, ...behind.slice(0, taken)];
    await store.flush([
      ...[...applied]
        .reverse()
        .map((done): StoreWrite => ({ op: 'set', key: keys.processed(jobId(done.payload)), value: true, ttlMs: PROCESSED_TTL_MS })),
      ...applied.map((done): StoreWrite => ({ op: 'ack', queue, entryId: done.id, owner })),
    ]);
    return true;
  }

  /** Schedules the entry again, or sets it aside once it was refused often enough; true when set aside. */
  async function failed(entry: JournalEntry<Job>, queue: string, owner: string, error: unknown): Promise<boolean> {
    const failure = classifyFailure(error);
    const before = attemptsOf(await deps.store.get<Attempts | number>(keys.attempts(entry.id)));
    const attempts = { failed: before.failed + 1, refused: before.refused + (failure.kind === 'permanent' ? 1 : 0) };
    const context = { err: error, queue, jobId: jobId(entry.payload), entryId: entry.id, failure: failure.kind, attempts: attempts.failed };
    if (attempts.refused >= options.parkAfterAttempts) {
      await park(entry, queue, owner, error, context);
      return true;
    }
    // A rate limit waits what it asked for; an outage (or a refused token) backs off for as long as it lasts.
    const delay = waitBefore(failure, attempts.failed, { backoff }) ?? backoff(attempts.failed);
    const level = attempts.failed >= 5 ? 'error' : 'warn';
    const left = failure.kind === 'permanent' ? { setAsideAfter: options.parkAfterAttempts - attempts.refused } : {};
    log[level]({ ...context, retryInMs: delay, ...left }, 'job failed, will retry');
    deps.onRetry?.();
    await deps.store.set(keys.attempts(entry.id), attempts, PROCESSED_TTL_MS);
    await journal.release(queue, owner, delay);
    wakeAfter(delay);
    return false;
  }

  async function park(
    entry: JournalEntry<Job>,
    queue: string,
    owner: string,
    error: unknown,
    context: Record<string, unknown>,
  ): Promise<void> {
    const reason = reasonOf(error);
    await journal.park(queue, entry.id, owner, reason);
    log.error(context, 'job set aside after repeated failures: replay it with `threadline journal replay`');
    try {
      await deps.onParked?.({ job: entry.payload, entryId: entry.id, reason });
    } catch (noticeError) {
      log.error({ err: noticeError, queue, entryId: entry.id }, 'could not say in Slack that a job was set aside');
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      // One notifier for the process: an append (here, or on another instance where the store tells) wakes one idle loop.
      unsubscribe.current = journal.watch(() => wake());
      for (let i = 0; i < options.concurrency; i++) loops.push(loop(`${instance}:${i}`));
    },
    async stop() {
      running = false;
      unsubscribe.current?.();
      if (retryTimer !== undefined) clearTimeout(retryTimer.timer);
      retryTimer = undefined;
      wake(wakers.length);
      await Promise.all(loops.splice(0));
    },
  };
}

/** Reads an attempts record, including the plain count written before parking existed. */
function attemptsOf(stored: Attempts | number | undefined): Attempts {
  if (typeof stored === 'number') return { failed: stored, refused: 0 };
  return stored ?? { failed: 0, refused: 0 };
}

/** One line saying why, from the error's message (errors here say what failed and what to do). */
function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return truncateGraphemes(message.replace(/\s+/g, ' ').trim() || (error instanceof Error ? error.name : 'unknown error'), MAX_REASON);
}
