/**
 * The webhook fuzz end to end (the issue "One bad message must never stall a channel"): the whole
 * app (Slack HTTP mode, Telegram webhook, the engine running) against the local fakes, fed mutated
 * documented bodies (tests/fuzz/webhook-fuzz.ts) on `POST /webhooks/telegram` and `POST /slack/events`,
 * with and without valid authentication. It asserts only: 2xx/4xx answers; nothing journaled, posted
 * or answered without authentication; every customer message of an accepted webhook visible in its
 * Slack thread (its text, or the "could not read" notice); and the app still answering /healthz.
 * Seeded and bounded (see webhook-fuzz.ts); a failure prints its seed and counterexample.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telegramFactory } from '../../adapters/telegram/index.ts';
import type { WebhookRoute } from '../../src/channel.ts';
import type { InboundEvent } from '../../src/messages.ts';
import { keys } from '../../src/store/keys.ts';
import { memoryState, routeOf, webhookRequest } from '../contract/channel-contract.ts';
import { document, editedText, location, photoWithCaption, privateText, replyText } from '../fixtures/telegram/updates.ts';
import {
  allowedStatus,
  fuzzParameters,
  fuzzRequests,
  mutatedBody,
  secretHeaderAuth,
  send,
  slackSigningAuth,
  type FuzzRequest,
  type FuzzSample,
  type Json,
} from '../fuzz/webhook-fuzz.ts';
import { captureLogger } from '../support/capture-logger.ts';
import { blockActions, eventCallback, slashCommand } from '../support/slack-signing.ts';
import { ANN, DEFAULT_CHANNEL, SIGNING_SECRET, TELEGRAM_TOKEN, WEBHOOK_SECRET, eventually, startE2e, type E2e } from './harness.ts';

const TELEGRAM_PATH = '/webhooks/telegram';
const SLACK_PATH = '/slack/events';

const telegramSamples: FuzzSample[] = Object.entries({ privateText, replyText, photoWithCaption, document, location, editedText }).map(
  ([name, update]) => ({
    name,
    encoding: 'json',
    value: update as unknown as Json,
  }),
);
// @see https://core.telegram.org/bots/api#setwebhook (secret_token → X-Telegram-Bot-Api-Secret-Token)
const telegramAuth = secretHeaderAuth('x-telegram-bot-api-secret-token', WEBHOOK_SECRET);
const slackAuth = slackSigningAuth(SIGNING_SECRET);

/** Documented Slack payloads, about the conversation `thread` (a real one after `beforeAll`). */
function slackSamples(e2e: E2e, thread: { channel: string; ts: string }, conversationId: string): FuzzSample[] {
  const sample = (name: string, encoding: FuzzSample['encoding'], value: unknown): FuzzSample => ({ name, encoding, value: value as Json });
  return [
    sample(
      'event_callback message (agent reply)',
      'json',
      eventCallback(
        {
          type: 'message',
          channel: thread.channel,
          channel_type: 'channel',
          user: 'UAGENT1',
          text: 'We are on it',
          ts: '1715000000.000200',
          thread_ts: thread.ts,
          event_ts: '1715000000.000200',
        },
        { eventId: 'EvFUZZ1' },
      ),
    ),
    sample(
      'event_callback reaction_added',
      'json',
      eventCallback(
        {
          type: 'reaction_added',
          user: 'UAGENT1',
          reaction: 'eyes',
          item: { type: 'message', channel: thread.channel, ts: thread.ts },
          event_ts: '1715000000.000300',
        },
        { eventId: 'EvFUZZ2' },
      ),
    ),
    sample(
      'block_actions',
      'form-payload',
      blockActions({
        actionId: 'threadline_assign',
        userId: 'UAGENT1',
        channelId: thread.channel,
        messageTs: thread.ts,
        value: conversationId,
      }),
    ),
    sample('slash command /inbox', 'form', slashCommand({ text: 'help', userId: 'UAGENT1', responseUrl: e2e.slack.responseUrl() })),
    // Source: https://docs.slack.dev/reference/events/url_verification
    sample('url_verification', 'json', {
      token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl',
      challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
      type: 'url_verification',
    }),
  ];
}

let e2e: E2e;
let oracle: WebhookRoute;
const WRITES = /^(chat|reactions|files|views|conversations\.(create|invite|join))\./;

/** What an unauthenticated request could have caused anywhere: journal entries, Slack writes, response_url answers, Telegram sends. */
async function sideEffects() {
  return {
    journal: await e2e.app.store.journal.size(),
    slackWrites: e2e.slack.calls.filter((call) => WRITES.test(call.method)).length,
    slackResponses: e2e.slack.responses.length,
    telegramSends: e2e.telegram.calls.filter((call) => call.method.startsWith('send')).length,
  };
}

/** The error lines the app logged since line `from`, short: what a failing run shows to explain a 5xx. */
function errorsSince(from: number): string {
  const errors = e2e.logs
    .slice(from)
    .map((line) => JSON.parse(line) as { level: number; msg: string; err?: { message?: string; stack?: string } })
    .filter((entry) => entry.level >= 50);
  return JSON.stringify(
    errors.map((entry) => `${entry.msg}: ${entry.err?.message?.slice(0, 200) ?? ''} ${entry.err?.stack?.split('\n')[1]?.trim() ?? ''}`),
  );
}

const describeRequest = (path: string, request: FuzzRequest, status: number) =>
  `${path} ${request.sample} (${request.mutation}; auth: ${request.auth}; content-type: ${request.headers['content-type'] ?? 'none'}) answered ${status}`;

beforeAll(async () => {
  // Unpaced, so that waiting for each accepted message is not waiting for Slack's 1 post/s.
  e2e = await startE2e({ slackMode: 'http', telegramMode: 'webhook', env: { SLACK_POSTS_PER_SECOND: '100' } });
  // The same adapter, outside the app, says which events a body gives (the app's journal is drained as it goes).
  const config = telegramFactory.readConfig({
    TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
    TELEGRAM_API_ROOT: e2e.telegram.apiRoot,
    TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
    TELEGRAM_WEBHOOK_URL: 'https://threadline.example.com/webhooks/telegram',
  });
  if (config === undefined) throw new Error('no Telegram config');
  oracle = routeOf(
    telegramFactory.create(config, { logger: captureLogger().logger, state: memoryState(), now: () => Date.now() }),
    'POST',
    TELEGRAM_PATH,
  );
});

afterAll(async () => {
  await e2e?.stop();
});

describe('fuzz, end to end: the whole app on mutated webhook and Slack bodies', () => {
  it('without valid authentication: 4xx on /webhooks/telegram and /slack/events, and nothing journaled, posted, answered or sent', async () => {
    const before = await sideEffects();
    expect(before.journal).toBe(0);
    const telegram = fuzzRequests(fc.oneof(...telegramSamples.map((sample) => mutatedBody(sample))), telegramAuth, {
      authenticatedWeight: 0,
    });
    // The Slack samples need a thread only to be realistic; an unsigned one must reach no listener whatever it names.
    const slack = fuzzRequests(
      fc.oneof(
        ...slackSamples(e2e, { channel: DEFAULT_CHANNEL, ts: '1715000000.000100' }, 'telegram:7777777:5001').map((sample) =>
          mutatedBody(sample),
        ),
      ),
      slackAuth,
      { authenticatedWeight: 0 },
    );
    const target = fc.oneof(
      telegram.map((request) => ({ path: TELEGRAM_PATH, request })),
      slack.map((request) => ({ path: SLACK_PATH, request })),
    );
    await fc.assert(
      fc.asyncProperty(
        target.filter(({ request }) => !request.authenticated),
        async ({ path, request }) => {
          const { status } = await send(e2e.baseUrl, 'POST', path, request);
          const what = describeRequest(path, request, status);
          expect(status >= 400 && status < 500, what).toBe(true);
          expect(await sideEffects(), what).toEqual(before);
        },
      ),
      fuzzParameters(120),
    );
  });

  it('authenticated Telegram webhooks: 2xx/4xx, and every customer message of a 200 appears in its Slack thread (text or the "could not read" notice)', async () => {
    const requests = fuzzRequests(
      fc.oneof(...telegramSamples.map((sample) => mutatedBody(sample, { maxHugeLength: 50_000 }))),
      telegramAuth,
    );
    // A later body with an eventId already seen is a redelivery: the engine applies it once (done:<id>), whatever it holds now.
    const shown = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        requests.filter((request) => request.authenticated),
        async (request) => {
          const logged = e2e.logs.length;
          const { status } = await send(e2e.baseUrl, 'POST', TELEGRAM_PATH, request);
          const what = `${describeRequest(TELEGRAM_PATH, request, status)}; logged: ${errorsSince(logged)}`;
          expect(allowedStatus(status), what).toBe(true);
          if (status !== 200) return;
          const answer = await oracle.handle(webhookRequest(Buffer.from(request.body), request.headers));
          const events: readonly InboundEvent[] = answer.status === 200 ? answer.events : [];
          for (const message of events.filter((event) => event.kind === 'message')) {
            const conversationId = `telegram:${message.account}:${message.contact.id}`;
            const key = `msg:${conversationId}:${message.eventId}`;
            if (shown.has(key)) continue;
            shown.add(key);
            const byMarker = () => e2e.slack.messages(DEFAULT_CHANNEL).find((m) => m.metadata?.event_payload.key === key);
            // A readable edit of a message already in the thread updates that post (chat.update, "_(edited)_") instead.
            const byEdit = async () => {
              if (!message.edited || message.unreadable) return undefined;
              const mirror = await e2e.app.store.get<{ ts: string }>(keys.platformMessage(conversationId, message.messageId));
              return e2e.slack.messages(DEFAULT_CHANNEL).find((m) => m.ts === mirror?.ts && m.text?.endsWith('_(edited)_'));
            };
            const posted = await eventually(async () => byMarker() ?? (await byEdit()), 20_000).catch(() => undefined);
            expect(
              posted,
              `${what}: customer message ${key} never reached Slack; Slack shows ${JSON.stringify(
                e2e.slack
                  .messages(DEFAULT_CHANNEL)
                  .slice(-3)
                  .map((m) => m.text?.slice(0, 120)),
              )}`,
            ).toBeDefined();
            expect(posted?.thread_ts, `${what}: posted outside a thread`).toBeDefined();
            if (message.unreadable) expect(posted?.text, what).toMatch(/^⚠️ A message Threadline could not read/);
            else expect((posted?.text ?? '').length + (posted?.files?.length ?? 0), `${what}: posted empty`).toBeGreaterThan(0);
          }
        },
      ),
      fuzzParameters(40, 40_000),
    );
    expect(await e2e.app.store.journal.parked(), 'a fuzzed message was set aside').toEqual([]);
  }, 90_000);

  it('signed /slack/events requests (events, reactions, clicks, /inbox, url_verification): 2xx/4xx only, and the app still answers /healthz', async () => {
    await e2e.customerSends({ text: 'Hello, I have a question about my order' }, ANN);
    const parent = await eventually(() =>
      e2e.slack
        .messages(DEFAULT_CHANNEL)
        .find((m) => String(m.metadata?.event_payload.key).startsWith(`parent:telegram:7777777:${ANN.id}:`)),
    );
    const samples = slackSamples(e2e, { channel: DEFAULT_CHANNEL, ts: parent.ts }, `telegram:7777777:${ANN.id}`);
    const requests = fuzzRequests(fc.oneof(...samples.map((sample) => mutatedBody(sample))), slackAuth);
    await fc.assert(
      fc.asyncProperty(
        requests.filter((request) => request.authenticated),
        async (request) => {
          const logged = e2e.logs.length;
          const { status } = await send(e2e.baseUrl, 'POST', SLACK_PATH, request);
          expect(allowedStatus(status), `${describeRequest(SLACK_PATH, request, status)}; logged: ${errorsSince(logged)}`).toBe(true);
        },
      ),
      fuzzParameters(150),
    );
    const health = await fetch(`${e2e.baseUrl}/healthz`);
    expect(health.status).toBe(200);
  });
});
