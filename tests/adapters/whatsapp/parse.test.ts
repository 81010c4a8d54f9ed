import { describe, expect, it } from 'vitest';
import { parseEntry } from '../../../adapters/whatsapp/parse.ts';
import { languageOfPhone, toE164 } from '../../../adapters/whatsapp/country.ts';
import type { InboundEvent } from '../../../src/messages.ts';
import { memoryState } from '../../contract/channel-contract.ts';
import { captureLogger } from '../../support/capture-logger.ts';
import {
  bsuidContact,
  bsuidText,
  buttonReply,
  contactsMessage,
  documentMessage,
  failedReengagement,
  groupText,
  incoming,
  listReply,
  locationMessage,
  notification,
  PHONE_NUMBER_ID,
  productInquiry,
  quotedReply,
  forwardedText,
  frequentlyForwardedText,
  reactionMessage,
  status,
  statusChange,
  stickerMessage,
  textMessage,
  unsupportedMessage,
  USER_ID,
  voiceMessage,
  WA_ID,
} from '../../fixtures/whatsapp/webhooks.ts';
import { startFakeGraphApi } from '../../fakes/graph-api.ts';
import { factory, metaEnv } from './harness.ts';

const ctx = { phoneNumberId: PHONE_NUMBER_ID };
const entryOf = (payload: Record<string, unknown>) => (payload.entry as unknown[])[0];
const events = (message: Record<string, unknown>, contact?: Record<string, unknown>): InboundEvent[] =>
  parseEntry(entryOf(notification(incoming(message, contact))), ctx).items.map((i) => i.event);
const only = (message: Record<string, unknown>) => {
  const [event] = events(message);
  if (event?.kind !== 'message') throw new Error('no message');
  return event;
};

describe('WhatsApp parse', () => {
  it('reads media as attachments with their media id, mime type, file name and caption', () => {
    expect(only(voiceMessage).attachments).toEqual([
      { kind: 'audio', media: { platform: 'whatsapp', id: '1003383421387257' }, mimeType: 'audio/ogg; codecs=opus' },
    ]);
    expect(only(documentMessage)).toMatchObject({
      text: 'My receipt',
      attachments: [{ kind: 'file', fileName: 'receipt.pdf', mimeType: 'application/pdf', caption: 'My receipt' }],
    });
    expect(only(stickerMessage).attachments).toMatchObject([{ kind: 'sticker', media: { id: '1003383421387259' } }]);
  });

  it('reads a location, shared contacts, button and list replies', () => {
    expect(only(locationMessage).attachments).toEqual([
      { kind: 'location', latitude: 37.483307, longitude: -122.148981, name: 'Meta Headquarters, 1 Hacker Way, Menlo Park, CA 94025' },
    ]);
    expect(only(contactsMessage).attachments).toEqual([{ kind: 'contact', name: 'Pablo Morales', phone: '+1 (940) 555-1234' }]);
    expect(only(buttonReply)).toMatchObject({ text: 'Change', replyTo: buttonReply.context.id });
    expect(only(listReply).text).toBe('Priority Mail Express — Next Day to 2 Days');
  });

  it('keeps the quoted message of a reply, and names the product of an inquiry', () => {
    expect(only(quotedReply)).toMatchObject({ text: 'Yes, that one', replyTo: quotedReply.context.id });
    expect(only(quotedReply)).not.toHaveProperty('forwarded');
    expect(only(productInquiry).text).toBe('[Asks about product di9ozbzfi4 (catalog 194836987003835)]\nIs this in stock?');
  });

  it('says a message was forwarded, or forwarded many times (WhatsApp does not say from whom)', () => {
    expect(only(forwardedText)).toMatchObject({ text: 'Is this offer real?', forwarded: {} });
    expect(only(frequentlyForwardedText)).toMatchObject({ forwarded: { frequently: true } });
  });

  it('turns a reaction into a reaction event on the message it is for', () => {
    expect(events(reactionMessage)).toMatchObject([{ kind: 'reaction', messageId: 'wamid.FAKE0001', emoji: '👍', removed: false }]);
  });

  it('shows a type it cannot read as an unreadable message and reports the kind once', () => {
    const parsed = parseEntry(entryOf(notification(incoming(unsupportedMessage))), ctx);
    expect(parsed.unknown).toEqual(['message:unsupported']);
    expect(parsed.items[0]?.event).toMatchObject({ kind: 'message', attachments: [], unreadable: { kind: 'unsupported message' } });
  });

  it('turns delivered, read and failed statuses into delivery events; sent says nothing new', () => {
    const entry = notification(
      statusChange(status('wamid.A', 'sent')),
      statusChange(status('wamid.A', 'delivered')),
      statusChange(status('wamid.A', 'read')),
      statusChange(failedReengagement('wamid.B')),
    );
    const parsed = parseEntry(entryOf(entry), ctx).items.map((i) => i.event);
    expect(parsed.map((e) => (e.kind === 'delivery' ? `${e.messageId}:${e.status}` : e.kind))).toEqual([
      'wamid.A:delivered',
      'wamid.A:read',
      'wamid.B:failed',
    ]);
    expect(parsed[2]).toMatchObject({
      eventId: 'status:wamid.B:failed',
      contact: { id: WA_ID },
      failure: { code: '131047', kind: 'window_closed' },
    });
  });

  it('skips traffic of another phone number of the business account', () => {
    const payload = notification(incoming(textMessage));
    const change = (payload.entry as { changes: { value: { metadata: { phone_number_id: string } } }[] }[])[0]?.changes[0] as {
      value: { metadata: { phone_number_id: string } };
    };
    change.value.metadata.phone_number_id = '999';
    expect(parseEntry(entryOf(payload), ctx)).toMatchObject({ items: [], otherNumbers: 1 });
  });

  it("hints the language of the number's country, in E.164", () => {
    expect(toE164('886912345678')).toBe('+886912345678');
    expect(toE164('+1 (650) 555-1234')).toBe('+16505551234');
    expect(['886912345678', '85291234567', '821012345678', '8613812345678', '819012345678', '4791234567'].map(languageOfPhone)).toEqual([
      'zh-Hant',
      'zh-Hant',
      'ko',
      'zh-Hans',
      'ja',
      'nb',
    ]);
    expect(languageOfPhone('41791234567')).toBeUndefined();
  });
});

describe('WhatsApp customer identity', () => {
  it('keeps one conversation when Meta starts sending a user id beside the phone, and never merges a group', async () => {
    const graph = await startFakeGraphApi({ token: 'x', phoneNumberId: PHONE_NUMBER_ID });
    const config = factory.readConfig(metaEnv(graph.graphUrl));
    if (config === undefined) throw new Error('no config');
    const state = memoryState();
    const [channel] = factory.create(config, () => ({ logger: captureLogger().logger, state, now: () => 0 })).channels as [
      import('../../../adapters/meta/index.ts').MetaChannel,
    ];
    const ids = async (payload: Record<string, unknown>) => (await channel.parseEntry(entryOf(payload))).events.map((e) => e.contact.id);
    expect(await ids(notification(incoming(textMessage)))).toEqual([WA_ID]);
    expect(await ids(notification(incoming(bsuidText, bsuidContact)))).toEqual([WA_ID]);
    expect(await ids(notification(incoming(groupText)))).toEqual([`group:${groupText.group_id}`]);
    // A person first seen with a user id is keyed by it, and replies reach the phone learned beside it.
    const fresh = memoryState();
    const [other] = factory.create(config, () => ({ logger: captureLogger().logger, state: fresh, now: () => 0 })).channels as [
      import('../../../adapters/meta/index.ts').MetaChannel,
    ];
    expect((await other.parseEntry(entryOf(notification(incoming(bsuidText, bsuidContact))))).events.map((e) => e.contact.id)).toEqual([
      USER_ID,
    ]);
    await other
      .send({ idempotencyKey: 'k', platform: 'whatsapp', account: PHONE_NUMBER_ID, contactId: USER_ID, text: 'hi' })
      .catch(() => undefined);
    expect(graph.callsOf('messages').map((c) => c.body.to)).toEqual([WA_ID]);
    await graph.close();
  });
});
