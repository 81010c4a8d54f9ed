import type { Update } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import { parseUpdate } from '../../../adapters/telegram/parse.ts';
import type { InboundMessage } from '../../../src/messages.ts';
import * as fx from '../../fixtures/telegram/updates.ts';

const ctx = { account: String(fx.botInfo.id), allowGroups: false };
const contact = { id: '1111111', name: 'Test Firstname Test Lastname', handle: 'Testusername', languageHint: 'en' };

function onlyMessage(update: Update, context = ctx): InboundMessage {
  const { events } = parseUpdate(update, context);
  expect(events).toHaveLength(1);
  const [event] = events;
  if (event?.kind !== 'message') throw new Error(`expected a message, got ${event?.kind}`);
  return event;
}

describe('parseUpdate', () => {
  it('turns a private text message into a message event keyed by chat and message id', () => {
    expect(onlyMessage(fx.privateText)).toEqual({
      kind: 'message',
      platform: 'telegram',
      eventId: '1111111:1365',
      account: '7777777',
      contact,
      occurredAt: '2015-09-07T17:05:32.000Z',
      messageId: '1365',
      text: 'Hello, where is my order?',
      attachments: [],
    });
  });

  it('keeps the eventId when the same message is delivered under another update_id', () => {
    expect(onlyMessage({ ...fx.privateText, update_id: 99999 }).eventId).toBe(onlyMessage(fx.privateText).eventId);
  });

  it('gives the quoted message id as replyTo', () => {
    expect(onlyMessage(fx.replyText).replyTo).toBe('1334');
  });

  it('takes the largest photo size and the caption as text', () => {
    const event = onlyMessage(fx.photoWithCaption);
    expect(event.text).toBe('The box arrived broken');
    expect(event.attachments).toEqual([{ kind: 'image', media: { platform: 'telegram', id: 'AgACAgIAAxkBAAIBlarge' } }]);
  });

  it('maps a document to a file with its MIME type and name', () => {
    expect(onlyMessage(fx.document).attachments).toEqual([
      { kind: 'file', media: { platform: 'telegram', id: 'AwADBAADbXXXXXXXXXXXGBdhD2l6_XX' }, mimeType: 'application/pdf', fileName: 'Testfile.pdf' },
    ]);
  });

  it('maps voice and audio to audio', () => {
    expect(onlyMessage(fx.voice).attachments).toEqual([{ kind: 'audio', media: { platform: 'telegram', id: 'AwADBAADbXXXXXXXXXXXGBdhD2l6_XX' }, mimeType: 'audio/ogg' }]);
    expect(onlyMessage(fx.audio).attachments).toEqual([{ kind: 'audio', media: { platform: 'telegram', id: 'AwADBAADbXXXXXXXXXXXGBdhD2l6_XX' }, mimeType: 'audio/mpeg' }]);
  });

  it('types stickers by format: animated TGS, video WEBM, static WEBP', () => {
    const sticker = fx.animatedSticker.message.sticker;
    const as = (is_animated: boolean, is_video: boolean) =>
      onlyMessage({ ...fx.animatedSticker, message: { ...fx.animatedSticker.message, sticker: { ...sticker, is_animated, is_video } } }).attachments[0];
    expect(as(true, false)).toEqual({ kind: 'sticker', media: { platform: 'telegram', id: sticker.file_id }, mimeType: 'application/x-tgsticker' });
    expect(as(false, true)).toMatchObject({ kind: 'sticker', mimeType: 'video/webm' });
    expect(as(false, false)).toMatchObject({ kind: 'sticker', mimeType: 'image/webp' });
  });

  it('maps an animation to one video, not also to the document Telegram adds for compatibility', () => {
    expect(onlyMessage(fx.animation).attachments).toEqual([
      { kind: 'video', media: { platform: 'telegram', id: 'CgACAgIAAxkBAAIBgif' }, mimeType: 'video/mp4', fileName: 'dance.mp4' },
    ]);
  });

  it('maps a location, and a venue to a named location', () => {
    expect(onlyMessage(fx.location).attachments).toEqual([{ kind: 'location', latitude: 52.520008, longitude: 13.404954 }]);
    expect(onlyMessage(fx.venue).attachments).toEqual([{ kind: 'location', latitude: 52.516275, longitude: 13.377704, name: 'Brandenburg Gate' }]);
  });

  it('maps a shared contact', () => {
    expect(onlyMessage(fx.contact).attachments).toEqual([{ kind: 'contact', name: 'Anna Schmidt', phone: '+4915112345678' }]);
  });

  it('marks an edit, with its own eventId per edit and the edit time', () => {
    const edit = onlyMessage(fx.editedText);
    expect(edit).toMatchObject({ edited: true, messageId: '1365', text: 'Edited text', occurredAt: '2015-09-07T17:23:20.000Z' });
    expect(edit.eventId).toBe('1111111:1365:edit:1441646600');
    expect(edit.eventId).not.toBe(onlyMessage(fx.privateText).eventId);
  });

  it('turns a reaction change into one event per emoji added or removed, skipping custom emoji', () => {
    const { events } = parseUpdate(fx.reactionChanged, ctx);
    const base = { kind: 'reaction', platform: 'telegram', account: '7777777', contact, occurredAt: '2015-09-07T17:25:00.000Z', messageId: '1400' };
    expect(events).toEqual([
      { ...base, eventId: '1111111:1400:reaction:1111111:1441646700:+❤', emoji: '❤', removed: false },
      { ...base, eventId: '1111111:1400:reaction:1111111:1441646700:-👍', emoji: '👍', removed: true },
    ]);
  });

  it('ignores a reaction change with only custom or paid reactions', () => {
    expect(parseUpdate(fx.customReactionOnly, ctx)).toEqual({ events: [], ignored: 'reaction change has no Unicode emoji' });
  });

  it('ignores group messages unless groups are allowed, then the group is the contact', () => {
    expect(parseUpdate(fx.groupText, ctx)).toEqual({ events: [], ignored: 'group chat (TELEGRAM_ALLOW_GROUPS is false)' });
    expect(onlyMessage(fx.groupText, { ...ctx, allowGroups: true })).toMatchObject({
      eventId: '-1001234567:88',
      contact: { id: '-1001234567', name: 'Support group', languageHint: 'en' },
      text: 'Hello group',
    });
  });

  it('turns my_chat_member in a private chat into the customer blocking or unblocking the bot', () => {
    expect(parseUpdate(fx.myChatMemberKicked, ctx).events).toEqual([{
      kind: 'contact_status', platform: 'telegram', account: '7777777', eventId: '1111111:member:1441647000:kicked',
      contact: { id: '1111111', name: 'Test Firstname Test Lastname', handle: 'Testusername', languageHint: 'en' },
      occurredAt: '2015-09-07T17:30:00.000Z', status: 'blocked',
    }]);
    const unblocked = { ...fx.myChatMemberKicked, my_chat_member: { ...fx.myChatMemberKicked.my_chat_member, new_chat_member: { ...fx.myChatMemberKicked.my_chat_member.old_chat_member } } };
    expect(parseUpdate(unblocked, ctx).events).toMatchObject([{ kind: 'contact_status', status: 'unblocked' }]);
  });

  it('names an unknown update kind', () => {
    expect(parseUpdate(fx.chatJoinRequest, ctx)).toEqual({ events: [], ignored: 'unknown update kind: chat_join_request', unknownKind: 'chat_join_request' });
  });

  it("ignores the bot's own messages", () => {
    expect(parseUpdate(fx.ownEcho, ctx)).toEqual({ events: [], ignored: 'our own message' });
  });

  it('produces plain JSON for every fixture', () => {
    const updates = (Object.values(fx) as object[]).filter((value): value is Update => 'update_id' in value);
    expect(updates.length).toBeGreaterThan(15);
    for (const update of updates) {
      const result = parseUpdate(update, { ...ctx, allowGroups: true });
      expect(JSON.parse(JSON.stringify(result))).toEqual(result);
    }
  });
});
