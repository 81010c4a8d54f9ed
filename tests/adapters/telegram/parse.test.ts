import type { Update } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import { parseUpdate } from '../../../adapters/telegram/parse.ts';
import type { InboundMessage } from '../../../src/messages.ts';
import * as malformed from '../../fixtures/telegram/malformed.ts';
import * as fx from '../../fixtures/telegram/updates.ts';

const ctx = { account: String(fx.botInfo.id), allowGroups: false, receivedAt: Date.parse('2024-05-06T07:08:09.000Z') };
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

  it('says from whom a forwarded message came: a user, a hidden user, a channel with its signature', () => {
    expect(onlyMessage(fx.privateText)).not.toHaveProperty('forwarded');
    expect(onlyMessage(fx.forwardedFromUser)).toMatchObject({ text: 'See what she wrote', forwarded: { from: 'Ann Berg' } });
    expect(onlyMessage(fx.forwardedFromHiddenUser).forwarded).toEqual({ from: 'Mystery Shopper' });
    expect(onlyMessage(fx.forwardedFromChannel).forwarded).toEqual({ from: 'Shop News, Lee' });
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
      {
        kind: 'file',
        media: { platform: 'telegram', id: 'AwADBAADbXXXXXXXXXXXGBdhD2l6_XX' },
        mimeType: 'application/pdf',
        fileName: 'Testfile.pdf',
      },
    ]);
  });

  it('maps voice and audio to audio', () => {
    expect(onlyMessage(fx.voice).attachments).toEqual([
      { kind: 'audio', media: { platform: 'telegram', id: 'AwADBAADbXXXXXXXXXXXGBdhD2l6_XX' }, mimeType: 'audio/ogg' },
    ]);
    expect(onlyMessage(fx.audio).attachments).toEqual([
      { kind: 'audio', media: { platform: 'telegram', id: 'AwADBAADbXXXXXXXXXXXGBdhD2l6_XX' }, mimeType: 'audio/mpeg' },
    ]);
  });

  it('types stickers by format: animated TGS, video WEBM, static WEBP', () => {
    const sticker = fx.animatedSticker.message.sticker;
    const as = (is_animated: boolean, is_video: boolean) =>
      onlyMessage({ ...fx.animatedSticker, message: { ...fx.animatedSticker.message, sticker: { ...sticker, is_animated, is_video } } })
        .attachments[0];
    expect(as(true, false)).toEqual({
      kind: 'sticker',
      media: { platform: 'telegram', id: sticker.file_id },
      mimeType: 'application/x-tgsticker',
    });
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
    expect(onlyMessage(fx.venue).attachments).toEqual([
      { kind: 'location', latitude: 52.516275, longitude: 13.377704, name: 'Brandenburg Gate' },
    ]);
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
    const base = {
      kind: 'reaction',
      platform: 'telegram',
      account: '7777777',
      contact,
      occurredAt: '2015-09-07T17:25:00.000Z',
      messageId: '1400',
    };
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
    expect(parseUpdate(fx.myChatMemberKicked, ctx).events).toEqual([
      {
        kind: 'contact_status',
        platform: 'telegram',
        account: '7777777',
        eventId: '1111111:member:1441647000:kicked',
        contact: { id: '1111111', name: 'Test Firstname Test Lastname', handle: 'Testusername', languageHint: 'en' },
        occurredAt: '2015-09-07T17:30:00.000Z',
        status: 'blocked',
      },
    ]);
    const unblocked = {
      ...fx.myChatMemberKicked,
      my_chat_member: {
        ...fx.myChatMemberKicked.my_chat_member,
        new_chat_member: { ...fx.myChatMemberKicked.my_chat_member.old_chat_member },
      },
    };
    expect(parseUpdate(unblocked, ctx).events).toMatchObject([{ kind: 'contact_status', status: 'unblocked' }]);
  });

  it('names an unknown update kind', () => {
    expect(parseUpdate(fx.chatJoinRequest, ctx)).toEqual({
      events: [],
      ignored: 'unknown update kind: chat_join_request',
      unknownKind: 'chat_join_request',
    });
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

describe('parseUpdate: messages it cannot read', () => {
  const received = '2024-05-06T07:08:09.000Z';
  const message = fx.privateText.message;

  it('turns a message whose text is a number into an unreadable message for the same customer', () => {
    expect(parseUpdate(malformed.textIsNumber, ctx)).toEqual({
      events: [
        {
          kind: 'message',
          platform: 'telegram',
          eventId: '1111111:1390',
          account: '7777777',
          contact,
          occurredAt: '2015-09-07T17:05:32.000Z',
          messageId: '1390',
          attachments: [],
          unreadable: { kind: 'message', reason: 'text is a number, not a string' },
        },
      ],
      malformed: { kind: 'message', reason: 'text is a number, not a string' },
    });
  });

  it('reads a deeply nested text as an array without recursing, and the event stays small plain JSON', () => {
    const result = parseUpdate(JSON.parse(malformed.deeplyNestedTextBody()), ctx);
    expect(result.events).toMatchObject([
      { eventId: '1111111:1391', unreadable: { kind: 'message', reason: 'text is an array, not a string' } },
    ]);
    expect(JSON.stringify(result).length).toBeLessThan(1000);
  });

  it('names the field and its type in the reason, never the value', () => {
    const update = {
      update_id: 1,
      message: { ...message, chat: { ...message.chat, type: 'secret words' }, from: { ...message.from, username: ['secret words'] } },
    };
    const { events, malformed: problem } = parseUpdate(update, ctx);
    expect(problem).toEqual({
      kind: 'message',
      reason: 'from.username is an array, not a string; chat.type is not one of the documented values',
    });
    expect(JSON.stringify(events)).not.toContain('secret words');
    // The chat type could not be read, so the customer is the person: name from the sender, no handle.
    expect(events).toMatchObject([{ contact: { id: '1111111', name: 'Test Firstname Test Lastname' } }]);
  });

  it('gives no event, only the problem, when the chat id or the message id cannot be read', () => {
    for (const broken of [{ ...message, chat: { type: 'private' } }, { ...message, message_id: '1365' }, null, []]) {
      const result = parseUpdate({ update_id: 2, message: broken }, ctx);
      expect(result.events).toEqual([]);
      expect(result.malformed?.kind).toBe('message');
      expect(result.ignored).toMatch(/^message without a readable chat id and message_id: /);
    }
  });

  it('shows a private message without a sender as unreadable, named from the chat; ignores one in a group', () => {
    const { from: _, ...anonymous } = message;
    expect(parseUpdate({ update_id: 3, message: anonymous }, ctx).events).toEqual([
      {
        kind: 'message',
        platform: 'telegram',
        eventId: '1111111:1365',
        account: '7777777',
        contact: { id: '1111111', name: 'Test Firstname Test Lastname', handle: 'Testusername' },
        occurredAt: '2015-09-07T17:05:32.000Z',
        messageId: '1365',
        attachments: [],
        unreadable: { kind: 'message', reason: 'from (the sender) is missing' },
      },
    ]);
    const { from: __, ...inGroup } = fx.groupText.message;
    expect(parseUpdate({ update_id: 4, message: inGroup }, { ...ctx, allowGroups: true })).toEqual({
      events: [],
      ignored: 'no sender user (anonymous or sent on behalf of a chat)',
    });
  });

  it("still ignores the bot's own messages, other bots and groups (when off) it cannot read", () => {
    const own = { update_id: 5, message: { ...fx.ownEcho.message, text: 42 } };
    expect(parseUpdate(own, ctx)).toMatchObject({ events: [], ignored: 'our own message', malformed: { kind: 'message' } });
    const bot = { update_id: 6, message: { ...message, from: { ...message.from, id: 123, is_bot: true }, text: 42 } };
    expect(parseUpdate(bot, ctx)).toMatchObject({ events: [], ignored: 'sent by a bot' });
    const group = { update_id: 7, message: { ...fx.groupText.message, text: 42 } };
    expect(parseUpdate(group, ctx)).toMatchObject({ events: [], ignored: 'group chat (TELEGRAM_ALLOW_GROUPS is false)' });
  });

  it('keeps edit ids for an edit it cannot read, using the update id when edit_date is unreadable too', () => {
    const edit = fx.editedText.edited_message;
    expect(parseUpdate({ update_id: 8, edited_message: { ...edit, text: 42 } }, ctx).events).toMatchObject([
      {
        eventId: '1111111:1365:edit:1441646600',
        edited: true,
        occurredAt: '2015-09-07T17:23:20.000Z',
        unreadable: { kind: 'edited_message' },
      },
    ]);
    expect(parseUpdate({ update_id: 9, edited_message: { ...edit, text: 42, edit_date: 'later' } }, ctx).events).toMatchObject([
      { eventId: '1111111:1365:edit:update-9', edited: true, occurredAt: '2015-09-07T17:05:32.000Z' },
    ]);
  });

  it('dates a message whose date cannot be read at its arrival', () => {
    const { date: _, ...undated } = message;
    expect(parseUpdate({ update_id: 10, message: undated }, ctx).events).toMatchObject([
      { occurredAt: received, unreadable: { reason: 'date is missing' } },
    ]);
    expect(parseUpdate({ update_id: 11, message: { ...message, date: 1e300 } }, ctx).events).toMatchObject([
      { occurredAt: received, unreadable: { reason: 'date is out of the documented range' } },
    ]);
    expect(parseUpdate({ update_id: 12, message: { ...message, date: 1441645532.5 } }, ctx).events).toMatchObject([
      { occurredAt: received, unreadable: { reason: 'date is a number with a fraction, not an integer' } },
    ]);
  });

  it('shows a private message with content it cannot show (dice) as unreadable, naming it, without a problem', () => {
    expect(parseUpdate(fx.dice, ctx)).toEqual({
      events: [
        {
          kind: 'message',
          platform: 'telegram',
          eventId: '1111111:1378',
          account: '7777777',
          contact,
          occurredAt: '2015-09-07T17:05:32.000Z',
          messageId: '1378',
          attachments: [],
          unreadable: { kind: 'message', reason: 'contains dice, which Threadline cannot show' },
        },
      ],
    });
    const groupDice = { ...fx.dice, message: { ...fx.dice.message, chat: fx.groupText.message.chat } };
    expect(parseUpdate(groupDice, { ...ctx, allowGroups: true })).toEqual({ events: [], ignored: 'message has no supported content' });
  });

  it('reports a reaction or member change without its documented fields, with no event', () => {
    const { new_reaction: _, ...reaction } = fx.reactionChanged.message_reaction;
    expect(parseUpdate({ update_id: 12, message_reaction: reaction }, ctx)).toEqual({
      events: [],
      ignored: 'message_reaction without its documented fields: new_reaction is missing',
      malformed: { kind: 'message_reaction', reason: 'new_reaction is missing' },
    });
    const change = { ...fx.myChatMemberKicked.my_chat_member, new_chat_member: { status: 'gone' } };
    expect(parseUpdate({ update_id: 13, my_chat_member: change }, ctx)).toMatchObject({
      events: [],
      malformed: { kind: 'my_chat_member', reason: 'new_chat_member.status is not one of the documented values' },
    });
    const noStatus = { ...fx.myChatMemberKicked.my_chat_member, new_chat_member: {} };
    expect(parseUpdate({ update_id: 14, my_chat_member: noStatus }, ctx).malformed?.reason).toBe('new_chat_member.status is missing');
  });

  it('never throws, and gives plain JSON, for any documented update with one field missing', () => {
    const variants = malformed.withOneFieldMissing();
    expect(variants.length).toBeGreaterThanOrEqual(170);
    for (const update of variants) {
      const result = parseUpdate(update, { ...ctx, allowGroups: true });
      expect(JSON.parse(JSON.stringify(result))).toEqual(result);
    }
  });
});
