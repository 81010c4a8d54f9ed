import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { createWorker, type JobHandler, type Worker } from '../../src/engine/worker.ts';
import type { Job } from '../../src/engine/jobs.ts';
import { createMemoryState, createMemoryStore } from '../../src/store/memory-store.ts';
import type { Store } from '../../src/store/store.ts';

const logger = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const started: Worker[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((worker) => worker.stop()));
});

const job = (n: number): Job => ({
  type: 'agent_command',
  requestId: `r${n}`,
  conversationId: 'telegram:bot:1',
  thread: { slackChannelId: 'C1', threadTs: '1.1' },
  command: { action: 'close', agentId: 'U1', slackChannelId: 'C1', messageTs: '1.1' },
});

/** A store whose journal.lease calls are counted. */
function counting(store: Store): { store: Store; leases: () => number } {
  let leases = 0;
  const journal = {
    ...store.journal,
    watch: store.journal.watch,
    lease: (owner: string, ms: number) => {
      leases++;
      return store.journal.lease(owner, ms);
    },
  };
  return { store: { ...store, journal }, leases: () => leases };
}

function start(store: Store, handle: JobHandler, options: Parameters<typeof createWorker>[0]['options']): Worker {
  const worker = createWorker({ store, handle, logger, options });
  worker.start();
  started.push(worker);
  return worker;
}

async function eventually(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met');
    await sleep(10);
  }
}

describe('worker: waking on work instead of polling', () => {
  it('lets one idle loop look every idleMs while the others wait: an idle process does not poll in every lane', async () => {
    const { store, leases } = counting(createMemoryStore());
    start(store, async () => undefined, { concurrency: 16, idleMs: 200 });
    await sleep(100);
    const before = leases();
    await sleep(1000);
    // One loop looks about every 200 ms; 16 polling lanes would have made about 80 looks.
    expect(leases() - before).toBeLessThanOrEqual(8);
  });

  it("starts work appended by another instance at once, told by the store's journal, long before its idle look", async () => {
    const state = createMemoryState();
    const done: string[] = [];
    start(createMemoryStore({ state }), async (j) => void done.push(j.type === 'agent_command' ? j.requestId : ''), {
      concurrency: 4,
      idleMs: 60_000,
    });
    await sleep(50);
    await createMemoryStore({ state }).journal.append([
      { queue: 'a', payload: job(1) },
      { queue: 'b', payload: job(2) },
    ]);
    await eventually(() => done.length === 2);
    expect(done.sort()).toEqual(['r1', 'r2']);
  });

  it('tries a failed job again when its retry delay ends, without waiting for the idle look', async () => {
    const store = createMemoryStore();
    let calls = 0;
    start(
      store,
      async () => {
        calls++;
        if (calls === 1) throw new Error('Slack answered 503');
        return undefined;
      },
      { concurrency: 2, idleMs: 60_000, maxBackoffMs: 50 },
    );
    await store.journal.append([{ queue: 'a', payload: job(1) }]);
    await eventually(() => calls === 2);
    expect(calls).toBe(2);
  });
});
