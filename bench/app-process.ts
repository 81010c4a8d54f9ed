/**
 * The app process of the pipeline benchmarks: `createApp` as tests/e2e/harness.ts builds it, run in
 * a child process (so that its RSS and CPU time are its own), driven over IPC by the driver: start,
 * measure (memory and CPU time so far), stop. `forkApp` starts it (or the bare pass-through of
 * bench/bare.ts) from the driver.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

/** What the driver tells the app process. */
export type ToApp =
  | { type: 'start'; env: Record<string, string>; routes: Record<string, string>; workerConcurrency?: number; redisNamespace?: string }
  | { type: 'measure' }
  | { type: 'stop' };

/** Memory and CPU time of the process so far. */
export interface Memory {
  readonly rss: number;
  readonly heapUsed: number;
  /** CPU time (user + system) the process used since it started, ms. */
  readonly cpuMs: number;
  /** Peak RSS of the process so far, bytes. */
  readonly maxRss: number;
}

/** What the app process answers. */
export type FromApp =
  | { type: 'started'; port: number; baseline: Memory; started: Memory; postsPerSecond: number | undefined; startMs: number }
  | { type: 'memory'; memory: Memory; journalSize: number }
  | { type: 'stopped'; warnings: number; errors: number; problems: string[] }
  | { type: 'failed'; error: string };

/** This process's memory and CPU time now. */
export const memory = (): Memory => {
  // With BENCH_APP_NODE_OPTIONS=--expose-gc, a full collection first: heapUsed is then what is held, not garbage.
  (globalThis as { gc?: () => void }).gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  const cpu = process.cpuUsage();
  return { rss, heapUsed, cpuMs: (cpu.user + cpu.system) / 1000, maxRss: process.resourceUsage().maxRSS * 1024 };
};

/** The app process: waits for `start`, builds and starts the app, then answers `measure` and `stop`. */
async function runApp(): Promise<void> {
  const send = (message: FromApp) => process.send?.(message);
  const start = await new Promise<Extract<ToApp, { type: 'start' }>>((resolve) =>
    process.once('message', (message: ToApp) => message.type === 'start' && resolve(message)),
  );
  const [{ createApp }, { loadConfig }, { createRoutingSettings, createSettingsStore }] = await Promise.all([
    import('../src/app.ts'),
    import('../src/config.ts'),
    import('../src/engine/settings.ts'),
  ]);
  const baseline = memory();
  let warnings = 0;
  let errors = 0;
  const problems: string[] = [];
  // The app logs at its default level (info) into this sink, as it would to stdout.
  const logDestination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) {
        const level = /"level":(\d+)/.exec(line)?.[1];
        if (level === undefined || Number(level) < 40) continue;
        if (Number(level) >= 50) errors += 1;
        else warnings += 1;
        const msg = /"msg":"([^"]*)"/.exec(line)?.[1] ?? line.slice(0, 120);
        if (problems.length < 5 && !problems.includes(msg)) problems.push(msg);
      }
      done();
    },
  });
  try {
    const t0 = performance.now();
    const config = loadConfig(start.env, { envFile: join(start.env.DATA_DIR ?? tmpdir(), 'no-such.env') });
    // On Redis, the store the app would build from STORE_URL, with the run's own key namespace (as tests/e2e does).
    const store =
      start.redisNamespace === undefined || config.storeUrl === undefined
        ? undefined
        : await (await import('../src/store/redis-store.ts')).createRedisStore({ url: config.storeUrl, namespace: start.redisNamespace });
    const app = await createApp(config, {
      ...(store === undefined ? {} : { store }),
      logDestination,
      ...(start.workerConcurrency === undefined ? {} : { worker: { concurrency: start.workerConcurrency } }),
    });
    const settings = createRoutingSettings(createSettingsStore(app.store, { owner: 'bench' }), config.defaultChannel);
    for (const [language, channel] of Object.entries(start.routes)) await settings.setRoute('bench', language, channel);
    const port = await app.start();
    const startMs = performance.now() - t0;
    // Feature-detected, so the benchmark still runs on a build without the setting.
    const postsPerSecond = (config as { slackPostsPerSecond?: number }).slackPostsPerSecond;
    send({ type: 'started', port, baseline, started: memory(), postsPerSecond, startMs });
    process.on('message', (message: ToApp) => {
      if (message.type === 'measure') {
        void app.store.journal.size().then((journalSize) => send({ type: 'memory', memory: memory(), journalSize }));
      } else if (message.type === 'stop') {
        void app.stop().finally(() => {
          send({ type: 'stopped', warnings, errors, problems });
          process.disconnect();
        });
      }
    });
  } catch (error) {
    send({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.disconnect();
  }
}

/** A forked app process and a typed way to wait for its next message of a kind. */
export function forkApp(role: 'app' | 'bare' = 'app'): {
  child: ChildProcess;
  next<K extends FromApp['type']>(type: K, timeoutMs?: number): Promise<Extract<FromApp, { type: K }>>;
  /** Resolves when the process has exited (killing it after timeoutMs). */
  exited(timeoutMs: number): Promise<void>;
} {
  // BENCH_APP_NODE_OPTIONS adds node flags to the app process only, e.g. "--cpu-prof --cpu-prof-dir=tmp/prof".
  const extra = (process.env.BENCH_APP_NODE_OPTIONS ?? '').split(' ').filter((flag) => flag !== '');
  const entry = role === 'app' ? import.meta.url : new URL('./bare.ts', import.meta.url).href;
  const child = fork(fileURLToPath(entry), [`--role=${role}`], {
    execArgv: ['--import', 'tsx', ...extra],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    async exited(timeoutMs) {
      const timer = setTimeout(() => child.kill(), timeoutMs);
      await exit;
      clearTimeout(timer);
    },
    next(type, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`app process: no ${type} within ${timeoutMs} ms`)), timeoutMs);
        const onMessage = (message: FromApp) => {
          if (message.type === 'failed') finish(new Error(`app process failed: ${message.error}`));
          else if (message.type === type) finish(undefined, message as Extract<FromApp, { type: typeof type }>);
        };
        const onExit = (code: number | null) => finish(new Error(`app process exited (${code}) before ${type}`));
        function finish(error?: Error, value?: Extract<FromApp, { type: typeof type }>) {
          clearTimeout(timer);
          child.off('message', onMessage);
          child.off('exit', onExit);
          if (error) reject(error);
          else resolve(value!);
        }
        child.on('message', onMessage);
        child.on('exit', onExit);
      });
    },
  };
}

if (process.argv.includes('--role=app')) await runApp();
