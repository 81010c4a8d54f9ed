/**
 * Journal.watch across instances on one Redis: after an append the journal publishes on the
 * namespace's `journal:appended` channel, and each store subscribes once (a second connection,
 * opened at the first watch), so an append on any instance wakes the idle workers of all of them
 * at once instead of their polling. A lost subscription costs only latency: the workers still
 * look every few seconds. On a Redis Cluster, a published message reaches every node, so the
 * subscriber (the cluster client's own pub/sub connection, to any node) hears all of them.
 */
import type { RedisConnection } from './redis-connection.ts';
import type { AppendNotifier } from './redis-journal.ts';

type RedisClient = RedisConnection;

/** The watchers of one store and the subscriber connection they share. */
export function redisAppendWatch(client: RedisClient, channel: string): AppendNotifier & { close(): Promise<void> } {
  const listeners = new Set<() => void>();
  let subscriber: RedisClient | undefined;
  const subscribe = () => {
    if (subscriber !== undefined) return;
    const connection = client.duplicate();
    subscriber = connection;
    connection.on('error', () => {}); // reconnects on its own; meanwhile the workers' slow look finds the work
    connection
      .connect()
      .then(() =>
        connection.subscribe(channel, () => {
          for (const listener of listeners) listener();
        }),
      )
      .catch(() => {});
  };
  return {
    async announce() {
      try {
        await client.publish(channel, '');
      } catch {
        // Waking others is an optimisation: a failed publish loses nothing (their slow look finds the work).
      }
    },
    watch(listener) {
      const own = () => listener();
      listeners.add(own);
      subscribe();
      return () => void listeners.delete(own);
    },
    async close() {
      const connection = subscriber;
      subscriber = undefined;
      listeners.clear();
      if (connection?.isOpen) await connection.close().catch(() => connection.destroy());
    },
  };
}
