import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createXChannel, xFactory } from '../../../adapters/x/index.ts';
import { sentKey } from '../../../adapters/x/send.ts';
import type { InboundMessage, OutboundMessage } from '../../../src/messages.ts';
import { channelContract, routeOf, webhookRequest, type FailureCase } from '../../contract/channel-contract.ts';
import { APP_SECRET, startFakeXApi, type FakeXApi } from '../../fakes/x-api.ts';
import {
  blockDelivery,
  dmDelivery,
  favoriteDelivery,
  ownDelivery,
  photoDelivery,
  typingDelivery,
  unreadableDelivery,
} from '../../fixtures/x/activity.ts';
import { account, customer, forbidden, serviceUnavailable, tooManyRequests, unauthorized } from '../../fixtures/x/dm-events.ts';
import type { FuzzSample, Json } from '../../fuzz/webhook-fuzz.ts';
import { signX, xSigningAuth } from '../../support/x-signature.ts';
import { NOW, setupX, xEnv } from './harness.ts';

const IMAGE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
const SIGNATURE = 'x-twitter-webhooks-signature';

/** A delivery as X posts it: JSON, signed over the exact bytes; `signature: null` leaves the header out. */
function xRequest(delivery: unknown, signature: string | null = signX(APP_SECRET, JSON.stringify(delivery))) {
  return webhookRequest(JSON.stringify(delivery), {
    'content-type': 'application/json',
    ...(signature === null ? {} : { [SIGNATURE]: signature }),
  });
}

const expectedMessage: InboundMessage = {
  kind: 'message',
  platform: 'x',
  eventId: '954491830116155396',
  account: account.id,
  contact: { id: customer.id, name: customer.name, handle: customer.username, avatarUrl: customer.profile_image_url },
  occurredAt: new Date(1516403560557).toISOString(),
  messageId: '954491830116155396',
  text: 'Hello World!',
  attachments: [],
};

const reply: OutboundMessage = {
  idempotencyKey: 'C024BE91L:1715000000.000200',
  platform: 'x',
  account: account.id,
  contactId: customer.id,
  text: 'Your order ships today.',
};

function failures(x: FakeXApi): FailureCase[] {
  const reset = String(Math.floor(NOW / 1000) + 30);
  return [
    {
      name: '429',
      arrange: () => x.failNext('send', { status: 429, body: tooManyRequests, headers: { 'x-rate-limit-reset': reset } }),
      kind: 'rate_limited',
      retryAfterMs: 30_000,
    },
    { name: '503', arrange: () => x.failNext('send', { status: 503, body: serviceUnavailable }), kind: 'transient' },
    { name: 'network', arrange: () => x.failNext('send', 'network'), kind: 'transient' },
    { name: '401', arrange: () => x.failNext('send', { status: 401, body: unauthorized }), kind: 'auth' },
    { name: '403', arrange: () => x.failNext('send', { status: 403, body: forbidden }), kind: 'unreachable' },
  ];
}

const postSamples: FuzzSample[] = [dmDelivery, photoDelivery, ownDelivery, typingDelivery, favoriteDelivery, blockDelivery].map(
  (value, i) => ({
    name: `delivery ${i}`,
    encoding: 'json',
    value: value as unknown as Json,
  }),
);

channelContract({
  name: 'x (Account Activity webhook)',
  inbound: 'webhook',
  handshake: true,
  reactions: false,
  async setup(deps) {
    const x = await startFakeXApi();
    const photo = photoDelivery.direct_message_events[0]?.message_create.message_data as {
      attachment: { media: { id_str: string; media_url_https: string } };
    };
    x.addMedia(
      { media_key: photo.attachment.media.id_str, type: 'photo', url: photo.attachment.media.media_url_https },
      IMAGE,
      'image/png',
    );
    const config = xFactory.readConfig(xEnv(x, { X_WEBHOOK: 'true' }));
    if (config === undefined) throw new Error('no config');
    // Threadline sent this DM itself: its echo must not come back as a message.
    await deps.state.set(sentKey('954491830116155398'), true);
    const channel = createXChannel(config, deps);
    const post = routeOf(channel, 'POST', '/webhooks/x');
    const get = routeOf(channel, 'GET', '/webhooks/x');
    return {
      channel,
      secrets: xFactory.secretsOf(config),
      webhook: {
        handle: post.handle,
        ...(post.precheck === undefined ? {} : { precheck: post.precheck }),
        signatureHeader: SIGNATURE,
        requests: {
          message: () => xRequest(dmDelivery),
          image: () => xRequest(photoDelivery),
          unknownKind: () => xRequest(favoriteDelivery),
          ownEcho: () => xRequest(ownDelivery),
          unreadable: () => xRequest(unreadableDelivery),
          badSignature: () => xRequest(dmDelivery, signX('not-the-secret', JSON.stringify(dmDelivery))),
          missingSignature: () => xRequest(dmDelivery, null),
          malformed: () => webhookRequest('{"for_user_id": ', { [SIGNATURE]: signX(APP_SECRET, '{"for_user_id": ') }),
        },
      },
      handshake: {
        handle: get.handle,
        valid: () => webhookRequest('', {}, 'crc_token=9b4507b3-9040-4669-9ff7-1a4a6ff6cd5b'),
        // Computed as the securing-webhooks page shows: base64(HMAC-SHA256(consumer secret, crc_token)).
        expectedBody: JSON.stringify({
          response_token: `sha256=${createHmac('sha256', APP_SECRET).update('9b4507b3-9040-4669-9ff7-1a4a6ff6cd5b').digest('base64')}`,
        }),
      },
      fuzz: {
        'POST /webhooks/x': { samples: postSamples, auth: xSigningAuth(APP_SECRET) },
        'GET /webhooks/x': {
          samples: [{ name: 'crc', encoding: 'json', value: { crc_token: '9b4507b3-9040-4669-9ff7-1a4a6ff6cd5b' } }],
          auth: { headers: () => ({}) },
        },
      },
      expectedMessageEvents: [expectedMessage],
      unknownKind: 'favorite_events',
      expectedUnreadable: { contactId: customer.id, messageId: '954491830116155399' },
      send: {
        message: reply,
        expectedMessageIds: ['1700000000000000001'],
        assertRequest: () => {
          expect(x.callsOf('send').map((call) => call.body)).toEqual([{ text: 'Your order ships today.' }]);
        },
        failures: failures(x),
      },
      media: { expectedBytes: IMAGE },
      checks: { unreachable: () => x.failNext('users/me', 'network') },
      teardown: () => x.close(),
    };
  },
});

describe('X webhook', () => {
  it('shows a block by the customer as a contact status, and acknowledges typing without events', async () => {
    const setup = await setupX({ X_WEBHOOK: 'true' });
    const post = routeOf(setup.channel, 'POST', '/webhooks/x');
    expect(await post.handle(xRequest(blockDelivery))).toMatchObject({
      status: 200,
      events: [{ kind: 'contact_status', status: 'blocked', contact: { id: customer.id, name: customer.name }, account: account.id }],
    });
    expect(await post.handle(xRequest(typingDelivery))).toEqual({ status: 200, events: [] });
    expect(setup.capture.entries().filter((e) => e.level >= 40)).toEqual([]);
    await setup.close();
  });

  it('answers the CRC only with a crc_token, and serves no polling in webhook mode', async () => {
    const setup = await setupX({ X_WEBHOOK: 'true' });
    const get = routeOf(setup.channel, 'GET', '/webhooks/x');
    expect((await get.handle(webhookRequest(''))).status).toBe(400);
    await setup.channel.start(setup.intake);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(setup.x.callsOf('dm_events')).toEqual([]);
    await setup.close();
  });

  it('shows a DM a colleague sent from the X app (not remembered as a Threadline send) as the business’s', async () => {
    const setup = await setupX({ X_WEBHOOK: 'true' });
    const result = await routeOf(setup.channel, 'POST', '/webhooks/x').handle(xRequest(ownDelivery));
    expect(result).toMatchObject({ status: 200, events: [{ kind: 'message', fromBusiness: true, contact: { id: customer.id } }] });
    await setup.close();
  });
});
