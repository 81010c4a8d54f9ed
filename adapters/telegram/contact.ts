/**
 * Who a Telegram update is from: whether it is customer traffic at all, and the customer as a
 * Contact. Shared by readable updates and by messages Threadline could not read, so both apply the
 * same rules. The shapes are structural: a message that could not be read may lack a chat type or
 * a sender's names.
 */
import type { Contact } from '../../src/messages.ts';

/** What parsing needs to know about our side. */
export interface ParseContext {
  /** The bot's user id (from getMe), as a string. */
  readonly account: string;
  readonly allowGroups: boolean;
  /** Epoch milliseconds the update arrived: the timestamp of a message whose own date could not be read. */
  readonly receivedAt: number;
}

/** The chat fields read here. @see https://core.telegram.org/bots/api#chat */
export interface ChatFields {
  readonly id: number;
  /** "private", "group", "supergroup" or "channel"; undefined when it could not be read. */
  readonly type?: string | undefined;
  readonly title?: string | undefined;
  readonly username?: string | undefined;
  readonly first_name?: string | undefined;
  readonly last_name?: string | undefined;
}

/** The user fields read here. @see https://core.telegram.org/bots/api#user */
export interface SenderFields {
  readonly id: number;
  readonly is_bot?: boolean | undefined;
  readonly first_name?: string | undefined;
  readonly last_name?: string | undefined;
  readonly username?: string | undefined;
  readonly language_code?: string | undefined;
}

/**
 * Why traffic in `chat` from `sender` is not a customer's (a group while groups are off, our own
 * message, another bot), or undefined when it may be. A missing sender is left to the caller.
 * @see https://core.telegram.org/bots/api#chat (type: "private", "group", "supergroup" or "channel")
 */
export function notCustomer(chat: ChatFields, sender: SenderFields | undefined, ctx: ParseContext): string | undefined {
  if (chat.type !== undefined && chat.type !== 'private' && !ctx.allowGroups) return `${chat.type} chat (TELEGRAM_ALLOW_GROUPS is false)`;
  if (sender === undefined) return undefined;
  if (String(sender.id) === ctx.account) return 'our own message';
  if (sender.is_bot === true) return 'sent by a bot';
  return undefined;
}

/**
 * The customer: `id` is the chat id, where replies go. In a private chat (or one whose type could
 * not be read) the person's names, from the sender or else from the chat; in a group, the group.
 */
export function toContact(chat: ChatFields, sender: SenderFields | undefined): Contact {
  const personal = chat.type === undefined || chat.type === 'private';
  const person = sender ?? chat;
  const name = personal ? [person.first_name, person.last_name].filter(Boolean).join(' ') : chat.title;
  const handle = personal ? person.username : chat.username;
  return {
    id: String(chat.id),
    ...(name ? { name } : {}),
    ...(handle ? { handle } : {}),
    ...(sender?.language_code ? { languageHint: sender.language_code } : {}),
  };
}

/** Telegram dates are Unix seconds. */
export function toIso(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString();
}
