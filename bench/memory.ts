/**
 * Memory and idle CPU of Threadline as users run it: the production start (`npm start`, i.e. node
 * with the flags package.json's `start` script gives it, on the compiled `dist/src/main.js`;
 * `npm run build` first), configured only through its environment, measured from outside through
 * /proc (bench/proc-stats.ts), so nothing is loaded into the process for the benchmark.
 *
 * Per store (embedded, Redis):
 * 1. the store is prepared before the service starts: 20 languages routed to 20 channels, and on
 *    Redis STORED conversations already there (bench/seed.ts), in a Redis database of their own;
 * 2. idle: RSS and CPU time over IDLE_MS of quiet after start-up;
 * 3. a burst of BURST signed Telegram webhooks from new customers (4 each), 16 in flight, Slack
 *    unpaced, until every message reached the fake Slack; CPU per message;
 * 4. after: RSS and CPU time over IDLE_MS of quiet again. Peak RSS is the process's high-water
 *    mark from the start of the burst on.
 * With `--snapshots` the service gets `--heapsnapshot-signal=SIGUSR2` and writes a V8 heap snapshot
 * when idle and after the burst (the peak RSS is reset after the first, so it does not count);
 * bench/heap-diff.ts then names the constructors whose retained objects grew.
 *
 * Run: npx tsx bench/memory.ts [--quick] [--stores=embedded,redis] [--snapshots] [--conversations=N] [--messages=N]
 *      (npm run bench -- --only=memory runs it too). Linux only (/proc).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRoutingSettings, createSettingsStore } from '../src/engine/settings.ts';
import { createStore } from '../src/store/create-store.ts';
import { BOT_TOKEN, DEFAULT_CHANNEL, TELEGRAM_TOKEN } from '../tests/e2e/harness.ts';
import { freePort } from '../tests/e2e/service-process.ts';
import { envOf, execForm, instructions, readDockerfile } from '../tests/support/dockerfile.ts';
import { startFakeSlack } from '../tests/fakes/slack-api.ts';
import { startFakeTelegramApi } from '../tests/fakes/telegram-api.ts';
import { diffHeapSnapshots, formatHeapDiff } from './heap-diff.ts';
import { appEnv, deleteKeys, LANGUAGES, plan, redisUrl, sendBurst, shownBy, until, watchPosts } from './load.ts';
import { procAvailable, type ProcReading, type RssBreakdown, readProc, resetPeakRss, rssBreakdown } from './proc-stats.ts';
import { emitResult, quick, rate, type Section } from './report.ts';
import { seedConversations } from './seed.ts';

type StoreKind = 'embedded' | 'redis';
const LABEL: Record<StoreKind, string> = { embedded: 'embedded store', redis: 'Redis' };

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const STORES = (arg('stores')?.split(',') ?? ['embedded', 'redis']) as StoreKind[];
const SNAPSHOTS = process.argv.includes('--snapshots');
/** Conversations stored before the start (Redis only). */
const STORED = Number(arg('conversations') ?? (quick ? 1000 : 100_000));
/** Webhooks in the burst, 4 per new customer. */
const BURST = Number(arg('messages') ?? (quick ? 200 : 10_000));
const PER_CUSTOMER = 4;
const SETTLE_MS = quick ? 500 : 3000;
/** How long idle CPU is measured (`--idle-seconds=`). */
const IDLE_MS = Number(arg('idle-seconds') ?? (quick ? 1 : 10)) * 1000;
const TIMEOUT_MS = 600_000;
/** The Redis database the service runs on here (its STORE_URL names it): emptied of Threadline's keys before and after. */
const REDIS_DB = Number(process.env.BENCH_MEMORY_REDIS_DB ?? 13);
const NAMESPACE = 'threadline';

const root = fileURLToPath(new URL('..', import.meta.url));
const mb = (bytes: number) => bytes / 1024 / 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What users run: the Docker image's CMD (which `npm start` execs too; tests/docker.test.ts keeps
 * them equal) with the environment the image sets (its `ENV` lines: NODE_OPTIONS and the like),
 * read from the Dockerfile as tests/e2e/production.test.ts reads it.
 */
export function productionStart(): { command: string[]; env: Record<string, string> } {
  const runtime = readDockerfile(root).at(-1)!;
  const cmd = instructions(runtime, 'CMD').at(-1);
  if (cmd === undefined) throw new Error('the Dockerfile has no CMD');
  const command = execForm(cmd.args);
  if (command[0] !== 'node' || !command.at(-1)?.endsWith('.js'))
    throw new Error(`the Dockerfile's CMD is not "node … <script>.js": ${cmd.args}`);
  const env: Record<string, string> = Object.assign({}, ...instructions(runtime, 'ENV').map((i) => envOf(i.args)));
  return { command, env };
}

function redisDbUrl(): string {
  const url = new URL(redisUrl);
  url.pathname = `/${REDIS_DB}`;
  return url.toString();
}

/** Deletes Threadline's keys in the benchmark's Redis database; returns how many. */
const clearRedis = (): Promise<number> => deleteKeys(redisDbUrl(), `${NAMESPACE}:*`);

/** Whether the file of `size` bytes ends with `}` (a heap snapshot is one JSON object, written front to back). */
function complete(path: string, size: number): boolean {
  if (size === 0) return false;
  const tail = Buffer.alloc(Math.min(16, size));
  const fd = openSync(path, 'r');
  try {
    readSync(fd, tail, 0, tail.length, size - tail.length);
  } finally {
    closeSync(fd);
  }
  return tail.toString('utf8').trimEnd().endsWith('}');
}

/** What one store's run measured. Memory in MB, CPU in ms. */
export interface MemoryResult {
  readonly store: StoreKind;
  readonly stored: number;
  readonly seedSeconds: number;
  readonly startSeconds: number;
  readonly messages: number;
  readonly delivered: number;
  readonly deliverSeconds: number;
  readonly rssIdleMb: number;
  readonly rssPeakMb: number;
  readonly rssAfterMb: number;
  readonly idleCpuMsPerSecond: number;
  readonly idleCpuAfterMsPerSecond: number;
  readonly cpuMsPerMessage: number;
  readonly idle: MemoryPicture;
  readonly after: MemoryPicture;
  readonly heapDiff?: string;
  readonly problems: readonly string[];
}

/** RSS of a node process that loads only the language database (and the n-gram model) from dist: the part of the budget that is the database's. */
async function languageDatabaseRss(): Promise<{ bareMb: number; withDatabaseMb: number }> {
  const script = `const before = process.memoryUsage().rss;
    const { createLanguageDetector } = await import(${JSON.stringify(join(root, 'dist/src/engine/language.js'))});
    const detector = await createLanguageDetector({ database: 'small' });
    globalThis.keep = detector;
    setTimeout(() => { process.stdout.write(JSON.stringify({ before, after: process.memoryUsage().rss })); }, 1000);`;
  // Under the same node flags and environment as the service, so that the budget is measured the way the service runs.
  const { command, env } = productionStart();
  const child = spawn(process.execPath, [...command.slice(1, -1), '--input-type=module', '-e', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  await new Promise((resolve) => child.once('close', resolve));
  const { before, after } = JSON.parse(out) as { before: number; after: number };
  return { bareMb: mb(before), withDatabaseMb: mb(after) };
}

/** V8's heap as the service's own `GET /metrics` reports it (prom-client's process metrics), in bytes. */
export interface V8Figures {
  readonly heapTotal: number;
  readonly heapUsed: number;
  readonly youngGeneration: number;
  readonly external: number;
}

/** Reads V8's figures from `/metrics`: what an operator's Prometheus sees. */
async function v8Figures(base: string): Promise<V8Figures> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const value = (pattern: string) => Number(new RegExp(`^threadline_${pattern} ([\\d.e+]+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  return {
    heapTotal: value('nodejs_heap_size_total_bytes'),
    heapUsed: value('nodejs_heap_size_used_bytes'),
    youngGeneration: value('nodejs_heap_space_size_total_bytes\\{space="new"\\}'),
    external: value('nodejs_external_memory_bytes'),
  };
}

/** Memory of the service at one moment: where its RSS is, and V8's part of it. */
export interface MemoryPicture {
  readonly rss: RssBreakdown;
  readonly v8: V8Figures;
}

async function runStore(kind: StoreKind): Promise<MemoryResult> {
  const slack = await startFakeSlack({ botToken: BOT_TOKEN });
  const telegram = await startFakeTelegramApi({ token: TELEGRAM_TOKEN });
  const dataDir = mkdtempSync(join(tmpdir(), 'threadline-bench-memory-'));
  const channelOf = (language: string) =>
    `C0BENCH${String(LANGUAGES.indexOf(language as (typeof LANGUAGES)[number]) + 1).padStart(2, '0')}`;
  const port = await freePort();
  const start = productionStart();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dataDir,
    ...start.env,
    ...appEnv({ slackApiUrl: slack.apiUrl, telegramApiRoot: telegram.apiRoot, dataDir, port }),
    SLACK_POSTS_PER_SECOND: '100000',
    ...(kind === 'redis' ? { STORE_URL: redisDbUrl() } : {}),
    // BENCH_APP_ENV="NAME=value …" adds to (or overrides) the service's environment, e.g. to try NODE_OPTIONS.
    ...Object.fromEntries(
      (process.env.BENCH_APP_ENV ?? '')
        .split(' ')
        .filter((pair) => pair.includes('='))
        .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
    ),
  };
  let app: ChildProcess | undefined;
  const problems: string[] = [];
  try {
    if (kind === 'redis') await clearRedis();
    // The store as the service will find it: routes set, and on Redis the stored conversations.
    const t0 = performance.now();
    const store = await createStore({ ...(kind === 'redis' ? { url: redisDbUrl() } : {}), dataDir });
    const settings = createRoutingSettings(createSettingsStore(store, { owner: 'bench' }), DEFAULT_CHANNEL);
    for (const language of LANGUAGES) await settings.setRoute('bench', language, channelOf(language));
    const stored = kind === 'redis' ? STORED : 0;
    if (stored > 0) await seedConversations(store, stored, TELEGRAM_TOKEN.split(':')[0]!, LANGUAGES.map(channelOf));
    await store.close();
    const seedSeconds = (performance.now() - t0) / 1000;

    const [, ...args] = start.command;
    const snapshotDir = join(dataDir, 'snapshots');
    mkdirSync(snapshotDir);
    // BENCH_APP_NODE_OPTIONS adds node flags (e.g. "--cpu-prof --cpu-prof-dir=tmp/prof"), as for bench/pipeline.ts.
    const extra = [
      ...(process.env.BENCH_APP_NODE_OPTIONS ?? '').split(' ').filter((flag) => flag !== ''),
      ...(SNAPSHOTS ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${snapshotDir}`] : []),
    ];
    const startedAt = performance.now();
    // In the data directory, so that a developer's .env in the project does not configure the run.
    const script = join(root, args.at(-1)!);
    app = spawn(process.execPath, [...extra, ...args.slice(0, -1), script], { cwd: dataDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const child = app;
    let errors = 0;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const countErrors = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        const level = Number(/"level":(\d+)/.exec(line)?.[1] ?? 0);
        if (level >= 50) {
          errors += 1;
          if (problems.length < 3) problems.push(`error logged: ${/"msg":"([^"]*)"/.exec(line)?.[1] ?? line.slice(0, 160)}`);
        }
      }
    };
    child.stdout?.on('data', countErrors);
    child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    const base = `http://127.0.0.1:${port}`;
    let healthy = false;
    for (const deadline = performance.now() + 60_000; !healthy && performance.now() < deadline; ) {
      healthy = await fetch(`${base}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (!healthy) await sleep(100);
    }
    if (!healthy) throw new Error(`${kind}: the service did not answer /healthz within 60 s`);
    const startSeconds = (performance.now() - startedAt) / 1000;
    const pid = child.pid!;

    const planned = plan(
      Array.from({ length: Math.ceil(BURST / PER_CUSTOMER) }, (_, i) => i),
      PER_CUSTOMER,
      LANGUAGES,
      channelOf,
    ).slice(0, BURST);
    const byKey = new Map(planned.map((p) => [p.key, p]));
    // The fake's call log is not what is measured: keep the driver's own memory flat.
    watchPosts(
      slack,
      (args, at) => {
        for (const entry of shownBy(args, byKey, planned)) entry.mirroredAt ??= at;
      },
      { keep: false },
    );

    const snapshot = async (): Promise<string | undefined> => {
      if (!SNAPSHOTS) return undefined;
      const before = new Set(readdirSync(snapshotDir));
      child.kill('SIGUSR2');
      let file: string | undefined;
      await until(() => {
        file = readdirSync(snapshotDir).find((f) => !before.has(f) && f.endsWith('.heapsnapshot'));
        return file !== undefined;
      }, 120_000);
      // Written when it ends with the JSON's closing brace and its size stopped changing.
      const path = join(snapshotDir, file!);
      for (let size = -1; ; ) {
        await sleep(1000);
        const now = statSync(path).size;
        if (now === size && complete(path, now)) return path;
        size = now;
      }
    };

    await sleep(SETTLE_MS);
    const idleStart = readProc(pid);
    await sleep(IDLE_MS);
    const idleEnd = readProc(pid);
    const idlePicture: MemoryPicture = { rss: rssBreakdown(pid), v8: await v8Figures(base) };
    const idleSnapshot = await snapshot();
    if (SNAPSHOTS && !resetPeakRss(pid)) problems.push('peak RSS includes the idle heap snapshot (clear_refs not allowed)');

    const burstStart = readProc(pid);
    const t1 = performance.now();
    await sendBurst(`${base}/webhooks/telegram`, planned);
    const mirrored = () => planned.filter((p) => p.mirroredAt !== undefined).length;
    await until(
      () => mirrored() === planned.length,
      TIMEOUT_MS,
      () =>
        `${kind}: ${mirrored()}/${planned.length} delivered after ${((performance.now() - t1) / 1000).toFixed(0)} s, RSS ${mb(readProc(pid).rss).toFixed(0)} MB`,
    );
    const burstEnd = readProc(pid);
    const done = planned.filter((p) => p.mirroredAt !== undefined);
    const deliverSeconds = (Math.max(t1, ...done.map((p) => p.mirroredAt!)) - t1) / 1000;

    await sleep(SETTLE_MS);
    const afterStart = readProc(pid);
    await sleep(IDLE_MS);
    const afterEnd = readProc(pid);
    const afterPicture: MemoryPicture = { rss: rssBreakdown(pid), v8: await v8Figures(base) };
    const afterSnapshot = await snapshot();
    const heapDiff =
      idleSnapshot === undefined || afterSnapshot === undefined
        ? undefined
        : formatHeapDiff(diffHeapSnapshots(idleSnapshot, afterSnapshot), 15);

    child.kill('SIGTERM');
    await Promise.race([exited, sleep(15_000)]);
    if (errors > 0) problems.push(`${errors} errors logged`);
    if (done.length < planned.length) problems.push(`${planned.length - done.length} of ${planned.length} not delivered`);
    if (planned.some((p) => p.status !== 200)) problems.push(`${planned.filter((p) => p.status !== 200).length} webhooks not answered 200`);
    const perSecond = (a: ProcReading, b: ProcReading) => (b.threadsCpuMs - a.threadsCpuMs) / (IDLE_MS / 1000);
    return {
      store: kind,
      stored,
      seedSeconds,
      startSeconds,
      messages: planned.length,
      delivered: done.length,
      deliverSeconds,
      rssIdleMb: mb(idleEnd.rss),
      rssPeakMb: mb(afterEnd.peakRss),
      rssAfterMb: mb(afterEnd.rss),
      idleCpuMsPerSecond: perSecond(idleStart, idleEnd),
      idleCpuAfterMsPerSecond: perSecond(afterStart, afterEnd),
      cpuMsPerMessage: (burstEnd.cpuMs - burstStart.cpuMs) / planned.length,
      idle: idlePicture,
      after: afterPicture,
      ...(heapDiff === undefined ? {} : { heapDiff }),
      problems,
    };
  } finally {
    if (app !== undefined && app.exitCode === null && app.signalCode === null) app.kill('SIGKILL');
    await slack.close();
    await telegram.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (kind === 'redis') console.log(`  redis: deleted ${await clearRedis()} keys of database ${REDIS_DB}`);
  }
}

function section(results: readonly MemoryResult[], database: { bareMb: number; withDatabaseMb: number }): Section {
  const { command, env } = productionStart();
  const shown = [
    ...Object.entries(env)
      .filter(([name]) => !['NODE_ENV', 'DATA_DIR', 'PORT'].includes(name))
      .map(([n, v]) => `${n}=${v}`),
    ...command,
  ];
  const budget = 100 + (database.withDatabaseMb - database.bareMb);
  const row = (measure: string, cell: (r: MemoryResult) => string) => [measure, ...results.map(cell)];
  return {
    title: `Memory and idle CPU of the production start (${shown.join(' ')}): ${BURST} webhooks from ${Math.ceil(BURST / PER_CUSTOMER)} new customers, 16 in flight, Slack unpaced`,
    columns: ['measure', ...results.map((r) => LABEL[r.store])],
    rows: [
      row(
        'conversations stored before the start',
        (r) => `${r.stored.toLocaleString('en-US')}${r.stored > 0 ? ` (seeded in ${r.seedSeconds.toFixed(0)} s)` : ''}`,
      ),
      row(
        'RSS idle / peak / after the burst',
        (r) => `${r.rssIdleMb.toFixed(0)} / ${r.rssPeakMb.toFixed(0)} / ${r.rssAfterMb.toFixed(0)} MB`,
      ),
      row('RSS budget (100 MB + language database)', (r) => `${budget.toFixed(0)} MB: peak ${r.rssPeakMb <= budget ? 'within' : 'over'}`),
      row(
        'of which V8 heap committed (young generation), idle / after',
        (r) =>
          `${mb(r.idle.v8.heapTotal).toFixed(0)} (${mb(r.idle.v8.youngGeneration).toFixed(0)}) / ${mb(r.after.v8.heapTotal).toFixed(0)} (${mb(r.after.v8.youngGeneration).toFixed(0)}) MB`,
      ),
      row(
        'V8 heap in use, idle / after (garbage included)',
        (r) => `${mb(r.idle.v8.heapUsed).toFixed(0)} / ${mb(r.after.v8.heapUsed).toFixed(0)} MB`,
      ),
      row(
        'malloc main arena, idle / after',
        (r) => `${mb(r.idle.rss.mallocHeap).toFixed(0)} / ${mb(r.after.rss.mallocHeap).toFixed(0)} MB`,
      ),
      row(
        'all anonymous memory (V8, allocator arenas, stacks), idle / after',
        (r) => `${mb(r.idle.rss.anonymous).toFixed(0)} / ${mb(r.after.rss.anonymous).toFixed(0)} MB`,
      ),
      row(
        'CPU while idle, before / after the burst',
        (r) => `${r.idleCpuMsPerSecond.toFixed(2)} / ${r.idleCpuAfterMsPerSecond.toFixed(2)} ms/s`,
      ),
      row('CPU per message in the burst', (r) => `${r.cpuMsPerMessage.toFixed(2)} ms`),
      row('delivered, messages/s', (r) => `${r.delivered}/${r.messages}, ${rate(r.delivered / r.deliverSeconds)}/s`),
    ],
    notes: [
      `Measured from outside through /proc (bench/proc-stats.ts): RSS = VmRSS; peak = VmHWM from the start of the burst; idle = after start-up and ${(SETTLE_MS + IDLE_MS) / 1000} s quiet; after = ${(SETTLE_MS + IDLE_MS) / 1000} s after the last delivery. Idle CPU: every thread's run time over ${IDLE_MS / 1000} s, ÷ ${IDLE_MS / 1000}.`,
      `Language database: a node process that loads only the \`small\` database and the n-gram model from dist grows from ${database.bareMb.toFixed(0)} to ${database.withDatabaseMb.toFixed(0)} MB, so the budget is 100 + ${(database.withDatabaseMb - database.bareMb).toFixed(0)} MB.`,
      `Redis: STORE_URL names database ${REDIS_DB} (BENCH_MEMORY_REDIS_DB), emptied of \`${NAMESPACE}:*\` before and after. Stored conversations: bench/seed.ts.`,
      ...(SNAPSHOTS ? [] : ['Run with --snapshots for V8 heap snapshots, idle and after the burst, and what grew between them.']),
      ...results.flatMap((r) => r.problems.map((p) => `${LABEL[r.store]}: ${p}`)),
    ],
  };
}

/** The newest modification time of the .ts files under `dir`, ms. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (entry.isFile() && entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  return newest;
}

/** Runs `npm run build` when dist/ is missing or older than a source: the benchmark measures the build users run. */
async function ensureBuilt(): Promise<void> {
  const entry = join(root, productionStart().command.at(-1)!);
  const sources = Math.max(newestSource(join(root, 'src')), newestSource(join(root, 'adapters')));
  if (existsSync(entry) && statSync(entry).mtimeMs >= sources) return;
  console.log('  dist/ is missing or older than the sources: npm run build');
  const build = spawn('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  const code = await new Promise<number | null>((resolve) => build.once('close', resolve));
  if (code !== 0) throw new Error(`npm run build exited with ${code}`);
}

async function main(): Promise<void> {
  if (!procAvailable(process.pid)) throw new Error('bench/memory.ts reads /proc: Linux only');
  await ensureBuilt();
  // Its own process, measured while the first store is prepared: RSS is per process.
  const databaseMeasured = languageDatabaseRss();
  const results: MemoryResult[] = [];
  for (const kind of STORES) {
    console.log(`memory ${kind}: ${kind === 'redis' ? `${STORED} stored conversations, ` : ''}${BURST} webhooks`);
    const result = await runStore(kind);
    console.log(
      `  ${kind}: RSS ${result.rssIdleMb.toFixed(0)}/${result.rssPeakMb.toFixed(0)}/${result.rssAfterMb.toFixed(0)} MB, idle CPU ${result.idleCpuMsPerSecond.toFixed(2)}/${result.idleCpuAfterMsPerSecond.toFixed(2)} ms/s, ${result.cpuMsPerMessage.toFixed(2)} ms/msg`,
    );
    if (result.heapDiff !== undefined) console.log(result.heapDiff.replace(/^/gm, '    '));
    results.push(result);
  }
  const database = await databaseMeasured;
  const path = fileURLToPath(new URL(`./results/memory${quick ? '-quick' : ''}.json`, import.meta.url));
  mkdirSync(dirname(path), { recursive: true });
  const machine = { cpu: `${cpus()[0]?.model.trim() ?? 'unknown'} × ${cpus().length}`, node: process.version, loadAverage: loadavg()[0] };
  writeFileSync(
    path,
    `${JSON.stringify({ date: new Date().toISOString(), quick, start: productionStart().command.join(' '), env: productionStart().env, database, machine, results }, null, 2)}\n`,
  );
  console.log(`  written to ${path}`);
  emitResult([section(results, database)]);
}

await main();
