/**
 * Whole-app inbound throughput and latency: Telegram webhook → journal → worker → Slack.
 *
 * The app is built as tests/e2e/harness.ts builds it (`createApp(loadConfig(env, …), overrides)`,
 * Slack HTTP mode, Telegram webhook mode, embedded store in a temporary DATA_DIR unless a scenario
 * says Redis) and runs in its
 * own child process, so that its RSS is the app's alone. This (driver) process runs the fakes of
 * Slack and Telegram from tests/fakes/ and the load: customers writing in 20 languages, each
 * language routed to its own Slack channel with the engine's routing settings.
 *
 * Measured per scenario:
 * - webhook ack: POST /webhooks/telegram until its 200, i.e. parse + journal append (durable) + 200;
 * - end to end: from the POST until the fake Slack receives the chat.postMessage mirroring it;
 * - messages/s: intake (all webhooks answered) and end to end (all messages mirrored);
 * - RSS of the app process after start (language database loaded) and after the run.
 *
 * Slack posting is paced per Slack channel (src/slack/pacing.ts: ~1 post/s, burst 3), so end to
 * end throughput is bounded by channels × 1/s: that is the real-world ceiling. The unpaced
 * scenario raises SLACK_POSTS_PER_SECOND to show the engine's own capacity; it is labelled so.
 *
 * Run: npx tsx bench/pipeline.ts [--quick] [--scenario=<id>]   (ids: see SCENARIOS, and paced-drain)
 * Profile the app process: BENCH_APP_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=tmp/prof" npx tsx bench/pipeline.ts …
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BOT_TOKEN, DEFAULT_CHANNEL, TELEGRAM_TOKEN } from '../tests/e2e/harness.ts';
import { startFakeSlack } from '../tests/fakes/slack-api.ts';
import { startFakeTelegramApi } from '../tests/fakes/telegram-api.ts';
import { DEFAULT_WORKER_OPTIONS } from '../src/engine/worker.ts';
import { forkApp, type ToApp } from './app-process.ts';
import { runComparison } from './compare.ts';
import {
  appEnv,
  CHAT_IDS,
  deliver,
  IDLE_CHAT_IDS,
  IN_FLIGHT,
  LANGUAGES,
  plan,
  redisNamespace,
  redisUrl,
  sendBurst,
  shownBy,
  until,
  watchPosts,
} from './load.ts';
import { emitResult, ms, quantile, quick, rate, rssMb, type Section } from './report.ts';

interface Scenario {
  readonly id: string;
  readonly label: string;
  readonly channels: number;
  readonly customers: number;
  readonly messagesPerCustomer: number;
  /** SLACK_POSTS_PER_SECOND; unset: the shipped default (1). */
  readonly postsPerSecond?: number;
  /** AppOverrides.worker.concurrency (a test override); unset: the shipped default. */
  readonly workerConcurrency?: number;
  /** STORE_URL: the embedded store unless 'redis'. */
  readonly store?: 'redis';
  readonly timeoutMs: number;
}

const SCENARIOS: readonly Scenario[] = quick
  ? [
      {
        id: 'paced',
        label: 'createApp as shipped (paced 1/s per channel)',
        channels: 10,
        customers: 40,
        messagesPerCustomer: 2,
        timeoutMs: 60_000,
      },
      {
        id: 'unpaced',
        label: 'UNPACED (SLACK_POSTS_PER_SECOND=100000): engine capacity',
        channels: 10,
        customers: 100,
        messagesPerCustomer: 2,
        postsPerSecond: 100_000,
        timeoutMs: 60_000,
      },
    ]
  : [
      {
        id: 'paced',
        label: 'createApp as shipped (paced 1/s per channel)',
        channels: 20,
        customers: 160,
        messagesPerCustomer: 2,
        timeoutMs: 120_000,
      },
      {
        id: 'paced-c20',
        label: 'paced, worker concurrency 20 (test override)',
        channels: 20,
        customers: 160,
        messagesPerCustomer: 2,
        workerConcurrency: 20,
        timeoutMs: 120_000,
      },
      {
        id: 'unpaced',
        label: 'UNPACED (SLACK_POSTS_PER_SECOND=100000): engine capacity',
        channels: 20,
        customers: 400,
        messagesPerCustomer: 3,
        postsPerSecond: 100_000,
        timeoutMs: 120_000,
      },
      {
        id: 'unpaced-redis',
        label: 'UNPACED, Redis store: engine capacity',
        channels: 20,
        customers: 400,
        messagesPerCustomer: 3,
        postsPerSecond: 100_000,
        store: 'redis',
        timeoutMs: 120_000,
      },
    ];
interface Outcome {
  readonly throughput: string[];
  readonly memory: string[];
  readonly notes: string[];
}

async function runScenario(scenario: Scenario): Promise<Outcome> {
  const redis = scenario.store === 'redis' ? redisNamespace() : undefined;
  const slack = await startFakeSlack({ botToken: BOT_TOKEN });
  const telegram = await startFakeTelegramApi({ token: TELEGRAM_TOKEN });
  const dataDir = mkdtempSync(join(tmpdir(), 'threadline-bench-pipeline-'));
  const languages = LANGUAGES.slice(0, scenario.channels);
  const channelOf = (language: string) =>
    `C0BENCH${String(LANGUAGES.indexOf(language as (typeof LANGUAGES)[number]) + 1).padStart(2, '0')}`;
  const routes = Object.fromEntries(languages.map((language) => [language, channelOf(language)]));
  const env: Record<string, string> = {
    ...appEnv({ slackApiUrl: slack.apiUrl, telegramApiRoot: telegram.apiRoot, dataDir, port: 0 }),
    ...(scenario.postsPerSecond === undefined ? {} : { SLACK_POSTS_PER_SECOND: String(scenario.postsPerSecond) }),
    ...(redis === undefined ? {} : { STORE_URL: redisUrl }),
  };
  const app = forkApp();
  try {
    app.child.send({
      type: 'start',
      env,
      routes,
      ...(scenario.workerConcurrency === undefined ? {} : { workerConcurrency: scenario.workerConcurrency }),
      ...(redis === undefined ? {} : { redisNamespace: redis.namespace }),
    } satisfies ToApp);
    const started = await app.next('started');
    if (scenario.postsPerSecond !== undefined && started.postsPerSecond !== scenario.postsPerSecond) {
      app.child.send({ type: 'stop' } satisfies ToApp);
      await app.next('stopped').catch(() => undefined);
      return {
        throughput: [scenario.label, 'not available: this build has no SLACK_POSTS_PER_SECOND', '', '', '', '', '', '', '', '', ''],
        memory: [scenario.label, '–', '–', '–', '–', '–'],
        notes: [],
      };
    }
    const url = `http://127.0.0.1:${started.port}/webhooks/telegram`;
    const idle = plan(
      languages.map((_, i) => IDLE_CHAT_IDS - CHAT_IDS + i),
      1,
      languages,
      channelOf,
    );
    const planned = plan(
      Array.from({ length: scenario.customers }, (_, i) => i),
      scenario.messagesPerCustomer,
      languages,
      channelOf,
    );
    const byKey = new Map([...idle, ...planned].map((p) => [p.key, p]));

    // Every Web API call reaches the fake's `calls` list as its request arrives: watch it there.
    let posts = 0;
    let duplicates = 0;
    let firstPostAt: number | undefined;
    let lastPostAt = 0;
    const postsIn = new Map<string, number>();
    watchPosts(slack, (args, at) => {
      const channel = String(args.channel);
      const marker = (args.metadata as { event_payload?: { key?: unknown } } | undefined)?.event_payload?.key;
      // Markers: `parent:<conversation>:<generation>` and `msg:<conversation>:<eventId>`, where the
      // conversation is `telegram:<bot>:<chat>` and a Telegram eventId is `<chat>:<message>`.
      const parts = typeof marker === 'string' ? marker.split(':') : [];
      const chatId = Number(parts.at(-2));
      if (chatId < IDLE_CHAT_IDS) {
        posts += 1;
        firstPostAt ??= at;
        lastPostAt = at;
        postsIn.set(channel, (postsIn.get(channel) ?? 0) + 1);
      }
      for (const shown of shownBy(args, byKey, [...planned, ...idle])) {
        if (shown.mirroredAt !== undefined) duplicates += 1;
        else {
          shown.mirroredAt = at;
          shown.mirroredIn = channel;
        }
      }
    });

    // Idle: one new customer per channel, one at a time, each waiting until mirrored.
    for (const entry of idle) {
      await deliver(url, entry);
      await until(() => entry.mirroredAt !== undefined, 10_000);
    }
    if (scenario.postsPerSecond === undefined) await new Promise((resolve) => setTimeout(resolve, 3000)); // let every channel's burst refill

    // The burst: IN_FLIGHT webhooks at a time; a customer's next message only after the previous one's 200.
    const t0 = performance.now();
    await sendBurst(url, planned);
    const intakeSeconds = (performance.now() - t0) / 1000;
    const mirrored = () => planned.filter((p) => p.mirroredAt !== undefined).length;
    await until(
      () => mirrored() === planned.length,
      scenario.timeoutMs,
      () => `${mirrored()}/${planned.length} mirrored after ${((performance.now() - t0) / 1000).toFixed(0)} s`,
    );
    const endSeconds = (performance.now() - t0) / 1000;
    app.child.send({ type: 'measure' } satisfies ToApp);
    const after = await app.next('memory');
    app.child.send({ type: 'stop' } satisfies ToApp);
    const stopped = await app.next('stopped');
    await app.exited(10_000);

    const done = planned.filter((p) => p.mirroredAt !== undefined);
    const acks = planned.filter((p) => p.ackedAt !== undefined).map((p) => p.ackedAt! - p.sentAt!);
    const failures = planned.filter((p) => p.status !== 200).length + idle.filter((p) => p.status !== 200).length;
    const e2e = done.map((p) => p.mirroredAt! - p.sentAt!);
    const idleE2e = idle.filter((p) => p.mirroredAt !== undefined).map((p) => p.mirroredAt! - p.sentAt!);
    const e2eSeconds = (Math.max(...done.map((p) => p.mirroredAt!)) - t0) / 1000;
    const misrouted = done.filter((p) => p.mirroredIn !== p.channel).length;
    const postSeconds = firstPostAt === undefined ? Number.NaN : (lastPostAt - firstPostAt) / 1000;
    const busiest = Math.max(...postsIn.values());
    const complete = done.length === planned.length;

    const notes: string[] = [];
    if (!complete)
      notes.push(
        `${scenario.id}: only ${done.length} of ${planned.length} messages were mirrored within ${scenario.timeoutMs / 1000} s (journal still holds ${after.journalSize})`,
      );
    if (failures > 0) notes.push(`${scenario.id}: ${failures} webhooks were not answered 200`);
    if (duplicates > 0) notes.push(`${scenario.id}: ${duplicates} messages were posted to Slack twice`);
    const expected = stopped.problems.filter((p) => p.startsWith('Telegram webhook must be registered outside'));
    if (stopped.errors + stopped.warnings > expected.length) {
      notes.push(
        `${scenario.id}: the app logged ${stopped.errors} errors and ${stopped.warnings} warnings: ${stopped.problems.join('; ')}`,
      );
    }
    const slowAcks = planned.filter((p) => p.ackedAt !== undefined && p.ackedAt - p.sentAt! > 100);
    if (slowAcks.length > 0) {
      const sentAt = slowAcks.map((p) => p.sentAt! - t0);
      notes.push(
        `${scenario.id}: ${slowAcks.length} of ${planned.length} acks took over 100 ms, sent between ${ms(Math.min(...sentAt))} and ${ms(Math.max(...sentAt))} into the burst (webhooks share the app's one event loop with the worker's store writes and Slack calls)`,
      );
    }
    const paced = scenario.postsPerSecond === undefined;
    notes.push(
      `${scenario.id}: burst = ${posts} chat.postMessage (${scenario.customers} parents + ${done.length} messages) in ${postSeconds.toFixed(1)} s = ${rate(posts / postSeconds)} posts/s; ` +
        `busiest channel ${busiest} posts${paced ? ` (so ≥ ${Math.max(0, busiest - 3)} s at 1/s after its burst of 3)` : ''}; ` +
        `${misrouted} of ${done.length} messages went to another channel than their sample's language (detector), which makes channels uneven.`,
    );
    console.log(
      `  ${scenario.id}: ${done.length}/${planned.length} mirrored, ack p50 ${ms(quantile(acks, 0.5))}, e2e p50 ${ms(quantile(e2e, 0.5))}, ${rate(done.length / e2eSeconds)} msg/s, idle e2e p50 ${ms(quantile(idleE2e, 0.5))}`,
    );
    return {
      throughput: [
        scenario.label,
        `${planned.length} (${scenario.customers} conv.)`,
        String(scenario.channels),
        String(scenario.workerConcurrency ?? `${DEFAULT_WORKER_OPTIONS.concurrency} (default)`),
        ms(quantile(idleE2e, 0.5)),
        ms(quantile(acks, 0.5)),
        ms(quantile(acks, 0.99)),
        rate(planned.length / intakeSeconds),
        ms(quantile(e2e, 0.5)),
        ms(quantile(e2e, 0.99)),
        `${rate(done.length / e2eSeconds)}${complete ? '' : ` (${done.length} done in ${endSeconds.toFixed(0)} s)`}`,
      ],
      memory: [
        scenario.label,
        rssMb(started.baseline.rss),
        rssMb(started.started.rss),
        rssMb(after.memory.rss),
        rssMb(after.memory.maxRss),
        `${(started.startMs / 1000).toFixed(1)} s`,
      ],
      notes,
    };
  } finally {
    if (app.child.exitCode === null && app.child.signalCode === null) app.child.kill();
    await slack.close();
    await telegram.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (redis !== undefined) console.log(`  redis: deleted ${await redis.cleanup()} keys of ${redis.namespace}`);
  }
}

// ───────────────────────────── the paced drain (batched posts) ─────────────────────────────

/**
 * The paced drain: a burst of customer messages into a few Slack channels, against a Slack fake
 * that enforces Slack's per-channel pace (1 post/s, bursts of 3, 429 with Retry-After over it) as
 * Slack counts it, on arrival. Reports how long the drain took against the floor of one post per
 * message (each channel's parents plus messages at 1 post/s), what was lost, duplicated or
 * reordered (read from what the fake holds: every customer's sections, in order) and how many
 * posts Slack refused with 429: none of them are caused by anyone but Threadline here.
 */
const DRAIN = quick
  ? { id: 'paced-drain', channels: 3, customers: 30, messages: 100, timeoutMs: 120_000 }
  : { id: 'paced-drain', channels: 3, customers: 300, messages: 1000, timeoutMs: 900_000 };

async function runPacedDrain(): Promise<Section> {
  const pace = { perSecond: 1, burst: 3 };
  const slack = await startFakeSlack({ botToken: BOT_TOKEN, pace });
  const telegram = await startFakeTelegramApi({ token: TELEGRAM_TOKEN });
  const dataDir = mkdtempSync(join(tmpdir(), 'threadline-bench-drain-'));
  const languages = LANGUAGES.slice(0, DRAIN.channels);
  const channelOf = (language: string) => `C0DRAIN${String((languages as readonly string[]).indexOf(language) + 1).padStart(2, '0')}`;
  const routes = Object.fromEntries(languages.map((language) => [language, channelOf(language)]));
  const env = appEnv({ slackApiUrl: slack.apiUrl, telegramApiRoot: telegram.apiRoot, dataDir, port: 0 });
  const app = forkApp();
  try {
    app.child.send({ type: 'start', env, routes } satisfies ToApp);
    const started = await app.next('started');
    const url = `http://127.0.0.1:${started.port}/webhooks/telegram`;
    // Round-major, as traffic interleaves: every customer's 1st message, then 2nd…, cut at the total.
    const rounds = Math.ceil(DRAIN.messages / DRAIN.customers);
    const customers = Array.from({ length: DRAIN.customers }, (_, i) => i);
    const planned = plan(customers, rounds, languages, channelOf).slice(0, DRAIN.messages);

    const t0 = performance.now();
    await sendBurst(url, planned);
    const intakeSeconds = (performance.now() - t0) / 1000;

    // What Slack shows each customer, in order: the sections of their posts (a post of its own is one).
    const unescaped = (text: string) => text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
    const shown = () => {
      const byCustomer = new Map<string, string[]>();
      let posts = 0;
      for (const channel of Object.values(routes).concat(DEFAULT_CHANNEL)) {
        for (const message of slack.messages(channel)) {
          if (!message.username?.startsWith('Customer')) continue;
          posts += 1;
          const blocks = (message.blocks ?? []) as { text?: { text?: string } }[];
          const texts = blocks.length > 0 ? blocks.map((b) => b.text?.text ?? '') : [message.text];
          byCustomer.set(message.username, [...(byCustomer.get(message.username) ?? []), ...texts.map(unescaped)]);
        }
      }
      return { byCustomer, posts, sections: [...byCustomer.values()].reduce((n, t) => n + t.length, 0) };
    };
    let lastSections = 0;
    let drainedAt = performance.now();
    await until(
      () => {
        const { sections } = shown();
        if (sections !== lastSections) {
          lastSections = sections;
          drainedAt = performance.now();
        }
        return sections >= planned.length;
      },
      DRAIN.timeoutMs,
      () => `${lastSections}/${planned.length} shown after ${((performance.now() - t0) / 1000).toFixed(0)} s`,
    );
    const drainSeconds = (drainedAt - t0) / 1000;
    app.child.send({ type: 'stop' } satisfies ToApp);
    const stopped = await app.next('stopped');
    await app.exited(10_000);

    const { byCustomer, posts } = shown();
    let lost = 0;
    let duplicated = 0;
    let reordered = 0;
    for (const customer of customers) {
      const expected = planned.filter((p) => p.customer === customer).map((p) => JSON.parse(p.body).message.text as string);
      const got = byCustomer.get(`Customer${customer}`) ?? [];
      const remaining = [...got];
      for (const text of expected) {
        const at = remaining.indexOf(text);
        if (at === -1) lost += 1;
        else remaining.splice(at, 1);
      }
      duplicated += remaining.length;
      // Out of order: a message shown before one the customer wrote earlier.
      const firstSeen = expected.map((text) => got.indexOf(text)).filter((i) => i >= 0);
      for (let i = 1; i < firstSeen.length; i++) if (firstSeen[i]! < firstSeen[i - 1]!) reordered += 1;
    }
    // The floor: one post per message, plus one parent per conversation, per channel at 1 post/s.
    const perChannel = new Map<string, number>();
    for (const channel of Object.values(routes).concat(DEFAULT_CHANNEL)) {
      const threads = slack.messages(channel).filter((m) => m.bot_id && (!m.thread_ts || m.thread_ts === m.ts));
      const customersHere = new Set(threads.map((t) => /Customer\d+/.exec(JSON.stringify(t.blocks ?? []))?.[0]));
      let messages = 0;
      for (const name of customersHere) if (name) messages += planned.filter((p) => `Customer${p.customer}` === name).length;
      if (threads.length > 0) perChannel.set(channel, threads.length + messages);
    }
    const floorSeconds = Math.max(...perChannel.values()) / pace.perSecond;
    const parents = [...perChannel.keys()].reduce(
      (n, channel) => n + slack.messages(channel).filter((m) => m.bot_id && (!m.thread_ts || m.thread_ts === m.ts)).length,
      0,
    );
    const ratio = drainSeconds / floorSeconds;
    console.log(
      `  ${DRAIN.id}: drained in ${drainSeconds.toFixed(0)} s (floor ${floorSeconds.toFixed(0)} s, ${ratio.toFixed(2)}×), ${posts} customer posts for ${planned.length} messages, lost ${lost}, duplicated ${duplicated}, reordered ${reordered}, 429 ${slack.rateLimited.length}`,
    );
    return {
      title: `Paced drain: ${planned.length} messages from ${DRAIN.customers} customers into ${DRAIN.channels} channels, Slack at ${pace.perSecond} post/s per channel (bursts of ${pace.burst})`,
      columns: [
        'drain',
        'floor (1 post per message)',
        'drain / floor',
        'customer posts',
        'parents',
        'lost',
        'duplicated',
        'reordered',
        '429 from Slack',
        'intake msg/s',
      ],
      rows: [
        [
          `${drainSeconds.toFixed(0)} s`,
          `${floorSeconds.toFixed(0)} s`,
          `${ratio.toFixed(2)}×`,
          String(posts),
          String(parents),
          String(lost),
          String(duplicated),
          String(reordered),
          String(slack.rateLimited.length),
          rate(planned.length / intakeSeconds),
        ],
      ],
      notes: [
        'drain: from the first webhook until the fake Slack held the last message. floor: the busiest channel’s parents plus messages, one post each, at 1 post/s.',
        'Messages queued behind Slack’s pace go out together, one section per message (README: “When messages arrive faster than Slack takes them”); lost, duplicated and reordered are read from every customer’s sections in the fake, in order.',
        '429: posts the fake refused for going over its per-channel pace. Nothing else posts there, so every one would be of Threadline’s own making.',
        ...(stopped.errors > 0 ? [`the app logged ${stopped.errors} errors: ${stopped.problems.join('; ')}`] : []),
      ],
    };
  } finally {
    if (app.child.exitCode === null && app.child.signalCode === null) app.child.kill();
    await slack.close();
    await telegram.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const only = process.argv.find((a) => a.startsWith('--scenario='))?.slice('--scenario='.length);
  const scenarios = SCENARIOS.filter((s) => only === undefined || s.id === only);
  const drain = only === undefined || only === DRAIN.id;
  if (scenarios.length === 0 && !drain && only !== 'compare')
    throw new Error(`No scenario ${only}: use one of compare, ${[...SCENARIOS.map((s) => s.id), DRAIN.id].join(', ')}`);
  const comparison = only === undefined || only === 'compare' ? [await runComparison()] : [];
  const throughput: string[][] = [];
  const memoryRows: string[][] = [];
  const notes: string[] = [];
  for (const scenario of scenarios) {
    console.log(
      `pipeline ${scenario.id}: ${scenario.customers} customers × ${scenario.messagesPerCustomer} messages over ${scenario.channels} channels`,
    );
    try {
      const outcome = await runScenario(scenario);
      throughput.push(outcome.throughput);
      memoryRows.push(outcome.memory);
      notes.push(...outcome.notes);
    } catch (error) {
      console.error(`pipeline ${scenario.id} failed:`, error);
      throughput.push([scenario.label, 'failed (see output above)', '', '', '', '', '', '', '', '', '']);
    }
  }
  const sections: Section[] = [...comparison];
  if (scenarios.length > 0)
    sections.push(
      {
        title: 'Pipeline: Telegram webhook → journal → worker → Slack (createApp, Slack HTTP mode, embedded store unless noted)',
        columns: [
          'scenario',
          'burst msgs',
          'channels',
          'worker lanes',
          'idle e2e p50',
          'ack p50',
          'ack p99',
          'intake msg/s',
          'e2e p50',
          'e2e p99',
          'e2e msg/s',
        ],
        rows: throughput,
        notes: [
          'idle e2e: first, one new customer per channel writes once, alone, and waits until mirrored (parent + message posted): the latency of a quiet day.',
          `burst: then all the burst's messages are POSTed as fast as ${IN_FLIGHT} concurrent webhooks allow, so their e2e latency is mostly time queued (behind the per-channel pacing when paced): it grows with the burst size.`,
          "ack = the webhook's 200, after the journal append is durable. e2e = from the POST until the fake Slack received the chat.postMessage mirroring the message.",
          'Ceiling when paced: channels × 1 post/s, and a new conversation costs 2 posts (parent + message).',
          ...notes,
        ],
      },
      {
        title: 'Pipeline: memory of the app process',
        columns: [
          'scenario',
          'RSS before createApp',
          'RSS after start (language DB loaded)',
          'RSS after the run',
          'peak RSS',
          'createApp + start',
        ],
        rows: memoryRows,
      },
    );
  if (drain) {
    console.log(
      `pipeline ${DRAIN.id}: ${DRAIN.messages} messages from ${DRAIN.customers} customers over ${DRAIN.channels} channels, paced`,
    );
    try {
      sections.push(await runPacedDrain());
    } catch (error) {
      console.error(`pipeline ${DRAIN.id} failed:`, error);
    }
  }
  emitResult(sections);
}

await main();
