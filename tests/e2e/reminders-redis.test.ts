/**
 * Reply-time reminders with several instances on one Redis: two apps built by createApp in this
 * process, sharing one Redis namespace, one test clock and the same fakes, both sweeping for due
 * timers every 20 ms. Each waiting stretch gets one reminder and one escalation, whichever
 * instance sweeps, and after both instances were replaced by a new one.
 */
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@keyv/redis';
import type { Update } from 'grammy/types';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createApp, type ThreadlineApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createRedisStore } from '../../src/store/redis-store.ts';
import { startFakeSlack, type FakeMessage, type FakeSlack } from '../fakes/slack-api.ts';
import { startFakeTelegramApi, type FakeTelegramApi } from '../fakes/telegram-api.ts';
import { postSlashCommand, slashCommand } from '../support/slack-signing.ts';
import { BOT_TOKEN, DEFAULT_CHANNEL, SIGNING_SECRET, TELEGRAM_TOKEN, WEBHOOK_SECRET, eventually } from './harness.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const namespace = `tl-e2e-reminders:${randomUUID()}`;
const ADMIN = 'U01ADMIN99';
const MINUTE = 60_000;

let clock = Date.parse('2026-12-03T09:00:00Z');
const running: ThreadlineApp[] = [];
const fakes: { slack?: FakeSlack; telegram?: FakeTelegramApi } = {};

afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.stop()));
  await fakes.slack?.close();
  await fakes.telegram?.close();
});

afterAll(async () => {
  const client = createClient({ url: redisUrl, socket: { connectTimeout: 1000, reconnectStrategy: false } });
  await client.connect();
  for await (const keys of client.scanIterator({ MATCH: `${namespace}*`, COUNT: 1000 })) if (keys.length > 0) await client.del(keys);
  await client.close();
});

/** One instance on the shared Redis namespace; resolves with its base URL. */
async function startInstance(slack: FakeSlack, telegram: FakeTelegramApi): Promise<{ app: ThreadlineApp; baseUrl: string }> {
  const config = loadConfig(
    {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      SLACK_POSTS_PER_SECOND: '50',
      PORT: '0',
      STORE_URL: redisUrl,
      DEFAULT_CHANNEL,
      ADMIN_USERS: ADMIN,
      TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
      LOG_LEVEL: process.env.DEBUG_REMINDERS ? 'debug' : 'warn',
    },
    { envFile: join(tmpdir(), `threadline-no-such-${randomUUID()}.env`) },
  );
  const app = await createApp(config, {
    store: await createRedisStore({ url: config.storeUrl!, namespace }),
    now: () => clock,
    worker: { idleMs: 10, leaseMs: 5000 },
    reminders: { intervalMs: 20 },
    slackRetries: 0,
  });
  running.push(app);
  const port = await app.start();
  return { app, baseUrl: `http://127.0.0.1:${port}` };
}

/** Telegram delivers one customer message to an instance's webhook. */
async function customerWrites(baseUrl: string, id: number, name: string, text: string): Promise<void> {
  const update: Update = {
    update_id: id * 1000 + Math.floor(Math.random() * 900),
    message: {
      message_id: Math.floor(Math.random() * 1_000_000),
      date: Math.floor(clock / 1000),
      chat: { id, type: 'private', first_name: name },
      from: { id, is_bot: false, first_name: name, language_code: 'en' },
      text,
    },
  };
  const response = await fetch(`${baseUrl}/webhooks/telegram`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET },
    body: JSON.stringify(update),
  });
  expect(response.status).toBe(200);
}

const parentOf = (slack: FakeSlack, name: string): FakeMessage | undefined =>
  slack
    .messages(DEFAULT_CHANNEL)
    .find((m) => m.bot_id && (!m.thread_ts || m.thread_ts === m.ts) && JSON.stringify(m.blocks ?? []).includes(name));
const notices = (slack: FakeSlack, parent: FakeMessage, mark: string) =>
  slack.replies(DEFAULT_CHANNEL, parent.ts).filter((m) => m.bot_id && !m.username && m.text.includes(mark));

describe('reply-time reminders on one Redis', () => {
  it('two instances send each reminder and escalation exactly once, and a replacement instance goes on from the stored timers', async () => {
    const slack = await startFakeSlack({ botToken: BOT_TOKEN });
    const telegram = await startFakeTelegramApi({ token: TELEGRAM_TOKEN });
    Object.assign(fakes, { slack, telegram });
    const a = await startInstance(slack, telegram);
    const b = await startInstance(slack, telegram);
    const answer = await postSlashCommand(
      `${b.baseUrl}/slack/events`,
      SIGNING_SECRET,
      slashCommand({ text: 'sla 10', userId: ADMIN, responseUrl: slack.responseUrl() }),
    );
    expect(answer.text).toContain('reminded after 10 min');

    await customerWrites(a.baseUrl, 9101, 'Ingrid', 'Hello, my parcel has not arrived yet, can you check it please?');
    const ingrid = await eventually(() => parentOf(slack, 'Ingrid'));
    await eventually(async () => (await a.app.store.journal.size()) === 0 && slack.replies(DEFAULT_CHANNEL, ingrid.ts).length === 1);

    clock += 11 * MINUTE;
    await eventually(() => notices(slack, ingrid, '⏰').length > 0);
    clock += 10 * MINUTE;
    await eventually(() => notices(slack, ingrid, 'Escalated').length > 0);
    expect(notices(slack, ingrid, '⏰')).toHaveLength(1);

    // Both instances go away; a new one, on the same Redis, takes the sweeps over.
    await Promise.all(running.splice(0).map((app) => app.stop()));
    const c = await startInstance(slack, telegram);
    await customerWrites(c.baseUrl, 9102, 'Jonas', 'Good morning, I would like to change the address of my order.');
    const jonas = await eventually(() => parentOf(slack, 'Jonas'));
    await eventually(async () => (await c.app.store.journal.size()) === 0 && slack.replies(DEFAULT_CHANNEL, jonas.ts).length === 1);
    clock += 11 * MINUTE;
    await eventually(() => notices(slack, jonas, '⏰').length > 0);
    expect(notices(slack, jonas, '⏰')).toHaveLength(1);
    expect(notices(slack, ingrid, '⏰')).toHaveLength(1);
    expect(notices(slack, ingrid, 'Escalated')).toHaveLength(1);
  });
});
