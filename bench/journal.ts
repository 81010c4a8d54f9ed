/**
 * Store and journal throughput on each backend: memory (reference only; not durable), embedded
 * SQLite (a temporary DATA_DIR, WAL + synchronous=FULL as shipped) and Redis (REDIS_URL, a unique
 * namespace deleted afterwards).
 *
 * - append: one item per call, as a webhook does before answering 200. Sequential (the latency one
 *   request pays) and with 32 appends in flight (webhooks arriving together).
 * - drain: what the worker does per conversation: lease → (head → ack)* → head (empty: releases),
 *   over many queues, with 1 and with 4 concurrent drainers (the worker's default concurrency).
 * - setIfAbsent (postOnce's intent record, with a TTL), set and get: the data operations a job does.
 *
 * Run: npx tsx bench/journal.ts [--quick] [--backends=memory,embedded,redis]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@keyv/redis';
import { createMemoryStore } from '../src/store/memory-store.ts';
import { createRedisStore } from '../src/store/redis-store.ts';
import { createSqliteStore } from '../src/store/sqlite-store.ts';
import type { Store } from '../src/store/store.ts';
import { emitResult, ms, quantile, quick, rate, timed } from './report.ts';

const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const SIZES = quick
  ? { queues: 200, perQueue: 5, concurrentPerQueue: 3, keys: 1_000 }
  : { queues: 1_000, perQueue: 10, concurrentPerQueue: 3, keys: 3_000 };
const IN_FLIGHT = 32;
const DRAINERS = 4;
const LEASE_MS = 30_000;
const TTL_MS = 90 * 24 * 3600 * 1000;

type Backend = 'memory' | 'embedded' | 'redis';
const ALL: readonly Backend[] = ['memory', 'embedded', 'redis'];

interface Opened {
  readonly store: Store;
  readonly where: string;
  cleanup(): Promise<void>;
}

async function open(backend: Backend): Promise<Opened> {
  switch (backend) {
    case 'memory':
      return { store: createMemoryStore(), where: 'in process', cleanup: async () => {} };
    case 'embedded': {
      const dataDir = mkdtempSync(join(tmpdir(), 'threadline-bench-'));
      const store = createSqliteStore({ dataDir });
      return { store, where: `${dataDir}/threadline.db`, cleanup: async () => rmSync(dataDir, { recursive: true, force: true }) };
    }
    case 'redis': {
      const namespace = `threadline-bench-${process.pid}-${Date.now()}`;
      const store = await createRedisStore({ url: redisUrl, namespace });
      return {
        store,
        where: `${redisUrl} namespace ${namespace}`,
        async cleanup() {
          const client = createClient({ url: redisUrl });
          await client.connect();
          let deleted = 0;
          for await (const keys of client.scanIterator({ MATCH: `${namespace}:*`, COUNT: 1000 })) {
            if (keys.length > 0) deleted += await client.del(keys);
          }
          await client.close();
          console.log(`  redis: deleted ${deleted} keys of ${namespace}`);
        },
      };
    }
  }
}

/** A journaled inbound job as the engine writes it (about 500 bytes of JSON). */
function payload(queue: number, n: number) {
  return {
    type: 'inbound',
    event: {
      kind: 'message',
      platform: 'telegram',
      account: '7777777',
      eventId: `${queue}:${n}`,
      messageId: `${queue}:${n}`,
      occurredAt: new Date(1_800_000_000_000 + n * 1000).toISOString(),
      contact: { id: String(100_000 + queue), name: `Customer ${queue}`, handle: `customer_${queue}`, languageHint: 'en' },
      text: `Hello, I ordered item #${n} last week and it has not arrived yet. Could you check the tracking number for me, please?`,
      attachments: [],
    },
  };
}

/** Appends `perQueue` entries to each of `queues` queues, interleaved (entry j of every queue, then j+1). */
async function appendAll(store: Store, perQueue: number, inFlight: number) {
  const total = SIZES.queues * perQueue;
  return timed(total, inFlight, (i) => {
    const queue = i % SIZES.queues;
    return store.journal.append([{ queue: `bench:${queue}`, payload: payload(queue, Math.floor(i / SIZES.queues)) }]);
  });
}

/** Drains the whole journal with `drainers` loops, as the worker does (without running any job). */
async function drainAll(store: Store, drainers: number) {
  const { journal } = store;
  const leaseTimes: number[] = [];
  const entryTimes: number[] = [];
  let entries = 0;
  let lastOrder = new Map<string, number>();
  let outOfOrder = 0;
  const loop = async (owner: string) => {
    for (;;) {
      const t0 = performance.now();
      const queue = await journal.lease(owner, LEASE_MS);
      leaseTimes.push(performance.now() - t0);
      if (queue === undefined) return;
      for (;;) {
        const t1 = performance.now();
        const entry = await journal.head(queue, owner, LEASE_MS);
        if (entry === undefined) break; // empty: head released the lease
        await journal.ack(queue, entry.id, owner);
        entryTimes.push(performance.now() - t1);
        entries += 1;
        const n = Number((entry.payload as ReturnType<typeof payload>).event.messageId.split(':')[1]);
        if (n < (lastOrder.get(queue) ?? -1)) outOfOrder += 1;
        lastOrder.set(queue, n);
      }
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: drainers }, (_, i) => loop(`bench-drainer-${i}`)));
  const seconds = (performance.now() - start) / 1000;
  lastOrder = new Map();
  return { entries, seconds, leaseTimes, entryTimes, outOfOrder, left: await journal.size() };
}

/** Lease latency with the whole backlog pending (the first leases) against nearly none (the last). */
function leaseShape(times: readonly number[], backlog: number): string {
  const n = Math.min(50, Math.floor(times.length / 4));
  const first = quantile(times.slice(0, n), 0.5);
  const last = quantile(times.slice(-n - 1, -1), 0.5);
  return `p50 of first ${n} (${backlog.toLocaleString('en')} pending): ${ms(first)}; of last ${n}: ${ms(last)}`;
}

async function benchBackend(backend: Backend): Promise<{ rows: string[][]; notes: string[] }> {
  const opened = await open(backend);
  const { store } = opened;
  console.log(`${backend}: ${opened.where}`);
  const rows: string[][] = [];
  const notes: string[] = [];
  const row = (what: string, count: number, seconds: number | undefined, latencies: readonly number[], extra = '') =>
    rows.push([
      backend,
      what,
      count.toLocaleString('en'),
      seconds === undefined ? '–' : rate(count / seconds),
      ms(quantile(latencies, 0.5)),
      ms(quantile(latencies, 0.99)),
      extra,
    ]);
  try {
    const seq = await appendAll(store, SIZES.perQueue, 1);
    row('append 1 item, sequential', seq.latencies.length, seq.seconds, seq.latencies, `${SIZES.queues} queues`);
    console.log(`  append sequential: ${rate(seq.latencies.length / seq.seconds)}/s`);

    const drain1 = await drainAll(store, 1);
    row('drain: head + ack per entry, 1 drainer', drain1.entries, drain1.seconds, drain1.entryTimes, `${SIZES.queues} × ${SIZES.perQueue}`);
    row(
      '  of which: lease (one call)',
      drain1.leaseTimes.length,
      undefined,
      drain1.leaseTimes,
      leaseShape(drain1.leaseTimes, SIZES.queues * SIZES.perQueue),
    );
    console.log(`  drain 1: ${rate(drain1.entries / drain1.seconds)} entries/s, lease p50 ${ms(quantile(drain1.leaseTimes, 0.5))}`);
    if (drain1.entries !== seq.latencies.length || drain1.left !== 0 || drain1.outOfOrder !== 0) {
      notes.push(
        `${backend}: drain 1 saw ${drain1.entries} of ${seq.latencies.length} entries, ${drain1.left} left, ${drain1.outOfOrder} out of order`,
      );
    }

    const conc = await appendAll(store, SIZES.concurrentPerQueue, IN_FLIGHT);
    row(`append 1 item, ${IN_FLIGHT} in flight`, conc.latencies.length, conc.seconds, conc.latencies, `${SIZES.queues} queues`);
    console.log(`  append ×${IN_FLIGHT}: ${rate(conc.latencies.length / conc.seconds)}/s`);

    const drain4 = await drainAll(store, DRAINERS);
    row(
      `drain: head + ack per entry, ${DRAINERS} drainers`,
      drain4.entries,
      drain4.seconds,
      drain4.entryTimes,
      `${SIZES.queues} × ${SIZES.concurrentPerQueue}`,
    );
    row(
      '  of which: lease (one call)',
      drain4.leaseTimes.length,
      undefined,
      drain4.leaseTimes,
      leaseShape(drain4.leaseTimes, SIZES.queues * SIZES.concurrentPerQueue),
    );
    console.log(`  drain ${DRAINERS}: ${rate(drain4.entries / drain4.seconds)} entries/s`);
    if (drain4.entries !== conc.latencies.length || drain4.left !== 0 || drain4.outOfOrder !== 0) {
      notes.push(
        `${backend}: drain ${DRAINERS} saw ${drain4.entries} of ${conc.latencies.length} entries, ${drain4.left} left, ${drain4.outOfOrder} out of order`,
      );
    }

    const sia = await timed(SIZES.keys, 1, (i) => store.setIfAbsent(`intent:bench:${i}`, true, TTL_MS));
    row('setIfAbsent (new key, TTL), sequential', SIZES.keys, sia.seconds, sia.latencies);
    const siaTaken = await timed(SIZES.keys, 1, (i) => store.setIfAbsent(`intent:bench:${i}`, true, TTL_MS));
    row('setIfAbsent (key exists), sequential', SIZES.keys, siaTaken.seconds, siaTaken.latencies);
    const set = await timed(SIZES.keys, 1, (i) => store.set(`conv:bench:${i}`, payload(i, 0).event, TTL_MS));
    row('set (~500 B JSON, TTL), sequential', SIZES.keys, set.seconds, set.latencies);
    const get = await timed(SIZES.keys, 1, (i) => store.get(`conv:bench:${i}`));
    row('get, sequential', SIZES.keys, get.seconds, get.latencies);
    console.log(
      `  setIfAbsent ${rate(SIZES.keys / sia.seconds)}/s, set ${rate(SIZES.keys / set.seconds)}/s, get ${rate(SIZES.keys / get.seconds)}/s`,
    );
  } finally {
    await store.close();
    await opened.cleanup();
  }
  return { rows, notes };
}

async function main(): Promise<void> {
  const only = process.argv
    .find((a) => a.startsWith('--backends='))
    ?.slice('--backends='.length)
    .split(',');
  const backends = ALL.filter((b) => only === undefined || only.includes(b));
  const rows: string[][] = [];
  const notes: string[] = [];
  for (const backend of backends) {
    try {
      const result = await benchBackend(backend);
      rows.push(...result.rows);
      notes.push(...result.notes);
    } catch (error) {
      console.error(`${backend}: failed: ${error instanceof Error ? error.message : String(error)}`);
      rows.push([backend, 'failed (see output above)', '–', '–', '–', '–', '']);
    }
  }
  emitResult([
    {
      title: 'Store and journal (one process, one connection per store)',
      columns: ['backend', 'operation', 'ops', 'ops/s', 'p50', 'p99', 'shape'],
      rows,
      notes: [
        'memory is the test backend, shown for reference: not durable.',
        'embedded: SQLite WAL, synchronous=FULL (an fsync per write transaction, as shipped); redis: one client, Lua scripts per journal step.',
        '"append" latency is what a webhook pays before its 200. A drained entry costs head + ack here; the real worker adds get/set of the processed record and the job\'s own writes.',
        ...notes,
      ],
    },
  ]);
}

await main();
