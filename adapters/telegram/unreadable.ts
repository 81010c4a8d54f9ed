/**
 * Telegram messages Threadline cannot read, as events: a message of a kind it handles whose fields
 * are not what the Bot API documents, or one whose content it cannot show. When the chat id and
 * the message id can be read, the customer is known and the thread shows a notice (InboundMessage
 * `unreadable`); otherwise nobody can be shown anything and the caller only logs it. Reasons name
 * fields and types, never values, so they hold none of the customer's words.
 */
import { z, type ZodError } from 'zod';
import type { InboundMessage } from '../../src/messages.ts';
import { notCustomer, toContact, toIso, type ParseContext } from './contact.ts';
import { chatSchema, unixTimeSchema } from './schema.ts';

/** The update kinds that carry a message. */
export type MessageKind = 'message' | 'edited_message';

/** A field kept only when it has its documented type. */
const lenient = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);

/**
 * What identifies a message and its customer. Strict about `message_id` and `chat.id` (without them
 * there is no one to show it to), lenient about the rest; a plain (stripping) object, so nothing
 * but these fields leaves it.
 * @see https://core.telegram.org/bots/api#message
 */
const identitySchema = z.object({
  message_id: z.int(),
  chat: z.object({
    id: z.int(),
    type: lenient(chatSchema.shape.type),
    title: lenient(z.string()),
    username: lenient(z.string()),
    first_name: lenient(z.string()),
    last_name: lenient(z.string()),
  }),
  from: lenient(
    z.object({
      id: z.int(),
      is_bot: lenient(z.boolean()),
      first_name: lenient(z.string()),
      last_name: lenient(z.string()),
      username: lenient(z.string()),
      language_code: lenient(z.string()),
    }),
  ),
  date: lenient(unixTimeSchema),
  edit_date: lenient(unixTimeSchema),
});

/** An unreadable-message event, or why there is none; `identified: false` when it names no chat and message. */
export type UnreadableOutcome = { readonly event: InboundMessage } | { readonly ignored: string; readonly identified: boolean };

/**
 * The event for a message that could not be read. Its id follows the readable rule
 * (`<chat>:<message_id>`, edits `…:edit:<edit_date>`), so a redelivery is recognised; an edit
 * without a readable `edit_date` uses the update id instead.
 */
export function toUnreadable(
  input: { readonly kind: MessageKind; readonly message: unknown; readonly reason: string; readonly updateId: number },
  ctx: ParseContext,
): UnreadableOutcome {
  const identity = identitySchema.safeParse(input.message);
  if (!identity.success) return { ignored: `${input.kind} without a readable chat id and message_id: ${input.reason}`, identified: false };
  const { chat, from, message_id: messageId, date, edit_date: editDate } = identity.data;
  const notOurs = notCustomer(chat, from, ctx);
  if (notOurs !== undefined) return { ignored: notOurs, identified: true };
  const edited = input.kind === 'edited_message';
  const base = `${chat.id}:${messageId}`;
  const when = (edited ? editDate : undefined) ?? date;
  return {
    event: {
      kind: 'message',
      platform: 'telegram',
      eventId: edited ? `${base}:edit:${editDate ?? `update-${input.updateId}`}` : base,
      account: ctx.account,
      contact: toContact(chat, from),
      occurredAt: when === undefined ? new Date(ctx.receivedAt).toISOString() : toIso(when),
      messageId: String(messageId),
      attachments: [],
      unreadable: { kind: input.kind, reason: input.reason },
      ...(edited ? { edited: true } : {}),
    },
  };
}

/** What is wrong with a payload, from its first two distinct schema issues: "text is a number, not a string". */
export function describeIssues(error: ZodError, input: unknown): string {
  const described = new Set(error.issues.map((issue) => describeIssue(issue, input)));
  return [...described].slice(0, 2).join('; ');
}

function describeIssue(issue: ZodError['issues'][number], input: unknown): string {
  const where = issue.path.length === 0 ? 'the payload' : issue.path.map(String).join('.');
  const value = valueAt(input, issue.path);
  if (value === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value' || issue.code === 'invalid_union'))
    return `${where} is missing`;
  switch (issue.code) {
    case 'invalid_type':
      return `${where} is ${typeOf(value)}, not ${EXPECTED[issue.expected] ?? issue.expected}`;
    case 'invalid_value':
      return `${where} is not one of the documented values`;
    case 'invalid_union':
      return `${where} is none of the documented kinds`;
    case 'too_big':
    case 'too_small':
      return `${where} is out of the documented range`;
    default:
      return `${where} does not have the documented form`;
  }
}

const EXPECTED: Readonly<Record<string, string>> = {
  string: 'a string',
  int: 'an integer',
  number: 'a number',
  boolean: 'a boolean',
  object: 'an object',
  array: 'an array',
};

/** The value at `path` in `input`, walked one step at a time. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || typeof key === 'symbol') return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'a number' : 'a number with a fraction';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/**
 * The fields of a message that describe it rather than carry its content, so that what is left
 * names the content Threadline cannot show (`poll`, `dice`, `game`, a service message…).
 * @see https://core.telegram.org/bots/api#message
 */
const ENVELOPE = new Set([
  'message_id',
  'message_thread_id',
  'from',
  'sender_chat',
  'sender_boost_count',
  'sender_business_bot',
  'date',
  'business_connection_id',
  'chat',
  'forward_origin',
  'is_topic_message',
  'is_automatic_forward',
  'reply_to_message',
  'external_reply',
  'quote',
  'reply_to_story',
  'via_bot',
  'edit_date',
  'has_protected_content',
  'is_from_offline',
  'media_group_id',
  'author_signature',
  'text',
  'entities',
  'link_preview_options',
  'effect_id',
  'caption',
  'caption_entities',
  'show_caption_above_media',
  'has_media_spoiler',
  'reply_markup',
]);

/** Bot API field names are lower-case words joined by underscores; anything else is not named. */
const FIELD_NAME = /^[a-z][a-z0-9_]{0,63}$/;

/** Why a well-formed message shows nothing: "contains poll, which Threadline cannot show". */
export function describeUnshownContent(message: object): string {
  const fields = Object.keys(message)
    .filter((key) => !ENVELOPE.has(key) && FIELD_NAME.test(key))
    .slice(0, 3);
  return fields.length === 0 ? 'it has no text, caption or media' : `contains ${fields.join(', ')}, which Threadline cannot show`;
}
