import { describe, expect, it } from 'vitest';
import type { InboundMessage, InboundReaction, OutboundMessage } from '../../../src/messages.ts';
import { channelContract, webhookRequest, type FailureCase } from '../../contract/channel-contract.ts';
import type { FakeGraphApi } from '../../fakes/graph-api.ts';
import { expiredToken, notWhatsAppUser, pairRateLimit, reengagement, serverError, throughput } from '../../fixtures/whatsapp/api-errors.ts';
import {
  buttonReply,
  contactsMessage,
  documentMessage,
  failedReengagement,
  imageMessage,
  incoming,
  listReply,
  locationMessage,
  productInquiry,
  quotedReply,
  reactionMessage,
  stickerMessage,
  unsupportedMessage,
  voiceMessage,
  notification,
  PHONE_NUMBER_ID,
  PROFILE_NAME,
  status,
  statusChange,
  templateStatusUpdate,
  textIsNumber,
  textMessage,
  WA_ID,
} from '../../fixtures/whatsapp/webhooks.ts';
import type { FuzzSample, Json } from '../../fuzz/webhook-fuzz.ts';
import { metaWebhookFuzz } from '../../support/meta-fuzz.ts';
import { signMeta } from '../../support/meta-signing.ts';
import { APP_SECRET, handshakeRequest, metaRequest, metaRoute, VERIFY_TOKEN } from '../../support/meta-webhook.ts';
import { factory, metaEnv, setupMeta } from './harness.ts';

const IMAGE = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 9, 8, 7, 0xff, 0xd9]);

const expectedMessage: InboundMessage = {
  kind: 'message',
  platform: 'whatsapp',
  eventId: textMessage.id,
  account: PHONE_NUMBER_ID,
  contact: { id: WA_ID, name: PROFILE_NAME, languageHint: 'en' },
  occurredAt: '2025-06-08T20:59:43.000Z',
  messageId: textMessage.id,
  text: 'Does it come in another color?',
  attachments: [],
};

/** The reaction sample: 👍 on the message Threadline sent (`wamid.FAKE0001`). */
const expectedReaction: InboundReaction = {
  kind: 'reaction',
  platform: 'whatsapp',
  eventId: reactionMessage.id,
  account: PHONE_NUMBER_ID,
  contact: { id: WA_ID, name: PROFILE_NAME, languageHint: 'en' },
  occurredAt: '2025-04-11T04:08:26.000Z',
  messageId: 'wamid.FAKE0001',
  emoji: '👍',
  removed: false,
};

const reply: OutboundMessage = {
  idempotencyKey: 'C024BE91L:1715000000.000100',
  platform: 'whatsapp',
  account: PHONE_NUMBER_ID,
  contactId: WA_ID,
  text: 'It comes in blue too.',
  replyTo: textMessage.id,
};

/** The fuzz starts from every documented WhatsApp notification Threadline handles, one per delivery. */
const fuzzSamples: FuzzSample[] = [
  textMessage,
  imageMessage,
  voiceMessage,
  documentMessage,
  stickerMessage,
  locationMessage,
  contactsMessage,
  buttonReply,
  listReply,
  quotedReply,
  productInquiry,
  reactionMessage,
  unsupportedMessage,
].map((message) => ({ name: String(message.type), encoding: 'json', value: notification(incoming(message)) as unknown as Json }));
fuzzSamples.push(
  { name: 'status', encoding: 'json', value: notification(statusChange(status('wamid.FAKE0001', 'read'))) as unknown as Json },
  { name: 'failed status', encoding: 'json', value: notification(statusChange(failedReengagement('wamid.FAKE0001'))) as unknown as Json },
  { name: 'template status', encoding: 'json', value: notification(templateStatusUpdate) as unknown as Json },
);
const metaFuzz = metaWebhookFuzz(fuzzSamples, APP_SECRET, VERIFY_TOKEN);

function failures(graph: FakeGraphApi): FailureCase[] {
  return [
    {
      name: '130429 throughput, Retry-After 7',
      arrange: () => graph.failNext('messages', { status: 400, body: throughput, headers: { 'retry-after': '7' } }),
      kind: 'rate_limited',
      retryAfterMs: 7000,
    },
    {
      name: '131056 pair rate limit',
      arrange: () => graph.failNext('messages', { status: 400, body: pairRateLimit }),
      kind: 'rate_limited',
      retryAfterMs: 6000,
    },
    { name: 'HTTP 429 without a body', arrange: () => graph.failNext('messages', { status: 429, body: {} }), kind: 'rate_limited' },
    { name: '131000 server error', arrange: () => graph.failNext('messages', { status: 500, body: serverError }), kind: 'transient' },
    { name: 'connection dropped', arrange: () => graph.failNext('messages', 'network'), kind: 'transient' },
    { name: '190 expired token', arrange: () => graph.failNext('messages', { status: 401, body: expiredToken }), kind: 'auth' },
    { name: '131047 re-engagement', arrange: () => graph.failNext('messages', { status: 400, body: reengagement }), kind: 'window_closed' },
    {
      name: '131026 not a WhatsApp user',
      arrange: () => graph.failNext('messages', { status: 400, body: notWhatsAppUser }),
      kind: 'unreachable',
    },
  ];
}

channelContract({
  name: 'whatsapp (shared Meta webhook)',
  inbound: 'webhook',
  handshake: true,
  batches: true,
  deliveryStatuses: ['delivered', 'read', 'failed'],
  async setup(deps) {
    const { graph, group, secrets } = await setupMeta(deps);
    graph.addMedia(imageMessage.image.id, { data: IMAGE, mimeType: 'image/jpeg' });
    const [channel] = group.channels;
    if (channel === undefined) throw new Error('no WhatsApp channel');
    return {
      channel,
      secrets,
      sharedRoutes: group.routes,
      fuzz: metaFuzz,
      webhook: {
        // Meta batches: several entries in one delivery; a malformed one must not cost the others.
        batch: {
          request: () =>
            metaRequest({
              object: 'whatsapp_business_account',
              entry: [
                ...(notification(incoming(textMessage)).entry as unknown[]),
                { id: 'broken', changes: 'not a list' },
                ...(notification(incoming(imageMessage)).entry as unknown[]),
              ],
            }),
          expectedMessageIds: [textMessage.id, imageMessage.id],
        },
        handle: metaRoute(group.routes, 'POST'),
        requests: {
          message: () => metaRequest(notification(incoming(textMessage))),
          image: () => metaRequest(notification(incoming(imageMessage))),
          unknownKind: () => metaRequest(notification(templateStatusUpdate)),
          ownEcho: () => metaRequest(notification(statusChange(status('wamid.FAKE0001', 'delivered')))),
          unreadable: () => metaRequest(notification(incoming(textIsNumber))),
          reaction: () => metaRequest(notification(incoming(reactionMessage))),
          // Statuses of the message `send` returned as wamid.FAKE0001 (the Graph fake's first id).
          delivered: () => metaRequest(notification(statusChange(status('wamid.FAKE0001', 'delivered')))),
          read: () => metaRequest(notification(statusChange(status('wamid.FAKE0001', 'read')))),
          failed: () => metaRequest(notification(statusChange(failedReengagement('wamid.FAKE0001')))),
          badSignature: () => metaRequest(notification(incoming(textMessage)), 'not-the-app-secret'),
          missingSignature: () => metaRequest(notification(incoming(textMessage)), null),
          malformed: () => {
            const body = '{"object":"whatsapp_business_account","entry":[';
            return webhookRequest(body, { 'X-Hub-Signature-256': signMeta(APP_SECRET, body) });
          },
        },
      },
      handshake: {
        handle: metaRoute(group.routes, 'GET'),
        valid: () => handshakeRequest(VERIFY_TOKEN),
        expectedBody: '1158201444',
        wrongToken: () => handshakeRequest('wrong'),
      },
      expectedMessageEvents: [expectedMessage],
      expectedReactionEvents: [expectedReaction],
      unknownKind: 'message_template_status_update',
      expectedUnreadable: { contactId: WA_ID, messageId: textIsNumber.id },
      send: {
        message: reply,
        expectedMessageIds: ['wamid.FAKE0001'],
        assertRequest: () => {
          // @see https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/text-messages
          expect(graph.callsOf('messages').map((c) => c.body)).toEqual([
            {
              messaging_product: 'whatsapp',
              recipient_type: 'individual',
              to: WA_ID,
              type: 'text',
              text: { body: 'It comes in blue too.', preview_url: false },
              context: { message_id: textMessage.id },
            },
          ]);
        },
        failures: failures(graph),
      },
      media: { expectedBytes: IMAGE },
      checks: { unreachable: () => graph.failNext('phone', 'network') },
      teardown: () => graph.close(),
    };
  },
});

describe('the Meta registry entry', () => {
  it('is off when no Meta or WhatsApp variable is set, and names the missing app secret otherwise', () => {
    expect(factory.readConfig({})).toBeUndefined();
    const env = metaEnv('https://graph.facebook.com');
    expect(() => factory.readConfig({ ...env, META_APP_SECRET: '' })).toThrow(/META_APP_SECRET/);
    expect(() => factory.readConfig({ ...env, META_VERIFY_TOKEN: '' })).toThrow(/META_VERIFY_TOKEN/);
    expect(() => factory.readConfig({ ...env, WHATSAPP_PHONE_NUMBER_ID: '+1 555' })).toThrow(/WHATSAPP_PHONE_NUMBER_ID/);
    expect(() => factory.readConfig({ ...env, META_GRAPH_VERSION: '24' })).toThrow(/META_GRAPH_VERSION/);
    expect(() => factory.readConfig({ META_APP_SECRET: 'x' })).toThrow(/WHATSAPP_TOKEN/);
  });

  it('turns on WhatsApp with its token, uses a current Graph version by default, and keeps every secret out of logs', () => {
    const config = factory.readConfig(metaEnv('https://graph.facebook.com'));
    if (config === undefined) throw new Error('no config');
    expect(factory.enabled(config)).toEqual(['whatsapp']);
    expect(config.settings.graphVersion).toMatch(/^v[0-9]+\.0$/);
    expect(factory.secretsOf(config)).toEqual(expect.arrayContaining([APP_SECRET, VERIFY_TOKEN]));
  });
});
