/**
 * The Redis store's coordination primitives: a named lease is a `SET NX PX` key renewed by its
 * owner in one script, a counter is `INCRBY`, a sorted index is a sorted set. Every instance on
 * the Redis server sees the same leases, counters and indexes.
 */
import type { RedisConnection } from './redis-connection.ts';
import { checkMs, checkScore, type Guard } from './guard.ts';
import { coordinationKeys } from './keys.ts';
import type { SortedIndex, Store } from './store.ts';

/** KEYS: the lease. ARGV: owner, ttlMs. 1 when the owner now holds the lease. */
const CLAIM = `
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

/** KEYS: the lease. ARGV: owner. Deletes it only if the owner holds it. */
const UNCLAIM = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0`;

/** claim, unclaim, increment and index on the connected client. */
export function redisCoordination(
  client: RedisConnection,
  namespace: string,
  guard: Guard,
): Pick<Store, 'claim' | 'unclaim' | 'increment' | 'index'> {
  const index = (name: string): SortedIndex => {
    const key = coordinationKeys.index(namespace, name);
    return {
      put: (member, score) =>
        guard(`index ${name} put`, async () => void (await client.zAdd(key, { score: checkScore(score), value: member }))),
      remove: (member) => guard(`index ${name} remove`, async () => (await client.zRem(key, member)) > 0),
      score: (member) => guard(`index ${name} score`, async () => (await client.zScore(key, member)) ?? undefined),
      range: (options = {}) =>
        guard(`index ${name} range`, async () => {
          const max = options.maxScore === undefined ? '+inf' : checkScore(options.maxScore);
          const limit = options.limit === undefined ? {} : { LIMIT: { offset: 0, count: options.limit } };
          const rows = await client.zRangeByScoreWithScores(key, '-inf', max, limit);
          return rows.map(({ value, score }) => ({ member: value, score }));
        }),
      count: () => guard(`index ${name} count`, () => client.zCard(key)),
    };
  };
  return {
    claim: (name, owner, ttlMs) =>
      guard(`claim ${name}`, async () => {
        const ttl = String(Math.ceil(checkMs('ttlMs', ttlMs)));
        return (await client.eval(CLAIM, { keys: [coordinationKeys.claim(namespace, name)], arguments: [owner, ttl] })) === 1;
      }),
    unclaim: (name, owner) =>
      guard(`unclaim ${name}`, async () => {
        await client.eval(UNCLAIM, { keys: [coordinationKeys.claim(namespace, name)], arguments: [owner] });
      }),
    increment: (key, by = 1) => guard(`increment ${key}`, () => client.incrBy(coordinationKeys.counter(namespace, key), by)),
    index,
  };
}
