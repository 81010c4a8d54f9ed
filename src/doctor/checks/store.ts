/**
 * The store part of the doctor: open the configured store as the service would, write a probe key,
 * read it back, delete it, and read the routing settings that the Slack checks need. On a Redis
 * Cluster it also asks every master whether the cluster is ok and serves every hash slot.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from '../../config.ts';
import { createRoutingSettings, createSettingsStore } from '../../engine/settings.ts';
import { StoreError } from '../../errors.ts';
import { createStore } from '../../store/create-store.ts';
import { keys } from '../../store/keys.ts';
import { CLUSTER_SLOTS, clusterHealth } from '../../store/redis-cluster-health.ts';
import { parseRedisUrl, redactRedisUrl } from '../../store/redis-url.ts';
import type { Store } from '../../store/store.ts';
import { fail, messageOf, ok, type CheckResult } from '../results.ts';

/** Long enough for one run; the probe is deleted anyway, this only covers a run killed midway. */
const PROBE_TTL_MS = 60_000;

/** The routes and the default channel as /inbox left them. */
export interface Routing {
  readonly routes: Readonly<Record<string, string>>;
  readonly defaultChannel: string;
}

export interface StoreOutcome {
  readonly results: readonly CheckResult[];
  /** undefined when the store could not be read. */
  readonly routing?: Routing;
}

export async function checkStore(config: Config): Promise<StoreOutcome> {
  const file = resolve(config.dataDir, 'threadline.db');
  const isCluster = config.storeUrl !== undefined && parseRedisUrl(config.storeUrl)?.kind === 'cluster';
  const where =
    config.storeUrl === undefined
      ? `embedded store ${file}`
      : `${isCluster ? 'Redis Cluster' : 'Redis'} at ${redactRedisUrl(config.storeUrl)}`;
  const isNew = config.storeUrl === undefined && !existsSync(file);
  let store: Store;
  try {
    store = await createStore({ url: config.storeUrl, dataDir: config.dataDir });
  } catch (error) {
    // StoreError messages name the file or the URL (without its password) and what to check.
    return { results: [fail('store', messageOf(error))] };
  }
  try {
    const key = keys.doctorProbe(randomUUID());
    const written = { probe: randomUUID() };
    await store.set(key, written, PROBE_TTL_MS);
    const read = await store.get<typeof written>(key);
    await store.delete(key);
    if (read?.probe !== written.probe) {
      return {
        results: [
          fail(
            'store',
            `${where}: a value written was read back as ${JSON.stringify(read ?? null)}: another program may be using the same ${config.storeUrl === undefined ? 'file' : 'Redis database'}; give Threadline its own`,
          ),
        ],
      };
    }
    const settings = createRoutingSettings(createSettingsStore(store, { owner: 'doctor' }), config.defaultChannel);
    const routing: Routing = { routes: await settings.routes(), defaultChannel: await settings.defaultChannel() };
    const note = isNew
      ? ` (a new, empty store: if Threadline ran before, its data is elsewhere; check DATA_DIR ${config.dataDir} and the working directory ${process.cwd()})`
      : '';
    if (isCluster) {
      const cluster = await clusterHealth(config.storeUrl!);
      const masters = `${cluster.masters.length} masters (${cluster.masters.join(', ')})`;
      if (cluster.notOk.length > 0 || cluster.slotsOk < CLUSTER_SLOTS) {
        const why =
          cluster.notOk.length > 0
            ? `${cluster.notOk.join(', ')} report${cluster.notOk.length === 1 ? 's' : ''} the cluster not ok`
            : `only ${cluster.slotsOk} of ${CLUSTER_SLOTS} hash slots are served`;
        const hint = 'check `redis-cli --cluster check` on a node: keys in the missing slots cannot be read or written';
        return { results: [fail('store', `${where}: ${masters}: ${why}; ${hint}`)], routing };
      }
      return {
        results: [ok('store', `${where}: ${masters} serve all ${CLUSTER_SLOTS} hash slots; a write, a read and a delete work`)],
        routing,
      };
    }
    return { results: [ok('store', `${where}: a write, a read and a delete work${note}`)], routing };
  } catch (error) {
    return { results: [fail('store', error instanceof StoreError ? error.message : `${where}: ${messageOf(error)}`)] };
  } finally {
    await store.close().catch(() => undefined);
  }
}
