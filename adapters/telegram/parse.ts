/** Telegram `Update` → Threadline events. Pure: no I/O, no clock, no logging. */
import type { Chat, ChatMemberUpdated, Message, MessageReactionUpdated, ReactionType, Update, User } from 'grammy/types';
import type { Attachment, Contact, ContactStatus, InboundEvent, InboundMessage, InboundReaction } from '../../src/messages.ts';

/** What parsing needs to know about our side. */
export interface ParseContext {
  /** The bot's user id (from getMe), as a string. */
  readonly account: string;
  readonly allowGroups: boolean;
}

/** Events for one update; when there are none, `ignored` says why (for the log, never shown to users). */
export interface ParseResult {
  readonly events: InboundEvent[];
  readonly ignored?: string;
  /** Set when the update's kind is not one Threadline subscribes to: the caller logs it at warn. */
  readonly unknownKind?: string;
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
 * where replies go (the user's id in a private chat). Everything returned is plain JSON.
 * @see https://core.telegram.org/bots/api#update
 */
export function parseUpdate(update: Update, ctx: ParseContext): ParseResult {
  if (update.message) return parseMessage(update.message, ctx, false);
  if (update.edited_message) return parseMessage(update.edited_message, ctx, true);
  if (update.message_reaction) return parseReaction(update.message_reaction, ctx);
  if (update.my_chat_member) return parseMemberChange(update.my_chat_member, ctx);
  const kind = Object.keys(update).find((key) => key !== 'update_id') ?? 'empty';
  return { events: [], ignored: `unknown update kind: ${kind}`, unknownKind: kind };
}

function parseMessage(message: Message, ctx: ParseContext, edited: boolean): ParseResult {
  const from = customerOf(message.chat, message.from, ctx);
  if (typeof from === 'string') return { events: [], ignored: from };
  const attachments = toAttachments(message);
  const text = message.text ?? message.caption;
  if (text === undefined && attachments.length === 0) return { events: [], ignored: 'message has no supported content' };

  const base = `${message.chat.id}:${message.message_id}`;
  const when = edited && message.edit_date !== undefined ? message.edit_date : message.date;
  const event: InboundMessage = {
    kind: 'message',
    platform: 'telegram',
    eventId: edited ? `${base}:edit:${when}` : base,
    account: ctx.account,
    contact: toContact(message.chat, from),
    occurredAt: toIso(when),
    messageId: String(message.message_id),
    attachments,
    ...(text === undefined ? {} : { text }),
    ...(message.reply_to_message ? { replyTo: String(message.reply_to_message.message_id) } : {}),
    // @see https://core.telegram.org/bots/api#message (reply_to_story: set on replies to a story)
    ...(message.reply_to_story ? { context: { kind: 'story_reply' as const } } : {}),
    ...(edited ? { edited: true } : {}),
  };
  return { events: [event] };
}

/**
 * One event per emoji added (removed: false) or taken away (removed: true). Custom-emoji and paid
 * reactions have no Unicode form and are skipped.
 * @see https://core.telegram.org/bots/api#messagereactionupdated
 * @see https://core.telegram.org/bots/api#reactiontype
 */
function parseReaction(reaction: MessageReactionUpdated, ctx: ParseContext): ParseResult {
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
  const events = changes.map(({ emoji, removed }): InboundReaction => ({
    kind: 'reaction',
    platform: 'telegram',
    eventId: `${base}:${removed ? '-' : '+'}${emoji}`,
    account: ctx.account,
    contact: toContact(reaction.chat, user),
    occurredAt: toIso(reaction.date),
    messageId: String(reaction.message_id),
    emoji,
    removed,
  }));
  return { events };
}

/**
 * In a private chat, my_chat_member means the user blocked ("kicked") or unblocked ("member") the bot.
 * @see https://core.telegram.org/bots/api#update (my_chat_member: "In private chats, this update is
 *   received only when the bot is blocked or unblocked by the user.")
 * @see https://core.telegram.org/bots/api#chatmemberupdated
 */
function parseMemberChange(change: ChatMemberUpdated, ctx: ParseContext): ParseResult {
  const status = change.new_chat_member.status;
  if (change.chat.type !== 'private') return { events: [], ignored: `my_chat_member in a ${change.chat.type} chat: bot is now ${status}` };
  if (status !== 'kicked' && status !== 'member') return { events: [], ignored: `my_chat_member: bot is now ${status}` };
  const event: ContactStatus = {
    kind: 'contact_status',
    platform: 'telegram',
    eventId: `${change.chat.id}:member:${change.date}:${status}`,
    account: ctx.account,
    contact: toContact(change.chat, change.from),
    occurredAt: new Date(change.date * 1000).toISOString(),
    status: status === 'kicked' ? 'blocked' : 'unblocked',
  };
  return { events: [event] };
}

/** The sender when this is customer traffic, else the reason it is not. */
function customerOf(chat: Chat, sender: User | undefined, ctx: ParseContext): User | string {
  // @see https://core.telegram.org/bots/api#chat (type: "private", "group", "supergroup" or "channel")
  if (chat.type !== 'private' && !ctx.allowGroups) return `${chat.type} chat (TELEGRAM_ALLOW_GROUPS is false)`;
  if (sender === undefined) return 'no sender user (anonymous or sent on behalf of a chat)';
  if (String(sender.id) === ctx.account) return 'our own message';
  if (sender.is_bot) return 'sent by a bot';
  return sender;
}

function toContact(chat: Chat, sender: User): Contact {
  const name = chat.type === 'private' ? [sender.first_name, sender.last_name].filter(Boolean).join(' ') : chat.title;
  const handle = chat.type === 'private' ? sender.username : chat.username;
  return {
    id: String(chat.id),
    ...(name ? { name } : {}),
    ...(handle ? { handle } : {}),
    ...(sender.language_code ? { languageHint: sender.language_code } : {}),
  };
}

/**
 * At most one media kind is set per message. `animation` also sets `document`, and `venue` also
 * sets `location`, "for backward compatibility", so those are checked first.
 * @see https://core.telegram.org/bots/api#message
 */
function toAttachments(m: Message): Attachment[] {
  const media = (kind: 'image' | 'audio' | 'video' | 'file' | 'sticker', fileId: string, mimeType?: string, fileName?: string): Attachment => ({
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
  if (m.venue) return [{ kind: 'location', latitude: m.venue.location.latitude, longitude: m.venue.location.longitude, name: m.venue.title }];
  if (m.location) return [{ kind: 'location', latitude: m.location.latitude, longitude: m.location.longitude }];
  if (m.contact) {
    const name = [m.contact.first_name, m.contact.last_name].filter(Boolean).join(' ');
    return [{ kind: 'contact', name, phone: m.contact.phone_number }];
  }
  return [];
}

function emojis(reactions: readonly ReactionType[]): string[] {
  return reactions.flatMap((r) => (r.type === 'emoji' ? [r.emoji] : []));
}

/** Telegram dates are Unix seconds. */
function toIso(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString();
}
