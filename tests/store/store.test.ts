import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createClient } from '@keyv/redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, StoreError } from '../../src/errors.ts';
import { createStore } from '../../src/store/create-store.ts';
import { createMemoryState, createMemoryStore } from '../../src/store/memory-store.ts';
import { createRedisStore } from '../../src/store/redis-store.ts';
import { createSqliteStore } from '../../src/store/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';
import { type LocalRedisCluster, startRedisCluster } from '../support/redis-cluster.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const runPrefix = `tl-test:${randomUUID()}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const LONG = 60_000;
const sqliteModule = new URL('../../src/store/sqlite-store.ts', import.meta.url).pathname;

/** One test's backend: every open() is another instance on the same data. Cleanup is in the hooks. */
interface Backend {
  open(): Promise<Store>;
}

let redisTests = 0;
/** One 3-master Redis Cluster for this file: the whole store contract also runs on it (it refuses any CROSSSLOT script). */
let cluster: LocalRedisCluster;
beforeAll(async () => {
  cluster = await startRedisCluster();
}, 30_000);
afterAll(() => cluster?.stop());
const backends: readonly [string, () => Backend][] = [
  [
    'memory',
    () => {
      const state = createMemoryState();
      return { open: async () => createMemoryStore({ state }) };
    },
  ],
  [
    'embedded',
    () => {
      const dataDir = tempDir('threadline-store-');
      return { open: async () => createSqliteStore({ dataDir }) };
    },
  ],
  [
    'redis',
    () => {
      const namespace = `${runPrefix}:${++redisTests}`;
      return { open: () => createRedisStore({ url: redisUrl, namespace }) };
    },
  ],
  [
    'redis cluster',
    () => {
      const namespace = `${runPrefix}:${++redisTests}`;
      return { open: () => createRedisStore({ url: cluster.url, namespace }) };
    },
  ],
];

const opened: Store[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
  for (const cleanup of cleanups.splice(0)) cleanup();
});
afterAll(async () => {
  const client = createClient({ url: redisUrl, socket: { connectTimeout: 1000, reconnectStrategy: false } });
  await client.connect();
  for await (const keys of client.scanIterator({ MATCH: `${runPrefix}:*`, COUNT: 1000 })) if (keys.length > 0) await client.del(keys);
  await client.close();
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs an ES module script in a separate Node process that opens the embedded store in dataDir. */
function runProcess(body: string, dataDir: string): Promise<{ stdout: string }> {
  const script = `import { createSqliteStore } from ${JSON.stringify(sqliteModule)};
    const store = createSqliteStore({ dataDir: process.argv[1] });
    ${body}`;
  return promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, dataDir]);
}

/** Drains one leased queue: returns the payloads processed, in order, and leaves the lease released. */
async function drain(store: Store, queue: string, owner: string): Promise<unknown[]> {
  const seen: unknown[] = [];
  for (let entry = await store.journal.head(queue, owner, LONG); entry; entry = await store.journal.head(queue, owner, LONG)) {
    seen.push(entry.payload);
    await store.journal.ack(queue, entry.id, owner);
  }
  return seen;
}

describe.each(backends)('%s store', (name, makeBackend) => {
  /** A store on a fresh backend, or another instance on the given one. */
  const open = async (backend = makeBackend()): Promise<{ store: Store; backend: Backend }> => {
    const store = await backend.open();
    opened.push(store);
    return { store, backend };
  };
  const another = async (backend: Backend): Promise<Store> => (await open(backend)).store;

  it('round-trips strings, numbers and objects, and delete says whether the key existed', async () => {
    const { store } = await open();
    const thread = { slackChannelId: 'C1', threadTs: '1.2', tags: ['a', ':b'], nested: { n: 1, none: null } };
    await store.set('text', ':hello');
    await store.set('count', 42);
    await store.set('thread', thread);
    expect(await store.get('text')).toBe(':hello');
    expect(await store.get('count')).toBe(42);
    expect(await store.get('thread')).toEqual(thread);
    expect(await store.get('missing')).toBeUndefined();
    await store.set('count', 43);
    expect(await store.get('count')).toBe(43);
    expect(await store.delete('thread')).toBe(true);
    expect(await store.delete('thread')).toBe(false);
    expect(await store.get('thread')).toBeUndefined();
  });

  it('forgets a value once its TTL has passed and keeps the others', async () => {
    const { store } = await open();
    await store.set('short', 'a', 50);
    await store.set('long', 'b', LONG);
    await store.set('forever', 'c');
    await sleep(200);
    expect(await store.get('short')).toBeUndefined();
    expect(await store.delete('short')).toBe(false);
    expect(await store.get('long')).toBe('b');
    expect(await store.get('forever')).toBe('c');
  });

  it('lets exactly one of 10 concurrent setIfAbsent callers win, and keeps its value', async () => {
    const { store } = await open();
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.setIfAbsent('event:1', { winner: i }, LONG)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store.get('event:1')).toEqual({ winner: results.indexOf(true) });
    await store.set('plain', 1);
    expect(await store.setIfAbsent('plain', 2)).toBe(false);
    expect(await store.get('plain')).toBe(1);
  });

  it('gives a named lease to exactly one of two instances, renews it for its holder, and frees it on expiry or release', async () => {
    const { store, backend } = await open();
    const second = await another(backend);
    const claims = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? store : second).claim('poller', `owner-${i % 2}`, 150)));
    const winner = claims[0] ? 'owner-0' : 'owner-1';
    expect(claims.filter((won, i) => won && `owner-${i % 2}` === winner)).toHaveLength(5);
    expect(claims.filter((won, i) => won && `owner-${i % 2}` !== winner)).toHaveLength(0);
    const loser = winner === 'owner-0' ? 'owner-1' : 'owner-0';
    expect(await store.claim('poller', winner, 150)).toBe(true); // a renewal
    expect(await second.claim('other-lease', loser, LONG)).toBe(true); // names are independent
    await store.unclaim('poller', loser); // not the holder: changes nothing
    expect(await second.claim('poller', loser, LONG)).toBe(false);
    await sleep(300);
    expect(await second.claim('poller', loser, LONG)).toBe(true); // the holder stopped renewing
    await store.unclaim('poller', loser);
    expect(await store.claim('poller', winner, LONG)).toBe(true); // released: free at once
  });

  it('counts atomically across instances', async () => {
    const { store, backend } = await open();
    const second = await another(backend);
    const values = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? store : second).increment('round-robin:ko')));
    expect([...values].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(await store.increment('round-robin:ko', 5)).toBe(25);
    expect(await second.increment('round-robin:ja')).toBe(1);
  });

  it('keeps a sorted index shared by instances: lowest scores first, moved by put, bounded by score and limit', async () => {
    const { store, backend } = await open();
    const second = await another(backend);
    const waiting = store.index('waiting');
    await waiting.put('conv:c', 300);
    await waiting.put('conv:a', 100);
    await second.index('waiting').put('conv:b', 200);
    await second.index('other').put('conv:z', 1);
    expect(await second.index('waiting').range()).toEqual([
      { member: 'conv:a', score: 100 },
      { member: 'conv:b', score: 200 },
      { member: 'conv:c', score: 300 },
    ]);
    await waiting.put('conv:a', 400); // answered, then waiting again: moves to the end
    expect((await waiting.range({ limit: 2 })).map((m) => m.member)).toEqual(['conv:b', 'conv:c']);
    expect((await waiting.range({ maxScore: 300 })).map((m) => m.member)).toEqual(['conv:b', 'conv:c']);
    expect(await waiting.score('conv:a')).toBe(400);
    expect(await waiting.score('conv:none')).toBeUndefined();
    expect(await waiting.count()).toBe(3);
    expect(await second.index('waiting').remove('conv:b')).toBe(true);
    expect(await waiting.remove('conv:b')).toBe(false);
    expect(await waiting.count()).toBe(2);
    expect(await store.index('other').count()).toBe(1);
    await expect(waiting.put('conv:x', Number.NaN)).rejects.toBeInstanceOf(StoreError);
  });

  it('lets setIfAbsent succeed again once the previous TTL expired', async () => {
    const { store } = await open();
    expect(await store.setIfAbsent('claim', 'first', 50)).toBe(true);
    await sleep(200);
    expect(await store.setIfAbsent('claim', 'second', LONG)).toBe(true);
    expect(await store.get('claim')).toBe('second');
    expect(await store.setIfAbsent('claim', 'third', LONG)).toBe(false);
  });

  it('journal keeps append order within a queue and counts pending entries across queues', async () => {
    const { store } = await open();
    await store.journal.append([
      { queue: 'q1', payload: 1 },
      { queue: 'q2', payload: 'a' },
      { queue: 'q1', payload: { n: 2 } },
    ]);
    await store.journal.append([{ queue: 'q1', payload: [3] }]);
    expect(await store.journal.size()).toBe(4);
    expect(await store.journal.lease('A', LONG)).toBe('q1');
    expect(await drain(store, 'q1', 'A')).toEqual([1, { n: 2 }, [3]]);
    expect(await store.journal.size()).toBe(1);
  });

  it('journal leases two queues to two owners at once, but one queue to one owner only', async () => {
    const { store } = await open();
    await store.journal.append([
      { queue: 'q1', payload: 1 },
      { queue: 'q2', payload: 2 },
    ]);
    expect(await store.journal.lease('A', LONG)).toBe('q1');
    expect(await store.journal.lease('B', LONG)).toBe('q2');
    expect(await store.journal.lease('C', LONG)).toBeUndefined();
    await expect(store.journal.head('q1', 'B', LONG)).rejects.toBeInstanceOf(StoreError);
    expect((await store.journal.head('q1', 'A', LONG))?.payload).toBe(1);
    expect((await store.journal.head('q2', 'B', LONG))?.payload).toBe(2);
  });

  it('journal head returns the oldest entry and ack removes only that head', async () => {
    const { store } = await open();
    await store.journal.append([
      { queue: 'q', payload: 'e1' },
      { queue: 'q', payload: 'e2' },
    ]);
    await store.journal.lease('A', LONG);
    const first = await store.journal.head('q', 'A', LONG);
    expect(first).toMatchObject({ queue: 'q', payload: 'e1', id: expect.any(String), appendedAt: expect.any(Number) });
    await store.journal.ack('q', 'not-an-entry', 'A');
    expect(await store.journal.head('q', 'A', LONG)).toEqual(first);
    await store.journal.ack('q', first!.id, 'A');
    const second = await store.journal.head('q', 'A', LONG);
    expect(second?.payload).toBe('e2');
    await store.journal.ack('q', first!.id, 'A');
    expect(await store.journal.size()).toBe(1);
    expect(await store.journal.head('q', 'A', LONG)).toEqual(second);
  });

  it('journal peek shows the first entries of a leased queue in order, changes nothing, and needs the lease', async () => {
    const { store } = await open();
    await store.journal.append([
      { queue: 'q', payload: 'e1' },
      { queue: 'q', payload: 'e2' },
      { queue: 'q', payload: 'e3' },
    ]);
    expect(await store.journal.lease('A', LONG)).toBe('q');
    await expect(store.journal.peek('q', 'B', 5)).rejects.toThrow(StoreError);
    const two = await store.journal.peek('q', 'A', 2);
    expect(two.map((e) => e.payload)).toEqual(['e1', 'e2']);
    expect(two[0]).toEqual(await store.journal.head('q', 'A', LONG));
    expect((await store.journal.peek('q', 'A', 10)).map((e) => e.payload)).toEqual(['e1', 'e2', 'e3']);
    expect(await store.journal.size()).toBe(3);
    await store.journal.ack('q', two[0]!.id, 'A');
    expect((await store.journal.peek('q', 'A', 10)).map((e) => e.id)).toEqual([two[1]!.id, expect.any(String)]);
    expect(await store.journal.peek('q', 'A', 0)).toEqual([]);
  });

  it('journal head on an empty queue releases it, and a later append makes it leasable again', async () => {
    const { store } = await open();
    await store.journal.append([{ queue: 'q', payload: 1 }]);
    await store.journal.lease('A', LONG);
    expect(await drain(store, 'q', 'A')).toEqual([1]);
    await expect(store.journal.head('q', 'A', LONG)).rejects.toBeInstanceOf(StoreError);
    expect(await store.journal.lease('B', LONG)).toBeUndefined();
    await store.journal.append([{ queue: 'q', payload: 2 }]);
    expect(await store.journal.lease('B', LONG)).toBe('q');
    expect(await drain(store, 'q', 'B')).toEqual([2]);
  });

  it('journal never strands an append that races the empty-head release', async () => {
    const { store, backend } = await open();
    const writer = await another(backend);
    const processed: unknown[] = [];
    for (let i = 0; i < 25; i++) {
      await writer.journal.append([{ queue: 'q', payload: `warm-${i}` }]);
      expect(await store.journal.lease('A', LONG)).toBe('q');
      const head = await store.journal.head('q', 'A', LONG);
      await store.journal.ack('q', head!.id, 'A');
      const [next] = await Promise.all([store.journal.head('q', 'A', LONG), writer.journal.append([{ queue: 'q', payload: i }])]);
      // Either head saw the append (A keeps the lease) or it released first (the queue is leasable again).
      if (next === undefined) expect(await store.journal.lease('B', LONG)).toBe('q');
      processed.push(...(await drain(store, 'q', next === undefined ? 'B' : 'A')));
      expect(await store.journal.size()).toBe(0);
    }
    expect(processed).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });

  it('journal lease that just found nothing sees at once what another instance appends, releases or replays, and an expired lease', async () => {
    const { store, backend } = await open();
    const other = await another(backend);
    expect(await store.journal.lease('A', LONG)).toBeUndefined();
    await other.journal.append([{ queue: 'q', payload: 1 }]);
    expect(await store.journal.lease('A', 100)).toBe('q');
    expect(await other.journal.lease('B', LONG)).toBeUndefined();
    await sleep(300); // A stopped renewing: its lease expired by itself, with no write to tell
    expect(await other.journal.lease('B', LONG)).toBe('q');
    expect(await store.journal.lease('A', LONG)).toBeUndefined();
    await other.journal.release('q', 'B');
    expect(await store.journal.lease('A', LONG)).toBe('q');
    const head = await store.journal.head('q', 'A', LONG);
    await store.journal.park('q', head!.id, 'A', 'why');
    expect(await store.journal.head('q', 'A', LONG)).toBeUndefined();
    expect(await store.journal.lease('A', LONG)).toBeUndefined();
    await other.journal.replay(head!.id);
    expect(await store.journal.lease('A', LONG)).toBe('q');
  });

  it('journal release with delayMs hides the queue until the delay has passed', async () => {
    const { store } = await open();
    await store.journal.append([{ queue: 'q', payload: 1 }]);
    await store.journal.lease('A', LONG);
    await store.journal.release('q', 'A', 1000);
    expect(await store.journal.lease('B', LONG)).toBeUndefined();
    await store.journal.append([{ queue: 'q', payload: 2 }]);
    expect(await store.journal.lease('B', LONG)).toBeUndefined();
    await sleep(1200);
    expect(await store.journal.lease('B', LONG)).toBe('q');
    await store.journal.release('q', 'B');
    expect(await store.journal.lease('C', LONG)).toBe('q');
  });

  it('journal lets another owner take over an expired lease and see the same unacked head', async () => {
    const { store } = await open();
    await store.journal.append([{ queue: 'q', payload: 'job' }]);
    expect(await store.journal.lease('A', 100)).toBe('q');
    const seenByA = await store.journal.head('q', 'A', 100);
    await sleep(300);
    expect(await store.journal.lease('B', LONG)).toBe('q');
    expect(await store.journal.head('q', 'B', LONG)).toEqual(seenByA);
    await expect(store.journal.head('q', 'A', LONG)).rejects.toBeInstanceOf(StoreError);
    expect(await store.journal.size()).toBe(1);
  });

  it('journal parks the head: it leaves its queue and size(), the next entry follows, and parked() lists it with why', async () => {
    const { store } = await open();
    await store.journal.append([
      { queue: 'q', payload: { n: 'poison' } },
      { queue: 'q', payload: 'next' },
      { queue: 'z-other', payload: 1 },
    ]);
    expect(await store.journal.lease('A', LONG)).toBe('q');
    const poison = await store.journal.head('q', 'A', LONG);
    await store.journal.park('q', 'not-the-head', 'A', 'ignored');
    expect(await store.journal.parked()).toEqual([]);
    await store.journal.park('q', poison!.id, 'A', 'Slack refused it (msg_too_long)');
    expect(await store.journal.size()).toBe(2);
    expect((await store.journal.head('q', 'A', LONG))?.payload).toBe('next');
    const [parked, ...more] = await store.journal.parked();
    expect(more).toEqual([]);
    expect(parked).toEqual({ ...poison, parkedAt: expect.any(Number), reason: 'Slack refused it (msg_too_long)' });
    expect(parked!.parkedAt).toBeGreaterThanOrEqual(poison!.appendedAt);
    await store.journal.park('q', poison!.id, 'A', 'again');
    expect(await store.journal.parked()).toHaveLength(1);
  });

  it('journal replays a parked entry once, at the end of its queue as a new entry, from any instance', async () => {
    const { store, backend } = await open();
    await store.journal.append([
      { queue: 'q', payload: 'first' },
      { queue: 'q', payload: 'second' },
    ]);
    await store.journal.lease('A', LONG);
    const first = await store.journal.head('q', 'A', LONG);
    await store.journal.park('q', first!.id, 'A', 'why');
    expect(await drain(store, 'q', 'A')).toEqual(['second']);
    expect(await store.journal.lease('A', LONG)).toBeUndefined();

    await store.close();
    const operator = await another(backend);
    expect((await operator.journal.parked()).map((p) => p.payload)).toEqual(['first']);
    expect(await operator.journal.replay('12345678')).toBeUndefined();
    const replayed = await operator.journal.replay(first!.id);
    expect(replayed).toMatchObject({ queue: 'q', payload: 'first', appendedAt: expect.any(Number) });
    expect(replayed!.id).not.toBe(first!.id);
    expect(await operator.journal.replay(first!.id)).toBeUndefined();
    expect(await operator.journal.parked()).toEqual([]);
    expect(await operator.journal.size()).toBe(1);
    await operator.journal.append([{ queue: 'q', payload: 'third' }]);
    expect(await operator.journal.lease('B', LONG)).toBe('q');
    const head = await operator.journal.head('q', 'B', LONG);
    expect(head).toEqual(replayed);
    expect(await drain(operator, 'q', 'B')).toEqual(['first', 'third']);
  });

  it('shares data, claims and the journal with a second instance, and keeps them across a reopen', async () => {
    const { store, backend } = await open();
    const second = await another(backend);
    const claims = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? store : second).setIfAbsent('claim', i)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    await store.set('thread', { ts: '1.1' });
    await store.journal.append([{ queue: 'q', payload: 'durable' }]);
    expect(await second.get('thread')).toEqual({ ts: '1.1' });
    expect(await second.journal.lease('B', LONG)).toBe('q');
    expect(await store.journal.lease('A', LONG)).toBeUndefined();
    await second.journal.release('q', 'B');
    await store.close();
    await second.close();
    const reopened = await another(backend);
    expect(await reopened.get('thread')).toEqual({ ts: '1.1' });
    expect(await reopened.journal.size()).toBe(1);
    expect(await reopened.journal.lease('C', LONG)).toBe('q');
    expect(await drain(reopened, 'q', 'C')).toEqual(['durable']);
  });

  it('rejects calls after close with StoreError, and close can be called twice', async () => {
    const { store } = await open();
    await store.ping();
    await store.close();
    await store.close();
    await expect(store.get('x')).rejects.toBeInstanceOf(StoreError);
    await expect(store.journal.size()).rejects.toBeInstanceOf(StoreError);
    await expect(store.commit([{ op: 'set', key: 'x', value: 1 }])).rejects.toBeInstanceOf(StoreError);
  });

  it('journal keeps the order of 20 concurrent appends to one queue, each durable when it resolves', async () => {
    const { store, backend } = await open();
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.journal.append([{ queue: 'q', payload: i }])));
    const other = await another(backend);
    expect(await other.journal.size()).toBe(20);
    expect(await other.journal.lease('B', LONG)).toBe('q');
    expect(await drain(other, 'q', 'B')).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('journal watch is told of appends through the store, and (memory, Redis) by another instance, until stopped', async () => {
    const { store, backend } = await open();
    const other = await another(backend);
    const seen = { own: 0, other: 0 };
    const stopOwn = store.journal.watch(() => seen.own++);
    const stopOther = other.journal.watch(() => seen.other++);
    const acrossInstances = name !== 'embedded'; // processes on one file find each other's work by polling
    // A subscription may take a moment to start (Redis): append until the watchers have seen one.
    for (let i = 0; i < 40 && (seen.own === 0 || (acrossInstances && seen.other === 0)); i++) {
      await store.journal.append([{ queue: 'q', payload: i }]);
      await sleep(50);
    }
    expect(seen.own).toBeGreaterThan(0);
    if (acrossInstances) expect(seen.other).toBeGreaterThan(0);
    else expect(seen.other).toBe(0);
    stopOwn();
    stopOther();
    const stopped = { ...seen };
    await store.journal.append([{ queue: 'q', payload: 'after' }]);
    await sleep(100);
    expect(seen).toEqual(stopped);
  });

  it('commits sets, deletes, setIfAbsent and index writes in order, says what each did, and every instance reads them', async () => {
    const { store, backend } = await open();
    await store.set('old', 'gone soon');
    await store.set('taken', 'first');
    await store.index('waiting').put('c0', 1);
    const results = await store.commit([
      { op: 'set', key: 'link:1', value: { thread: { slackChannelId: 'C1', threadTs: '1.2' }, ts: '1.3' } },
      { op: 'set', key: 'link:2', value: 'short-lived', ttlMs: LONG },
      { op: 'delete', key: 'old' },
      { op: 'delete', key: 'never' },
      { op: 'setIfAbsent', key: 'intent', value: true, ttlMs: LONG },
      { op: 'setIfAbsent', key: 'taken', value: 'second' },
      { op: 'set', key: 'link:1', value: 'rewritten' },
      { op: 'setIfAbsent', key: 'link:2', value: 'not this' },
      { op: 'indexPut', index: 'waiting', member: 'c1', score: 5 },
      { op: 'indexRemove', index: 'waiting', member: 'c0' },
      { op: 'indexRemove', index: 'waiting', member: 'never' },
    ]);
    expect(results).toEqual([true, true, true, false, true, false, true, false, true, true, false]);
    const other = await another(backend);
    expect(await other.get('link:1')).toBe('rewritten');
    expect(await other.get('link:2')).toBe('short-lived');
    expect(await other.get('old')).toBeUndefined();
    expect(await other.get('intent')).toBe(true);
    expect(await other.get('taken')).toBe('first');
    expect(await other.setIfAbsent('intent', false)).toBe(false);
    expect(await other.index('waiting').range()).toEqual([{ member: 'c1', score: 5 }]);
    expect(await store.commit([])).toEqual([]);
  });

  it('commits the journal ack of the head with the job records, and only of the head', async () => {
    const { store, backend } = await open();
    await store.journal.append([
      { queue: 'q', payload: 'e1' },
      { queue: 'q', payload: 'e2' },
    ]);
    expect(await store.journal.lease('A', LONG)).toBe('q');
    const first = await store.journal.head('q', 'A', LONG);
    expect(
      await store.commit([
        { op: 'set', key: 'processed:e1', value: true, ttlMs: LONG },
        { op: 'ack', queue: 'q', entryId: 'not-an-entry', owner: 'A' },
        { op: 'ack', queue: 'q', entryId: first!.id, owner: 'A' },
        { op: 'ack', queue: 'q', entryId: first!.id, owner: 'A' },
      ]),
    ).toEqual([true, false, true, false]);
    expect(await (await another(backend)).get('processed:e1')).toBe(true);
    expect(await store.journal.size()).toBe(1);
    expect((await store.journal.head('q', 'A', LONG))?.payload).toBe('e2');
  });

  it('fails only the operation that fails when several run at once: the appends, commits and acks beside it take effect', async () => {
    const { store, backend } = await open();
    await store.journal.append([{ queue: 'q', payload: 'e1' }]);
    expect(await store.journal.lease('A', LONG)).toBe('q');
    const head = await store.journal.head('q', 'A', LONG);
    const results = await Promise.allSettled([
      store.journal.append([{ queue: 'r', payload: 'r1' }]),
      store.journal.head('q', 'B', LONG), // B holds no lease on q: refused
      store.commit([
        { op: 'setIfAbsent', key: 'intent:x', value: 1, ttlMs: LONG },
        { op: 'ack', queue: 'q', entryId: head!.id, owner: 'A' },
      ]),
      store.commit([{ op: 'setIfAbsent', key: 'intent:x', value: 2, ttlMs: LONG }]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(StoreError);
    expect((results[2] as PromiseFulfilledResult<boolean[]>).value).toEqual([true, true]);
    expect((results[3] as PromiseFulfilledResult<boolean[]>).value).toEqual([false]);
    const other = await another(backend);
    expect(await other.get('intent:x')).toBe(1);
    expect(await other.journal.size()).toBe(1);
    expect(await other.journal.lease('B', LONG)).toBe('r');
  });

  it('forgets a committed value once its TTL has passed, and lets setIfAbsent take it again', async () => {
    const { store } = await open();
    expect(
      await store.commit([
        { op: 'set', key: 'short', value: 'a', ttlMs: 50 },
        { op: 'setIfAbsent', key: 'claim', value: 1, ttlMs: 50 },
        { op: 'set', key: 'long', value: 'b', ttlMs: LONG },
      ]),
    ).toEqual([true, true, true]);
    await sleep(200);
    expect(await store.get('short')).toBeUndefined();
    expect(await store.get('long')).toBe('b');
    expect(await store.commit([{ op: 'setIfAbsent', key: 'claim', value: 2 }])).toEqual([true]);
    expect(await store.get('claim')).toBe(2);
  });

  it('refuses a commit with a bad TTL or score with StoreError, and applies none of its writes', async () => {
    const { store } = await open();
    await expect(
      store.commit([
        { op: 'set', key: 'a', value: 1 },
        { op: 'set', key: 'b', value: 2, ttlMs: -1 },
      ]),
    ).rejects.toBeInstanceOf(StoreError);
    await expect(
      store.commit([
        { op: 'set', key: 'a', value: 1 },
        { op: 'indexPut', index: 'i', member: 'm', score: Number.NaN },
      ]),
    ).rejects.toBeInstanceOf(StoreError);
    expect(await store.get('a')).toBeUndefined();
    expect(await store.index('i').count()).toBe(0);
  });
});

describe('redis store layout', () => {
  it('drains a journal left on one Redis by an earlier version (same key names, ids go on from its sequence)', async () => {
    const namespace = `${runPrefix}:legacy`;
    const raw = createClient({ url: redisUrl, socket: { connectTimeout: 1000, reconnectStrategy: false } });
    await raw.connect();
    // What earlier versions wrote for one pending entry of queue q: list, ready set, counters.
    await raw.rPush(`${namespace}:journal:queue:q`, '41 1760000000000 {"job":"old"}');
    await raw.zAdd(`${namespace}:journal:ready`, { score: 1_760_000_000_000, value: 'q' });
    await raw.set(`${namespace}:journal:seq`, '41');
    await raw.set(`${namespace}:journal:size`, '1');
    await raw.close();
    const store = await createRedisStore({ url: redisUrl, namespace });
    opened.push(store);
    expect(await store.journal.size()).toBe(1);
    expect(await store.journal.lease('A', LONG)).toBe('q');
    expect(await store.journal.head('q', 'A', LONG)).toEqual({
      id: '41',
      queue: 'q',
      payload: { job: 'old' },
      appendedAt: 1_760_000_000_000,
    });
    await store.journal.append([{ queue: 'q', payload: 'new' }]);
    expect(await drain(store, 'q', 'A')).toEqual([{ job: 'old' }, 'new']);
    expect(await store.journal.size()).toBe(0);
  });

  it('on a cluster keeps each journal shard in one hash slot, one queue in one shard, and spreads the shards over every master', async () => {
    const namespace = `${runPrefix}:slots`;
    const store = await createRedisStore({ url: cluster.url, namespace });
    opened.push(store);
    const queues = Array.from({ length: 100 }, (_, i) => `telegram:bot:${1000 + i}`);
    await store.journal.append(
      queues.flatMap((queue) => [
        { queue, payload: 1 },
        { queue, payload: 2 },
      ]),
    );
    const leased = await store.journal.lease('A', LONG);
    const head = await store.journal.head(leased!, 'A', LONG);
    await store.journal.park(leased!, head!.id, 'A', 'test');
    expect(await store.journal.size()).toBe(199);

    const slotsOf = new Map<string, Set<number>>(); // shard tag → slots of its keys
    const queueTag = new Map<string, string>(); // queue → the tag of its list
    const mastersWithKeys = new Set<number>();
    for (const port of cluster.ports) {
      const node = createClient({ url: `redis://127.0.0.1:${port}`, socket: { connectTimeout: 1000, reconnectStrategy: false } });
      await node.connect();
      for await (const found of node.scanIterator({ MATCH: `${namespace}:journal*`, COUNT: 1000 })) {
        for (const key of found) {
          if (key === `${namespace}:journal:wake`) continue; // one key, only ever INCR'd on its own
          mastersWithKeys.add(port);
          const tag = /^[^{}]*:journal:\{([^{}]+)\}:/.exec(key)?.[1];
          expect(tag, `${key} carries a hash tag`).toBeDefined();
          const slot = Number(await node.sendCommand(['CLUSTER', 'KEYSLOT', key]));
          slotsOf.set(tag!, new Set([...(slotsOf.get(tag!) ?? []), slot]));
          const queue = /:queue:(.*)$/.exec(key)?.[1];
          if (queue !== undefined) queueTag.set(queue, tag!);
        }
      }
      await node.close();
    }
    expect(slotsOf.size).toBe(16);
    for (const [tag, slots] of slotsOf) expect([...slots], `keys of shard ${tag}`).toHaveLength(1);
    expect([...queueTag.keys()].sort()).toEqual([...queues].sort());
    expect(mastersWithKeys.size).toBe(3);
    expect((await store.journal.parked()).map((p) => p.id)).toEqual([head!.id]);
    expect((await store.journal.replay(head!.id))?.queue).toBe(leased);
  });

  it('refuses a namespace with braces on a cluster: the hash tag of a journal key must be its first braces', async () => {
    await expect(createRedisStore({ url: cluster.url, namespace: `${runPrefix}:{team}` })).rejects.toThrow(
      'A Redis Cluster namespace cannot contain { or }',
    );
  });
});

describe('embedded store across processes', () => {
  it('gives each claim and each journal entry to exactly one of three processes', async () => {
    const dataDir = tempDir('threadline-procs-');
    const store = createSqliteStore({ dataDir });
    opened.push(store);
    await store.journal.append(Array.from({ length: 60 }, (_, i) => ({ queue: `q${i % 6}`, payload: i })));
    const worker = `const me = 'w' + process.pid, claims = [], done = [];
      for (let i = 0; i < 20; i++) if (await store.setIfAbsent('claim:' + i, me)) claims.push(i);
      for (let q = await store.journal.lease(me, 60000); q; q = await store.journal.lease(me, 60000))
        for (let e = await store.journal.head(q, me, 60000); e; e = await store.journal.head(q, me, 60000)) {
          done.push(e.payload);
          await store.journal.ack(q, e.id, me);
        }
      await store.close();
      console.log(JSON.stringify({ claims, done }));`;
    const runs = await Promise.all([1, 2, 3].map(() => runProcess(worker, dataDir)));
    const outputs = runs.map((run) => JSON.parse(run.stdout) as { claims: number[]; done: number[] });
    expect(outputs.flatMap((o) => o.claims).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(outputs.flatMap((o) => o.done).sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(await store.journal.size()).toBe(0);
  });

  it('keeps every write that resolved before the process was killed with SIGKILL', async () => {
    const dataDir = tempDir('threadline-kill-');
    const victim = `await store.set('thread', { ts: '9.9' });
      await store.setIfAbsent('claim', 'victim');
      // A job's last step: its records and the ack of its entry (committed without waiting for an fsync).
      await store.journal.append([{ queue: 'done', payload: 'processed' }]);
      await store.journal.lease('V', 60000);
      const entry = await store.journal.head('done', 'V', 60000);
      await store.commit([{ op: 'set', key: 'processed', value: true }, { op: 'ack', queue: 'done', entryId: entry.id, owner: 'V' }]);
      await store.journal.append([{ queue: 'q', payload: 'before-kill' }]);
      process.kill(process.pid, 'SIGKILL');`;
    await expect(runProcess(victim, dataDir)).rejects.toMatchObject({ signal: 'SIGKILL' });
    const store = createSqliteStore({ dataDir });
    opened.push(store);
    expect(await store.get('thread')).toEqual({ ts: '9.9' });
    expect(await store.setIfAbsent('claim', 'survivor')).toBe(false);
    expect(await store.get('processed')).toBe(true);
    expect(await store.journal.size()).toBe(1);
    expect(await store.journal.lease('A', LONG)).toBe('q');
    expect(await drain(store, 'q', 'A')).toEqual(['before-kill']);
  });
});

describe('createStore', () => {
  it('opens the embedded store under dataDir when STORE_URL is unset, creating the directory', async () => {
    const root = tempDir('threadline-create-');
    const store = await createStore({ dataDir: join(root, 'nested', 'data') });
    opened.push(store);
    expect(store.kind).toBe('embedded');
    expect(existsSync(join(root, 'nested', 'data', 'threadline.db'))).toBe(true);
  });

  it('says that a DATA_DIR/threadline.db of garbage bytes is not a database, and what to do, without touching it', async () => {
    const dataDir = tempDir('threadline-garbage-');
    const file = join(dataDir, 'threadline.db');
    const garbage = Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919) % 251));
    writeFileSync(file, garbage);
    const attempt = createStore({ dataDir });
    await expect(attempt).rejects.toBeInstanceOf(StoreError);
    await expect(attempt).rejects.toThrow(
      `${file} is not a valid Threadline database (file is not a database): move it aside and start again, or restore it from a backup`,
    );
    expect(readFileSync(file).equals(garbage)).toBe(true);
  });

  it('opens the memory store for memory:, Redis for a redis:// URL and a Redis Cluster for redis+cluster://', async () => {
    const memory = await createStore({ url: 'memory:', dataDir: '/nonexistent' });
    const redis = await createStore({ url: redisUrl, dataDir: '/nonexistent' });
    // One node named is enough: the client discovers the others.
    const onCluster = await createStore({ url: `redis+cluster://127.0.0.1:${cluster.ports[1]}`, dataDir: '/nonexistent' });
    opened.push(memory, redis, onCluster);
    expect([memory.kind, redis.kind, onCluster.kind]).toEqual(['memory', 'redis', 'redis']);
    await redis.ping();
    await onCluster.ping();
    const key = `${runPrefix}:probe`;
    await onCluster.set(key, 'on the cluster');
    const allNodes = await createStore({ url: cluster.url, dataDir: '/nonexistent' });
    opened.push(allNodes);
    expect(await allNodes.get(key)).toBe('on the cluster');
    await onCluster.delete(key);
  });

  it('rejects an unreachable Redis with StoreError instead of hanging', { timeout: 5000 }, async () => {
    const attempt = createStore({ url: 'redis://127.0.0.1:1', dataDir: '/nonexistent' });
    await expect(attempt).rejects.toBeInstanceOf(StoreError);
    await expect(attempt).rejects.toThrow('Redis at redis://127.0.0.1:1 is unreachable');
  });

  it('rejects an unreachable Redis Cluster with StoreError instead of hanging', { timeout: 8000 }, async () => {
    const attempt = createStore({ url: 'redis+cluster://127.0.0.1:1,127.0.0.1:2', dataDir: '/nonexistent' });
    await expect(attempt).rejects.toBeInstanceOf(StoreError);
    await expect(attempt).rejects.toThrow('Redis Cluster at redis+cluster://127.0.0.1:1,127.0.0.1:2 is unreachable');
  });

  it.each([
    'http://localhost:6379',
    'redis:/no-host',
    'postgres://db/x',
    '',
    'redis+cluster://',
    'redis+cluster://host:99999',
    'redis+cluster://host:7000/3',
    'redis+cluster://host:7000,,host:7001',
  ])('throws ConfigError naming STORE_URL for %j', async (url) => {
    const attempt = createStore({ url, dataDir: '/nonexistent' });
    await expect(attempt).rejects.toBeInstanceOf(ConfigError);
    await expect(attempt).rejects.toMatchObject({ variable: 'STORE_URL' });
  });
});
