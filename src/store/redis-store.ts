import { StoreError } from '../errors.ts';
import { checkMs as checkPositiveMs, createGuard } from './guard.ts';
import { clusterSharding, singleShard } from './journal-shards.ts';
import { keyvData } from './keyv-data.ts';
import { defaultNamespace, journalKeys } from './keys.ts';
import { redisCommit } from './redis-commit.ts';
import { connectRedis } from './redis-connection.ts';
import { redisCoordination } from './redis-coordination.ts';
import { createRedisJournal } from './redis-journal.ts';
import { redisAppendWatch } from './redis-notify.ts';
import { parseRedisUrl } from './redis-url.ts';
import type { Store } from './store.ts';

/** Options of {@link createRedisStore}. */
export interface RedisStoreOptions {
  /**
   * `redis://[user:password@]host:port[/db]` or `rediss://…` for one server;
   * `redis+cluster://[user:password@]host:port[,host:port…]` or `rediss+cluster://…` for a Redis Cluster.
   */
  readonly url: string;
  /** Prefix of every key; defaults to {@link defaultNamespace}. Tests pass a unique one. */
  readonly namespace?: string;
  /** How long connecting may take before createRedisStore rejects; 1000 ms by default. */
  readonly connectTimeoutMs?: number;
}

/**
 * A Store on Redis or on a Redis Cluster, shared by every Threadline instance pointed at it.
 * Connects eagerly: rejects with StoreError within about connectTimeoutMs when Redis is
 * unreachable, and every later call that cannot reach Redis rejects at once (no offline queue)
 * instead of hanging. Data values, claims, counters and indexes are one key each; setIfAbsent is
 * `SET NX PX`; the journal (src/store/redis-journal.ts) keeps each script within one hash slot.
 */
export async function createRedisStore(options: RedisStoreOptions): Promise<Store> {
  const namespace = options.namespace ?? defaultNamespace;
  const target = parseRedisUrl(options.url);
  if (target === undefined) throw new StoreError('STORE_URL is not a redis://, rediss://, redis+cluster:// or rediss+cluster:// URL');
  // The journal's hash tags must be the first braces of its keys.
  if (target.kind === 'cluster' && /[{}]/.test(namespace))
    throw new StoreError(`A Redis Cluster namespace cannot contain { or }: ${namespace}`);
  const { client, adapter, keyv, fail, where, close } = await connectRedis(
    options.url,
    target,
    namespace,
    options.connectTimeoutMs ?? 1000,
  );
  const storeGuard = createGuard(`${where}: the store is closed`, fail);
  const guard = storeGuard.run;
  const cluster = target.kind === 'cluster';
  const sharding = cluster ? clusterSharding() : singleShard;
  // Other instances' appends wake this one's workers through pub/sub (src/store/redis-notify.ts).
  const notifier = redisAppendWatch(client, journalKeys.appended(namespace));
  const journal = createRedisJournal(client, namespace, sharding, guard, notifier);

  return {
    kind: 'redis',
    journal,
    ...keyvData(keyv, guard, Math.ceil),
    ...redisCoordination(client, namespace, guard),
    ...redisCommit(client, cluster, namespace, (key) => adapter.createKeyPrefix(key, namespace), journal, guard),
    setIfAbsent: (key, value, ttlMs) =>
      guard(`setIfAbsent ${key}`, async () => {
        const ttl = ttlMs === undefined ? undefined : Math.ceil(checkPositiveMs('ttlMs', ttlMs));
        const json = JSON.stringify({ value, expires: ttl === undefined ? undefined : Date.now() + ttl });
        const expiration = ttl === undefined ? {} : { expiration: { type: 'PX', value: ttl } as const };
        const reply = await client.set(adapter.createKeyPrefix(key, namespace), json, { condition: 'NX', ...expiration });
        return reply === 'OK';
      }),
    ping: () => guard('ping', async () => void (await client.ping())),
    async close() {
      if (!storeGuard.close()) return;
      await notifier.close();
      await close();
    },
  };
}
