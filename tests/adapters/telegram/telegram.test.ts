import type { Update } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import { telegramFactory } from '../../../adapters/telegram/index.ts';
import type { InboundMessage, InboundReaction, OutboundMessage } from '../../../src/messages.ts';
import { channelContract, routeOf, webhookRequest, type ContractHarness, type FailureCase } from '../../contract/channel-contract.ts';
import { startFakeTelegramApi, type FakeTelegramApi, type UpdateInput } from '../../fakes/telegram-api.ts';
import { botBlocked, chatNotFound, internalServerError, tooManyRequests, unauthorized } from '../../fixtures/telegram/api-errors.ts';
import { handledUpdates, textIsNumber } from '../../fixtures/telegram/malformed.ts';
import { secretHeaderAuth, type FuzzSample, type Json } from '../../fuzz/webhook-fuzz.ts';
import { botInfo, chatJoinRequest, ownEcho, photoWithCaption, privateText, reactionChanged } from '../../fixtures/telegram/updates.ts';
import type { RouteFuzz } from '../../contract/channel-contract.ts';
import { content, SECRET, setupTelegram, telegramRequest, TOKEN, WEBHOOK_URL } from './harness.ts';

const IMAGE = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 0xff, 0xd9]);
// `textIsNumber` is deliberately not an Update; the fake serves whatever it is given.
const samples = {
  message: privateText,
  image: photoWithCaption,
  unknownKind: chatJoinRequest,
  ownEcho,
  unreadable: textIsNumber as Update,
  reaction: reactionChanged,
} as const;

const expectedMessage: InboundMessage = {
  kind: 'message',
  platform: 'telegram',
  eventId: '1111111:1365',
  account: String(botInfo.id),
  contact: { id: '1111111', name: 'Test Firstname Test Lastname', handle: 'Testusername', languageHint: 'en' },
  occurredAt: '2015-09-07T17:05:32.000Z',
  messageId: '1365',
  text: 'Hello, where is my order?',
  attachments: [],
};

/** The reaction sample: ❤ added and 👍 taken back (the custom emoji has no Unicode form and is skipped). */
const reactionBase = {
  kind: 'reaction',
  platform: 'telegram',
  account: String(botInfo.id),
  contact: expectedMessage.contact,
  occurredAt: '2015-09-07T17:25:00.000Z',
  messageId: '1400',
} as const;
const expectedReactions: InboundReaction[] = [
  { ...reactionBase, eventId: '1111111:1400:reaction:1111111:1441646700:+❤', emoji: '❤', removed: false },
  { ...reactionBase, eventId: '1111111:1400:reaction:1111111:1441646700:-👍', emoji: '👍', removed: true },
];

const reply: OutboundMessage = {
  idempotencyKey: 'C024BE91L:1715000000.000100',
  platform: 'telegram',
  account: String(botInfo.id),
  contactId: '1111111',
  text: 'Your order ships today.',
  replyTo: '1365',
};

/** The fuzz starts from every documented update Threadline handles, plus an unknown kind. */
const fuzzSamples: FuzzSample[] = [...handledUpdates, chatJoinRequest].map((update) => ({
  name: Object.keys(update).find((key) => key !== 'update_id') ?? 'update',
  encoding: 'json',
  value: update as unknown as Json,
}));
// @see https://core.telegram.org/bots/api#setwebhook (secret_token is sent in X-Telegram-Bot-Api-Secret-Token)
const webhookFuzz: RouteFuzz = { samples: fuzzSamples, auth: secretHeaderAuth('X-Telegram-Bot-Api-Secret-Token', SECRET) };

function failures(tg: FakeTelegramApi): FailureCase[] {
  return [
    { name: '429 flood control', arrange: () => tg.failNext('sendMessage', tooManyRequests(7)), kind: 'rate_limited', retryAfterMs: 7000 },
    { name: '500 server error', arrange: () => tg.failNext('sendMessage', internalServerError), kind: 'transient' },
    { name: 'connection dropped', arrange: () => tg.failNext('sendMessage', 'network'), kind: 'transient' },
    { name: '401 bad token', arrange: () => tg.failNext('sendMessage', unauthorized), kind: 'auth' },
    { name: '403 blocked', arrange: () => tg.failNext('sendMessage', botBlocked), kind: 'unreachable' },
    { name: '400 chat not found', arrange: () => tg.failNext('sendMessage', chatNotFound), kind: 'unreachable' },
  ];
}

/** What both modes share: the send, failure, media and expectation parts of the harness. */
function common(tg: FakeTelegramApi, close: () => Promise<void>): Omit<ContractHarness, 'channel' | 'secrets' | 'webhook' | 'polling'> {
  tg.addFile({ fileId: 'AgACAgIAAxkBAAIBlarge', filePath: 'photos/file_7.jpg', data: IMAGE, contentType: 'image/jpeg' });
  return {
    expectedMessageEvents: [expectedMessage],
    expectedReactionEvents: expectedReactions,
    unknownKind: 'chat_join_request',
    expectedUnreadable: { contactId: '1111111', messageId: '1390' },
    send: {
      message: reply,
      expectedMessageIds: ['5001'],
      assertRequest: () => {
        // @see https://core.telegram.org/bots/api#sendmessage and https://core.telegram.org/bots/api#replyparameters
        expect(tg.callsOf('sendMessage').map((c) => c.params)).toEqual([
          { chat_id: 1111111, text: 'Your order ships today.', reply_parameters: { message_id: 1365, allow_sending_without_reply: true } },
        ]);
      },
      failures: failures(tg),
    },
    media: { expectedBytes: IMAGE },
    checks: { unreachable: () => tg.failNext('getMe', 'network') },
    teardown: close,
  };
}

channelContract({
  name: 'telegram (webhook mode)',
  inbound: 'webhook',
  handshake: false,
  async setup(deps) {
    const tg = await startFakeTelegramApi({ token: TOKEN });
    const config = telegramFactory.readConfig({
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: tg.apiRoot,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      TELEGRAM_WEBHOOK_URL: WEBHOOK_URL,
    });
    if (config === undefined) throw new Error('no config');
    const channel = telegramFactory.create(config, deps);
    const { handle, precheck } = routeOf(channel, 'POST', '/webhooks/telegram');
    return {
      channel,
      secrets: telegramFactory.secretsOf(config),
      webhook: {
        handle,
        ...(precheck === undefined ? {} : { precheck }),
        requests: {
          message: () => telegramRequest(samples.message),
          image: () => telegramRequest(samples.image),
          unknownKind: () => telegramRequest(samples.unknownKind),
          ownEcho: () => telegramRequest(samples.ownEcho),
          unreadable: () => telegramRequest(samples.unreadable),
          reaction: () => telegramRequest(samples.reaction),
          badSignature: () => telegramRequest(samples.message, 'not-the-secret'),
          missingSignature: () => telegramRequest(samples.message, null),
          malformed: () => webhookRequest('{"update_id": 1, "message": ', { 'X-Telegram-Bot-Api-Secret-Token': SECRET }),
        },
      },
      fuzz: { 'POST /webhooks/telegram': webhookFuzz },
      ...common(tg, () => tg.close()),
    };
  },
});

channelContract({
  name: 'telegram (long polling)',
  inbound: 'polling',
  handshake: false,
  pollingFuzz: true,
  async setup(deps) {
    const tg = await startFakeTelegramApi({ token: TOKEN });
    const config = telegramFactory.readConfig({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: tg.apiRoot });
    if (config === undefined) throw new Error('no config');
    const channel = telegramFactory.create(config, deps);
    return {
      channel,
      secrets: telegramFactory.secretsOf(config),
      polling: {
        async deliver(sample) {
          if (!(sample in samples)) throw new Error(`telegram has no '${sample}' sample (it reports no delivery statuses)`);
          const update = tg.pushUpdate(content(samples[sample as keyof typeof samples]));
          await tg.waitForConfirmed(update.update_id);
        },
        async deliverRaw(raw) {
          const { update_id: _, ...rest } = raw as Record<string, unknown>;
          const update = tg.pushUpdate(rest as UpdateInput);
          await tg.waitForConfirmed(update.update_id);
        },
      },
      fuzz: { polling: { samples: fuzzSamples, auth: { headers: () => ({}) } } },
      ...common(tg, () => tg.close()),
    };
  },
});

describe('telegramFactory', () => {
  it('is registered for telegram and declares its secrets', () => {
    const config = telegramFactory.readConfig({ TELEGRAM_BOT_TOKEN: '1:abc', TELEGRAM_WEBHOOK_SECRET: 's3cret' });
    expect(telegramFactory.platform).toBe('telegram');
    expect(config && telegramFactory.secretsOf(config)).toEqual(['1:abc', 's3cret']);
  });

  it('announces Telegram limits: 4096 characters, 50 MB uploads, no reply window', async () => {
    const { channel, close } = await setupTelegram();
    expect(channel.limits).toEqual({ maxTextLength: 4096, maxFileBytes: 50 * 1024 * 1024 });
    expect(channel.routes).toEqual([]);
    await close();
  });
});
