import { describe, expect, it } from 'vitest';
import { createXChannel, xFactory } from '../../../adapters/x/index.ts';
import { CURSOR_KEY } from '../../../adapters/x/poller.ts';
import type { InboundMessage, OutboundMessage } from '../../../src/messages.ts';
import { channelContract, type ContractHarness, type FailureCase, type InboundSample } from '../../contract/channel-contract.ts';
import { startFakeXApi, type FakeXApi } from '../../fakes/x-api.ts';
import type { Json } from '../../fuzz/webhook-fuzz.ts';
import {
  account,
  customer,
  forbidden,
  groupMessage,
  ownMessage,
  participantsJoin,
  photoEvent,
  photoMedia,
  serviceUnavailable,
  textEvent,
  textIsNumber,
  tooManyRequests,
  unauthorized,
} from '../../fixtures/x/dm-events.ts';
import { captureLogger } from '../../support/capture-logger.ts';
import { NOW, setupX, waitForCursor, waitForFirstPoll, xEnv } from './harness.ts';

const IMAGE = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 9, 8, 7, 0xff, 0xd9]);

const expectedMessage: InboundMessage = {
  kind: 'message',
  platform: 'x',
  eventId: textEvent.id,
  account: account.id,
  contact: { id: customer.id, name: customer.name, handle: customer.username, avatarUrl: customer.profile_image_url },
  occurredAt: textEvent.created_at,
  messageId: textEvent.id,
  text: textEvent.text,
  attachments: [],
};

const reply: OutboundMessage = {
  idempotencyKey: 'C024BE91L:1715000000.000100',
  platform: 'x',
  account: account.id,
  contactId: customer.id,
  text: 'Your order ships today.',
};

/** The fixture each sample stands for (ownEcho is a real echo of a send, see below). */
const samples: Readonly<Record<Exclude<InboundSample, 'ownEcho'>, Record<string, unknown>>> = {
  message: textEvent,
  image: photoEvent,
  unknownKind: participantsJoin,
  unreadable: textIsNumber,
};

const isSample = (sample: string): sample is InboundSample => sample === 'ownEcho' || sample in samples;

const rateLimitReset = String(Math.floor(NOW / 1000) + 7);

function failures(x: FakeXApi): FailureCase[] {
  return [
    {
      name: '429 with x-rate-limit-reset',
      arrange: () => x.failNext('send', { status: 429, body: tooManyRequests, headers: { 'x-rate-limit-reset': rateLimitReset } }),
      kind: 'rate_limited',
      retryAfterMs: 7000,
    },
    { name: '503', arrange: () => x.failNext('send', { status: 503, body: serviceUnavailable }), kind: 'transient' },
    { name: 'connection dropped', arrange: () => x.failNext('send', 'network'), kind: 'transient' },
    { name: '401 bad credentials', arrange: () => x.failNext('send', { status: 401, body: unauthorized }), kind: 'auth' },
    { name: '403 recipient does not accept DMs', arrange: () => x.failNext('send', { status: 403, body: forbidden }), kind: 'unreachable' },
  ];
}

channelContract({
  name: 'x (polling)',
  inbound: 'polling',
  handshake: false,
  reactions: false,
  pollingCursor: true,
  pollingFuzz: true,
  async setup(deps) {
    const x = await startFakeXApi();
    x.addMedia(photoMedia, IMAGE, 'image/jpeg');
    const config = xFactory.readConfig(xEnv(x));
    if (config === undefined) throw new Error('no config');
    const channel = createXChannel(config, deps, { pollMs: 10, backoffMs: () => 5 });
    const delivered = new Map<string, { id: string; cursorBefore: string | undefined }>();
    /** Puts the sample on the fake: its fixture the first time, a new message of the same content after. */
    const push = async (sample: InboundSample, fresh: boolean): Promise<string> => {
      await waitForFirstPoll(deps.state);
      if (sample === 'ownEcho') {
        const delivery = await channel.send({ ...reply, idempotencyKey: `echo-${x.events.length}` });
        return delivery.messageIds.at(-1) ?? '';
      }
      const { id, ...content } = samples[sample];
      return String(x.pushEvent(fresh ? content : { id, ...content }).id);
    };
    const harness: ContractHarness = {
      channel,
      secrets: xFactory.secretsOf(config),
      polling: {
        async deliver(sample) {
          // X DM reactions are not mapped (descriptor `reactions: false`), and X reports no delivery statuses.
          if (!isSample(sample)) throw new Error(`the X descriptor has no ${sample} sample`);
          const earlier = delivered.get(sample);
          if (earlier !== undefined && sample !== 'ownEcho') {
            // A redelivery: the channel journaled it, then died before storing its cursor.
            await deps.state.set(CURSOR_KEY, earlier.cursorBefore);
            await waitForCursor(deps.state, earlier.id);
            return;
          }
          await waitForFirstPoll(deps.state);
          const cursorBefore = await deps.state.get<string>(CURSOR_KEY);
          const id = await push(sample, false);
          delivered.set(sample, { id, cursorBefore });
          await waitForCursor(deps.state, id);
        },
        async deliverRaw(raw) {
          await waitForFirstPoll(deps.state);
          // X assigns the event id; everything else is as mutated.
          const event = x.pushEvent({ ...(raw as Record<string, unknown>), id: undefined });
          await waitForCursor(deps.state, String(event.id));
        },
        cursor: {
          read: () => deps.state.get(CURSOR_KEY),
          push: async (sample) => void (await push(sample, true)),
        },
      },
      fuzz: {
        polling: {
          samples: [textEvent, photoEvent, participantsJoin, groupMessage, ownMessage].map((value) => ({
            name: value.id,
            encoding: 'json' as const,
            value: value as unknown as Json,
          })),
          auth: { headers: () => ({}) },
        },
      },
      expectedMessageEvents: [expectedMessage],
      unknownKind: 'ParticipantsJoin',
      expectedUnreadable: { contactId: customer.id, messageId: textIsNumber.id },
      send: {
        message: reply,
        expectedMessageIds: ['1700000000000000001'],
        assertRequest: () => {
          // @see https://docs.x.com/x-api/direct-messages/manage/api-reference/post-dm_conversations-with-participant_id-messages
          expect(x.callsOf('send').map((call) => ({ path: call.path, body: call.body }))).toEqual([
            { path: `/2/dm_conversations/with/${customer.id}/messages`, body: { text: 'Your order ships today.' } },
          ]);
        },
        failures: failures(x),
      },
      media: { expectedBytes: IMAGE },
      checks: { unreachable: () => x.failNext('users/me', 'network') },
      teardown: () => x.close(),
    };
    return harness;
  },
});

describe('xFactory', () => {
  it('is registered for x and declares its four secrets', () => {
    const env = {
      X_APP_KEY: 'key-123456',
      X_APP_SECRET: 'secret-123456',
      X_ACCESS_TOKEN: 'token-123456',
      X_ACCESS_SECRET: 'asecret-123456',
    };
    const config = xFactory.readConfig(env);
    expect(xFactory.platform).toBe('x');
    expect(config && xFactory.secretsOf(config)).toEqual(['key-123456', 'secret-123456', 'token-123456', 'asecret-123456']);
  });

  it('announces X limits: 10,000 characters, no reply window, no routes while polling', async () => {
    const { channel, close } = await setupX();
    expect(channel.limits.maxTextLength).toBe(10_000);
    expect(channel.limits.replyWindowHours).toBeUndefined();
    expect(channel.routes).toEqual([]);
    await close();
  });

  it('shows a DM a colleague sent from the X app as the business’s, in the customer’s conversation', async () => {
    const setup = await setupX();
    await setup.channel.start(setup.intake);
    await waitForFirstPoll(setup.state);
    setup.x.pushEvent({ ...ownMessage });
    await waitForCursor(setup.state, ownMessage.id);
    expect(setup.accepted).toMatchObject([{ kind: 'message', fromBusiness: true, contact: { id: customer.id }, text: ownMessage.text }]);
    await setup.close();
  });
});

describe('X secrets in logs', () => {
  it('redacts the four credentials by field name and the webhook signature header, even when they are not configured as secrets', () => {
    const capture = captureLogger();
    const config = xFactory.readConfig({
      X_APP_KEY: 'key-abcdef',
      X_APP_SECRET: 'secret-abcdef',
      X_ACCESS_TOKEN: 'token-abcdef',
      X_ACCESS_SECRET: 'asecret-abcdef',
    });
    capture.logger.info({ config, headers: { 'x-twitter-webhooks-signature': 'sha256=c2lnbmF0dXJl' } }, 'careless line');
    for (const value of ['key-abcdef', 'secret-abcdef', 'token-abcdef', 'asecret-abcdef', 'sha256=c2lnbmF0dXJl'])
      expect(capture.text()).not.toContain(value);
  });
});
