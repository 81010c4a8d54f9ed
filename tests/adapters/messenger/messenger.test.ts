import { describe, expect, it } from 'vitest';
import { metaFactory } from '../../../adapters/meta/index.ts';
import { messengerProduct } from '../../../adapters/messenger/index.ts';
import type { ChannelDeps } from '../../../src/channel.ts';
import type { InboundMessage, InboundReaction, OutboundMessage } from '../../../src/messages.ts';
import { channelContract, memoryState, webhookRequest, type FailureCase } from '../../contract/channel-contract.ts';
import { startFakeGraphApi, type FakeGraphApi } from '../../fakes/graph-api.ts';
import { appLimit, outsideWindow, temporary } from '../../fixtures/messenger/api-errors.ts';
import {
  delivery,
  echo,
  edit,
  fromCustomer,
  getStarted,
  imageMessage,
  notification,
  PAGE_ID,
  profile,
  PSID,
  quickReply,
  reaction,
  read,
  replyMessage,
  standbyEntry,
  stickerMessage,
  textIsNumber,
  textMessage,
} from '../../fixtures/messenger/webhooks.ts';
import { metaSamples, metaWebhookFuzz } from '../../support/meta-fuzz.ts';
import { signMeta } from '../../support/meta-signing.ts';
import { APP_SECRET, handshakeRequest, metaRequest, VERIFY_TOKEN } from '../../support/meta-webhook.ts';
import { captureLogger } from '../../support/capture-logger.ts';
import { messagingSendFailures, startMetaProduct } from '../../support/meta-product.ts';

const PAGE_TOKEN = 'EAAPageTokenForThreadlineTests0123456789';
const IMAGE = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);

const factory = metaFactory([messengerProduct]);

const env = (graphUrl: string) => ({
  META_APP_SECRET: APP_SECRET,
  META_VERIFY_TOKEN: VERIFY_TOKEN,
  META_GRAPH_URL: graphUrl,
  MESSENGER_PAGE_TOKEN: PAGE_TOKEN,
});

/** The fuzz starts from the documented Messenger deliveries Threadline handles. */
const metaFuzz = metaWebhookFuzz(
  metaSamples({
    text: notification(fromCustomer({ message: textMessage })),
    quickReply: notification(fromCustomer({ message: quickReply })),
    reply: notification(fromCustomer({ message: replyMessage })),
    image: notification(fromCustomer({ message: imageMessage('https://scontent.xx.fbcdn.net/v/image.jpg') })),
    sticker: notification(fromCustomer({ message: stickerMessage('https://scontent.xx.fbcdn.net/v/sticker.png') })),
    reaction: notification(fromCustomer(reaction('react'))),
    edit: notification(fromCustomer(edit)),
    delivery: notification(fromCustomer(delivery)),
    read: notification(fromCustomer(read)),
    postback: notification(fromCustomer(getStarted)),
    echo: notification(echo('m_FAKE0001', 'threadline')),
    standby: standbyEntry,
  }),
  APP_SECRET,
  VERIFY_TOKEN,
);

const setup = (deps: ChannelDeps) =>
  startMetaProduct(
    {
      product: messengerProduct,
      env,
      token: PAGE_TOKEN,
      me: { id: PAGE_ID, name: 'Threadline Shoes' },
      profile: { id: PSID, fields: profile },
      image: IMAGE,
    },
    deps,
  );

const customer = { id: PSID, name: 'Peter Chang', avatarUrl: profile.profile_pic };

const expectedMessage: InboundMessage = {
  kind: 'message',
  platform: 'messenger',
  eventId: textMessage.mid,
  account: PAGE_ID,
  contact: customer,
  occurredAt: new Date(1764720000000).toISOString(),
  messageId: textMessage.mid,
  text: textMessage.text,
  attachments: [],
};

/** The reaction sample: ❤️ on the message Threadline sent (m_FAKE0001). Reactions carry the customer's id only. */
const expectedReaction: InboundReaction = {
  kind: 'reaction',
  platform: 'messenger',
  eventId: `reaction:m_FAKE0001:${PSID}:react:1764720000000`,
  account: PAGE_ID,
  contact: { id: PSID },
  occurredAt: new Date(1764720000000).toISOString(),
  messageId: 'm_FAKE0001',
  emoji: '\u2764\uFE0F',
  removed: false,
};

const reply: OutboundMessage = {
  idempotencyKey: 'C024BE91L:1715000000.000100',
  platform: 'messenger',
  account: PAGE_ID,
  contactId: PSID,
  text: 'Yes, in every size.',
};

function failures(graph: FakeGraphApi): FailureCase[] {
  return [
    ...messagingSendFailures(graph, outsideWindow),
    { name: '4 app limit', arrange: () => graph.failNext('messages', { status: 400, body: appLimit }), kind: 'rate_limited' },
    { name: '2 temporary', arrange: () => graph.failNext('messages', { status: 500, body: temporary }), kind: 'transient' },
  ];
}

channelContract({
  name: 'messenger (shared Meta webhook)',
  inbound: 'webhook',
  handshake: true,
  batches: true,
  // Messenger reports deliveries and reads; a failed send is refused at once, never reported later.
  deliveryStatuses: ['delivered', 'read'],
  async setup(deps) {
    const { graph, group, channel, imageUrl, handle, secrets } = await setup(deps);
    return {
      channel,
      secrets,
      sharedRoutes: group.routes,
      fuzz: metaFuzz,
      webhook: {
        // Meta batches: several entries and items in one delivery; a malformed entry must not cost the others.
        batch: {
          request: () =>
            metaRequest({
              object: 'page',
              entry: [
                ...(notification(fromCustomer({ message: textMessage }), fromCustomer({ message: quickReply })).entry as unknown[]),
                { id: PAGE_ID, time: 'yesterday', messaging: 'not a list' },
              ],
            }),
          expectedMessageIds: [textMessage.mid, quickReply.mid],
        },
        handle: handle('POST'),
        requests: {
          message: () => metaRequest(notification(fromCustomer({ message: textMessage }))),
          image: () => metaRequest(notification(fromCustomer({ message: imageMessage(imageUrl) }))),
          unknownKind: () => metaRequest(standbyEntry),
          ownEcho: () => metaRequest(notification(echo('m_FAKE0001', 'threadline'))),
          unreadable: () => metaRequest(notification(fromCustomer({ message: textIsNumber }))),
          reaction: () => metaRequest(notification(fromCustomer(reaction('react')))),
          // Of the message `send` returned as m_FAKE0001: a delivery naming it, a read watermark after it.
          delivered: () => metaRequest(notification(fromCustomer(delivery))),
          read: () => metaRequest(notification(fromCustomer(read))),
          badSignature: () => metaRequest(notification(fromCustomer({ message: textMessage })), 'not-the-app-secret'),
          missingSignature: () => metaRequest(notification(fromCustomer({ message: textMessage })), null),
          malformed: () => {
            const body = '{"object":"page","entry":[';
            return webhookRequest(body, { 'X-Hub-Signature-256': signMeta(APP_SECRET, body) });
          },
        },
      },
      handshake: {
        handle: handle('GET'),
        valid: () => handshakeRequest(VERIFY_TOKEN),
        expectedBody: '1158201444',
        wrongToken: () => handshakeRequest('wrong'),
      },
      expectedMessageEvents: [expectedMessage],
      expectedReactionEvents: [expectedReaction],
      unknownKind: 'standby',
      expectedUnreadable: { contactId: PSID, messageId: textIsNumber.mid },
      send: {
        message: reply,
        expectedMessageIds: ['m_FAKE0001'],
        assertRequest: () => {
          // @see https://developers.facebook.com/docs/messenger-platform/reference/send-api
          expect(graph.callsOf('messages').map((c) => [c.path, c.body])).toEqual([
            [
              '/v26.0/me/messages',
              { recipient: { id: PSID }, messaging_type: 'RESPONSE', message: { text: 'Yes, in every size.', metadata: 'threadline' } },
            ],
          ]);
        },
        failures: failures(graph),
      },
      media: { expectedBytes: IMAGE },
      checks: { unreachable: () => graph.failNext('me', 'network') },
      teardown: () => graph.close(),
    };
  },
});

describe('Messenger webhook items', () => {
  const NOW = Date.parse('2026-12-03T10:00:00.000Z');
  async function build() {
    const capture = captureLogger();
    const built = await setup({ logger: capture.logger, state: memoryState(), now: () => NOW });
    const receive = async (...items: Record<string, unknown>[]) => {
      const result = await built.handle('POST')(metaRequest(notification(...items)));
      if (result.status !== 200) throw new Error(`status ${result.status}`);
      return result.events;
    };
    return { ...built, receive, capture };
  }
  const at = new Date(1764720000000).toISOString();
  const base = { platform: 'messenger', account: PAGE_ID, occurredAt: at };

  it('shows a sticker once while Meta sends it as sticker and image', async () => {
    const { receive, graph, imageUrl } = await build();
    const [event] = await receive(fromCustomer({ message: stickerMessage(imageUrl) }));
    expect(event).toMatchObject({ kind: 'message', attachments: [{ kind: 'sticker', media: { platform: 'messenger', id: imageUrl } }] });
    expect(event?.kind === 'message' && event.attachments).toHaveLength(1);
    await graph.close();
  });

  it('reads quick replies, replies, postbacks, edits, reactions and deliveries', async () => {
    const { receive, graph } = await build();
    const events = await receive(
      fromCustomer({ message: quickReply }),
      fromCustomer({ message: replyMessage }),
      fromCustomer(getStarted),
      fromCustomer(edit),
      fromCustomer(reaction('react')),
      fromCustomer(reaction('unreact'), 1764720000999),
      fromCustomer(delivery),
      fromCustomer(read),
    );
    expect(events).toEqual([
      { ...base, kind: 'message', eventId: quickReply.mid, messageId: quickReply.mid, contact: customer, text: 'Yes', attachments: [] },
      {
        ...base,
        kind: 'message',
        eventId: replyMessage.mid,
        messageId: replyMessage.mid,
        contact: customer,
        text: 'This one',
        attachments: [],
        replyTo: textMessage.mid,
      },
      {
        ...base,
        kind: 'message',
        eventId: 'm_postback.0001',
        messageId: 'm_postback.0001',
        contact: customer,
        text: 'Get Started',
        attachments: [],
      },
      {
        ...base,
        kind: 'message',
        eventId: `edit:${textMessage.mid}:1`,
        messageId: textMessage.mid,
        contact: customer,
        text: 'Is the red one still in stock?',
        attachments: [],
        edited: true,
      },
      {
        ...base,
        kind: 'reaction',
        eventId: `reaction:m_FAKE0001:${PSID}:react:1764720000000`,
        messageId: 'm_FAKE0001',
        contact: { id: PSID },
        emoji: '\u2764\uFE0F',
        removed: false,
      },
      {
        ...base,
        occurredAt: new Date(1764720000999).toISOString(),
        kind: 'reaction',
        eventId: `reaction:m_FAKE0001:${PSID}:unreact:1764720000999`,
        messageId: 'm_FAKE0001',
        contact: { id: PSID },
        emoji: '\u2764\uFE0F',
        removed: true,
      },
      { ...base, kind: 'delivery', eventId: 'delivered:m_FAKE0001', messageId: 'm_FAKE0001', contact: { id: PSID }, status: 'delivered' },
    ]);
    // The profile is fetched once and kept.
    expect(graph.callsOf('profile')).toHaveLength(1);
    expect(graph.callsOf('profile')[0]?.path).toBe(`/v26.0/${PSID}?fields=first_name%2Clast_name%2Cprofile_pic`);
    await graph.close();
  });

  it("never mirrors the echoes of Threadline's sends (by id or metadata); a colleague's from the inbox comes as the business's", async () => {
    const { receive, channel, graph } = await build();
    const delivered = await channel.send(reply);
    expect(await receive(echo(delivered.messageIds[0] as string))).toEqual([]);
    expect(await receive(echo('m_not.recorded', 'threadline'))).toEqual([]);
    expect(await receive(echo('m_from.the.inbox'))).toEqual([
      {
        ...base,
        kind: 'message',
        eventId: 'm_from.the.inbox',
        messageId: 'm_from.the.inbox',
        contact: { id: PSID },
        text: 'Yes, it is.',
        attachments: [],
        fromBusiness: true,
      },
    ]);
    await graph.close();
  });

  it("marks Threadline's sends read up to a read watermark, and gives nothing for one before them", async () => {
    const { receive, channel, graph } = await build();
    expect(await receive(fromCustomer(read))).toEqual([]);
    const delivered = await channel.send(reply);
    const mid = delivered.messageIds[0] as string;
    const later = fromCustomer({ read: { watermark: NOW + 1000 } }, NOW + 2000);
    expect(await receive(later)).toEqual([
      {
        ...base,
        occurredAt: new Date(NOW + 2000).toISOString(),
        kind: 'delivery',
        eventId: `read:${mid}`,
        messageId: mid,
        contact: { id: PSID },
        status: 'read',
      },
    ]);
    await graph.close();
  });

  it('removes the emoji that was added when an unreact names none, and drops a reaction it cannot show', async () => {
    const { receive, graph } = await build();
    const [added] = await receive(fromCustomer({ reaction: { reaction: 'wow', emoji: '\u{1F62E}', action: 'react', mid: 'm_FAKE0001' } }));
    const [removed] = await receive(fromCustomer({ reaction: { action: 'unreact', mid: 'm_FAKE0001' } }, 1764720000500));
    expect([added, removed]).toMatchObject([
      { kind: 'reaction', emoji: '\u{1F62E}', removed: false },
      { kind: 'reaction', emoji: '\u{1F62E}', removed: true },
    ]);
    expect(await receive(fromCustomer({ reaction: { reaction: 'other', action: 'react', mid: 'm_FAKE0002' } }))).toEqual([]);
    await graph.close();
  });

  it('still shows the customer when the profile cannot be fetched', async () => {
    const { receive, graph } = await build();
    graph.failNext('profile', {
      status: 400,
      body: { error: { message: 'Unsupported get request', type: 'GraphMethodException', code: 100 } },
    });
    const [event] = await receive(fromCustomer({ message: textMessage }));
    expect(event?.contact).toEqual({ id: PSID });
    await graph.close();
  });

  it('uploads a file with the send, after the text', async () => {
    const { channel, graph } = await build();
    const delivered = await channel.send({
      ...reply,
      idempotencyKey: 'k-file',
      files: [{ kind: 'image', fileName: 'size-chart.png', mimeType: 'image/png', data: IMAGE }],
    });
    expect(delivered.messageIds).toEqual(['m_FAKE0001', 'm_FAKE0002']);
    const upload = graph.callsOf('messages')[1]?.body;
    expect(upload).toEqual({
      recipient: JSON.stringify({ id: PSID }),
      messaging_type: 'RESPONSE',
      message: JSON.stringify({ attachment: { type: 'image', payload: { is_reusable: false } }, metadata: 'threadline' }),
      filedata: { fileName: 'size-chart.png', size: IMAGE.byteLength, type: 'image/png' },
    });
    await graph.close();
  });

  it('sends a long reply in parts of at most 2000 characters', async () => {
    const { channel, graph } = await build();
    const long = `${'a'.repeat(1500)} ${'b'.repeat(1500)}`;
    const delivered = await channel.send({ ...reply, idempotencyKey: 'k2', text: long });
    expect(delivered.messageIds).toHaveLength(2);
    const texts = graph.callsOf('messages').map((c) => (c.body.message as { text: string }).text);
    expect(texts).toEqual(['a'.repeat(1500), 'b'.repeat(1500)]);
    await graph.close();
  });
});

describe('threadline doctor for Messenger', () => {
  it('checks the token and warns when the Page is not subscribed to messages', async () => {
    for (const [fields, status] of [
      [['messages', 'message_echoes'], 'ok'],
      [['feed'], 'warn'],
    ] as const) {
      const graph = await startFakeGraphApi({ token: PAGE_TOKEN, me: { id: PAGE_ID, name: 'Threadline Shoes' }, subscribedFields: fields });
      const config = factory.readConfig(env(graph.graphUrl));
      if (config === undefined) throw new Error('no config');
      const [channel] = factory.create(config, () => ({ logger: captureLogger().logger, state: memoryState(), now: () => 0 })).channels;
      const results = (await channel?.check?.()) ?? [];
      expect(results.map((r) => [r.subject, r.status])).toEqual([
        ['MESSENGER_PAGE_TOKEN', 'ok'],
        ['messenger webhook', status],
      ]);
      expect(results[0]?.detail).toContain('Page "Threadline Shoes" (106540352242922)');
      await graph.close();
    }
  });
});

describe('the reply window', () => {
  const NOW = Date.parse('2026-12-03T10:00:00.000Z');
  const hoursAgo = (hours: number) => new Date(NOW - hours * 3600 * 1000).toISOString();

  async function sendAt(tag: boolean, lastCustomerMessageAt: string) {
    const graph = await startFakeGraphApi({ token: PAGE_TOKEN, me: { id: PAGE_ID } });
    const config = factory.readConfig({ ...env(graph.graphUrl), META_HUMAN_AGENT_TAG: String(tag) });
    if (config === undefined) throw new Error('no config');
    const [channel] = factory.create(config, () => ({ logger: captureLogger().logger, state: memoryState(), now: () => NOW })).channels;
    await channel?.send({ ...reply, lastCustomerMessageAt });
    const [call] = graph.callsOf('messages');
    await graph.close();
    const { messaging_type, tag: sentTag } = (call?.body ?? {}) as { messaging_type?: string; tag?: string };
    return { messaging_type, tag: sentTag };
  }

  it('answers inside 24 hours as a RESPONSE, and from 24 hours to 7 days with the HUMAN_AGENT tag when META_HUMAN_AGENT_TAG=true', async () => {
    expect(await sendAt(true, hoursAgo(3))).toEqual({ messaging_type: 'RESPONSE', tag: undefined });
    expect(await sendAt(true, hoursAgo(30))).toEqual({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
    expect(await sendAt(false, hoursAgo(30))).toEqual({ messaging_type: 'RESPONSE', tag: undefined });
    expect(await sendAt(true, hoursAgo(24 * 8))).toEqual({ messaging_type: 'RESPONSE', tag: undefined });
  });

  it('refuses a META_HUMAN_AGENT_TAG that is not true or false', () => {
    expect(() => factory.readConfig({ ...env('https://graph.facebook.com'), META_HUMAN_AGENT_TAG: 'yes' })).toThrow(/META_HUMAN_AGENT_TAG/);
  });
});

describe('the Meta registry entry with Messenger', () => {
  it('turns Messenger on with its token alone and keeps the token out of logs', () => {
    const config = factory.readConfig(env('https://graph.facebook.com'));
    if (config === undefined) throw new Error('no config');
    expect(factory.enabled(config)).toEqual(['messenger']);
    expect(factory.secretsOf(config)).toContain(PAGE_TOKEN);
    expect(factory.readConfig({})).toBeUndefined();
  });
});
