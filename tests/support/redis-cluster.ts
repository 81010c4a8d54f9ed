/**
 * A throwaway Redis Cluster for one test file: `masters` redis-server processes started with
 * `--cluster-enabled yes` on free ports in a temporary directory, joined by
 * `redis-cli --cluster create … --cluster-replicas 0`, ready once every node reports
 * `cluster_state:ok`. `stop()` ends exactly those processes and removes the directory.
 * Start one per test file (in beforeAll) and reuse it: creating a cluster takes about 2 s.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A running local cluster. */
export interface LocalRedisCluster {
  /** The STORE_URL of this cluster: `redis+cluster://127.0.0.1:<port>,…`. */
  readonly url: string;
  readonly ports: readonly number[];
  /** Runs redis-cli against one node (the first by default) and returns its output. */
  cli(args: readonly string[], port?: number): Promise<string>;
  stop(): Promise<void>;
}

/** Starts a cluster of `masters` nodes (3 by default, the fewest Redis accepts) without replicas. */
export async function startRedisCluster(masters = 3): Promise<LocalRedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'threadline-cluster-'));
  const children: ChildProcess[] = [];
  const cli = async (args: readonly string[], port = ports[0]): Promise<string> =>
    (await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args])).stdout;
  const ports: number[] = [];
  const stop = async () => {
    await Promise.all(children.map(stopChild));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) ports.push(await freeClusterPort(ports));
    for (const port of ports) children.push(startNode(port, dir));
    for (const port of ports) await until(async () => (await cli(['ping'], port)).trim() === 'PONG', `node ${port} answers`);
    await run('redis-cli', [
      '--cluster',
      'create',
      ...ports.map((port) => `127.0.0.1:${port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    for (const port of ports) {
      await until(async () => /cluster_state:ok/.test(await cli(['cluster', 'info'], port)), `node ${port} sees the cluster ok`);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `redis+cluster://${ports.map((port) => `127.0.0.1:${port}`).join(',')}`, ports, cli, stop };
}

function startNode(port: number, dir: string): ChildProcess {
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    join(dir, `nodes-${port}.conf`),
    '--cluster-node-timeout',
    '2000',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'no',
  ];
  return spawn('redis-server', args, { stdio: 'ignore' });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(3000)]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** A port that is free, and whose cluster bus port (port + 10000) is free too. */
async function freeClusterPort(taken: readonly number[]): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await listenOnce(0);
    if (port + 10000 > 65535 || taken.includes(port)) continue;
    if ((await listenOnce(port + 10000).catch(() => undefined)) !== undefined) return port;
  }
  throw new Error('no free port pair for a Redis Cluster node');
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`Redis Cluster: timed out waiting until ${what}`);
    await sleep(50);
  }
}
