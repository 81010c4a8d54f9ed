/**
 * What `threadline doctor` says about a Redis Cluster: how many masters the client found, whether
 * each of them reports `cluster_state:ok`, and how many of the 16384 hash slots are served.
 */
import { StoreError } from '../errors.ts';
import { defaultNamespace } from './keys.ts';
import { connectRedis } from './redis-connection.ts';
import { parseRedisUrl } from './redis-url.ts';

/** The cluster as its masters report it. */
export interface ClusterHealth {
  /** `host:port` of each master, as the cluster announces them. */
  readonly masters: readonly string[];
  /** Masters whose `CLUSTER INFO` does not say `cluster_state:ok`. */
  readonly notOk: readonly string[];
  /** The fewest `cluster_slots_ok` any master reports (16384 when every slot is served). */
  readonly slotsOk: number;
}

/** Hash slots of a Redis Cluster. */
export const CLUSTER_SLOTS = 16384;

/** Asks every master of the cluster at `url` for its CLUSTER INFO. Throws StoreError when unreachable. */
export async function clusterHealth(url: string, timeoutMs = 2000): Promise<ClusterHealth> {
  const target = parseRedisUrl(url);
  if (target?.kind !== 'cluster') throw new StoreError('not a redis+cluster:// URL');
  const connection = await connectRedis(url, target, defaultNamespace, timeoutMs);
  const client = connection.client;
  try {
    if (!('masters' in client)) throw new StoreError('not a cluster client');
    const infos = await Promise.all(
      client.masters.map(async (master) => {
        const info = String(await (await client.nodeClient(master)).sendCommand(['CLUSTER', 'INFO']));
        return { name: `${master.host}:${master.port}`, info };
      }),
    );
    const field = (info: string, name: string) => new RegExp(`^${name}:(\\S+)`, 'm').exec(info)?.[1];
    return {
      masters: infos.map(({ name }) => name),
      notOk: infos.filter(({ info }) => field(info, 'cluster_state') !== 'ok').map(({ name }) => name),
      slotsOk: Math.min(...infos.map(({ info }) => Number(field(info, 'cluster_slots_ok') ?? 0))),
    };
  } catch (cause) {
    throw connection.fail('CLUSTER INFO', cause);
  } finally {
    await connection.close().catch(() => undefined);
  }
}
