/**
 * `lease` over the shards of the journal on a Redis Cluster. Each shard names its earliest queue
 * (one read-only script per shard, sent at once), and the shards whose queue is due are tried
 * oldest first; a shard whose candidate was taken meanwhile offers its next.
 *
 * An idle worker asks often, and asking 16 shards each time would cost 16 scripts per poll. So
 * when a round finds nothing due, it remembers until when nothing can become due by itself (the
 * earliest future due time: a delayed release, a lease that may expire) together with a wake
 * counter, a key of its own that append, release and replay increment after their script. Until
 * then a lease only reads the counter; if it has not moved there is nothing to do. The counter is
 * read before the shards, and incremented after each write, so a write that completed before a
 * lease began is always seen. A write whose increment is lost (the process died between the two
 * steps, or the counter's node failed) is found by the next full round, at most {@link MAX_IDLE_MS} later.
 */
import type { JournalShardKeys } from './keys.ts';
import type { RedisConnection } from './redis-connection.ts';

/** The longest a remembered "nothing due" is trusted without asking every shard again. */
export const MAX_IDLE_MS = 1000;

// Every script reads the clock of the Redis server, so all instances agree on lease expiry.
const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** KEYS: ready. Returns nil when empty, else { queue, score, ms until due (≤ 0: due now) } of its earliest queue. */
const PEEK = `${NOW}
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #first == 0 then return false end
return { first[1], first[2], tostring(tonumber(first[2]) - now) }`;

/** What the sharded lease needs from the journal. */
export interface ShardedLeaseDeps {
  readonly client: RedisConnection;
  readonly shards: readonly JournalShardKeys[];
  /** The wake counter's key. */
  readonly wakeKey: string;
  /** Runs the one-shard LEASE script. */
  leaseIn(shard: JournalShardKeys, owner: string, leaseMs: string): Promise<string | undefined>;
  readonly run: (script: string, keys: string[], args: string[]) => Promise<unknown>;
}

/** The cross-shard lease, and `woke`, to be awaited after every write that may make a queue due. */
export function shardedLease(deps: ShardedLeaseDeps): {
  lease(owner: string, leaseMs: string): Promise<string | undefined>;
  woke(): Promise<void>;
} {
  const { client, shards, wakeKey } = deps;
  let idle: { readonly wake: string | null; readonly until: number } | undefined;

  return {
    async lease(owner, leaseMs) {
      const started = Date.now();
      const wake = await client.get(wakeKey);
      if (idle !== undefined && started < idle.until && wake === idle.wake) return undefined;
      idle = undefined;
      const peeks = await Promise.all(shards.map((k) => deps.run(PEEK, [k.ready], [])));
      const due: { index: number; queue: string; score: number }[] = [];
      let nextMs = MAX_IDLE_MS;
      peeks.forEach((peek, index) => {
        if (!Array.isArray(peek)) return;
        const [queue, score, untilDue] = peek.map(String) as [string, string, string];
        if (Number(untilDue) <= 0) due.push({ index, queue, score: Number(score) });
        else nextMs = Math.min(nextMs, Number(untilDue));
      });
      due.sort((a, b) => a.score - b.score || (a.queue < b.queue ? -1 : a.queue > b.queue ? 1 : 0));
      for (const { index } of due) {
        const queue = await deps.leaseIn(shards[index]!, owner, leaseMs);
        if (queue !== undefined) return queue;
      }
      // Nothing due anywhere (or every due queue was taken meanwhile): remember that only when none was due.
      if (due.length === 0) idle = { wake, until: started + nextMs };
      return undefined;
    },
    async woke() {
      idle = undefined;
      // A hint only: the write it follows is durable already, and a lost increment costs at most MAX_IDLE_MS.
      await client.incr(wakeKey).catch(() => undefined);
    },
  };
}
