/**
 * Inbound: X DM events → InboundEvents. Pure: the users and media the events refer to come in the
 * context (from `includes`, the webhook's `users` map, or the cached user lookup).
 * @see https://docs.x.com/x-api/direct-messages/lookup/integrate
 */
import type { Attachment, Contact, InboundMessage } from '../../src/messages.ts';
import { dmEventSchema, type DmEvent, type XMedia, type XUser } from './schema.ts';

export interface ParseContext {
  /** Our account's user id (GET /2/users/me). */
  readonly account: string;
  readonly users: ReadonlyMap<string, XUser>;
  readonly media: ReadonlyMap<string, XMedia>;
  /** Used when an event carries no `created_at`. */
  readonly receivedAt: number;
}

/** What one DM event became. */
export type ParseResult =
  | {
      readonly outcome: 'message';
      readonly event: InboundMessage;
      /** True when our own account sent it (an API send's echo, or a colleague in the X app). */
      readonly ownSend: boolean;
    }
  /** A group conversation: Threadline bridges one-to-one DMs only. */
  | { readonly outcome: 'group'; readonly conversationId: string }
  /** An event type Threadline does not handle (ParticipantsJoin, ParticipantsLeave, anything new). */
  | { readonly outcome: 'unknown_kind'; readonly kind: string }
  /** Not a DM event at all (no id or type): nothing to show. */
  | { readonly outcome: 'malformed' };

/**
 * One-to-one conversation ids are `{smaller_user_id}-{larger_user_id}`; group ids are a single number.
 * @see https://docs.x.com/x-api/direct-messages/lookup/integrate
 */
const ONE_TO_ONE = /^([0-9]{1,19})-([0-9]{1,19})$/;

/** The customer of a one-to-one DM event: the participant who is not `account`; undefined for groups or unreadable ids. */
export function contactIdOf(raw: unknown, account: string): string | undefined {
  const event = raw as Partial<Record<'sender_id' | 'dm_conversation_id', unknown>> | null;
  if (typeof event !== 'object' || event === null) return undefined;
  const pair = typeof event.dm_conversation_id === 'string' ? ONE_TO_ONE.exec(event.dm_conversation_id) : null;
  if (pair !== null) return pair[1] === account ? pair[2] : pair[1];
  if (event.dm_conversation_id === undefined && typeof event.sender_id === 'string' && event.sender_id !== account) return event.sender_id;
  return undefined;
}

/** Turns one raw DM event into what it means for Threadline; never throws for bad input. */
export function parseDmEvent(raw: unknown, ctx: ParseContext): ParseResult {
  const parsed = dmEventSchema.safeParse(raw);
  if (!parsed.success) return unreadableOrMalformed(raw, ctx);
  const event = parsed.data;
  if (event.event_type !== 'MessageCreate') return { outcome: 'unknown_kind', kind: event.event_type };
  if (event.dm_conversation_id !== undefined && !ONE_TO_ONE.test(event.dm_conversation_id))
    return { outcome: 'group', conversationId: event.dm_conversation_id };
  const contactId = contactIdOf(event, ctx.account);
  if (contactId === undefined || event.sender_id === undefined) return unreadableOrMalformed(raw, ctx);
  const ownSend = event.sender_id === ctx.account;
  const { attachments, missing } = attachmentsOf(event, ctx.media);
  const text = event.text !== undefined && event.text.trim() !== '' ? event.text : undefined;
  const base = baseOf(event.id, contactId, event.created_at, ctx);
  if (text === undefined && attachments.length === 0) {
    const reason = missing > 0 ? 'an attachment X did not describe' : 'a message with no text and no attachment';
    return { outcome: 'message', ownSend, event: { ...base, unreadable: { kind: 'MessageCreate', reason } } };
  }
  return {
    outcome: 'message',
    ownSend,
    event: { ...base, ...(text === undefined ? {} : { text }), attachments, ...(ownSend ? { fromBusiness: true } : {}) },
  };
}

/** The fields of every message event. `messageId` and `eventId` are the DM event id, the same on every redelivery. */
function baseOf(id: string, contactId: string, createdAt: string | undefined, ctx: ParseContext): InboundMessage {
  const at = createdAt === undefined ? Number.NaN : Date.parse(createdAt);
  return {
    kind: 'message',
    platform: 'x',
    eventId: id,
    account: ctx.account,
    contact: contactOf(contactId, ctx.users.get(contactId)),
    occurredAt: new Date(Number.isNaN(at) ? ctx.receivedAt : at).toISOString(),
    messageId: id,
    attachments: [],
  };
}

/** @see https://docs.x.com/x-api/fundamentals/data-dictionary (User: name, username, profile_image_url) */
export function contactOf(id: string, user: XUser | undefined): Contact {
  return {
    id,
    ...(user?.name ? { name: user.name } : {}),
    ...(user?.username ? { handle: user.username } : {}),
    ...(user?.profile_image_url ? { avatarUrl: user.profile_image_url } : {}),
  };
}

/**
 * Photos as images, GIFs and videos as videos (the MP4 variant with the highest bit rate). The media
 * reference is the URL X serves the file at; downloading it needs the account's OAuth signature.
 * @see https://docs.x.com/x-api/fundamentals/data-dictionary (Media: type "photo", "animated_gif", "video"; variants)
 */
function attachmentsOf(event: DmEvent, media: ReadonlyMap<string, XMedia>): { attachments: Attachment[]; missing: number } {
  const attachments: Attachment[] = [];
  let missing = 0;
  for (const key of event.attachments?.media_keys ?? []) {
    const item = media.get(key);
    const file = item === undefined ? undefined : fileOf(item);
    if (file === undefined) missing += 1;
    else attachments.push(file);
  }
  return { attachments, missing };
}

function fileOf(item: XMedia): Attachment | undefined {
  if (item.type === 'photo' && item.url !== undefined) {
    const mimeType = imageType(item.url);
    return { kind: 'image', media: { platform: 'x', id: item.url }, ...(mimeType === undefined ? {} : { mimeType }) };
  }
  if (item.type === 'video' || item.type === 'animated_gif') {
    const best = (item.variants ?? [])
      .filter((v) => v.content_type === 'video/mp4')
      .sort((a, b) => (b.bit_rate ?? 0) - (a.bit_rate ?? 0))[0];
    if (best !== undefined) return { kind: 'video', media: { platform: 'x', id: best.url }, mimeType: 'video/mp4' };
  }
  return undefined;
}

function imageType(url: string): string | undefined {
  const extension = /\.([a-z]+)(?:$|[?#])/i.exec(url)?.[1]?.toLowerCase();
  if (extension === 'jpg' || extension === 'jpeg') return 'image/jpeg';
  if (extension === 'png') return 'image/png';
  if (extension === 'gif') return 'image/gif';
  if (extension === 'webp') return 'image/webp';
  return undefined;
}

/** A MessageCreate whose fields are not as documented but whose id and customer are readable is shown as unreadable. */
function unreadableOrMalformed(raw: unknown, ctx: ParseContext): ParseResult {
  const event = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const contactId = contactIdOf(raw, ctx.account);
  if (
    typeof event.id !== 'string' ||
    event.event_type !== 'MessageCreate' ||
    contactId === undefined ||
    typeof event.sender_id !== 'string'
  )
    return typeof event.event_type === 'string' && event.event_type !== 'MessageCreate' && typeof event.id === 'string'
      ? { outcome: 'unknown_kind', kind: event.event_type }
      : { outcome: 'malformed' };
  const createdAt = typeof event.created_at === 'string' ? event.created_at : undefined;
  return {
    outcome: 'message',
    ownSend: event.sender_id === ctx.account,
    event: {
      ...baseOf(event.id, contactId, createdAt, ctx),
      unreadable: { kind: 'MessageCreate', reason: 'a message whose fields are not as X documents them' },
    },
  };
}
