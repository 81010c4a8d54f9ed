/**
 * Telegram conversations worked from Slack threads, end to end: the real app, the real Bolt (HTTP
 * mode and Socket Mode) and the real grammY (webhook and long polling) against local fakes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { botBlocked, internalServerError } from '../fixtures/telegram/api-errors.ts';
import { startFakeSlack } from '../fakes/slack-api.ts';
import { startFakeTelegramApi } from '../fakes/telegram-api.ts';
import type { FakeMessage } from '../fakes/slack-state.ts';
import {
  ANN,
  APP_TOKEN,
  BOT_TOKEN,
  DEFAULT_CHANNEL,
  TELEGRAM_TOKEN,
  eventually,
  startE2e,
  type Customer,
  type E2e,
  type E2eOptions,
} from './harness.ts';
import { parents } from '../support/slack-messages.ts';

const KO_CHANNEL = 'C0KOREAN';
const ADMIN = 'U01ADMIN99';
const AGENT = 'U0AGENT';
const SOO: Customer = { id: 6002, first_name: '수진', username: 'soojin', language_code: 'ko' };

const running: E2e[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e2e) => e2e.stop()));
});

async function start(options: E2eOptions): Promise<E2e> {
  const e2e = await startE2e(options);
  running.push(e2e);
  return e2e;
}

const shown = (message: FakeMessage | undefined) => JSON.stringify(message?.blocks ?? []) + (message?.text ?? '');

describe.each([
  { slackMode: 'http', telegramMode: 'webhook' },
  { slackMode: 'socket', telegramMode: 'polling' },
] as const)('Slack $slackMode mode, Telegram $telegramMode', (modes) => {
  it('opens a conversation: parent with who, where, language, status and buttons; the message in its thread under the customer name', async () => {
    const e2e = await start(modes);
    await e2e.customerSends({ text: 'Hello, my order #1234 has not arrived yet. Can you help?' });
    const [parent] = await eventually(() => parents(e2e.slack, DEFAULT_CHANNEL).length === 1 && parents(e2e.slack, DEFAULT_CHANNEL));
    expect(shown(parent)).toContain('Ann Berg');
    expect(shown(parent)).toContain('@annb');
    expect(shown(parent)).toContain('Telegram');
    expect(shown(parent)).toContain('English');
    expect(shown(parent)).toContain('Waiting for reply');
    expect(shown(parent)).toContain('Unassigned');
    expect(shown(parent)).toContain('threadline_assign');
    expect(shown(parent)).toContain('threadline_close');
    const [first] = await eventually(
      () => e2e.slack.replies(DEFAULT_CHANNEL, parent!.ts).length === 1 && e2e.slack.replies(DEFAULT_CHANNEL, parent!.ts),
    );
    expect(first).toMatchObject({ username: 'Ann Berg', text: 'Hello, my order #1234 has not arrived yet. Can you help?' });
  });

  it('says in the thread when a message was forwarded, and from whom', async () => {
    const e2e = await start(modes);
    // @see https://core.telegram.org/bots/api#messageorigin
    await e2e.customerSends({
      text: 'Is this offer real? It says 90% off everything.',
      forward_origin: {
        type: 'channel',
        date: 1441640000,
        chat: { id: -1001234567890, type: 'channel', title: 'Shop News' },
        message_id: 77,
      },
    });
    const [parent] = await eventually(() => parents(e2e.slack, DEFAULT_CHANNEL).length === 1 && parents(e2e.slack, DEFAULT_CHANNEL));
    const [first] = await eventually(
      () => e2e.slack.replies(DEFAULT_CHANNEL, parent!.ts).length === 1 && e2e.slack.replies(DEFAULT_CHANNEL, parent!.ts),
    );
    expect(first?.text).toBe('↪️ Forwarded from Shop News\nIs this offer real? It says 90% off everything.');
  });

  it('routes by /inbox: admins set a route, it applies at once; others are refused', async () => {
    const e2e = await start({ ...modes, adminUsers: ADMIN });
    expect(await e2e.inbox(AGENT, `route ko <#${KO_CHANNEL}|support-ko>`)).toMatch(/admin/i);
    expect(await e2e.inbox(ADMIN, `route ko <#${KO_CHANNEL}|support-ko>`)).toContain(KO_CHANNEL);
    expect(await e2e.inbox(ADMIN, 'routes')).toContain(KO_CHANNEL);
    await e2e.customerSends({ text: '안녕하세요, 주문한 물건이 아직 안 왔어요' }, SOO);
    const [parent] = await eventually(() => parents(e2e.slack, KO_CHANNEL).length === 1 && parents(e2e.slack, KO_CHANNEL));
    expect(shown(parent)).toContain('Korean');
    // A first message too short to tell ("hi") from a Korean-speaking customer follows the app language.
    await e2e.customerSends({ text: 'hi' }, { id: 6003, first_name: '민준', language_code: 'ko' });
    await eventually(() => parents(e2e.slack, KO_CHANNEL).length === 2);
    expect(parents(e2e.slack, DEFAULT_CHANNEL)).toHaveLength(0);
  });

  it('works a conversation: reply reaches the customer, delivered mark, answered; notes stay internal; later messages reopen waiting', async () => {
    const e2e = await start(modes);
    await e2e.customerSends({ text: 'Hi, I would like to change my delivery address please' });
    const [parent] = await eventually(() => parents(e2e.slack, DEFAULT_CHANNEL).length === 1 && parents(e2e.slack, DEFAULT_CHANNEL));
    const thread = { channel: DEFAULT_CHANNEL, ts: parent!.ts };
    await e2e.agentReplies(thread, AGENT, 'note: checking with the warehouse first');
    const replyTs = await e2e.agentReplies(thread, AGENT, 'Of course! What is the new address?');
    const [sent] = await e2e.telegram.waitFor('sendMessage', 1, 8000);
    expect(sent?.params).toMatchObject({ chat_id: ANN.id, text: 'Of course! What is the new address?' });
    await eventually(() => e2e.slack.message(DEFAULT_CHANNEL, replyTs)?.reactions.has('heavy_check_mark'));
    await eventually(() => shown(e2e.slack.message(DEFAULT_CHANNEL, parent!.ts)).includes(`Answered by <@${AGENT}>`));
    expect(e2e.telegram.callsOf('sendMessage')).toHaveLength(1);

    await e2e.customerSends({ text: 'Baker Street 221b, London' });
    await eventually(() => shown(e2e.slack.message(DEFAULT_CHANNEL, parent!.ts)).includes('Waiting for reply'));
    expect(parents(e2e.slack, DEFAULT_CHANNEL)).toHaveLength(1);
    expect(e2e.slack.replies(DEFAULT_CHANNEL, parent!.ts).map((m) => m.text)).toContain('Baker Street 221b, London');
    // Privacy: customer and agent words never reach the log at info level or above.
    const loud = e2e.logs.filter((line) => (JSON.parse(line) as { level: number }).level >= 30).join('\n');
    expect(loud).not.toContain('Baker Street');
    expect(loud).not.toContain('new address');
    expect(e2e.logs.join('\n')).not.toContain(TELEGRAM_TOKEN);
    expect(e2e.logs.join('\n')).not.toContain(BOT_TOKEN);
  });

  it('assigns and closes by reaction and button; removing ✅ reopens; a message after close opens a linked thread', async () => {
    const e2e = await start(modes);
    await e2e.customerSends({ text: 'Hello, is the shop open on Sunday?' });
    const [parent] = await eventually(() => parents(e2e.slack, DEFAULT_CHANNEL).length === 1 && parents(e2e.slack, DEFAULT_CHANNEL));
    const [customerMessage] = await eventually(
      () => e2e.slack.replies(DEFAULT_CHANNEL, parent!.ts).length === 1 && e2e.slack.replies(DEFAULT_CHANNEL, parent!.ts),
    );
    const parentShows = () => shown(e2e.slack.message(DEFAULT_CHANNEL, parent!.ts));

    await e2e.react(DEFAULT_CHANNEL, customerMessage!.ts, AGENT, 'raising_hand');
    await eventually(() => parentShows().includes(`Assigned to <@${AGENT}>`));
    await e2e.click(DEFAULT_CHANNEL, parent!.ts, 'U0OTHER', 'threadline_assign');
    await eventually(() => parentShows().includes('Assigned to <@U0OTHER>'));

    await e2e.react(DEFAULT_CHANNEL, parent!.ts, AGENT, 'white_check_mark');
    await eventually(() => parentShows().includes(`Closed by <@${AGENT}>`));
    expect(parentShows()).toContain('threadline_reopen');
    await e2e.react(DEFAULT_CHANNEL, parent!.ts, AGENT, 'white_check_mark', true);
    await eventually(() => parentShows().includes('Waiting for reply'));
    await e2e.click(DEFAULT_CHANNEL, parent!.ts, AGENT, 'threadline_close');
    await eventually(() => parentShows().includes('Closed by'));

    await e2e.customerSends({ text: 'One more question about opening hours' });
    const both = await eventually(() => parents(e2e.slack, DEFAULT_CHANNEL).length === 2 && parents(e2e.slack, DEFAULT_CHANNEL));
    expect(shown(both[1])).toContain('previous conversation');
    expect(shown(both[1])).toContain('Waiting for reply');
  });

  it("mirrors photos as files in the thread and sends agents' files to the customer", async () => {
    const e2e = await start(modes);
    const photo = e2e.telegram.addFile({ data: 'jpeg-bytes-of-the-box', filePath: 'photos/box.jpg', contentType: 'image/jpeg' });
    await e2e.customerSends({
      caption: 'The box arrived damaged',
      photo: [{ file_id: photo.file_id, file_unique_id: 'u-box', width: 800, height: 600, file_size: 21 }],
    });
    const [parent] = await eventually(() => parents(e2e.slack, DEFAULT_CHANNEL).length === 1 && parents(e2e.slack, DEFAULT_CHANNEL));
    const uploaded = await eventually(() => [...e2e.slack.files.values()].find((f) => f.data.toString() === 'jpeg-bytes-of-the-box'));
    expect(uploaded).toBeTruthy();
    await eventually(() => e2e.slack.replies(DEFAULT_CHANNEL, parent!.ts).some((m) => m.text.includes('The box arrived damaged')));

    const label = e2e.slack.addFile({ name: 'return-label.pdf', mimetype: 'application/pdf', data: 'pdf-bytes' });
    await e2e.agentReplies({ channel: DEFAULT_CHANNEL, ts: parent!.ts }, AGENT, 'Here is a return label', {
      files: [label],
      subtype: 'file_share',
    });
    const [doc] = await e2e.telegram.waitFor('sendDocument', 1, 8000);
    expect(String(doc?.params.chat_id)).toBe(String(ANN.id));
    expect(Object.values(doc!.files)[0]?.data.toString()).toBe('pdf-bytes');
  });

  it('explains a failed reply in the thread in words an agent can act on', async () => {
    const e2e = await start(modes);
    await e2e.customerSends({ text: 'Please cancel my subscription' });
    const [parent] = await eventually(() => parents(e2e.slack, DEFAULT_CHANNEL).length === 1 && parents(e2e.slack, DEFAULT_CHANNEL));
    e2e.telegram.failNext('sendMessage', botBlocked);
    const replyTs = await e2e.agentReplies({ channel: DEFAULT_CHANNEL, ts: parent!.ts }, AGENT, 'Done, it is cancelled.');
    await eventually(() => e2e.slack.message(DEFAULT_CHANNEL, replyTs)?.reactions.has('warning'));
    const notice = await eventually(() => e2e.slack.replies(DEFAULT_CHANNEL, parent!.ts).find((m) => m.bot_id && /blocked/i.test(m.text)));
    expect(notice?.text).toMatch(/Telegram/);
    expect(shown(e2e.slack.message(DEFAULT_CHANNEL, parent!.ts))).toContain('Waiting for reply');
  });

  it("shows edits as edited and the customer's reactions as reactions, never as new conversations", async () => {
    const e2e = await start(modes);
    const update = await e2e.customerSends({ text: 'My order number is 1243' });
    const [parent] = await eventually(() => parents(e2e.slack, DEFAULT_CHANNEL).length === 1 && parents(e2e.slack, DEFAULT_CHANNEL));
    const [mirrored] = await eventually(
      () => e2e.slack.replies(DEFAULT_CHANNEL, parent!.ts).length === 1 && e2e.slack.replies(DEFAULT_CHANNEL, parent!.ts),
    );
    const original = update.message!;
    await e2e.deliver({ edited_message: { ...original, text: 'My order number is 1234', edit_date: original.date + 30 } });
    await eventually(() => e2e.slack.message(DEFAULT_CHANNEL, mirrored!.ts)?.text.includes('1234'));
    expect(e2e.slack.message(DEFAULT_CHANNEL, mirrored!.ts)?.text).toMatch(/edited/);
    await e2e.deliver({
      message_reaction: {
        chat: original.chat,
        message_id: original.message_id,
        user: original.from,
        date: original.date + 40,
        old_reaction: [],
        new_reaction: [{ type: 'emoji', emoji: '👍' }],
      },
    });
    await eventually(() => e2e.slack.message(DEFAULT_CHANNEL, mirrored!.ts)?.reactions.has('+1'));
    expect(parents(e2e.slack, DEFAULT_CHANNEL)).toHaveLength(1);
    expect(e2e.slack.replies(DEFAULT_CHANNEL, parent!.ts)).toHaveLength(1);
  });
});

describe('Telegram webhook mode', () => {
  it('answers 401 to a wrong or missing secret and stores nothing; a redelivered update posts once', async () => {
    const e2e = await start({ slackMode: 'http', telegramMode: 'webhook' });
    const update = {
      update_id: 4242,
      message: {
        message_id: 7,
        date: 1_700_000_000,
        chat: { id: 9, type: 'private', first_name: 'Eve' },
        from: { id: 9, is_bot: false, first_name: 'Eve' },
        text: 'Hello there, anyone?',
      },
    };
    const post = (headers: Record<string, string>) =>
      fetch(`${e2e.baseUrl}/webhooks/telegram`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(update),
      });
    expect((await post({ 'x-telegram-bot-api-secret-token': 'wrong' })).status).toBe(401);
    expect((await post({})).status).toBe(401);
    expect(await e2e.app.store.journal.size()).toBe(0);
    expect((await post({ 'x-telegram-bot-api-secret-token': 'tg-webhook-secret_123' })).status).toBe(200);
    expect((await post({ 'x-telegram-bot-api-secret-token': 'tg-webhook-secret_123' })).status).toBe(200);
    const [parent] = await eventually(() => parents(e2e.slack, DEFAULT_CHANNEL).length === 1 && parents(e2e.slack, DEFAULT_CHANNEL));
    await eventually(() => e2e.slack.replies(DEFAULT_CHANNEL, parent!.ts).length === 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(e2e.slack.replies(DEFAULT_CHANNEL, parent!.ts)).toHaveLength(1);
    expect(parents(e2e.slack, DEFAULT_CHANNEL)).toHaveLength(1);
    const malformed = await fetch(`${e2e.baseUrl}/webhooks/telegram`, {
      method: 'POST',
      headers: { 'x-telegram-bot-api-secret-token': 'tg-webhook-secret_123' },
      body: '{not json',
    });
    expect(malformed.status).toBe(400);
  });
});

describe('restart', () => {
  it('keeps conversations across a restart on the embedded store, and /healthz says what is live', async () => {
    const first = await startE2e({ slackMode: 'http', telegramMode: 'polling' });
    await first.customerSends({ text: 'Hello, I have a question about my invoice' });
    const [parent] = await eventually(() => parents(first.slack, DEFAULT_CHANNEL).length === 1 && parents(first.slack, DEFAULT_CHANNEL));
    await eventually(() => first.slack.replies(DEFAULT_CHANNEL, parent!.ts).length === 1);
    const health = (await (await fetch(`${first.baseUrl}/healthz`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ ok: true, store: { kind: 'embedded', ok: true }, platforms: { telegram: 'live' } });
    const metrics = await fetch(`${first.baseUrl}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const exposition = await metrics.text();
    expect(exposition).toContain('threadline_inbound_events_total{platform="telegram"} 1');
    expect(exposition).toContain('threadline_conversations_opened_total{platform="telegram"} 1');
    expect(exposition).toContain('threadline_journal_pending 0');
    expect(exposition).toContain('threadline_process_resident_memory_bytes');
    await first.app.stop();

    const second = await start({
      slackMode: 'http',
      telegramMode: 'polling',
      dataDir: first.dataDir,
      fakes: { slack: first.slack, telegram: first.telegram },
    });
    await second.customerSends({ text: 'It is invoice 2026-118' });
    await eventually(() => second.slack.replies(DEFAULT_CHANNEL, parent!.ts).length === 2);
    expect(parents(second.slack, DEFAULT_CHANNEL)).toHaveLength(1);
    running.push({
      ...first,
      stop: async () => {
        await first.slack.close();
        await first.telegram.close();
      },
    });
  });
});

describe('storage outage', () => {
  it('marks an agent reply ⚠️ when it cannot even be accepted, and leaves it unacknowledged so Slack delivers it again', async () => {
    const e2e = await start({ slackMode: 'socket', telegramMode: 'polling' });
    await e2e.customerSends({ text: 'Hello, can you check my refund status?' });
    const [parent] = await eventually(() => parents(e2e.slack, DEFAULT_CHANNEL).length === 1 && parents(e2e.slack, DEFAULT_CHANNEL));
    await eventually(() => e2e.slack.replies(DEFAULT_CHANNEL, parent!.ts).length === 1);
    await e2e.app.store.close();
    const text = 'Your refund was issued yesterday.';
    const reply = e2e.slack.addUserMessage(DEFAULT_CHANNEL, { user: AGENT, text, thread_ts: parent!.ts });
    const delivery = e2e.slack.socket.pushEvent({
      type: 'message',
      channel: DEFAULT_CHANNEL,
      channel_type: 'channel',
      user: AGENT,
      text,
      ts: reply.ts,
      thread_ts: parent!.ts,
      event_ts: reply.ts,
    });
    await expect(delivery).rejects.toThrow(/no ack/);
    expect(e2e.slack.message(DEFAULT_CHANNEL, reply.ts)?.reactions.has('warning')).toBe(true);
    expect(e2e.telegram.callsOf('sendMessage')).toHaveLength(0);
  });

  it('acknowledges a Socket Mode event only after the reply was journaled', async () => {
    const e2e = await start({ slackMode: 'socket', telegramMode: 'polling' });
    await e2e.customerSends({ text: 'Hello, is my parcel insured?' });
    const [parent] = await eventually(() => parents(e2e.slack, DEFAULT_CHANNEL).length === 1 && parents(e2e.slack, DEFAULT_CHANNEL));
    const text = 'Yes, up to 500 EUR.';
    const reply = e2e.slack.addUserMessage(DEFAULT_CHANNEL, { user: AGENT, text, thread_ts: parent!.ts });
    let journaledBeforeAck = false;
    const append = e2e.app.store.journal.append.bind(e2e.app.store.journal);
    e2e.app.store.journal.append = async (items) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await append(items);
      journaledBeforeAck = true;
    };
    const ack = await e2e.slack.socket.pushEvent({
      type: 'message',
      channel: DEFAULT_CHANNEL,
      channel_type: 'channel',
      user: AGENT,
      text,
      ts: reply.ts,
      thread_ts: parent!.ts,
      event_ts: reply.ts,
    });
    expect(ack.envelope_id).toBeTruthy();
    expect(journaledBeforeAck).toBe(true);
    await e2e.telegram.waitFor('sendMessage', 1, 8000);
  });
});

describe('a platform unreachable at start-up', () => {
  it('reports it on /healthz, keeps the rest running, and starts it when it comes back', async () => {
    const slack = await startFakeSlack({ botToken: BOT_TOKEN, appToken: APP_TOKEN });
    const telegram = await startFakeTelegramApi({ token: TELEGRAM_TOKEN });
    telegram.failNext('getMe', internalServerError);
    const e2e = await start({ slackMode: 'http', telegramMode: 'polling', fakes: { slack, telegram } });
    running.push({
      ...e2e,
      stop: async () => {
        await slack.close();
        await telegram.close();
      },
    });
    const down = await fetch(`${e2e.baseUrl}/healthz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ store: { ok: true }, platforms: { telegram: 'failed' } });
    await eventually(async () => (await fetch(`${e2e.baseUrl}/healthz`)).status === 200, 15_000);
    await e2e.customerSends({ text: 'Hello, are you there now?' });
    await eventually(() => parents(e2e.slack, DEFAULT_CHANNEL).length === 1);
  });
});

describe('a routed channel the bot cannot post in', () => {
  it('opens the conversation in the default channel and says how to fix the route', async () => {
    const e2e = await start({ slackMode: 'http', telegramMode: 'webhook', adminUsers: ADMIN });
    await e2e.inbox(ADMIN, `route ko <#${KO_CHANNEL}|support-ko>`);
    e2e.slack.kickBot(KO_CHANNEL);
    await e2e.customerSends({ text: '안녕하세요, 환불은 언제 되나요?' }, SOO);
    const [parent] = await eventually(() => parents(e2e.slack, DEFAULT_CHANNEL).length === 1 && parents(e2e.slack, DEFAULT_CHANNEL));
    expect(shown(parent)).toContain('Korean');
    const thread = await eventually(
      () => e2e.slack.replies(DEFAULT_CHANNEL, parent!.ts).length === 2 && e2e.slack.replies(DEFAULT_CHANNEL, parent!.ts),
    );
    expect(thread[0]?.text).toContain(`<#${KO_CHANNEL}>`);
    expect(thread[0]?.text).toContain('/invite @Threadline');
    expect(thread[1]?.text).toBe('안녕하세요, 환불은 언제 되나요?');
  });
});

describe('a customer who blocks the bot', () => {
  it('is shown in the open thread, and never opens a conversation by itself', async () => {
    const e2e = await start({ slackMode: 'http', telegramMode: 'webhook' });
    const bot = { id: e2e.telegram.botInfo.id, is_bot: true, first_name: e2e.telegram.botInfo.first_name };
    const chat = { id: ANN.id, type: 'private' as const, first_name: ANN.first_name };
    const from = { is_bot: false, ...ANN };
    // Source: https://core.telegram.org/bots/api#chatmemberupdated (private chat: only sent when the user blocks or unblocks the bot)
    const blocked = (id: number, date: number) => ({
      my_chat_member: {
        chat: { id, type: 'private' as const, first_name: 'Someone' },
        from: { id, is_bot: false, first_name: 'Someone' },
        date,
        old_chat_member: { status: 'member' as const, user: bot },
        new_chat_member: { status: 'kicked' as const, user: bot, until_date: 0 },
      },
    });
    await e2e.deliver(blocked(7777, 1_700_000_000));
    await e2e.customerSends({ text: 'Please delete my account data.' });
    const [parent] = await eventually(() => parents(e2e.slack, DEFAULT_CHANNEL).length === 1 && parents(e2e.slack, DEFAULT_CHANNEL));
    await e2e.deliver({ my_chat_member: { ...blocked(ANN.id, 1_700_000_100).my_chat_member, chat, from } });
    const note = await eventually(() => e2e.slack.replies(DEFAULT_CHANNEL, parent!.ts).find((m) => m.bot_id && m.text.includes('blocked')));
    expect(note?.text).toContain('Telegram');
    expect(parents(e2e.slack, DEFAULT_CHANNEL)).toHaveLength(1);
  });
});
