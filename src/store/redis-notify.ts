/**
 * Journal.watch on Redis: the append script publishes on the namespace's `journal:appended`
 * channel, and each store subscribes once (a second connection, opened at the first watch), so an
 * append on any instance wakes the idle workers of all of them at once instead of their polling.
 * A lost subscription costs only latency: the workers still look every WorkerOptions.idleMs.
 */
import type { createClient } from '@keyv/redis';

type RedisClient = ReturnType<typeof createClient>;

/** The watchers of one store and the subscriber connection they share. */
export function redisAppendWatch(
  client: RedisClient,
  channel: string,
): { watch(listener: () => void): () => void; close(): Promise<void> } {
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
