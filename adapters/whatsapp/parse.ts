/**
 * WhatsApp webhook entries → InboundEvents. Pure: who the customer is gets settled by the channel
 * (index.ts), which keeps one conversation per person when Meta starts sending a business-scoped
 * user id beside the phone number; here each event carries the identifiers it was sent with.
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages
 */
import type { ChannelErrorKind } from '../../src/errors.ts';
import type { Attachment, Contact, InboundEvent, InboundMessage } from '../../src/messages.ts';
import { languageOfPhone, toE164 } from './country.ts';
import { kindOfCode } from './errors.ts';
import {
  entrySchema,
  messageSchema,
  profileSchema,
  statusSchema,
  valueSchema,
  type WhatsAppMessage,
  type WhatsAppProfile,
  type WhatsAppStatus,
} from './schema.ts';

/** Who an event is from, as the payload names them. */
export interface Identity {
  /** Business-scoped user id (`US.1349…`), when Meta sends one. */
  readonly userId?: string;
  /** The phone in E.164 (`+16315551234`). */
  readonly phone?: string;
  /** A group conversation (Cloud API groups): never merged into a person's conversation. */
  readonly groupId?: string;
}

/** An event whose `contact.id` the channel still settles from `identity`. */
export interface Parsed {
  readonly event: InboundEvent;
  readonly identity: Identity;
  /**
   * The catalog product a customer asks about (a product inquiry): the event's text starts with
   * `productLine(product)`, which the channel replaces by the line with the product's name once known.
   */
  readonly product?: ReferredProduct;
}

/** A product of the business's catalog, as `context.referred_product` names it. */
export interface ReferredProduct {
  readonly catalogId: string;
  readonly retailerId: string;
}

/**
 * The line a product inquiry starts with: the product's name when known, its retailer id (and
 * catalog) otherwise.
 */
export function productLine(product: ReferredProduct, name?: string): string {
  return name === undefined
    ? `[Asks about product ${product.retailerId} (catalog ${product.catalogId})]`
    : `[Asks about product “${name}” (${product.retailerId})]`;
}

export interface EntryParse {
  readonly items: readonly Parsed[];
  /** Kinds not handled (`field:account_update`, `message:order`, `status:sent`…). */
  readonly unknown: readonly string[];
  /** Traffic for another phone number of the same business account. */
  readonly otherNumbers: number;
}

/** What parsing needs of our side. */
export interface ParseContext {
  readonly phoneNumberId: string;
}

/** Message types read here; any other is shown as a message Threadline cannot read. */
const MEDIA_KINDS = { image: 'image', audio: 'audio', video: 'video', document: 'file', sticker: 'sticker' } as const;

export function parseEntry(entry: unknown, ctx: ParseContext): EntryParse {
  const items: Parsed[] = [];
  const unknown: string[] = [];
  let otherNumbers = 0;
  const parsedEntry = entrySchema.safeParse(entry);
  if (!parsedEntry.success) return { items, unknown: ['malformed:entry'], otherNumbers };
  for (const change of parsedEntry.data.changes) {
    if (change.field !== 'messages') {
      unknown.push(`field:${change.field}`);
      continue;
    }
    const value = valueSchema.safeParse(change.value);
    if (!value.success) {
      unknown.push('malformed:value');
      continue;
    }
    if (value.data.metadata.phone_number_id !== ctx.phoneNumberId) {
      otherNumbers += 1;
      continue;
    }
    const profiles = (value.data.contacts ?? []).flatMap((c) => {
      const p = profileSchema.safeParse(c);
      return p.success ? [p.data] : [];
    });
    for (const raw of value.data.messages ?? []) {
      const result = parseMessage(raw, profiles, ctx);
      if (result.unknown !== undefined) unknown.push(result.unknown);
      if (result.item !== undefined) items.push(result.item);
    }
    for (const raw of value.data.statuses ?? []) {
      const status = statusSchema.safeParse(raw);
      if (!status.success) {
        unknown.push('malformed:status');
        continue;
      }
      const item = parseStatus(status.data, ctx);
      if (item === undefined) continue;
      items.push(item);
    }
  }
  return { items, unknown, otherNumbers };
}

function parseMessage(raw: unknown, profiles: readonly WhatsAppProfile[], ctx: ParseContext): { item?: Parsed; unknown?: string } {
  const parsed = messageSchema.safeParse(raw);
  if (!parsed.success) {
    const unreadable = toUnreadable(raw, profiles, ctx, describe(parsed.error.issues));
    return unreadable === undefined ? { unknown: 'malformed:message' } : { item: unreadable };
  }
  const message = parsed.data;
  const identity = identityOf(message.from, message.from_user_id, message.group_id);
  if (identity === undefined) return { unknown: 'malformed:message' };
  const base = {
    platform: 'whatsapp' as const,
    account: ctx.phoneNumberId,
    contact: contactOf(identity, profileFor(profiles, message.from, message.from_user_id), message.from),
    occurredAt: toIso(message.timestamp),
  };
  if (message.type === 'reaction' && message.reaction !== undefined) {
    // An empty or absent emoji is the reaction taken back.
    const emoji = message.reaction.emoji ?? '';
    return {
      item: {
        identity,
        event: { ...base, kind: 'reaction', eventId: message.id, messageId: message.reaction.message_id, emoji, removed: emoji === '' },
      },
    };
  }
  const content = contentOf(message);
  if (content === undefined) {
    const event: InboundMessage = {
      ...base,
      kind: 'message',
      eventId: message.id,
      messageId: message.id,
      attachments: [],
      unreadable: { kind: `${message.type} message`, reason: `Threadline cannot show WhatsApp ${message.type} messages yet` },
    };
    return { item: { identity, event }, unknown: `message:${message.type}` };
  }
  const replyTo = message.context?.id;
  const referred = message.context?.referred_product;
  const product = referred === undefined ? undefined : { catalogId: referred.catalog_id, retailerId: referred.product_retailer_id };
  const text = [product && productLine(product), content.text]
    .filter((line): line is string => line !== undefined && line !== '')
    .join('\n');
  const event: InboundMessage = {
    ...base,
    kind: 'message',
    eventId: message.id,
    messageId: message.id,
    ...(text === '' ? {} : { text }),
    attachments: content.attachments,
    ...(replyTo !== undefined && product === undefined ? { replyTo } : {}),
    // context.forwarded / frequently_forwarded are flags only: WhatsApp does not say from whom.
    // @see https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages
    ...(message.context?.forwarded || message.context?.frequently_forwarded
      ? { forwarded: message.context.frequently_forwarded ? { frequently: true } : {} }
      : {}),
  };
  return { item: { identity, event, ...(product === undefined ? {} : { product }) } };
}

/** The text and attachments of a message of a type read here; undefined for any other type. */
function contentOf(message: WhatsAppMessage): { text?: string; attachments: Attachment[] } | undefined {
  switch (message.type) {
    case 'text':
      return message.text === undefined ? undefined : { text: message.text.body, attachments: [] };
    case 'image':
    case 'audio':
    case 'video':
    case 'document':
    case 'sticker': {
      const media = message[message.type];
      if (media === undefined) return undefined;
      const attachment: Attachment = {
        kind: MEDIA_KINDS[message.type],
        media: { platform: 'whatsapp', id: media.id },
        ...(media.mime_type ? { mimeType: media.mime_type } : {}),
        ...(media.filename ? { fileName: media.filename } : {}),
        ...(media.caption ? { caption: media.caption } : {}),
      };
      return { ...(media.caption ? { text: media.caption } : {}), attachments: [attachment] };
    }
    case 'location': {
      const place = message.location;
      if (place === undefined) return undefined;
      const name = [place.name, place.address].filter(Boolean).join(', ');
      return { attachments: [{ kind: 'location', latitude: place.latitude, longitude: place.longitude, ...(name ? { name } : {}) }] };
    }
    case 'contacts': {
      const cards = message.contacts ?? [];
      return {
        attachments: cards.map((card) => {
          const name = card.name?.formatted_name ?? ([card.name?.first_name, card.name?.last_name].filter(Boolean).join(' ') || 'Contact');
          const phone = card.phones?.find((p) => p.phone !== undefined)?.phone;
          return { kind: 'contact' as const, name, ...(phone ? { phone } : {}) };
        }),
      };
    }
    case 'interactive': {
      const reply = message.interactive?.button_reply ?? message.interactive?.list_reply;
      if (reply === undefined) return undefined;
      const description = message.interactive?.list_reply?.description;
      return { text: description ? `${reply.title} — ${description}` : reply.title, attachments: [] };
    }
    case 'button':
      return message.button === undefined ? undefined : { text: message.button.text, attachments: [] };
    default:
      return undefined;
  }
}

/**
 * A status of a message we sent: `delivered`, `read` (and `played`, a voice message listened to)
 * and `failed` become delivery events; `sent` only repeats what the send already said.
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/status/
 */
function parseStatus(status: WhatsAppStatus, ctx: ParseContext): Parsed | undefined {
  const mapped = status.status === 'played' ? 'read' : status.status;
  if (mapped !== 'delivered' && mapped !== 'read' && mapped !== 'failed') return undefined;
  const identity = identityOf(status.recipient_id, status.recipient_user_id, undefined);
  if (identity === undefined) return undefined;
  const error = status.errors?.[0];
  const kind: ChannelErrorKind | undefined = error === undefined ? undefined : kindOfCode(error.code);
  return {
    identity,
    event: {
      kind: 'delivery',
      platform: 'whatsapp',
      eventId: `status:${status.id}:${status.status}`,
      account: ctx.phoneNumberId,
      contact: contactOf(identity, undefined, status.recipient_id),
      occurredAt: toIso(status.timestamp),
      messageId: status.id,
      status: mapped,
      ...(mapped === 'failed'
        ? {
            failure: {
              code: String(error?.code ?? 'unknown'),
              title: error?.error_data?.details ?? error?.message ?? error?.title ?? 'WhatsApp could not deliver the message',
              ...(kind === undefined ? {} : { kind }),
            },
          }
        : {}),
    },
  };
}

/** A message whose fields are not the documented ones but whose id and sender can still be read. */
function toUnreadable(raw: unknown, profiles: readonly WhatsAppProfile[], ctx: ParseContext, reason: string): Parsed | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const id = str(r.id);
  const from = str(r.from);
  const identity = identityOf(from, str(r.from_user_id), str(r.group_id));
  if (id === undefined || identity === undefined) return undefined;
  const seconds = str(r.timestamp);
  const event: InboundMessage = {
    kind: 'message',
    platform: 'whatsapp',
    eventId: id,
    account: ctx.phoneNumberId,
    contact: contactOf(identity, profileFor(profiles, from, str(r.from_user_id)), from),
    occurredAt: seconds !== undefined && /^[0-9]{1,12}$/.test(seconds) ? toIso(seconds) : new Date(0).toISOString(),
    messageId: id,
    attachments: [],
    unreadable: { kind: `${str(r.type) ?? 'unknown'} message`.replace(/[^a-z_ ]/gi, ''), reason },
  };
  return { identity, event };
}

function identityOf(from: string | undefined, userId: string | undefined, groupId: string | undefined): Identity | undefined {
  const phone = from === undefined ? undefined : toE164(from);
  if (phone === undefined && userId === undefined && groupId === undefined) return undefined;
  return { ...(userId ? { userId } : {}), ...(phone ? { phone } : {}), ...(groupId ? { groupId } : {}) };
}

/** The profile of the sender among `contacts[]`: by user id, else by phone, else the only one. */
function profileFor(
  profiles: readonly WhatsAppProfile[],
  from: string | undefined,
  userId: string | undefined,
): WhatsAppProfile | undefined {
  const phone = from === undefined ? undefined : toE164(from);
  return (
    profiles.find((p) => userId !== undefined && p.user_id === userId) ??
    profiles.find((p) => phone !== undefined && p.wa_id !== undefined && toE164(p.wa_id) === phone) ??
    (profiles.length === 1 ? profiles[0] : undefined)
  );
}

/** The preliminary contact (its id is settled by the channel); the phone's country is the language hint. */
function contactOf(identity: Identity, profile: WhatsAppProfile | undefined, from: string | undefined): Contact {
  const id = identity.groupId !== undefined ? `group:${identity.groupId}` : (identity.userId ?? (identity.phone as string).slice(1));
  const name = profile?.profile?.name;
  const handle = profile?.profile?.username;
  const hint = identity.groupId === undefined && from !== undefined ? languageOfPhone(from) : undefined;
  return { id, ...(name ? { name } : {}), ...(handle ? { handle } : {}), ...(hint ? { languageHint: hint } : {}) };
}

function toIso(unixSeconds: string): string {
  return new Date(Number(unixSeconds) * 1000).toISOString();
}

/** Field paths and what is wrong with them; never values. */
function describe(issues: readonly { readonly path: readonly PropertyKey[]; readonly code: string }[]): string {
  const where = issues.slice(0, 2).map((issue) => (issue.path.length === 0 ? 'the message' : issue.path.map(String).join('.')));
  return `${[...new Set(where)].join(', ')} not as WhatsApp documents`;
}
