import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LocalRedisCluster, startRedisCluster } from '../support/redis-cluster.ts';
import { closedPort, DEFAULT_CHANNEL, startDoctorWorld, type DoctorWorld } from './harness.ts';

let world: DoctorWorld;
beforeEach(async () => {
  world = await startDoctorWorld();
});
afterEach(async () => {
  await world.close();
});

describe('threadline doctor: the embedded store', () => {
  it('names the file, says when it is new, and leaves no probe behind', async () => {
    const file = join(world.dataDir, 'threadline.db');
    const first = await world.run();
    expect(first.line('store')).toBe(
      `✓ store: embedded store ${file}: a write, a read and a delete work (a new, empty store: if Threadline ran before, its data is elsewhere; ` +
        `check DATA_DIR ${world.dataDir} and the working directory ${process.cwd()})`,
    );
    const second = await world.run();
    expect(second.line('store')).toBe(`✓ store: embedded store ${file}: a write, a read and a delete work`);
    const db = new Database(file, { readonly: true });
    const probes = db.prepare("SELECT count(*) AS n FROM kv WHERE key LIKE '%doctor:probe:%'").get() as { n: number };
    db.close();
    expect(probes.n).toBe(0);
  });

  it('fails with the path when DATA_DIR cannot hold the file', async () => {
    const notADirectory = join(world.dataDir, 'a-file');
    writeFileSync(notADirectory, '');
    const run = await world.run({ DATA_DIR: join(notADirectory, 'data') });
    expect(run.code).toBe(1);
    expect(run.line('store')).toMatch(
      new RegExp(
        `^✗ store: Embedded store ${join(notADirectory, 'data', 'threadline.db')}: opening \\(check that DATA_DIR is writable\\) failed: `,
      ),
    );
  });
});

describe('threadline doctor: Redis', () => {
  it('names the URL and what to do when Redis is unreachable, and still checks the default channel', async () => {
    const port = await closedPort();
    const run = await world.run({ STORE_URL: `redis://:s3cretpass@127.0.0.1:${port}/2` });
    expect(run.code).toBe(1);
    expect(run.line('store')).toBe(
      `✗ store: Redis at redis://127.0.0.1:${port}/2 is unreachable: connect ECONNREFUSED 127.0.0.1:${port}. Check STORE_URL and that Redis is running`,
    );
    expect(run.line('routes')).toBe('! routes: not checked: the store could not be read (see the store line above)');
    expect(run.line(`#c0default (${DEFAULT_CHANNEL})`)).toMatch(/^✓ /);
    expect(run.text).not.toContain('s3cretpass');
  });
});

describe('threadline doctor: Redis Cluster', () => {
  let cluster: LocalRedisCluster;
  beforeAll(async () => {
    cluster = await startRedisCluster();
  }, 30_000);
  afterAll(() => cluster?.stop());

  it('names the masters it found from one node, and says every hash slot is served', async () => {
    const run = await world.run({ STORE_URL: `redis+cluster://127.0.0.1:${cluster.ports[0]}` });
    expect(run.code, run.text).toBe(0);
    const masters = cluster.ports.map((port) => `127.0.0.1:${port}`);
    expect(run.line('store')).toMatch(
      new RegExp(
        `^✓ store: Redis Cluster at redis\\+cluster://127\\.0\\.0\\.1:${cluster.ports[0]}: 3 masters \\(([^)]+)\\) serve all 16384 hash slots; a write, a read and a delete work$`,
      ),
    );
    const named = /3 masters \(([^)]+)\)/.exec(run.line('store') ?? '')?.[1]?.split(', ');
    expect(named?.sort()).toEqual(masters.sort());
  });

  it('fails when a master no longer serves a hash slot: the cluster is down, or (full coverage not required) says how many are served', async () => {
    const owner = cluster.ports[2]!;
    const slot = Number((await cluster.cli(['cluster', 'nodes'], owner)).match(/myself,master - \d+ \d+ \d+ connected (\d+)-/)?.[1]);
    const coverage = async (value: 'yes' | 'no') => {
      for (const port of cluster.ports) await cluster.cli(['config', 'set', 'cluster-require-full-coverage', value], port);
    };
    await cluster.cli(['cluster', 'delslots', String(slot)], owner);
    try {
      const down = await world.run({ STORE_URL: cluster.url });
      expect(down.code).toBe(1);
      expect(down.line('store')).toMatch(
        /^✗ store: Redis Cluster at redis\+cluster:\/\/127\.0\.0\.1:\d+,127\.0\.0\.1:\d+,127\.0\.0\.1:\d+: .* failed: CLUSTERDOWN/,
      );
      await coverage('no');
      await allOk(cluster);
      const partial = await world.run({ STORE_URL: cluster.url });
      expect(partial.code).toBe(1);
      expect(partial.line('store')).toMatch(
        /^✗ store: Redis Cluster at .*: 3 masters \([^)]+\): only 16383 of 16384 hash slots are served; check `redis-cli --cluster check` on a node/,
      );
    } finally {
      await coverage('yes');
      await cluster.cli(['cluster', 'addslots', String(slot)], owner);
      await allOk(cluster);
    }
    const healed = await world.run({ STORE_URL: cluster.url });
    expect(healed.line('store'), healed.text).toMatch(/^✓ store: Redis Cluster at .*: 3 masters \([^)]+\) serve all 16384 hash slots/);
  });

  it('names the URL without its password and what to do when no node answers', async () => {
    const port = await closedPort();
    const run = await world.run({ STORE_URL: `redis+cluster://:s3cretpass@127.0.0.1:${port}` });
    expect(run.code).toBe(1);
    expect(run.line('store')).toMatch(
      new RegExp(
        `^✗ store: Redis Cluster at redis\\+cluster://127\\.0\\.0\\.1:${port} is unreachable: .*Check STORE_URL and that the cluster nodes are running$`,
      ),
    );
    expect(run.text).not.toContain('s3cretpass');
  });
});

/** Waits until every node says cluster_state:ok (after a change a master may wait a moment to rejoin). */
async function allOk(cluster: LocalRedisCluster): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const states = await Promise.all(cluster.ports.map((port) => cluster.cli(['cluster', 'info'], port)));
    if (states.every((info) => info.includes('cluster_state:ok'))) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the cluster did not return to cluster_state:ok');
}
