import { ConfigError } from '../errors.ts';
import { createMemoryStore } from './memory-store.ts';
import { createRedisStore } from './redis-store.ts';
import { parseRedisUrl } from './redis-url.ts';
import { createSqliteStore } from './sqlite-store.ts';
import type { Store } from './store.ts';

/** Options of {@link createStore}. */
export interface CreateStoreOptions {
  /** STORE_URL: unset for the embedded store, `redis://…`/`rediss://…`, `redis+cluster://…`/`rediss+cluster://…`, or `memory:` for tests. */
  readonly url?: string | undefined;
  /** DATA_DIR: where the embedded store keeps `threadline.db`. */
  readonly dataDir: string;
  /** Clock of the memory store and of the embedded journal; Redis uses its server clock. */
  readonly now?: () => number;
}

/**
 * Builds the Store that STORE_URL names, ready to use: the embedded SQLite store when the URL is
 * unset, Redis for `redis://`/`rediss://` and a Redis Cluster for `redis+cluster://`/`rediss+cluster://`
 * (connected eagerly; rejects with StoreError within a few seconds when unreachable), the memory
 * store for `memory:`. Any other URL throws ConfigError.
 */
export async function createStore(options: CreateStoreOptions): Promise<Store> {
  const { url, dataDir, now } = options;
  const clock = now === undefined ? {} : { now };
  if (url === undefined) return createSqliteStore({ dataDir, ...clock });
  if (url === 'memory:') return createMemoryStore(clock);
  if (parseRedisUrl(url) !== undefined) return createRedisStore({ url });
  throw new ConfigError(
    'STORE_URL',
    'Invalid configuration: STORE_URL must be redis://host:port[/db], redis+cluster://host:port[,host:port…] or unset for the embedded store',
  );
}
