/**
 * Several Threadline instances behind one load balancer, sharing one Redis: two apps built by
 * createApp in this process, both with Telegram in webhook mode and Slack in HTTP mode against the
 * same fakes. Whichever instance a delivery lands on, agents see one thread per conversation with
 * every message once, in order; an instance that goes away loses nothing it acknowledged; and
 * settings changed through one instance apply on the other.
 *
 * Every test runs twice: on one Redis (REDIS_URL) and on a 3-master Redis Cluster that this file
 * starts (STORE_URL=redis+cluster://…). Each test gets its own key namespace, deleted afterwards
 * on REDIS_URL (the cluster is thrown away), so test files running in parallel never meet.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import { createClient } from '@keyv/redis';
import type { Update } from 'grammy/types';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type ThreadlineApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createRedisStore } from '../../src/store/redis-store.ts';
import { startFakeSlack, type FakeMessage, type FakeSlack } from '../fakes/slack-api.ts';
import { shownMessages } from '../fakes/slack-state.ts';
import { startFakeTelegramApi, type FakeTelegramApi } from '../fakes/telegram-api.ts';
import { type LocalRedisCluster, startRedisCluster } from '../support/redis-cluster.ts';
import { postSlashCommand, slashCommand } from '../support/slack-signing.ts';
import { BOT_TOKEN, DEFAULT_CHANNEL, SIGNING_SECRET, TELEGRAM_TOKEN, WEBHOOK_SECRET, eventually } from './harness.ts';
import { parents, shown } from '../support/slack-messages.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const runPrefix = `tl-e2e-instances:${randomUUID()}`;
const ADMIN = 'U01ADMIN99';
const KO_CHANNEL = 'C0KOREAN1';

/** One running instance. */
interface Instance {
  readonly name: string;
  readonly app: ThreadlineApp;
  readonly baseUrl: string;
  readonly logs: string[];
}

/** The shared world of one test: the fakes, and the instances on one Redis namespace. */
interface Cluster {
  readonly slack: FakeSlack;
  readonly telegram: FakeTelegramApi;
  readonly namespace: string;
  readonly instances: Instance[];
  start(name: string): Promise<Instance>;
}

let testCounter = 0;
const clusters: Cluster[] = [];
let redisCluster: LocalRedisCluster;

beforeAll(async () => {
  redisCluster = await startRedisCluster();
}, 30_000);
afterAll(() => redisCluster?.stop());

afterEach(async () => {
  for (const cluster of clusters.splice(0)) {
    await Promise.all(cluster.instances.map((instance) => instance.app.stop()));
    await cluster.slack.close();
    await cluster.telegram.close();
  }
});

afterAll(async () => {
  const client = createClient({ url: redisUrl, socket: { connectTimeout: 1000, reconnectStrategy: false } });
  await client.connect();
  for await (const keys of client.scanIterator({ MATCH: `${runPrefix}:*`, COUNT: 1000 })) if (keys.length > 0) await client.del(keys);
  await client.close();
});

async function cluster(storeUrl: string, onTestFailed: (fn: () => void) => void): Promise<Cluster> {
  const slack = await startFakeSlack({ botToken: BOT_TOKEN });
  const telegram = await startFakeTelegramApi({ token: TELEGRAM_TOKEN });
  const namespace = `${runPrefix}:${++testCounter}`;
  const instances: Instance[] = [];
  const created: Cluster = {
    slack,
    telegram,
    namespace,
    instances,
    async start(name) {
      const instance = await startInstance(name, slack, telegram, storeUrl, namespace);
      instances.push(instance);
      return instance;
    },
  };
  clusters.push(created);
  onTestFailed(() => {
    for (const instance of instances) console.error(`--- logs of instance ${instance.name} ---\n${instance.logs.slice(-100).join('\n')}`);
  });
  return created;
}

/** An instance as an operator runs it: STORE_URL on the shared Redis or cluster (here with the test's own namespace). */
async function startInstance(
  name: string,
  slack: FakeSlack,
  telegram: FakeTelegramApi,
  storeUrl: string,
  namespace: string,
): Promise<Instance> {
  const config = loadConfig(
    {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      SLACK_POSTS_PER_SECOND: '50',
      PORT: '0',
      STORE_URL: storeUrl,
      DEFAULT_CHANNEL,
      ADMIN_USERS: ADMIN,
      TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
      LOG_LEVEL: 'info',
    },
    { envFile: join(tmpdir(), `threadline-no-such-${randomUUID()}.env`) },
  );
  const logs: string[] = [];
  const logDestination = new Writable({
    write(chunk, _encoding, done) {
      logs.push(
        ...String(chunk)
          .split('\n')
          .filter((line) => line.trim() !== ''),
      );
      done();
    },
  });
  const app = await createApp(config, {
    store: await createRedisStore({ url: config.storeUrl!, namespace }),
    logDestination,
    worker: { idleMs: 10, leaseMs: 5000 },
    slackRetries: 0,
  });
  const port = await app.start();
  return { name, app, baseUrl: `http://127.0.0.1:${port}`, logs };
}

/** A Telegram customer and the updates Telegram would deliver for them. */
function customer(id: number, name: string, languageCode = 'en') {
  let messageId = 0;
  return {
    id,
    name,
    /** The update of this customer's next message. */
    writes(text: string): Update {
      messageId += 1;
      return {
        update_id: id * 1000 + messageId,
        message: {
          message_id: messageId,
          date: 1_760_000_000 + messageId,
          chat: { id, type: 'private', first_name: name },
          from: { id, is_bot: false, first_name: name, language_code: languageCode },
          text,
        },
      };
    },
  };
}

/** Telegram delivers an update to one instance's webhook; resolves once it is acknowledged. */
async function deliver(instance: Instance, update: Update): Promise<void> {
  const response = await fetch(`${instance.baseUrl}/webhooks/telegram`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET },
    body: JSON.stringify(update),
  });
  expect(response.status, `${instance.name} acknowledges update ${update.update_id}`).toBe(200);
}

const parentOf = (slack: FakeSlack, channel: string, name: string): FakeMessage[] =>
  parents(slack, channel).filter((m) => shown(m).includes(name));
const threadTexts = (slack: FakeSlack, channel: string, parent: FakeMessage): string[] =>
  slack.replies(channel, parent.ts).flatMap(shownMessages);

/** Waits until one thread of `name` in `channel` holds at least `count` messages; returns its texts. */
async function thread(slack: FakeSlack, channel: string, name: string, count: number): Promise<string[]> {
  return eventually(() => {
    const [parent, ...others] = parentOf(slack, channel, name);
    if (!parent || others.length > 0) return undefined;
    const texts = threadTexts(slack, channel, parent);
    return texts.length >= count && texts;
  }, 15_000);
}

/** Once both instances' journals are empty nothing more can be posted: then "exactly once" is final. */
async function drained(instance: Instance): Promise<void> {
  await eventually(async () => (await instance.app.store.journal.size()) === 0, 15_000);
}

describe.each([
  ['one Redis', () => redisUrl],
  ['a Redis Cluster', () => redisCluster.url],
])('several instances on %s', (_name, storeUrl) => {
  it('interleaved deliveries to two instances for one customer land in one thread, once each, in acknowledgement order', async ({
    onTestFailed,
  }) => {
    const world = await cluster(storeUrl(), onTestFailed);
    const a = await world.start('A');
    const b = await world.start('B');
    const customers = [customer(8101, 'Ingrid'), customer(8102, 'Jonas'), customer(8103, 'Kofi')];
    const acknowledged = new Map<string, string[]>(customers.map((c) => [c.name, []]));
    // Customers write at the same time; each one's messages are delivered one after another,
    // alternately to A and B (the second customer starts on B), each after the previous was acknowledged.
    await Promise.all(
      customers.map(async (c, offset) => {
        for (let i = 1; i <= 8; i++) {
          const text = `Hi, ${c.name} here, message ${i} of 8 about my order ${c.id}-${i}, thank you`;
          await deliver((i + offset) % 2 === 0 ? a : b, c.writes(text));
          acknowledged.get(c.name)!.push(text);
        }
      }),
    );

    for (const c of customers) await thread(world.slack, DEFAULT_CHANNEL, c.name, 8);
    await drained(a);
    for (const c of customers) {
      const [parent, ...others] = parentOf(world.slack, DEFAULT_CHANNEL, c.name);
      expect(others).toHaveLength(0);
      expect(threadTexts(world.slack, DEFAULT_CHANNEL, parent!)).toEqual(acknowledged.get(c.name));
    }
    expect(parents(world.slack, DEFAULT_CHANNEL)).toHaveLength(customers.length);
  });

  it('an instance that goes away after acknowledging loses nothing: the other one drains what it accepted', async ({ onTestFailed }) => {
    const world = await cluster(storeUrl(), onTestFailed);
    const a = await world.start('A');
    const b = await world.start('B');
    const lena = customer(8201, 'Lena');
    // A's worker is stopped: A still journals and acknowledges deliveries, but never works them off.
    await a.app.engine.stop();
    const texts = Array.from({ length: 5 }, (_, i) => `Hello, Lena here, message ${i + 1}: my parcel ${8201 + i} never arrived`);
    for (const text of texts.slice(0, 3)) await deliver(a, lena.writes(text));
    await a.app.stop();
    // Later deliveries land on B; they queue behind what A accepted.
    for (const text of texts.slice(3)) await deliver(b, lena.writes(text));

    expect(await thread(world.slack, DEFAULT_CHANNEL, 'Lena', texts.length)).toEqual(texts);
    await drained(b);
    const [parent] = parentOf(world.slack, DEFAULT_CHANNEL, 'Lena');
    expect(threadTexts(world.slack, DEFAULT_CHANNEL, parent!)).toEqual(texts);
    expect(parents(world.slack, DEFAULT_CHANNEL)).toHaveLength(1);
  });

  it('two first messages of a new customer arriving at once on A and B open one thread; one update delivered to both posts once', async ({
    onTestFailed,
  }) => {
    const world = await cluster(storeUrl(), onTestFailed);
    const a = await world.start('A');
    const b = await world.start('B');
    const newcomers = ['Mira', 'Nils', 'Olu', 'Pia', 'Quinn'].map((name, i) => customer(8301 + i, name));
    const sent = new Map<string, { first: string; second: string; both: string }>();
    await Promise.all(
      newcomers.map(async (c) => {
        const first = `Good morning, ${c.name} writing for the first time about order ${c.id}`;
        const second = `Also, ${c.name} would like to know the delivery time for ${c.id}`;
        const both = `And ${c.name} asks one last thing: can order ${c.id} be gift wrapped?`;
        sent.set(c.name, { first, second, both });
        const [one, two, three] = [c.writes(first), c.writes(second), c.writes(both)];
        // Two different first messages at the same moment, one on each instance;
        // then one update delivered to both instances at once (a platform retry hitting the other instance).
        await Promise.all([deliver(a, one), deliver(b, two)]);
        await Promise.all([deliver(a, three), deliver(b, three)]);
      }),
    );

    for (const c of newcomers) await thread(world.slack, DEFAULT_CHANNEL, c.name, 3);
    await drained(a);
    expect(parents(world.slack, DEFAULT_CHANNEL)).toHaveLength(newcomers.length);
    for (const c of newcomers) {
      const { first, second, both } = sent.get(c.name)!;
      const [parent, ...others] = parentOf(world.slack, DEFAULT_CHANNEL, c.name);
      expect(others).toHaveLength(0);
      const texts = threadTexts(world.slack, DEFAULT_CHANNEL, parent!);
      // The two concurrent first messages may be in either order; the later message follows both, once.
      expect([...texts].sort()).toEqual([first, second, both].sort());
      expect(texts[2]).toBe(both);
    }
  });

  it('an /inbox route set through A applies to a conversation opened through B', async ({ onTestFailed }) => {
    const world = await cluster(storeUrl(), onTestFailed);
    const a = await world.start('A');
    const b = await world.start('B');
    const answer = await postSlashCommand(
      `${a.baseUrl}/slack/events`,
      SIGNING_SECRET,
      slashCommand({ text: `route ko <#${KO_CHANNEL}|support-ko>`, userId: ADMIN, responseUrl: world.slack.responseUrl() }),
    );
    expect(answer.status).toBe(200);
    await eventually(() => `${answer.text}${JSON.stringify(world.slack.responses)}`.includes(KO_CHANNEL));

    const soo = customer(8401, '수진', 'ko');
    await deliver(b, soo.writes('안녕하세요, 주문한 물건이 아직 안 왔어요'));
    expect(await thread(world.slack, KO_CHANNEL, '수진', 1)).toEqual(['안녕하세요, 주문한 물건이 아직 안 왔어요']);
    expect(shown(parentOf(world.slack, KO_CHANNEL, '수진')[0]!)).toContain('Korean');
    await drained(b);
    expect(parents(world.slack, DEFAULT_CHANNEL)).toHaveLength(0);
  });
});
