/**
 * The journal on Redis: per shard (src/store/journal-shards.ts) a list per queue, a sorted set of
 * queues with work, a `SET NX PX` lease key per queue, counters and a hash of parked entries, and
 * Lua scripts that make each journal step atomic. Every script is given keys of one shard only,
 * which share a hash tag: on a Redis Cluster each script runs on one node, in one hash slot.
 * Operations over the whole journal (lease, size, parked) ask every shard.
 */
import { StoreError } from '../errors.ts';
import { checkMs as checkPositiveMs, type Guard } from './guard.ts';
import type { JournalSharding } from './journal-shards.ts';
import { type JournalShardKeys, journalKeys } from './keys.ts';
import type { RedisConnection } from './redis-connection.ts';
import { shardedLease } from './redis-sharded-lease.ts';
import type { Journal, JournalEntry } from './store.ts';

// Every script reads the clock of the Redis server, so all instances agree on lease expiry.
const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// A list element is "<id> <appendedAt> <payload JSON>": Lua reads id and time without decoding JSON.
// An id is `sequence × shards + shard` (on a single Redis, shards = 1: the sequence itself).
/** KEYS: seq, size, ready. ARGV: queue key prefix, shards, shard, then queue, payload pairs. */
const APPEND = `${NOW}
local shards, shard = tonumber(ARGV[2]), tonumber(ARGV[3])
for i = 4, #ARGV, 2 do
  local id = redis.call('INCR', KEYS[1]) * shards + shard
  redis.call('RPUSH', ARGV[1] .. ARGV[i], string.format('%d %d %s', id, now, ARGV[i + 1]))
  redis.call('ZADD', KEYS[3], 'NX', now, ARGV[i])
end
redis.call('INCRBY', KEYS[2], (#ARGV - 3) / 2)`;

/** KEYS: ready. ARGV: queue key prefix, lease key prefix, owner, leaseMs. Returns the queue or nil. */
const LEASE = `${NOW}
local offset = 0
while true do
  local queues = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', offset, 100)
  if #queues == 0 then return false end
  for _, q in ipairs(queues) do
    if redis.call('LLEN', ARGV[1] .. q) == 0 then
      redis.call('ZREM', KEYS[1], q)
    elseif redis.call('SET', ARGV[2] .. q, ARGV[3], 'NX', 'PX', ARGV[4]) then
      redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), q)
      return q
    else
      offset = offset + 1
    end
  end
end`;

/** KEYS: list, lease, ready. ARGV: owner, leaseMs, queue. Returns -1 (not the holder), 0 (empty, released) or the head. */
const HEAD = `${NOW}
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return -1 end
local first = redis.call('LINDEX', KEYS[1], 0)
if not first then
  redis.call('DEL', KEYS[2])
  redis.call('ZREM', KEYS[3], ARGV[3])
  return 0
end
redis.call('PEXPIRE', KEYS[2], ARGV[2])
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[2]), ARGV[3])
return first`;

/** KEYS: list, lease. ARGV: owner, count. Returns -1 (not the holder) or the first `count` entries, unchanged. */
const PEEK = `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return -1 end
return redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1)`;

/** KEYS: list, size. ARGV: entry id. Pops the head only if it is that entry; 1 when it did. */
const ACK = `
local first = redis.call('LINDEX', KEYS[1], 0)
if first and string.match(first, '^(%d+) ') == ARGV[1] then
  redis.call('LPOP', KEYS[1])
  redis.call('DECR', KEYS[2])
  return 1
end
return 0`;

/** KEYS: list, lease, ready. ARGV: owner, delayMs (0: none), queue. */
const RELEASE = `${NOW}
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[2])
local delay = tonumber(ARGV[2])
local first = redis.call('LINDEX', KEYS[1], 0)
if delay > 0 then
  redis.call('ZADD', KEYS[3], now + delay, ARGV[3])
elseif first then
  redis.call('ZADD', KEYS[3], tonumber(string.match(first, '^%d+ (%d+) ')), ARGV[3])
else
  redis.call('ZREM', KEYS[3], ARGV[3])
end
return 1`;

/** KEYS: list, size, parked. ARGV: entry id, reason, queue. Moves the head to the parked hash only if it is that entry. */
const PARK = `${NOW}
local first = redis.call('LINDEX', KEYS[1], 0)
if first and string.match(first, '^(%d+) ') == ARGV[1] then
  redis.call('LPOP', KEYS[1])
  redis.call('DECR', KEYS[2])
  redis.call('HSET', KEYS[3], ARGV[1], cjson.encode({ queue = ARGV[3], parkedAt = now, reason = ARGV[2], entry = first }))
end
return 0`;

/**
 * KEYS: parked, seq, size, ready. ARGV: entry id, queue key prefix, shards, shard. Appends a parked
 * entry's payload to its queue (of the same shard) as a new entry; returns { queue, element }, or
 * nil when not parked.
 */
const REPLAY = `${NOW}
local record = redis.call('HGET', KEYS[1], ARGV[1])
if not record then return false end
local parked = cjson.decode(record)
local payload = string.match(parked.entry, '^%d+ %d+ (.*)$')
local id = redis.call('INCR', KEYS[2]) * tonumber(ARGV[3]) + tonumber(ARGV[4])
local element = string.format('%d %d %s', id, now, payload)
redis.call('RPUSH', ARGV[2] .. parked.queue, element)
redis.call('ZADD', KEYS[4], 'NX', now, parked.queue)
redis.call('INCR', KEYS[3])
redis.call('HDEL', KEYS[1], ARGV[1])
return { parked.queue, element }`;

/** The Redis journal, and its ack telling whether the entry was the head and left its queue (for Store.commit). */
export interface RedisJournal extends Journal {
  ackEntry(queue: string, entryId: string): Promise<boolean>;
  /** The ack as a script call, for a MULTI on one Redis (Store.commit); its reply is 1 when it removed the head. */
  ackCall(queue: string, entryId: string): { readonly script: string; readonly keys: string[]; readonly arguments: string[] };
}

/** Tells other instances of appends (src/store/redis-notify.ts): subscribe with watch, announce after an append. */
export interface AppendNotifier {
  watch(listener: () => void): () => void;
  /** Never rejects: a failed announcement only leaves the others to their slow look. */
  announce(): Promise<void>;
}

/**
 * The journal on `client`, split as `sharding` says. Watchers hear of this process's appends at
 * once, and of other instances' through `notifier` (pub/sub); should that fail, the workers' slow
 * look finds them.
 */
export function createRedisJournal(
  client: RedisConnection,
  namespace: string,
  sharding: JournalSharding,
  guard: Guard,
  notifier?: AppendNotifier,
): RedisJournal {
  const shards = Array.from({ length: sharding.shards }, (_, index) => journalKeys.shard(namespace, sharding.tag(index)));
  const shardArgs = (index: number): string[] => [String(sharding.shards), String(index)];
  const of = (queue: string): JournalShardKeys => shards[sharding.shardOf(queue)]!;
  const queueKeys = (queue: string): string[] => {
    const k = of(queue);
    return [k.queue(queue), k.lease(queue), k.ready];
  };
  const run = (script: string, keys: string[], args: string[]): Promise<unknown> => client.eval(script, { keys, arguments: args });
  const leaseIn = async (k: JournalShardKeys, owner: string, leaseMs: string): Promise<string | undefined> => {
    const queue = await run(LEASE, [k.ready], [k.queuePrefix, k.leasePrefix, owner, leaseMs]);
    return typeof queue === 'string' ? queue : undefined;
  };
  // On a cluster, lease asks every shard; append, release and replay then wake idle askers.
  const sharded = shards.length === 1 ? undefined : shardedLease({ client, shards, wakeKey: journalKeys.wake(namespace), leaseIn, run });
  const woke = async () => sharded?.woke();
  const watchers = new Set<() => void>();
  const ackCall = (queue: string, entryId: string) => {
    const k = of(queue);
    return { script: ACK, keys: [k.queue(queue), k.size], arguments: [entryId] };
  };
  const ackEntry = async (queue: string, entryId: string): Promise<boolean> => {
    const call = ackCall(queue, entryId);
    return (await run(call.script, call.keys, call.arguments)) === 1;
  };

  return {
    append: (items) =>
      guard('journal append', async () => {
        if (items.length === 0) return;
        // One script per shard touched; items keep their order within each shard (so within each queue).
        const byShard = new Map<number, string[]>();
        for (const { queue, payload } of items) {
          const index = sharding.shardOf(queue);
          const pairs = byShard.get(index) ?? [];
          pairs.push(queue, JSON.stringify(payload ?? null));
          byShard.set(index, pairs);
        }
        // On a cluster the shards are written one after the other, in the order of their first item:
        // each script stamps its queues with the server's time, so a queue appended earlier is never
        // stamped later than one appended after it, and lease takes them oldest first as on one Redis.
        for (const [index, pairs] of byShard) {
          const k = shards[index]!;
          await run(APPEND, [k.sequence, k.size, k.ready], [k.queuePrefix, ...shardArgs(index), ...pairs]);
        }
        await woke();
        for (const listener of watchers) queueMicrotask(listener);
        // Not awaited: waking other instances must not lengthen what a webhook waits for before its 200.
        void notifier?.announce();
      }),
    watch(listener) {
      const own = () => listener();
      watchers.add(own);
      const remote = notifier?.watch(own);
      return () => {
        watchers.delete(own);
        remote?.();
      };
    },
    lease: (owner, leaseMs) =>
      guard('journal lease', async () => {
        const ms = String(checkMs('leaseMs', leaseMs));
        return sharded === undefined ? leaseIn(shards[0]!, owner, ms) : sharded.lease(owner, ms);
      }),
    head: (queue, owner, leaseMs) =>
      guard(`journal head of ${queue}`, async () => {
        const reply = await run(HEAD, queueKeys(queue), [owner, String(checkMs('leaseMs', leaseMs)), queue]);
        if (reply === -1) throw new StoreError(`Journal lease on queue ${queue} is not held by ${owner}: it expired or was never taken`);
        return typeof reply === 'string' ? parseEntry(queue, reply) : undefined;
      }),
    peek: (queue, owner, limit) =>
      guard(`journal peek of ${queue}`, async () => {
        const count = Math.max(0, Math.floor(limit));
        if (count === 0) return [];
        const [list, lease] = queueKeys(queue);
        const reply = await run(PEEK, [list!, lease!], [owner, String(count)]);
        if (reply === -1) throw new StoreError(`Journal lease on queue ${queue} is not held by ${owner}: it expired or was never taken`);
        return (reply as string[]).map((element) => parseEntry(queue, element));
      }),
    ackCall,
    ackEntry: (queue, entryId) => guard(`journal ack of ${queue}`, () => ackEntry(queue, entryId)),
    ack: (queue, entryId) =>
      guard(`journal ack of ${queue}`, async () => {
        await ackEntry(queue, entryId);
      }),
    release: (queue, owner, delayMs) =>
      guard(`journal release of ${queue}`, async () => {
        const delay = delayMs === undefined || delayMs === 0 ? 0 : checkMs('delayMs', delayMs);
        await run(RELEASE, queueKeys(queue), [owner, String(delay), queue]);
        await woke();
      }),
    size: () =>
      guard('journal size', async () => {
        const counts = await Promise.all(shards.map((k) => client.get(k.size)));
        return counts.reduce((sum: number, count) => sum + Number(count ?? 0), 0);
      }),
    park: (queue, entryId, _owner, reason) =>
      guard(`journal park in ${queue}`, async () => {
        const k = of(queue);
        await run(PARK, [k.queue(queue), k.size, k.parked], [entryId, reason, queue]);
      }),
    parked: () =>
      guard('journal parked', async () => {
        const hashes = await Promise.all(shards.map((k) => client.hGetAll(k.parked)));
        const records = hashes.flatMap((hash) =>
          Object.values(hash).map((json) => {
            const record = JSON.parse(json) as { queue: string; parkedAt: number; reason: string; entry: string };
            return { ...parseEntry(record.queue, record.entry), parkedAt: record.parkedAt, reason: record.reason };
          }),
        );
        return records.sort((a, b) => a.parkedAt - b.parkedAt || Number(a.id) - Number(b.id));
      }),
    replay: (entryId) =>
      guard(`journal replay of ${entryId}`, async () => {
        const index = sharding.shardOfEntry(entryId);
        if (index === undefined) return undefined;
        const k = shards[index]!;
        const reply = await run(REPLAY, [k.parked, k.sequence, k.size, k.ready], [entryId, k.queuePrefix, ...shardArgs(index)]);
        if (!Array.isArray(reply)) return undefined;
        await woke();
        const [queue, element] = reply as [string, string];
        return parseEntry(queue, element);
      }),
  };
}

function parseEntry(queue: string, element: string): JournalEntry {
  const match = /^(\d+) (\d+) /.exec(element);
  if (match === null) throw new StoreError(`Journal entry of queue ${queue} is malformed: ${element.slice(0, 40)}`);
  const [prefix, id = '', appendedAt = ''] = match;
  return { id, queue, payload: JSON.parse(element.slice(prefix.length)) as unknown, appendedAt: Number(appendedAt) };
}

/** Redis takes whole milliseconds (PX): round up, never expire early. */
function checkMs(name: string, ms: number): number {
  return Math.ceil(checkPositiveMs(name, ms));
}
