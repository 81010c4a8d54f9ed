/**
 * Store.commit on Redis: every write of the list in one MULTI/EXEC, so Redis applies them together
 * (no other client's command runs in between) and one round trip carries them. Values are written
 * exactly as the single operations write them (keyv's `{ value, expires }` under `namespace::key`,
 * the sorted sets of Store.index, the journal's ACK script), so every other operation reads them.
 *
 * On a Redis Cluster a MULTI may only touch keys of one hash slot: the writes of one commit then
 * have to share a hash tag, or be split per slot (each slot's part atomic on its own).
 */
import type { createClient } from '@keyv/redis';
import { checkMs, checkScore, type Guard } from './guard.ts';
import { coordinationKeys, journalKeys } from './keys.ts';
import type { Store, StoreWrite } from './store.ts';

type RedisClient = ReturnType<typeof createClient>;

/** commit on the connected client; `dataKey` prefixes a data key as @keyv/redis does; `ack` is the journal's ACK script. */
export function redisCommit(
  client: RedisClient,
  namespace: string,
  dataKey: (key: string) => string,
  ack: string,
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
        const multi = client.multi();
        const at = Date.now();
        for (const write of writes) queue(multi, write, at);
        const replies = (await multi.exec()) as unknown[];
        return writes.map((write, i) => outcome(write, replies[i]));
      }),
  };

  function queue(multi: ReturnType<RedisClient['multi']>, write: StoreWrite, at: number): void {
    switch (write.op) {
      case 'set':
      case 'setIfAbsent': {
        // Redis takes whole milliseconds (PX): rounded up, never expiring early, as the single set does.
        const ttl = write.ttlMs === undefined ? undefined : Math.ceil(write.ttlMs);
        const json = JSON.stringify({ value: write.value, expires: ttl === undefined ? undefined : at + ttl });
        const expiration = ttl === undefined ? {} : { expiration: { type: 'PX', value: ttl } as const };
        const condition = write.op === 'setIfAbsent' ? { condition: 'NX' as const } : {};
        multi.set(dataKey(write.key), json, { ...condition, ...expiration });
        return;
      }
      case 'delete':
        multi.del(dataKey(write.key));
        return;
      case 'indexPut':
        multi.zAdd(coordinationKeys.index(namespace, write.index), { score: write.score, value: write.member });
        return;
      case 'indexRemove':
        multi.zRem(coordinationKeys.index(namespace, write.index), write.member);
        return;
      case 'ack':
        multi.eval(ack, { keys: [journalKeys.queue(namespace, write.queue), journalKeys.size(namespace)], arguments: [write.entryId] });
        return;
    }
  }
}

function outcome(write: StoreWrite, reply: unknown): boolean {
  switch (write.op) {
    case 'set':
    case 'indexPut':
      return true;
    case 'setIfAbsent':
      return reply === 'OK';
    case 'delete':
    case 'indexRemove':
      return Number(reply) > 0;
    case 'ack':
      return reply === 1;
  }
}
