import { describe, expect, it } from 'vitest';
import { instagramProduct } from '../../../adapters/instagram/index.ts';
import { metaFactory } from '../../../adapters/meta/index.ts';
import type { ChannelDeps } from '../../../src/channel.ts';
import type { InboundMessage, InboundReaction, OutboundMessage } from '../../../src/messages.ts';
import { renderCustomerText } from '../../../src/engine/render.ts';
import { applyRules } from '../../../src/engine/rules.ts';
import { channelContract, memoryState, recordedPublicFiles, webhookRequest, type FailureCase } from '../../contract/channel-contract.ts';
import type { FakeGraphApi } from '../../fakes/graph-api.ts';
import { businessLimit, outsideWindow } from '../../fixtures/instagram/api-errors.ts';
import {
  commentEntry,
  echo,
  fromCustomer,
  iceBreaker,
  IG_ID,
  IGSID,
  imageMessage,
  likeHeart,
  notification,
  postShare,
  profile,
  quickReply,
  reaction,
  replyMessage,
  seen,
  storyMention,
  storyReply,
  textIsNumber,
  textMessage,
  unsend,
} from '../../fixtures/instagram/webhooks.ts';
import { captureLogger } from '../../support/capture-logger.ts';
import { messagingSendFailures, startMetaProduct } from '../../support/meta-product.ts';
import { metaSamples, metaWebhookFuzz } from '../../support/meta-fuzz.ts';
import { signMeta } from '../../support/meta-signing.ts';
import { APP_SECRET, handshakeRequest, metaRequest, VERIFY_TOKEN } from '../../support/meta-webhook.ts';

const IG_TOKEN = 'IGAAInstagramTokenForThreadlineTests0123';
const IMAGE = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 4, 5, 6, 0xff, 0xd9]);

const factory = metaFactory([instagramProduct]);

const env = (graphUrl: string) => ({
  META_APP_SECRET: APP_SECRET,
  META_VERIFY_TOKEN: VERIFY_TOKEN,
  INSTAGRAM_TOKEN: IG_TOKEN,
  INSTAGRAM_GRAPH_URL: graphUrl,
});

/** The fuzz starts from the documented Instagram deliveries Threadline handles. */
const metaFuzz = metaWebhookFuzz(
  metaSamples({
    text: notification(fromCustomer({ message: textMessage })),
    image: notification(fromCustomer({ message: imageMessage('https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1') })),
    storyMention: notification(fromCustomer({ message: storyMention })),
    storyReply: notification(fromCustomer({ message: storyReply('🔥') })),
    reply: notification(fromCustomer({ message: replyMessage })),
    postShare: notification(fromCustomer({ message: postShare })),
    like: notification(fromCustomer({ message: likeHeart })),
    quickReply: notification(fromCustomer({ message: quickReply })),
    iceBreaker: notification(fromCustomer(iceBreaker)),
    reaction: notification(fromCustomer(reaction('react'))),
    unsend: notification(fromCustomer({ message: unsend })),
    seen: notification(fromCustomer(seen)),
    echo: notification(echo('m_OWN0001')),
  }),
  APP_SECRET,
  VERIFY_TOKEN,
);

const setup = (deps: ChannelDeps) =>
  startMetaProduct(
    {
      product: instagramProduct,
      env,
      token: IG_TOKEN,
      me: { user_id: IG_ID, username: 'threadline.shop' },
      profile: { id: IGSID, fields: profile },
      image: IMAGE,
    },
    deps,
  );

const customer = { id: IGSID, name: profile.name, handle: profile.username, avatarUrl: profile.profile_pic };
const at = new Date(1764720000000).toISOString();

const expectedMessage: InboundMessage = {
  kind: 'message',
  platform: 'instagram',
  eventId: textMessage.mid,
  account: IG_ID,
  contact: customer,
  occurredAt: at,
  messageId: textMessage.mid,
  text: textMessage.text,
  attachments: [],
};

/** The reaction sample: the heart on the customer's message. Reactions carry the customer's id only. */
const expectedReaction: InboundReaction = {
  kind: 'reaction',
  platform: 'instagram',
  eventId: `reaction:${textMessage.mid}:${IGSID}:react:1764720000000`,
  account: IG_ID,
  contact: { id: IGSID },
  occurredAt: at,
  messageId: textMessage.mid,
  emoji: '\u2764\uFE0F',
  removed: false,
};

const reply: OutboundMessage = {
  idempotencyKey: 'C024BE91L:1715000000.000200',
  platform: 'instagram',
  account: IG_ID,
  contactId: IGSID,
  text: 'Yes, we ship to Busan.',
};

function failures(graph: FakeGraphApi): FailureCase[] {
  return [
    ...messagingSendFailures(graph, outsideWindow),
    { name: '80007 account limit', arrange: () => graph.failNext('messages', { status: 400, body: businessLimit }), kind: 'rate_limited' },
    { name: 'HTTP 500', arrange: () => graph.failNext('messages', { status: 500, body: {} }), kind: 'transient' },
  ];
}

channelContract({
  name: 'instagram (shared Meta webhook)',
  inbound: 'webhook',
  handshake: true,
  batches: true,
  filesAsLinks: true,
  // Instagram reports reads (messaging_seen) only. @see https://developers.facebook.com/docs/instagram-platform/webhooks/examples/
  deliveryStatuses: ['read'],
  async setup(deps) {
    const { graph, group, channel, imageUrl, handle, secrets } = await setup(deps);
    // Instagram echoes carry no metadata: the channel knows its own sends by the message ids it recorded.
    await deps.state.set('own:m_OWN0001', true);
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
              object: 'instagram',
              entry: [
                ...(notification(fromCustomer({ message: textMessage }), fromCustomer({ message: replyMessage })).entry as unknown[]),
                { id: IG_ID, time: 'yesterday', messaging: 'not a list' },
              ],
            }),
          expectedMessageIds: [textMessage.mid, replyMessage.mid],
        },
        handle: handle('POST'),
        requests: {
          message: () => metaRequest(notification(fromCustomer({ message: textMessage }))),
          image: () => metaRequest(notification(fromCustomer({ message: imageMessage(imageUrl) }))),
          unknownKind: () => metaRequest(commentEntry),
          ownEcho: () => metaRequest(notification(echo('m_OWN0001'))),
          unreadable: () => metaRequest(notification(fromCustomer({ message: textIsNumber }))),
          reaction: () => metaRequest(notification(fromCustomer(reaction('react')))),
          // A read of the message `send` returned as m_FAKE0001.
          read: () => metaRequest(notification(fromCustomer(seen))),
          badSignature: () => metaRequest(notification(fromCustomer({ message: textMessage })), 'not-the-app-secret'),
          missingSignature: () => metaRequest(notification(fromCustomer({ message: textMessage })), null),
          malformed: () => {
            const body = '{"object":"instagram","entry":[';
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
      unknownKind: 'field:comments',
      expectedUnreadable: { contactId: IGSID, messageId: textIsNumber.mid },
      send: {
        message: reply,
        expectedMessageIds: ['m_FAKE0001'],
        assertRequest: () => {
          // @see https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/messaging-api/
          expect(graph.callsOf('messages').map((c) => [c.path, c.body])).toEqual([
            ['/v26.0/me/messages', { recipient: { id: IGSID }, message: { text: 'Yes, we ship to Busan.' } }],
          ]);
        },
        failures: failures(graph),
        // A file goes as a link Instagram fetches. @see https://developers.facebook.com/docs/messenger-platform/instagram/features/send-message
        assertLinkedFile: (url) => {
          expect(graph.callsOf('messages').map((c) => [c.path, c.body])).toEqual([
            ['/v26.0/me/messages', { recipient: { id: IGSID }, message: { attachment: { type: 'image', payload: { url } } } }],
          ]);
        },
      },
      media: { expectedBytes: IMAGE },
      checks: { unreachable: () => graph.failNext('me', 'network') },
      teardown: () => graph.close(),
    };
  },
});

describe('Instagram webhook items', () => {
  async function build() {
    const capture = captureLogger();
    const built = await setup({ logger: capture.logger, state: memoryState(), now: () => Date.parse('2026-12-03T10:00:00.000Z') });
    const receive = async (...items: Record<string, unknown>[]) => {
      const result = await built.handle('POST')(metaRequest(notification(...items)));
      if (result.status !== 200) throw new Error(`status ${result.status}`);
      return result.events;
    };
    return { ...built, receive, capture };
  }
  const base = { platform: 'instagram', account: IG_ID, occurredAt: at, contact: customer };

  it('tags story mentions and story replies with a link to the story, and never gives story media to download', async () => {
    const { receive, graph } = await build();
    const [mention, emojiReply, wordsReply] = await receive(
      fromCustomer({ message: storyMention }),
      fromCustomer({ message: storyReply('\uD83D\uDD25') }),
      fromCustomer({ message: storyReply('Is this in stock?') }),
    );
    const mentionUrl = storyMention.attachments[0]?.payload.url;
    expect(mention).toEqual({
      ...base,
      kind: 'message',
      eventId: storyMention.mid,
      messageId: storyMention.mid,
      attachments: [],
      context: { kind: 'story_mention', url: mentionUrl },
    });
    expect(renderCustomerText(mention as InboundMessage)).toBe(`📣 Mentioned you in their story: ${mentionUrl}`);
    expect(emojiReply).toMatchObject({ context: { kind: 'story_reply', url: expect.stringContaining('lookaside') }, attachments: [] });
    // The engine's rules: a mention and an emoji-only story reply open nothing; words do.
    const decide = (event: typeof mention) => (event?.kind === 'message' ? applyRules(event, false).action : 'none');
    expect([decide(mention), decide(emojiReply), decide(wordsReply)]).toEqual(['ignore', 'ignore', 'deliver']);
    await graph.close();
  });

  it('reads shares once, likes, quick replies, ice breakers, replies, reactions, unsends and read receipts', async () => {
    const { receive, graph } = await build();
    const events = await receive(
      fromCustomer({ message: postShare }),
      fromCustomer({ message: likeHeart }),
      fromCustomer({ message: quickReply }),
      fromCustomer(iceBreaker),
      fromCustomer({ message: replyMessage }),
      fromCustomer(reaction('react')),
      fromCustomer({ message: unsend }),
      fromCustomer(seen),
    );
    expect(events).toEqual([
      {
        ...base,
        kind: 'message',
        eventId: postShare.mid,
        messageId: postShare.mid,
        text: '[Shared a post: Our autumn collection https://www.instagram.com/p/DAbCdEfGhIj/]',
        attachments: [],
      },
      {
        ...base,
        kind: 'message',
        eventId: likeHeart.mid,
        messageId: likeHeart.mid,
        text: '\u2764\uFE0F',
        attachments: [],
        context: { kind: 'like' },
      },
      { ...base, kind: 'message', eventId: quickReply.mid, messageId: quickReply.mid, text: 'Yes', attachments: [] },
      {
        ...base,
        kind: 'message',
        eventId: iceBreaker.postback.mid,
        messageId: iceBreaker.postback.mid,
        text: 'Where is my order?',
        attachments: [],
      },
      {
        ...base,
        kind: 'message',
        eventId: replyMessage.mid,
        messageId: replyMessage.mid,
        text: 'This one',
        attachments: [],
        replyTo: textMessage.mid,
      },
      {
        ...base,
        contact: { id: IGSID },
        kind: 'reaction',
        eventId: `reaction:${textMessage.mid}:${IGSID}:react:1764720000000`,
        messageId: textMessage.mid,
        emoji: '\u2764\uFE0F',
        removed: false,
      },
      { ...base, kind: 'message', eventId: `unsend:${textMessage.mid}`, messageId: textMessage.mid, attachments: [], unsent: true },
      { ...base, contact: { id: IGSID }, kind: 'delivery', eventId: 'read:m_FAKE0001', messageId: 'm_FAKE0001', status: 'read' },
    ]);
    const like = events[1];
    expect(like?.kind === 'message' && applyRules(like, false).action).toBe('ignore');
    expect(graph.callsOf('profile')).toHaveLength(1);
    expect(graph.callsOf('profile')[0]?.path).toBe(`/v26.0/${IGSID}?fields=name%2Cusername%2Cprofile_pic`);
    await graph.close();
  });

  it('recognises an echo whose message id it has not recorded yet (it overtook the send’s answer) by the words it sent', async () => {
    const { handle, channel, graph } = await build();
    await channel.send({ ...reply, idempotencyKey: 'k-early' });
    const early = echo('m_NOT_RECORDED');
    const result = await handle('POST')(
      metaRequest(notification({ ...early, message: { ...(early.message as object), text: reply.text } })),
    );
    expect(result).toMatchObject({ status: 200, events: [] });
    await graph.close();
  });

  it('never mirrors the echo of its own send, recognised by message id', async () => {
    const { receive, channel, graph } = await build();
    const delivered = await channel.send(reply);
    expect(await receive(echo(delivered.messageIds[0] as string))).toEqual([]);
    await graph.close();
  });

  it('refuses a reply with files before sending anything when PUBLIC_URL is not set (Instagram takes media by URL only)', async () => {
    const { channel, graph } = await build();
    const files = [{ kind: 'image' as const, fileName: 'a.png', mimeType: 'image/png', data: IMAGE }];
    await expect(channel.send({ ...reply, idempotencyKey: 'k-files', files })).rejects.toMatchObject({
      kind: 'rejected',
      message: expect.stringContaining('PUBLIC_URL is not set'),
      detail: { local: true },
    });
    expect(graph.callsOf('messages')).toEqual([]);
    await graph.close();
  });

  it('with PUBLIC_URL, sends the text, then each file as a link it published', async () => {
    const files = recordedPublicFiles();
    const built = await setup({ logger: captureLogger().logger, state: memoryState(), now: () => Date.now(), files });
    const pdf = {
      kind: 'file' as const,
      fileName: 'return-label.pdf',
      mimeType: 'application/pdf',
      data: new Uint8Array([0x25, 0x50, 0x44, 0x46]),
    };
    const photo = { kind: 'image' as const, fileName: 'box.jpg', mimeType: 'image/jpeg', data: IMAGE };
    const delivered = await built.channel.send({ ...reply, idempotencyKey: 'k-linked', files: [pdf, photo] });
    expect(delivered.messageIds).toHaveLength(3);
    expect(files.published.map((p) => p.file.fileName)).toEqual(['return-label.pdf', 'box.jpg']);
    expect(built.graph.callsOf('messages').map((c) => c.body.message)).toEqual([
      { text: reply.text },
      { attachment: { type: 'file', payload: { url: files.published[0]?.url } } },
      { attachment: { type: 'image', payload: { url: files.published[1]?.url } } },
    ]);
    await built.graph.close();
  });

  it.each([
    ['a WebP image', { kind: 'image' as const, fileName: 'a.webp', mimeType: 'image/webp', data: IMAGE }, /PNG, JPEG or GIF/],
    ['a Word document', { kind: 'file' as const, fileName: 'a.docx', mimeType: 'application/msword', data: IMAGE }, /only as PDF/],
    [
      'an image over 8 MB',
      { kind: 'image' as const, fileName: 'big.png', mimeType: 'image/png', data: new Uint8Array(8 * 1024 * 1024 + 1) },
      /8 MB/,
    ],
  ])('refuses %s before publishing or sending anything', async (_name, file, words) => {
    const files = recordedPublicFiles();
    const built = await setup({ logger: captureLogger().logger, state: memoryState(), now: () => Date.now(), files });
    await expect(built.channel.send({ ...reply, idempotencyKey: 'k-refused', files: [file] })).rejects.toMatchObject({
      kind: 'rejected',
      message: expect.stringMatching(words),
    });
    expect(files.published).toEqual([]);
    expect(built.graph.callsOf('messages')).toEqual([]);
    await built.graph.close();
  });

  it('sends a long reply in parts of at most 1000 UTF-8 bytes', async () => {
    const { channel, graph } = await build();
    const korean = '안녕하세요 '.repeat(100).trim();
    const delivered = await channel.send({ ...reply, idempotencyKey: 'k-long', text: korean });
    const texts = graph.callsOf('messages').map((c) => (c.body.message as { text: string }).text);
    expect(delivered.messageIds.length).toBe(texts.length);
    expect(texts.length).toBeGreaterThan(1);
    for (const text of texts) expect(Buffer.byteLength(text, 'utf8')).toBeLessThanOrEqual(1000);
    expect(texts.join(' ')).toBe(korean);
    await graph.close();
  });
});

describe('the Meta registry entry with Instagram', () => {
  it('turns Instagram on with its token, on graph.instagram.com by default', () => {
    const config = factory.readConfig({ META_APP_SECRET: APP_SECRET, META_VERIFY_TOKEN: VERIFY_TOKEN, INSTAGRAM_TOKEN: IG_TOKEN });
    if (config === undefined) throw new Error('no config');
    expect(factory.enabled(config)).toEqual(['instagram']);
    expect(config.products[0]?.config).toMatchObject({ graphUrl: 'https://graph.instagram.com' });
    expect(factory.secretsOf(config)).toContain(IG_TOKEN);
    expect(() => factory.readConfig({ ...env('ftp://x'), INSTAGRAM_GRAPH_URL: 'ftp://x' })).toThrow(/INSTAGRAM_GRAPH_URL/);
  });
});
