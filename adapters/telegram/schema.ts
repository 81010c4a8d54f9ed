/**
 * The shapes of the Telegram updates Threadline handles, as the Bot API documents them. Each schema
 * declares the fields parse.ts reads, with the documented type and optionality; every other field
 * passes unchecked (loose objects), because Telegram adds fields in every Bot API release and a new
 * one must never make a message unreadable. What passes holds only strings, numbers and booleans
 * where parse.ts reads, so nothing deep or unexpected can reach an event.
 * @see https://core.telegram.org/bots/api#available-types
 */
import { z } from 'zod';

/**
 * "Date … in Unix time": whole seconds, within what a JavaScript Date can hold, so that turning it
 * into ISO 8601 cannot throw.
 * @see https://core.telegram.org/bots/api#message (date)
 */
export const unixTimeSchema = z.int().min(0).max(8_640_000_000_000);

/** @see https://core.telegram.org/bots/api#user */
export const userSchema = z.looseObject({
  id: z.int(),
  is_bot: z.boolean(),
  first_name: z.string(),
  last_name: z.string().optional(),
  username: z.string().optional(),
  language_code: z.string().optional(),
});

/** @see https://core.telegram.org/bots/api#chat (type: "private", "group", "supergroup" or "channel") */
export const chatSchema = z.looseObject({
  id: z.int(),
  type: z.enum(['private', 'group', 'supergroup', 'channel']),
  title: z.string().optional(),
  username: z.string().optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
});

/** @see https://core.telegram.org/bots/api#photosize */
const photoSizeSchema = z.looseObject({ file_id: z.string(), width: z.int(), height: z.int() });

/** The file fields read from animation, document, audio and video. @see https://core.telegram.org/bots/api#document */
const namedFileSchema = z.looseObject({ file_id: z.string(), file_name: z.string().optional(), mime_type: z.string().optional() });

/** @see https://core.telegram.org/bots/api#location */
const locationSchema = z.looseObject({ latitude: z.number(), longitude: z.number() });

/**
 * @see https://core.telegram.org/bots/api#message
 * @see https://core.telegram.org/bots/api#voice
 * @see https://core.telegram.org/bots/api#videonote
 * @see https://core.telegram.org/bots/api#sticker
 * @see https://core.telegram.org/bots/api#venue
 * @see https://core.telegram.org/bots/api#contact
 * @see https://core.telegram.org/bots/api#story
 */
/**
 * Where a forwarded message came from: a user, a user who hides their account, a group or a channel.
 * @see https://core.telegram.org/bots/api#messageorigin
 */
const messageOriginSchema = z.looseObject({
  type: z.string(),
  sender_user: userSchema.optional(),
  sender_user_name: z.string().optional(),
  sender_chat: chatSchema.optional(),
  chat: chatSchema.optional(),
  author_signature: z.string().optional(),
});

export const messageSchema = z.looseObject({
  message_id: z.int(),
  forward_origin: messageOriginSchema.optional(),
  from: userSchema.optional(),
  chat: chatSchema,
  date: unixTimeSchema,
  edit_date: unixTimeSchema.optional(),
  text: z.string().optional(),
  caption: z.string().optional(),
  // Only the quoted message's id is read ("will not contain further reply_to_message fields").
  reply_to_message: z.looseObject({ message_id: z.int() }).optional(),
  reply_to_story: z.looseObject({ chat: chatSchema, id: z.int() }).optional(),
  photo: z.array(photoSizeSchema).optional(),
  animation: namedFileSchema.optional(),
  document: namedFileSchema.optional(),
  voice: z.looseObject({ file_id: z.string(), mime_type: z.string().optional() }).optional(),
  audio: namedFileSchema.optional(),
  video: namedFileSchema.optional(),
  video_note: z.looseObject({ file_id: z.string() }).optional(),
  sticker: z.looseObject({ file_id: z.string(), is_animated: z.boolean(), is_video: z.boolean() }).optional(),
  venue: z.looseObject({ location: locationSchema, title: z.string() }).optional(),
  location: locationSchema.optional(),
  contact: z.looseObject({ phone_number: z.string(), first_name: z.string(), last_name: z.string().optional() }).optional(),
});

/**
 * "Currently, it can be one of ReactionTypeEmoji, ReactionTypeCustomEmoji, ReactionTypePaid."
 * @see https://core.telegram.org/bots/api#reactiontype
 */
const reactionTypeSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('emoji'), emoji: z.string() }),
  z.looseObject({ type: z.literal('custom_emoji'), custom_emoji_id: z.string() }),
  z.looseObject({ type: z.literal('paid') }),
]);

/** @see https://core.telegram.org/bots/api#messagereactionupdated */
export const reactionSchema = z.looseObject({
  chat: chatSchema,
  message_id: z.int(),
  user: userSchema.optional(),
  date: unixTimeSchema,
  old_reaction: z.array(reactionTypeSchema),
  new_reaction: z.array(reactionTypeSchema),
});

/**
 * @see https://core.telegram.org/bots/api#chatmemberupdated
 * @see https://core.telegram.org/bots/api#chatmember (status of each of the six kinds)
 */
export const chatMemberUpdatedSchema = z.looseObject({
  chat: chatSchema,
  from: userSchema,
  date: unixTimeSchema,
  new_chat_member: z.looseObject({ status: z.enum(['creator', 'administrator', 'member', 'restricted', 'left', 'kicked']) }),
});

export type TelegramUser = z.infer<typeof userSchema>;
export type TelegramChat = z.infer<typeof chatSchema>;
export type TelegramMessage = z.infer<typeof messageSchema>;
export type TelegramReaction = z.infer<typeof reactionSchema>;
export type TelegramChatMemberUpdated = z.infer<typeof chatMemberUpdatedSchema>;
