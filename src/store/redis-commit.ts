/**
 * Store.commit on Redis. On one Redis, every write of the list, the journal acks included (the
 * journal's own ack script), goes in one MULTI/EXEC, so Redis applies them together (no other
 * client's command runs in between) and one round trip carries them. On a Redis Cluster a MULTI
 * may only touch keys of one hash slot, so the writes are applied one after another, in the order
 * given, then the acks: what a crash in between leaves is what single writes would leave, and the
 * worker orders a job's writes for that (processed markers before any ack).
 * Values are written exactly as the single operations write them (keyv's `{ value, expires }`
 * under `namespace::key`, the sorted sets of Store.index), so every other operation reads them.
 */
import type { RedisClientType } from '@keyv/redis';
import { checkMs, checkScore, type Guard } from './guard.ts';
import { coordinationKeys } from './keys.ts';
import type { RedisConnection } from './redis-connection.ts';
import type { RedisJournal } from './redis-journal.ts';
import type { Store, StoreWrite } from './store.ts';

type DataWrite = Exclude<StoreWrite, { op: 'ack' }>;

/** commit on the connected client; `dataKey` prefixes a data key as @keyv/redis does. */
export function redisCommit(
  client: RedisConnection,
  cluster: boolean,
  namespace: string,
  dataKey: (key: string) => string,
  journal: RedisJournal,
  guard: Guard,
): Pick<Store, 'commit'> {
  return {
    commit: (writes) =>
      guard(`commit of ${writes.length} writes`, async () => {
        for (const write of writes) {
          if ((write.op === 'set' || write.op === 'setIfAbsent') && write.ttlMs !== undefined) checkMs('ttlMs', write.ttlMs);
          if (write.op === 'indexPut') checkScore(write.score);
        }
        if (writes.length === 0) return [];
        const at = Date.now();
        if (!cluster) {
          const multi = (client as RedisClientType).multi();
          for (const write of writes) queue(multi, write, at);
          const replies = (await multi.exec()) as unknown[];
          return writes.map((write, i) => outcome(write, replies[i]));
        }
        const results: boolean[] = new Array(writes.length).fill(false);
        for (const [i, write] of writes.entries()) if (write.op !== 'ack') results[i] = outcome(write, await single(write, at));
        for (const [i, write] of writes.entries()) if (write.op === 'ack') results[i] = await journal.ackEntry(write.queue, write.entryId);
        return results;
      }),
  };

  function setArgs(write: Extract<DataWrite, { op: 'set' | 'setIfAbsent' }>, at: number) {
    // Redis takes whole milliseconds (PX): rounded up, never expiring early, as the single set does.
    const ttl = write.ttlMs === undefined ? undefined : Math.ceil(write.ttlMs);
    const json = JSON.stringify({ value: write.value, expires: ttl === undefined ? undefined : at + ttl });
    const expiration = ttl === undefined ? {} : { expiration: { type: 'PX', value: ttl } as const };
    const condition = write.op === 'setIfAbsent' ? { condition: 'NX' as const } : {};
    return [dataKey(write.key), json, { ...condition, ...expiration }] as const;
  }

  function queue(multi: ReturnType<RedisClientType['multi']>, write: StoreWrite, at: number): void {
    switch (write.op) {
      case 'ack': {
        const ack = journal.ackCall(write.queue, write.entryId);
        multi.eval(ack.script, { keys: ack.keys, arguments: ack.arguments });
        return;
      }
      case 'set':
      case 'setIfAbsent':
        multi.set(...setArgs(write, at));
        return;
      case 'delete':
        multi.del(dataKey(write.key));
        return;
      case 'indexPut':
        multi.zAdd(coordinationKeys.index(namespace, write.index), { score: write.score, value: write.member });
        return;
      case 'indexRemove':
        multi.zRem(coordinationKeys.index(namespace, write.index), write.member);
        return;
    }
  }

  function single(write: DataWrite, at: number): Promise<unknown> {
    switch (write.op) {
      case 'set':
      case 'setIfAbsent':
        return client.set(...setArgs(write, at));
      case 'delete':
        return client.del(dataKey(write.key));
      case 'indexPut':
        return client.zAdd(coordinationKeys.index(namespace, write.index), { score: write.score, value: write.member });
      case 'indexRemove':
        return client.zRem(coordinationKeys.index(namespace, write.index), write.member);
    }
  }
}

function outcome(write: StoreWrite, reply: unknown): boolean {
  switch (write.op) {
    case 'ack':
      return reply === 1;
    case 'set':
    case 'indexPut':
      return true;
    case 'setIfAbsent':
      return reply === 'OK';
    case 'delete':
    case 'indexRemove':
      return Number(reply) > 0;
  }
}
