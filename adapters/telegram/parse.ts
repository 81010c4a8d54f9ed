/**
 * Telegram `Update` → Threadline events. Pure: no I/O, no clock, no logging. Each update kind is
 * checked against its documented shape (schema.ts) before anything is read: a message whose fields
 * are wrong becomes an unreadable message when it still names its chat and message, never a throw.
 */
import type { Attachment, ContactStatus, InboundEvent, InboundMessage, InboundReaction } from '../../src/messages.ts';
import { notCustomer, toContact, toIso, type ChatFields, type ParseContext, type SenderFields } from './contact.ts';
import {
  chatMemberUpdatedSchema,
  messageSchema,
  reactionSchema,
  type TelegramChatMemberUpdated,
  type TelegramMessage,
  type TelegramReaction,
} from './schema.ts';
import { describeIssues, describeUnshownContent, toUnreadable, type MessageKind, type UnreadableOutcome } from './unreadable.ts';

export type { ParseContext } from './contact.ts';

/** Events for one update; when there are none, `ignored` says why (for the log, never shown to users). */
export interface ParseResult {
  readonly events: InboundEvent[];
  readonly ignored?: string;
  /** Set when the update's kind is not one Threadline subscribes to: the caller logs it at warn, once per kind. */
  readonly unknownKind?: string;
  /** Set when an update of a kind Threadline handles lacks its documented fields: the caller warns once per kind. */
  readonly malformed?: { readonly kind: string; readonly reason: string };
}

/**
 * Update kinds Threadline asks Telegram for. `message_reaction` must be requested explicitly.
 * @see https://core.telegram.org/bots/api#getupdates (allowed_updates)
 */
export const ALLOWED_UPDATES = ['message', 'edited_message', 'message_reaction', 'my_chat_member'] as const;

/**
 * Turns one update into events. Event ids are stable across redeliveries of the same update and
 * unique per message: `${chat.id}:${message_id}` for a message, `…:edit:${edit_date}` for an edit,
 * `…:reaction:${user}:${date}:${+|-}${emoji}` for a reaction. `contact.id` is the chat id, which is
 * where replies go (the user's id in a private chat). Everything returned is plain JSON, built only
 * from fields the schemas checked.
 * @see https://core.telegram.org/bots/api#update
 */
export function parseUpdate(update: unknown, ctx: ParseContext): ParseResult {
  const fields: Readonly<Record<string, unknown>> =
    typeof update === 'object' && update !== null ? (update as Record<string, unknown>) : {};
  const updateId = Number.isSafeInteger(fields.update_id) ? Number(fields.update_id) : 0;
  if (fields.message !== undefined) return parseMessage('message', fields.message, updateId, ctx);
  if (fields.edited_message !== undefined) return parseMessage('edited_message', fields.edited_message, updateId, ctx);
  if (fields.message_reaction !== undefined) return parseReaction(fields.message_reaction, ctx);
  if (fields.my_chat_member !== undefined) return parseMemberChange(fields.my_chat_member, ctx);
  const kind = Object.keys(fields).find((key) => key !== 'update_id') ?? 'empty';
  return { events: [], ignored: `unknown update kind: ${kind}`, unknownKind: kind };
}

function parseMessage(kind: MessageKind, raw: unknown, updateId: number, ctx: ParseContext): ParseResult {
  const parsed = messageSchema.safeParse(raw);
  if (!parsed.success) {
    const reason = describeIssues(parsed.error, raw);
    return unreadable(toUnreadable({ kind, message: raw, reason, updateId }, ctx), { kind, reason });
  }
  const message = parsed.data;
  const notOurs = notCustomer(message.chat, message.from, ctx);
  if (notOurs !== undefined) return { events: [], ignored: notOurs };
  const personal = message.chat.type === 'private';
  // @see https://core.telegram.org/bots/api#message (from: "may be empty for messages sent to channels";
  //   a private chat always has a sender, so a message there without one is malformed)
  if (message.from === undefined) {
    if (!personal) return { events: [], ignored: 'no sender user (anonymous or sent on behalf of a chat)' };
    const reason = 'from (the sender) is missing';
    return unreadable(toUnreadable({ kind, message: raw, reason, updateId }, ctx), { kind, reason });
  }
  const attachments = toAttachments(message);
  const text = message.text ?? message.caption;
  if (text === undefined && attachments.length === 0) {
    // A customer's poll, dice or service message still shows in the thread, as something not shown.
    if (!personal) return { events: [], ignored: 'message has no supported content' };
    return unreadable(toUnreadable({ kind, message, reason: describeUnshownContent(message), updateId }, ctx));
  }

  const edited = kind === 'edited_message';
  const base = `${message.chat.id}:${message.message_id}`;
  const when = edited && message.edit_date !== undefined ? message.edit_date : message.date;
  const event: InboundMessage = {
    kind: 'message',
    platform: 'telegram',
    eventId: edited ? `${base}:edit:${when}` : base,
    account: ctx.account,
    contact: toContact(message.chat, message.from),
    occurredAt: toIso(when),
    messageId: String(message.message_id),
    attachments,
    ...(text === undefined ? {} : { text }),
    ...(message.reply_to_message ? { replyTo: String(message.reply_to_message.message_id) } : {}),
    ...(message.forward_origin ? { forwarded: forwardedFrom(message.forward_origin) } : {}),
    // @see https://core.telegram.org/bots/api#message (reply_to_story: set on replies to a story)
    ...(message.reply_to_story ? { context: { kind: 'story_reply' as const } } : {}),
    ...(edited ? { edited: true } : {}),
  };
  return { events: [event] };
}

function unreadable(outcome: UnreadableOutcome, malformed?: ParseResult['malformed']): ParseResult {
  const flag = malformed === undefined ? {} : { malformed };
  return 'event' in outcome ? { events: [outcome.event], ...flag } : { events: [], ignored: outcome.ignored, ...flag };
}

/** An update of a handled kind that cannot carry a message: nothing to show, so the caller warns. */
function malformedUpdate(kind: string, reason: string): ParseResult {
  return { events: [], ignored: `${kind} without its documented fields: ${reason}`, malformed: { kind, reason } };
}

/**
 * One event per emoji added (removed: false) or taken away (removed: true). Custom-emoji and paid
 * reactions have no Unicode form and are skipped.
 * @see https://core.telegram.org/bots/api#messagereactionupdated
 * @see https://core.telegram.org/bots/api#reactiontype
 */
function parseReaction(raw: unknown, ctx: ParseContext): ParseResult {
  const parsed = reactionSchema.safeParse(raw);
  if (!parsed.success) return malformedUpdate('message_reaction', describeIssues(parsed.error, raw));
  const reaction: TelegramReaction = parsed.data;
  const user = customerOf(reaction.chat, reaction.user, ctx);
  if (typeof user === 'string') return { events: [], ignored: user };
  const before = emojis(reaction.old_reaction);
  const after = emojis(reaction.new_reaction);
  const changes = [
    ...after.filter((e) => !before.includes(e)).map((emoji) => ({ emoji, removed: false })),
    ...before.filter((e) => !after.includes(e)).map((emoji) => ({ emoji, removed: true })),
  ];
  if (changes.length === 0) return { events: [], ignored: 'reaction change has no Unicode emoji' };
  const base = `${reaction.chat.id}:${reaction.message_id}:reaction:${user.id}:${reaction.date}`;
  const events = changes.map(
    ({ emoji, removed }): InboundReaction => ({
      kind: 'reaction',
      platform: 'telegram',
      eventId: `${base}:${removed ? '-' : '+'}${emoji}`,
      account: ctx.account,
      contact: toContact(reaction.chat, user),
      occurredAt: toIso(reaction.date),
      messageId: String(reaction.message_id),
      emoji,
      removed,
    }),
  );
  return { events };
}

/**
 * In a private chat, my_chat_member means the user blocked ("kicked") or unblocked ("member") the bot.
 * @see https://core.telegram.org/bots/api#update (my_chat_member: "In private chats, this update is
 *   received only when the bot is blocked or unblocked by the user.")
 * @see https://core.telegram.org/bots/api#chatmemberupdated
 */
function parseMemberChange(raw: unknown, ctx: ParseContext): ParseResult {
  const parsed = chatMemberUpdatedSchema.safeParse(raw);
  if (!parsed.success) return malformedUpdate('my_chat_member', describeIssues(parsed.error, raw));
  const change: TelegramChatMemberUpdated = parsed.data;
  const status = change.new_chat_member.status;
  if (change.chat.type !== 'private') return { events: [], ignored: `my_chat_member in a ${change.chat.type} chat: bot is now ${status}` };
  if (status !== 'kicked' && status !== 'member') return { events: [], ignored: `my_chat_member: bot is now ${status}` };
  const event: ContactStatus = {
    kind: 'contact_status',
    platform: 'telegram',
    eventId: `${change.chat.id}:member:${change.date}:${status}`,
    account: ctx.account,
    contact: toContact(change.chat, change.from),
    occurredAt: toIso(change.date),
    status: status === 'kicked' ? 'blocked' : 'unblocked',
  };
  return { events: [event] };
}

/** The sender when this is customer traffic, else the reason it is not. */
function customerOf<S extends SenderFields>(chat: ChatFields, sender: S | undefined, ctx: ParseContext): S | string {
  const notOurs = notCustomer(chat, sender, ctx);
  if (notOurs !== undefined) return notOurs;
  if (sender === undefined) return 'no sender user (anonymous or sent on behalf of a chat)';
  return sender;
}

/**
 * At most one media kind is set per message. `animation` also sets `document`, and `venue` also
 * sets `location`, "for backward compatibility", so those are checked first.
 * @see https://core.telegram.org/bots/api#message
 */
function toAttachments(m: TelegramMessage): Attachment[] {
  const media = (
    kind: 'image' | 'audio' | 'video' | 'file' | 'sticker',
    fileId: string,
    mimeType?: string,
    fileName?: string,
  ): Attachment => ({
    kind,
    media: { platform: 'telegram', id: fileId },
    ...(mimeType ? { mimeType } : {}),
    ...(fileName ? { fileName } : {}),
  });
  if (m.photo && m.photo.length > 0) {
    const largest = m.photo.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));
    return [media('image', largest.file_id)];
  }
  if (m.animation) return [media('video', m.animation.file_id, m.animation.mime_type, m.animation.file_name)];
  if (m.document) return [media('file', m.document.file_id, m.document.mime_type, m.document.file_name)];
  if (m.voice) return [media('audio', m.voice.file_id, m.voice.mime_type)];
  if (m.audio) return [media('audio', m.audio.file_id, m.audio.mime_type, m.audio.file_name)];
  if (m.video) return [media('video', m.video.file_id, m.video.mime_type, m.video.file_name)];
  if (m.video_note) return [media('video', m.video_note.file_id)];
  if (m.sticker) {
    // @see https://core.telegram.org/stickers (static: WEBP, animated: TGS, video: WEBM)
    const mime = m.sticker.is_animated ? 'application/x-tgsticker' : m.sticker.is_video ? 'video/webm' : 'image/webp';
    return [media('sticker', m.sticker.file_id, mime)];
  }
  if (m.venue)
    return [{ kind: 'location', latitude: m.venue.location.latitude, longitude: m.venue.location.longitude, name: m.venue.title }];
  if (m.location) return [{ kind: 'location', latitude: m.location.latitude, longitude: m.location.longitude }];
  if (m.contact) {
    const name = [m.contact.first_name, m.contact.last_name].filter(Boolean).join(' ');
    return [{ kind: 'contact', name, phone: m.contact.phone_number }];
  }
  return [];
}

function emojis(reactions: TelegramReaction['new_reaction']): string[] {
  return reactions.flatMap((r) => (r.type === 'emoji' ? [r.emoji] : []));
}

/**
 * Who wrote a forwarded message, as Telegram names them: the user, the name a hidden user shows,
 * or the group's or channel's title (with the author's signature when the post carries one).
 * @see https://core.telegram.org/bots/api#messageorigin
 */
function forwardedFrom(origin: NonNullable<TelegramMessage['forward_origin']>): { from?: string } {
  const user = origin.sender_user;
  const chat = origin.sender_chat ?? origin.chat;
  const name =
    user !== undefined
      ? [user.first_name, user.last_name].filter(Boolean).join(' ')
      : (origin.sender_user_name ??
        (chat?.title !== undefined ? [chat.title, origin.author_signature].filter(Boolean).join(', ') : undefined));
  return name === undefined || name === '' ? {} : { from: name };
}
