/**
 * X DMs end to end: the real app with X on, the real twitter-api-v2 polling the local X API fake (or
 * receiving signed Account Activity deliveries through the real HTTP server), the real Bolt against
 * the Slack fake. Polls run at the smallest interval X allows (X_POLL_SECONDS=3), so each test waits
 * a few polls.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeSlack } from '../fakes/slack-api.ts';
import { shownMessages } from '../fakes/slack-state.ts';
import { startFakeTelegramApi } from '../fakes/telegram-api.ts';
import { ACCESS_SECRET, ACCESS_TOKEN, APP_KEY, APP_SECRET, startFakeXApi, type FakeXApi } from '../fakes/x-api.ts';
import { blockDelivery, dmDelivery, ownDelivery } from '../fixtures/x/activity.ts';
import { customer, forbidden, tooManyRequests, unauthorized } from '../fixtures/x/dm-events.ts';
import { signX } from '../support/x-signature.ts';
import { APP_TOKEN, BOT_TOKEN, DEFAULT_CHANNEL, TELEGRAM_TOKEN, eventually, startE2e, type E2e } from './harness.ts';
import { parents, shown } from '../support/slack-messages.ts';

const AGENT = 'U0AGENT';
const POLLS = 20_000;

const running: E2e[] = [];
const fakes: FakeXApi[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e2e) => e2e.stop()));
  await Promise.all(fakes.splice(0).map((x) => x.close()));
});

function xEnv(x: FakeXApi, more: Record<string, string> = {}): Record<string, string> {
  return {
    X_APP_KEY: APP_KEY,
    X_APP_SECRET: APP_SECRET,
    X_ACCESS_TOKEN: ACCESS_TOKEN,
    X_ACCESS_SECRET: ACCESS_SECRET,
    X_API_ROOT: x.apiRoot,
    X_POLL_SECONDS: '3',
    ...more,
  };
}

async function startWithX(
  options: { pageSize?: number; env?: Record<string, string>; slackMode?: 'http' | 'socket' } = {},
): Promise<{ e2e: E2e; x: FakeXApi }> {
  const x = await startFakeXApi(options.pageSize === undefined ? {} : { pageSize: options.pageSize });
  fakes.push(x);
  const e2e = await startE2e({ slackMode: options.slackMode ?? 'http', telegramMode: 'webhook', env: xEnv(x, options.env) });
  running.push(e2e);
  return { e2e, x };
}

const polled = async (x: FakeXApi, times: number) => void (await x.waitFor('dm_events', times, POLLS));

describe('X by polling', () => {
  it.each(['http', 'socket'] as const)(
    'Slack %s mode: opens a thread under the looked-up name, sends the reply, does not mirror its echo, and brings photos as files',
    async (slackMode) => {
      const { e2e, x } = await startWithX({ slackMode });
      // A DM from before Threadline was connected: history, not a new conversation.
      x.customerWrites({ text: 'An old message from last week' });
      await polled(x, 1);
      await eventually(async () => (await fetch(`${e2e.baseUrl}/healthz`)).status === 200);
      const health = (await (await fetch(`${e2e.baseUrl}/healthz`)).json()) as { platforms: Record<string, string> };
      expect(health.platforms).toMatchObject({ x: 'live' });

      x.customerWrites({ text: 'Hello, my order #1234 has not arrived yet. Can you help?' });
      const [parent] = await eventually(
        () => parents(e2e.slack, DEFAULT_CHANNEL).length === 1 && parents(e2e.slack, DEFAULT_CHANNEL),
        POLLS,
      );
      expect(shown(parent)).toContain('Ann Berg');
      expect(shown(parent)).toContain('@annb');
      expect(shown(parent)).toContain('X');
      expect(shown(parent)).toContain('Waiting for reply');
      const thread = { channel: DEFAULT_CHANNEL, ts: parent!.ts };
      const [first] = await eventually(
        () => e2e.slack.replies(DEFAULT_CHANNEL, parent!.ts).length === 1 && e2e.slack.replies(DEFAULT_CHANNEL, parent!.ts),
      );
      expect(first).toMatchObject({ username: 'Ann Berg', text: 'Hello, my order #1234 has not arrived yet. Can you help?' });
      expect(
        e2e.slack
          .replies(DEFAULT_CHANNEL, parent!.ts)
          .map((m) => m.text)
          .join(),
      ).not.toContain('old message');

      const replyTs = await e2e.agentReplies(thread, AGENT, 'Sorry about that! It ships today.');
      const [sent] = await x.waitFor('send', 1, POLLS);
      expect(sent).toMatchObject({
        path: `/2/dm_conversations/with/${customer.id}/messages`,
        body: { text: 'Sorry about that! It ships today.' },
      });
      await eventually(() => e2e.slack.message(DEFAULT_CHANNEL, replyTs)?.reactions.has('heavy_check_mark'), POLLS);

      const photo = {
        media_key: '3_1582838499983569999',
        type: 'photo',
        url: 'https://ton.twitter.com/1.1/ton/data/dm/1582838499983569998/1582838499983569999/box.jpg',
      };
      x.addMedia(photo, new TextEncoder().encode('jpeg-bytes-of-the-box'), 'image/jpeg');
      x.customerWrites({ text: 'The box arrived damaged', mediaKeys: [photo.media_key] });
      await eventually(() => [...e2e.slack.files.values()].find((f) => f.data.toString() === 'jpeg-bytes-of-the-box'), POLLS);
      // The echo of the agent's reply was listed by a poll since; it is not mirrored as the customer's.
      await eventually(() => e2e.slack.replies(DEFAULT_CHANNEL, parent!.ts).some((m) => m.text.includes('The box arrived damaged')), POLLS);
      const mirrored = e2e.slack.replies(DEFAULT_CHANNEL, parent!.ts).filter((m) => m.bot_id);
      expect(mirrored.filter((m) => m.text.includes('It ships today'))).toEqual([]);
      expect(parents(e2e.slack, DEFAULT_CHANNEL)).toHaveLength(1);
      expect(x.callsOf('users').length + x.callsOf('dm_events').length).toBeGreaterThan(0);
      expect(e2e.logs.join('\n')).not.toContain(ACCESS_SECRET);
      expect(e2e.logs.join('\n')).not.toContain(APP_SECRET);
    },
    60_000,
  );

  it('after a restart, takes every DM written while it was down, across pages, once each and in order', async () => {
    const x = await startFakeXApi({ pageSize: 2 });
    fakes.push(x);
    const slack = await startFakeSlack({ botToken: BOT_TOKEN, appToken: APP_TOKEN });
    const telegram = await startFakeTelegramApi({ token: TELEGRAM_TOKEN });
    const dataDir = mkdtempSync(join(tmpdir(), 'threadline-x-e2e-'));
    try {
      const options = { slackMode: 'http', telegramMode: 'webhook', dataDir, fakes: { slack, telegram }, env: xEnv(x) } as const;
      const before = await startE2e(options);
      await polled(x, 1);
      x.customerWrites({ text: 'First: where is my parcel?' });
      const [parent] = await eventually(
        () => parents(before.slack, DEFAULT_CHANNEL).length === 1 && parents(before.slack, DEFAULT_CHANNEL),
        POLLS,
      );
      await eventually(() => before.slack.replies(DEFAULT_CHANNEL, parent!.ts).length === 1, POLLS);
      await before.stop();

      const written = ['Second', 'Third', 'Fourth', 'Fifth', 'Sixth'].map((word) => `${word}: still waiting`);
      for (const text of written) x.customerWrites({ text });
      // The restarted app's first poll fails on the second page: it must move on neither past nor over anything.
      const pagesBefore = x.callsOf('dm_events').length;
      x.failNext('dm_events', 'network');
      const after = await startE2e(options);
      running.push(after);
      const replies = await eventually(() => {
        const all = after.slack.replies(DEFAULT_CHANNEL, parent!.ts).flatMap(shownMessages);
        return all.length === 6 && all;
      }, 30_000);
      expect(replies).toEqual(['First: where is my parcel?', ...written]);
      expect(x.callsOf('dm_events').length - pagesBefore).toBeGreaterThan(3);
      expect(parents(after.slack, DEFAULT_CHANNEL)).toHaveLength(1);
    } finally {
      await slack.close();
      await telegram.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('explains a refused reply and rejected credentials in the thread, and waits out a 429 keeping the order of replies', async () => {
    const { e2e, x } = await startWithX();
    await polled(x, 1);
    x.customerWrites({ text: 'Please cancel my subscription' });
    const [parent] = await eventually(() => parents(e2e.slack, DEFAULT_CHANNEL).length === 1 && parents(e2e.slack, DEFAULT_CHANNEL), POLLS);
    const thread = { channel: DEFAULT_CHANNEL, ts: parent!.ts };

    x.failNext('send', { status: 403, body: forbidden });
    const refusedTs = await e2e.agentReplies(thread, AGENT, 'Done, it is cancelled.');
    await eventually(() => e2e.slack.message(DEFAULT_CHANNEL, refusedTs)?.reactions.has('warning'), POLLS);
    const notice = await eventually(() =>
      e2e.slack.replies(DEFAULT_CHANNEL, parent!.ts).find((m) => m.bot_id && /X refuses direct messages/.test(m.text)),
    );
    expect(notice?.text).toMatch(/Not delivered/);

    x.failNext('send', { status: 401, body: unauthorized });
    const authTs = await e2e.agentReplies(thread, AGENT, 'Are you still there?');
    await eventually(() => e2e.slack.message(DEFAULT_CHANNEL, authTs)?.reactions.has('warning'), POLLS);
    await eventually(() => e2e.slack.replies(DEFAULT_CHANNEL, parent!.ts).find((m) => m.bot_id && m.text.includes('X_ACCESS_TOKEN')));

    const reset = String(Math.ceil(Date.now() / 1000) + 2);
    x.failNext('send', { status: 429, body: tooManyRequests, headers: { 'x-rate-limit-reset': reset } });
    const one = await e2e.agentReplies(thread, AGENT, 'One more thing: your refund is on its way.');
    const two = await e2e.agentReplies(thread, AGENT, 'It takes three to five days.');
    await eventually(() => e2e.slack.message(DEFAULT_CHANNEL, two)?.reactions.has('heavy_check_mark'), POLLS);
    expect(e2e.slack.message(DEFAULT_CHANNEL, one)?.reactions.has('heavy_check_mark')).toBe(true);
    const delivered = x.events.filter((e) => e.sender_id === x.account.id).map((e) => e.text);
    expect(delivered).toEqual(['One more thing: your refund is on its way.', 'It takes three to five days.']);
    // The refused one, the rate-limited one, then both in order.
    expect(x.callsOf('send').map((call) => (call.body as { text: string }).text)).toEqual([
      'Done, it is cancelled.',
      'Are you still there?',
      'One more thing: your refund is on its way.',
      'One more thing: your refund is on its way.',
      'It takes three to five days.',
    ]);
  }, 60_000);
});

describe('X by the Account Activity webhook', () => {
  it('answers the CRC, turns a signed delivery into a thread, refuses an unsigned one, shows a colleague’s DM as the business’s and a block in the thread', async () => {
    const { e2e } = await startWithX({ env: { X_WEBHOOK: 'true' } });
    const crc = await fetch(`${e2e.baseUrl}/webhooks/x?crc_token=9b4507b3-9040-4669-9ff7-1a4a6ff6cd5b`);
    expect(crc.status).toBe(200);
    expect(await crc.json()).toEqual({ response_token: signX(APP_SECRET, '9b4507b3-9040-4669-9ff7-1a4a6ff6cd5b') });

    const body = JSON.stringify({
      ...dmDelivery,
      direct_message_events: dmDelivery.direct_message_events.map((e) => ({ ...e, created_timestamp: String(Date.now()) })),
    });
    const unsigned = await fetch(`${e2e.baseUrl}/webhooks/x`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(unsigned.status).toBe(401);
    const signed = await fetch(`${e2e.baseUrl}/webhooks/x`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': signX(APP_SECRET, body) },
      body,
    });
    expect(signed.status).toBe(200);
    const [parent] = await eventually(() => parents(e2e.slack, DEFAULT_CHANNEL).length === 1 && parents(e2e.slack, DEFAULT_CHANNEL));
    expect(shown(parent)).toContain('Ann Berg');
    await eventually(() => e2e.slack.replies(DEFAULT_CHANNEL, parent!.ts).some((m) => m.text === 'Hello World!'));

    // A colleague answers from the X app: shown in the thread as the business's, not as the customer's.
    const post = async (delivery: unknown) => {
      const raw = JSON.stringify(delivery);
      const response = await fetch(`${e2e.baseUrl}/webhooks/x`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': signX(APP_SECRET, raw) },
        body: raw,
      });
      expect(response.status).toBe(200);
    };
    await post({
      ...ownDelivery,
      direct_message_events: ownDelivery.direct_message_events.map((e) => ({ ...e, created_timestamp: String(Date.now()) })),
    });
    const colleague = await eventually(() =>
      e2e.slack.replies(DEFAULT_CHANNEL, parent!.ts).find((m) => m.text === 'Your order ships today.'),
    );
    expect(colleague?.username).toMatch(/business/i);
    expect(parents(e2e.slack, DEFAULT_CHANNEL)).toHaveLength(1);

    // The customer blocks the account: the open thread says so.
    await post({
      ...blockDelivery,
      block_events: blockDelivery.block_events.map((e) => ({ ...e, created_timestamp: String(Date.now()) })),
    });
    await eventually(() => e2e.slack.replies(DEFAULT_CHANNEL, parent!.ts).find((m) => m.bot_id && /blocked/i.test(m.text)));
  }, 30_000);
});
