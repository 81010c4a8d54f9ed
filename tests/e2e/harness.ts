/**
 * The whole Threadline app, built by createApp from a real configuration, with the real Bolt and
 * the real grammY talking to the local fakes of the Slack Web API and the Telegram Bot API.
 * Tests drive it as the outside world does: a customer writes on Telegram (the fake serves the
 * update to long polling, or the test POSTs it to the webhook), agents act in Slack (signed Events
 * API requests in HTTP mode, envelopes in Socket Mode), and assertions read what the fakes saw.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Message, Update } from 'grammy/types';
import { createApp, type ThreadlineApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { WorkerOptions } from '../../src/engine/worker.ts';
import type { Store } from '../../src/store/store.ts';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-api.ts';
import { startFakeTelegramApi, type FakeTelegramApi } from '../fakes/telegram-api.ts';
import {
  blockActions,
  eventCallback,
  postEvent,
  postInteraction,
  postSlashCommand,
  selectMenuAction,
  slashCommand,
  userSelected,
} from '../support/slack-signing.ts';

export const BOT_TOKEN = 'xoxb-2222-3333-e2etesttoken';
export const APP_TOKEN = 'xapp-1-A0THREAD-4444-e2etesttoken';
export const SIGNING_SECRET = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
export const TELEGRAM_TOKEN = '7777777:AAE2eTestTokenForThreadlineOnly_x';
export const WEBHOOK_SECRET = 'tg-webhook-secret_123';
export const DEFAULT_CHANNEL = 'C0DEFAULT';

/** How to run the app under test. */
export interface E2eOptions {
  readonly slackMode: 'http' | 'socket';
  readonly telegramMode: 'polling' | 'webhook';
  /** Reuse a data directory (restart tests); a new temporary one by default. */
  readonly dataDir?: string;
  /** Reuse fakes (restart tests). */
  readonly fakes?: { slack: FakeSlack; telegram: FakeTelegramApi };
  readonly adminUsers?: string;
  /** Worker tuning on top of the harness's own (e.g. a short backoff before a job is set aside). */
  readonly worker?: Partial<WorkerOptions>;
  /** The app's clock (default Date.now), for tests that let time pass (an expired link). */
  readonly now?: () => number;
  /** More settings, on top of (and overriding) the harness's own (another platform's, e.g. META_* and WHATSAPP_* pointing at the Graph fake, or `SLACK_POSTS_PER_SECOND`). */
  readonly env?: Readonly<Record<string, string>>;
  /** How long agents' Slack presence is reused (the app's default when unset). */
  readonly presenceTtlMs?: number;
  /** Reply-time reminder sweeps, e.g. `{ intervalMs: 20 }` with a test clock. */
  readonly reminders?: { readonly intervalMs: number };
  /** The store, given `dataDir` (e.g. one that fails a write once, as a crash would); the app builds its own when unset. */
  readonly store?: (dataDir: string) => Store;
}

/** A running app plus the fakes it talks to and the log lines it wrote. */
export interface E2e {
  readonly app: ThreadlineApp;
  readonly slack: FakeSlack;
  readonly telegram: FakeTelegramApi;
  readonly baseUrl: string;
  readonly dataDir: string;
  readonly logs: string[];
  /** A Telegram customer writes to the bot; the update goes through polling or the webhook. */
  customerSends(message: Partial<Message> & { text?: string }, from?: Customer): Promise<Update>;
  /** Delivers any update (reactions, edits) the same way. */
  deliver(update: Omit<Update, 'update_id'>): Promise<Update>;
  /** An agent writes in a thread (the fake records the message; Slack sends the event). */
  agentReplies(thread: { channel: string; ts: string }, user: string, text: string, extra?: Record<string, unknown>): Promise<string>;
  /** Someone adds or removes a reaction on a message. */
  react(channel: string, ts: string, user: string, reaction: string, removed?: boolean): Promise<void>;
  /** Someone clicks a button on a parent message. */
  click(channel: string, ts: string, user: string, actionId: string): Promise<void>;
  /** Someone picks a user in a `users_select` menu on a parent message. */
  pickUser(channel: string, ts: string, user: string, actionId: string, selectedUser: string): Promise<void>;
  /** Someone opens the app's Home tab (the `app_home_opened` event). Source: https://docs.slack.dev/reference/events/app_home_opened/ */
  openHome(user: string): Promise<void>;
  /** Someone chooses an option of a select menu on a parent message. */
  choose(channel: string, ts: string, user: string, actionId: string, option: { value: string; label: string }): Promise<void>;
  /** Someone runs /inbox; resolves with what they were answered. */
  inbox(user: string, text: string): Promise<string>;
  stop(): Promise<void>;
}

/** A Telegram user. */
export interface Customer {
  readonly id: number;
  readonly first_name: string;
  readonly last_name?: string;
  readonly username?: string;
  readonly language_code?: string;
}

export const ANN: Customer = { id: 5001, first_name: 'Ann', last_name: 'Berg', username: 'annb', language_code: 'en' };

let messageCounter = 100;
let updateCounter = 900_000;
let eventCounter = 0;

/** Starts fakes (unless given) and the app. */
export async function startE2e(options: E2eOptions): Promise<E2e> {
  const slack = options.fakes?.slack ?? (await startFakeSlack({ botToken: BOT_TOKEN, appToken: APP_TOKEN }));
  const telegram = options.fakes?.telegram ?? (await startFakeTelegramApi({ token: TELEGRAM_TOKEN }));
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'threadline-e2e-'));
  const env: Record<string, string> = {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    DATA_DIR: dataDir,
    DEFAULT_CHANNEL,
    TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    LOG_LEVEL: 'debug',
    LOG_FORMAT: 'json',
    ...(options.slackMode === 'socket' ? { SLACK_APP_TOKEN: APP_TOKEN } : { SLACK_SIGNING_SECRET: SIGNING_SECRET }),
    ...(options.telegramMode === 'webhook' ? { TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET } : {}),
    ...(options.adminUsers ? { ADMIN_USERS: options.adminUsers } : {}),
    ...options.env,
  };
  const config = loadConfig(env, { envFile: join(dataDir, 'no-such.env') });
  const logs: string[] = [];
  const logDestination = new Writable({
    write(chunk, _encoding, done) {
      logs.push(
        ...String(chunk)
          .split('\n')
          .filter((l) => l.trim()),
      );
      done();
    },
  });
  const app = await createApp(config, {
    ...(options.store ? { store: options.store(dataDir) } : {}),
    logDestination,
    worker: { idleMs: 10, leaseMs: 5000, ...options.worker },
    outbox: { minTimeoutMs: 5, maxTimeoutMs: 50 },
    slackRetries: 0,
    socketPingTimeoutMs: 200,
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.presenceTtlMs === undefined ? {} : { presenceTtlMs: options.presenceTtlMs }),
    ...(options.reminders ? { reminders: options.reminders } : {}),
  });
  const port = await app.start();
  const baseUrl = `http://127.0.0.1:${port}`;
  const eventsUrl = `${baseUrl}/slack/events`;

  async function sendToSlackApp(kind: 'event' | 'interaction', payload: Record<string, unknown>) {
    if (options.slackMode === 'socket') {
      if (kind === 'event') await slack.socket.pushEvent(payload);
      else await slack.socket.pushInteractive(payload);
      return;
    }
    const response =
      kind === 'event' ? await postEvent(eventsUrl, SIGNING_SECRET, payload) : await postInteraction(eventsUrl, SIGNING_SECRET, payload);
    if (response.status !== 200) throw new Error(`Slack request answered ${response.status}`);
  }

  const deliver = async (update: Omit<Update, 'update_id'>): Promise<Update> => {
    if (options.telegramMode === 'polling') {
      const pushed = telegram.pushUpdate(update);
      await telegram.waitForConfirmed(pushed.update_id, 5000);
      return pushed;
    }
    const full = { update_id: ++updateCounter, ...update } as Update;
    const response = await fetch(`${baseUrl}/webhooks/telegram`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET },
      body: JSON.stringify(full),
    });
    if (response.status !== 200) throw new Error(`webhook answered ${response.status}`);
    return full;
  };

  return {
    app,
    slack,
    telegram,
    baseUrl,
    dataDir,
    logs,
    deliver,
    customerSends(message, from = ANN) {
      return deliver({
        message: {
          message_id: ++messageCounter,
          date: Math.floor(Date.now() / 1000),
          chat: { id: from.id, type: 'private', first_name: from.first_name, ...(from.username ? { username: from.username } : {}) },
          from: { is_bot: false, ...from },
          ...message,
        } as Update['message'],
      });
    },
    async agentReplies(thread, user, text, extra = {}) {
      const posted = slack.addUserMessage(thread.channel, { user, text, thread_ts: thread.ts });
      await sendToSlackApp(
        'event',
        eventCallback(
          {
            type: 'message',
            channel: thread.channel,
            channel_type: 'channel',
            user,
            text,
            ts: posted.ts,
            thread_ts: thread.ts,
            event_ts: posted.ts,
            ...extra,
          },
          { eventId: `Ev${++eventCounter}` },
        ),
      );
      return posted.ts;
    },
    async react(channel, ts, user, reaction, removed = false) {
      await sendToSlackApp(
        'event',
        eventCallback(
          {
            type: removed ? 'reaction_removed' : 'reaction_added',
            user,
            reaction,
            item: { type: 'message', channel, ts },
            event_ts: `${Date.now() / 1000}`,
          },
          { eventId: `Ev${++eventCounter}` },
        ),
      );
    },
    async openHome(user) {
      await sendToSlackApp(
        'event',
        eventCallback(
          { type: 'app_home_opened', user, channel: 'D0HOME', tab: 'home', event_ts: `${Date.now() / 1000}` },
          { eventId: `Ev${++eventCounter}` },
        ),
      );
    },
    async choose(channel, ts, user, actionId, option) {
      await sendToSlackApp('interaction', selectMenuAction({ actionId, userId: user, channelId: channel, messageTs: ts, ...option }));
    },
    async click(channel, ts, user, actionId) {
      await sendToSlackApp('interaction', blockActions({ actionId, userId: user, channelId: channel, messageTs: ts }));
    },
    async pickUser(channel, ts, user, actionId, selectedUser) {
      await sendToSlackApp('interaction', userSelected({ actionId, userId: user, channelId: channel, messageTs: ts, selectedUser }));
    },
    async inbox(user, text) {
      const fields = slashCommand({ text, userId: user, responseUrl: slack.responseUrl() });
      if (options.slackMode === 'socket') {
        const ack = await slack.socket.pushSlashCommand(fields);
        return JSON.stringify(ack.payload ?? {});
      }
      const before = slack.responses.length;
      const response = await postSlashCommand(eventsUrl, SIGNING_SECRET, fields);
      await new Promise((resolve) => setTimeout(resolve, 50));
      return `${response.text}${JSON.stringify(slack.responses.slice(before))}`;
    },
    async stop() {
      await app.stop();
      if (!options.fakes) {
        await slack.close();
        await telegram.close();
        if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/** Polls until `check` returns a value (not undefined/false), or fails after `timeoutMs`. */
export async function eventually<T>(check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 8000): Promise<T> {
  const start = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
