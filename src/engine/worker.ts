/**
 * Drains the journal: each loop leases one conversation's queue, applies its jobs strictly in
 * order, acknowledges each only after it took effect, and keeps the lease alive while it works.
 * A job that fails is retried later with backoff (the conversation waits; nothing is skipped).
 * Several loops, and several instances on one Redis, drain different conversations in parallel.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '../channel.ts';
import type { Journal, JournalEntry, Store } from '../store/store.ts';
import { keys } from '../store/keys.ts';
import { type Job, jobId } from './jobs.ts';

/** How the worker paces itself. */
export interface WorkerOptions {
  /** Conversations drained in parallel by this instance. */
  readonly concurrency: number;
  /** A lease not renewed for this long is free for another worker (a crashed instance's work resumes then). */
  readonly leaseMs: number;
  /** Pause between looks at an empty journal (an in-process append wakes the worker at once). */
  readonly idleMs: number;
  /** Backoff before a failed job is tried again: doubles per attempt up to this. */
  readonly maxBackoffMs: number;
}

export const DEFAULT_WORKER_OPTIONS: WorkerOptions = { concurrency: 16, leaseMs: 10_000, idleMs: 500, maxBackoffMs: 5 * 60_000 };

/** Attempts after which a job failing with a programming error is set aside, so its conversation moves on. */
const BUG_ATTEMPTS = 5;
const PROCESSED_TTL_MS = 30 * 24 * 3600 * 1000;

/** Applies one job; throws to have it retried. The signal aborts when the lease was lost. */
export type JobHandler = (job: Job, signal: AbortSignal) => Promise<void>;

/** A running set of drain loops. */
export interface Worker {
  start(): void;
  /** Wakes up to `count` idle loops (call after an append in this process, one per queue appended to). */
  kick(count?: number): void;
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
}): Worker {
  const options = { ...DEFAULT_WORKER_OPTIONS, ...deps.options };
  const journal: Journal = deps.store.journal;
  const log = deps.logger;
  const instance = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  let running = false;
  let wakers: (() => void)[] = [];
  const loops: Promise<void>[] = [];

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakers = wakers.filter((w) => w !== done);
        resolve();
      }
      wakers.push(done);
    });

  async function loop(owner: string): Promise<void> {
    while (running) {
      try {
        const queue = await journal.lease(owner, options.leaseMs);
        if (queue === undefined) await sleep(options.idleMs);
        else await drain(queue, owner);
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

  /** true when the entry is done and the next one may follow. */
  async function runEntry(entry: JournalEntry<Job>, queue: string, owner: string, signal: AbortSignal): Promise<boolean> {
    const id = jobId(entry.payload);
    if (await deps.store.get(keys.processed(id))) {
      await journal.ack(queue, entry.id, owner);
      return true;
    }
    try {
      await deps.handle(entry.payload, signal);
    } catch (error) {
      if (signal.aborted) return false;
      const attempts = ((await deps.store.get<number>(keys.attempts(entry.id))) ?? 0) + 1;
      if (isBug(error) && attempts >= BUG_ATTEMPTS) {
        log.error({ err: error, queue, jobId: id, attempts }, 'job set aside after repeated programming errors');
        await deps.store.set(keys.deadLetter(entry.id), { job: entry.payload, error: String(error) });
      } else {
        const backoff = Math.min(options.maxBackoffMs, 500 * 2 ** Math.min(attempts, 20));
        log[attempts >= 5 ? 'error' : 'warn']({ err: error, queue, jobId: id, attempts, retryInMs: backoff }, 'job failed, will retry');
        deps.onRetry?.();
        await deps.store.set(keys.attempts(entry.id), attempts, PROCESSED_TTL_MS);
        await journal.release(queue, owner, backoff);
        return false;
      }
    }
    await deps.store.set(keys.processed(id), true, PROCESSED_TTL_MS);
    await journal.ack(queue, entry.id, owner);
    return true;
  }

  return {
    start() {
      if (running) return;
      running = true;
      for (let i = 0; i < options.concurrency; i++) loops.push(loop(`${instance}:${i}`));
    },
    kick(count = 1) {
      for (const wake of wakers.slice(0, count)) wake();
    },
    async stop() {
      running = false;
      for (const wake of [...wakers]) wake();
      await Promise.all(loops.splice(0));
    },
  };
}

function isBug(error: unknown): boolean {
  // undici reports network failures as TypeError('fetch failed'): those are outages, not bugs.
  if (error instanceof TypeError) return error.message !== 'fetch failed';
  return error instanceof ReferenceError || error instanceof SyntaxError || error instanceof RangeError;
}
