/**
 * Threadline against a bare pass-through, side by side in one run, on one machine, with the same
 * Slack fake and the same load: signed Telegram webhooks from new customers, IN_FLIGHT at a time
 * (a customer's next message only after the previous one's 200), Slack unpaced. The bare
 * pass-through (bench/bare.ts) checks the secret and makes one chat.postMessage per webhook; the
 * app runs on the embedded store and on Redis.
 *
 * Per target: webhooks acknowledged per second, messages delivered to Slack per second, CPU time
 * per message (the process's own, plus the Redis server's from INFO cpu), RSS idle / peak / after
 * the burst, and CPU while idle (before and after the burst). Every figure is also given as a
 * ratio to the bare pass-through. The result is one table, and JSON (`--json=<path>`, by default
 * bench/results/pipeline-compare[-quick].json).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@keyv/redis';
import { BOT_TOKEN, TELEGRAM_TOKEN } from '../tests/e2e/harness.ts';
import { startFakeSlack } from '../tests/fakes/slack-api.ts';
import { startFakeTelegramApi } from '../tests/fakes/telegram-api.ts';
import { forkApp, type Memory, type ToApp } from './app-process.ts';
import {
  appEnv,
  IN_FLIGHT,
  LANGUAGES,
  type Planned,
  plan,
  redisNamespace,
  redisUrl,
  sendBurst,
  shownBy,
  until,
  watchPosts,
} from './load.ts';
import { quick, rate, type Section } from './report.ts';

export type Target = 'embedded' | 'redis' | 'bare';
const TARGETS: readonly Target[] = ['bare', 'embedded', 'redis'];
const LABEL: Record<Target, string> = { embedded: 'embedded store', redis: 'Redis', bare: 'bare pass-through' };

const SIZE = quick ? { customers: 100, messagesPerCustomer: 2 } : { customers: 500, messagesPerCustomer: 4 };
/** Quiet time after start before idle is measured (start-up work, the first GCs). */
const SETTLE_MS = quick ? 1000 : 3000;
/** How long idle CPU is measured. */
const IDLE_MS = quick ? 2000 : 5000;
const TIMEOUT_MS = 180_000;
/** How the bare pass-through posts: Slack's WebClient (default) or `--bare=fetch`. */
const bareClient = process.argv.includes('--bare=fetch') ? 'fetch' : 'webclient';

/** What one target measured. Times in ms, rates per second, memory in MB. */
export interface TargetResult {
  readonly target: Target;
  readonly webhooks: number;
  readonly delivered: number;
  readonly duplicates: number;
  readonly reordered: number;
  readonly failedWebhooks: number;
  readonly ackedPerSecond: number;
  readonly deliveredPerSecond: number;
  readonly cpuMsPerMessage: number;
  /** The Redis server's CPU time per message during the burst (INFO cpu delta; the server may be shared). */
  readonly redisCpuMsPerMessage?: number;
  readonly rssIdleMb: number;
  readonly rssPeakMb: number;
  readonly rssAfterMb: number;
  /** V8 heap in use when idle and after the burst: what the app itself holds, apart from V8's reserve. */
  readonly heapIdleMb: number;
  readonly heapAfterMb: number;
  readonly idleCpuMsPerSecond: number;
  readonly idleCpuAfterMsPerSecond: number;
  readonly problems: readonly string[];
}

const mb = (bytes: number) => bytes / 1024 / 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** used_cpu_user + used_cpu_sys of the Redis server, in ms. */
async function redisCpuMs(): Promise<number> {
  const client = createClient({ url: redisUrl });
  await client.connect();
  const info = await client.info('cpu');
  await client.close();
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
  return (field('used_cpu_user') + field('used_cpu_sys')) * 1000;
}

async function runTarget(target: Target): Promise<TargetResult> {
  const redis = target === 'redis' ? redisNamespace() : undefined;
  const slack = await startFakeSlack({ botToken: BOT_TOKEN });
  const telegram = await startFakeTelegramApi({ token: TELEGRAM_TOKEN });
  const dataDir = mkdtempSync(join(tmpdir(), 'threadline-bench-compare-'));
  const channelOf = (language: string) =>
    `C0BENCH${String(LANGUAGES.indexOf(language as (typeof LANGUAGES)[number]) + 1).padStart(2, '0')}`;
  const routes = Object.fromEntries(LANGUAGES.map((language) => [language, channelOf(language)]));
  const env: Record<string, string> = {
    ...appEnv({ slackApiUrl: slack.apiUrl, telegramApiRoot: telegram.apiRoot, dataDir, port: 0 }),
    SLACK_POSTS_PER_SECOND: '100000',
    BENCH_BARE_CLIENT: bareClient,
    ...(redis === undefined ? {} : { STORE_URL: redisUrl }),
  };
  const app = forkApp(target === 'bare' ? 'bare' : 'app');
  const measure = async (): Promise<Memory> => {
    app.child.send({ type: 'measure' } satisfies ToApp);
    return (await app.next('memory')).memory;
  };
  try {
    app.child.send({ type: 'start', env, routes, ...(redis === undefined ? {} : { redisNamespace: redis.namespace }) } satisfies ToApp);
    const started = await app.next('started');
    const url = `http://127.0.0.1:${started.port}/webhooks/telegram`;
    const planned = plan(
      Array.from({ length: SIZE.customers }, (_, i) => i),
      SIZE.messagesPerCustomer,
      LANGUAGES,
      channelOf,
    );
    const byKey = new Map(planned.map((p) => [p.key, p]));
    let duplicates = 0;
    watchPosts(slack, (args, at) => {
      for (const entry of shownBy(args, byKey, planned)) {
        if (entry.mirroredAt !== undefined) duplicates += 1;
        else entry.mirroredAt = at;
      }
    });

    await sleep(SETTLE_MS);
    const idleStart = await measure();
    await sleep(IDLE_MS);
    const idleEnd = await measure();
    const redisBefore = redis === undefined ? undefined : await redisCpuMs();

    const t0 = performance.now();
    await sendBurst(url, planned);
    const intakeSeconds = (performance.now() - t0) / 1000;
    const mirrored = () => planned.filter((p) => p.mirroredAt !== undefined).length;
    await until(
      () => mirrored() === planned.length,
      TIMEOUT_MS,
      () => `${target}: ${mirrored()}/${planned.length} delivered after ${((performance.now() - t0) / 1000).toFixed(0)} s`,
    );
    const burstEnd = await measure();
    const redisAfter = redis === undefined ? undefined : await redisCpuMs();
    const done = planned.filter((p) => p.mirroredAt !== undefined);
    const deliverSeconds = (Math.max(...done.map((p) => p.mirroredAt!)) - t0) / 1000;

    await sleep(SETTLE_MS);
    const afterStart = await measure();
    await sleep(IDLE_MS);
    const afterEnd = await measure();
    app.child.send({ type: 'stop' } satisfies ToApp);
    const stopped = await app.next('stopped');
    await app.exited(10_000);

    const problems: string[] = [];
    if (done.length < planned.length) problems.push(`${planned.length - done.length} of ${planned.length} not delivered`);
    if (stopped.errors > 0) problems.push(`${stopped.errors} errors logged: ${stopped.problems.join('; ')}`);
    return {
      target,
      webhooks: planned.length,
      delivered: done.length,
      duplicates,
      reordered: reorderedIn(planned),
      failedWebhooks: planned.filter((p) => p.status !== 200).length,
      ackedPerSecond: planned.length / intakeSeconds,
      deliveredPerSecond: done.length / deliverSeconds,
      cpuMsPerMessage: (burstEnd.cpuMs - idleEnd.cpuMs) / planned.length,
      ...(redisBefore === undefined || redisAfter === undefined
        ? {}
        : { redisCpuMsPerMessage: (redisAfter - redisBefore) / planned.length }),
      rssIdleMb: mb(idleEnd.rss),
      rssPeakMb: mb(afterEnd.maxRss),
      rssAfterMb: mb(afterEnd.rss),
      heapIdleMb: mb(idleEnd.heapUsed),
      heapAfterMb: mb(afterEnd.heapUsed),
      idleCpuMsPerSecond: (idleEnd.cpuMs - idleStart.cpuMs) / (IDLE_MS / 1000),
      idleCpuAfterMsPerSecond: (afterEnd.cpuMs - afterStart.cpuMs) / (IDLE_MS / 1000),
      problems,
    };
  } finally {
    if (app.child.exitCode === null && app.child.signalCode === null) app.child.kill();
    await slack.close();
    await telegram.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (redis !== undefined) console.log(`  redis: deleted ${await redis.cleanup()} keys of ${redis.namespace}`);
  }
}

/** Messages of a customer that reached Slack before an earlier message of theirs. */
function reorderedIn(planned: readonly Planned[]): number {
  const last = new Map<number, number>();
  let reordered = 0;
  for (const entry of planned) {
    if (entry.mirroredAt === undefined) continue;
    if (entry.mirroredAt < (last.get(entry.customer) ?? 0)) reordered += 1;
    last.set(entry.customer, entry.mirroredAt);
  }
  return reordered;
}

/** The table: one row per measure, one column per target, with the ratio to bare where it means something. */
export function comparisonSection(results: readonly TargetResult[]): Section {
  const bare = results.find((r) => r.target === 'bare');
  const shown = (['embedded', 'redis', 'bare'] as const).map((t) => results.find((r) => r.target === t)).filter((r) => r !== undefined);
  const ratio = (value: number, base: number | undefined) =>
    base === undefined || !Number.isFinite(base) || base === 0 ? '' : ` (${(value / base).toFixed(2)}×)`;
  const row = (measure: string, cell: (r: TargetResult) => string) => [measure, ...shown.map(cell)];
  const cpu = (r: TargetResult) => r.cpuMsPerMessage + (r.redisCpuMsPerMessage ?? 0);
  return {
    title: `Threadline against a bare pass-through: ${SIZE.customers * SIZE.messagesPerCustomer} signed Telegram webhooks from ${SIZE.customers} new customers, ${IN_FLIGHT} in flight, Slack unpaced`,
    columns: ['measure', ...shown.map((r) => LABEL[r.target])],
    rows: [
      row('webhooks acknowledged per second', (r) => rate(r.ackedPerSecond)),
      row(
        'messages delivered to Slack per second (ratio to bare)',
        (r) => rate(r.deliveredPerSecond) + ratio(r.deliveredPerSecond, bare?.deliveredPerSecond),
      ),
      row(
        'CPU per message (ratio to bare)',
        (r) =>
          `${r.cpuMsPerMessage.toFixed(2)} ms${r.redisCpuMsPerMessage === undefined ? '' : ` + ${r.redisCpuMsPerMessage.toFixed(2)} ms Redis`}` +
          ratio(cpu(r), bare === undefined ? undefined : cpu(bare)),
      ),
      row(
        'RSS idle / peak / after the burst',
        (r) => `${r.rssIdleMb.toFixed(0)} / ${r.rssPeakMb.toFixed(0)} / ${r.rssAfterMb.toFixed(0)} MB`,
      ),
      row('V8 heap used, idle / after the burst', (r) => `${r.heapIdleMb.toFixed(0)} / ${r.heapAfterMb.toFixed(0)} MB`),
      row(
        'CPU while idle, before / after the burst',
        (r) => `${r.idleCpuMsPerSecond.toFixed(2)} / ${r.idleCpuAfterMsPerSecond.toFixed(2)} ms/s`,
      ),
      row('delivered / duplicates / reordered', (r) => `${r.delivered}/${r.webhooks} / ${r.duplicates} / ${r.reordered}`),
    ],
    notes: [
      `bare pass-through: checks the secret header and makes one chat.postMessage per webhook (${bareClient === 'fetch' ? 'one plain fetch' : "with Slack's WebClient, the client Threadline uses"}), answering 200 after Slack answered; no journal, no store, no threads (bench/bare.ts). Threadline answers after the journal append is durable, then opens a thread per customer (a parent post) and posts the message in it.`,
      "CPU per message: CPU time (user + system) of the process from the start of the burst until the last message reached Slack, ÷ webhooks; on Redis plus the Redis server's (INFO cpu delta: the server may be shared with other work). The ratio compares the sums.",
      `RSS: idle = after start-up and ${SETTLE_MS / 1000 + IDLE_MS / 1000} s quiet (language database loaded); peak = the process's maxRSS; after = ${SETTLE_MS / 1000 + IDLE_MS / 1000} s after the last delivery. Idle CPU is measured over ${IDLE_MS / 1000} s.`,
      ...results.flatMap((r) => r.problems.map((p) => `${LABEL[r.target]}: ${p}`)),
    ],
  };
}

/** Runs every target (or those of `--targets=`), writes the JSON and returns the table. */
export async function runComparison(): Promise<Section> {
  const wanted = process.argv
    .find((a) => a.startsWith('--targets='))
    ?.slice('--targets='.length)
    .split(',');
  const results: TargetResult[] = [];
  for (const target of TARGETS.filter((t) => wanted === undefined || wanted.includes(t))) {
    console.log(`compare ${target}: ${SIZE.customers} customers × ${SIZE.messagesPerCustomer} messages`);
    const result = await runTarget(target);
    console.log(
      `  ${target}: acked ${rate(result.ackedPerSecond)}/s, delivered ${rate(result.deliveredPerSecond)}/s, CPU ${result.cpuMsPerMessage.toFixed(2)} ms/msg, idle CPU ${result.idleCpuMsPerSecond.toFixed(2)} ms/s, RSS ${result.rssIdleMb.toFixed(0)}/${result.rssPeakMb.toFixed(0)}/${result.rssAfterMb.toFixed(0)} MB`,
    );
    results.push(result);
  }
  const defaultPath = fileURLToPath(new URL(`./results/pipeline-compare${quick ? '-quick' : ''}.json`, import.meta.url));
  const path = process.argv.find((a) => a.startsWith('--json='))?.slice('--json='.length) ?? defaultPath;
  mkdirSync(dirname(path), { recursive: true });
  const machine = { cpu: `${cpus()[0]?.model.trim() ?? 'unknown'} × ${cpus().length}`, node: process.version, loadAverage: loadavg()[0] };
  writeFileSync(
    path,
    `${JSON.stringify({ date: new Date().toISOString(), quick, size: SIZE, inFlight: IN_FLIGHT, bareClient, machine, results }, null, 2)}\n`,
  );
  console.log(`  comparison written to ${path}`);
  return comparisonSection(results);
}
