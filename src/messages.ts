/**
 * Threadline's normalized messages. Everything an adapter produces is plain JSON: events are
 * journaled and replayed, so they hold no Date, no class instance and no raw payload.
 */
import type { ChannelErrorKind } from './errors.ts';

/** Platforms Threadline can connect. */
export type Platform = 'telegram' | 'whatsapp' | 'instagram' | 'messenger' | 'x' | 'wechat';

const PLATFORM_NAMES: Readonly<Record<Platform, string>> = {
  telegram: 'Telegram',
  whatsapp: 'WhatsApp',
  instagram: 'Instagram',
  messenger: 'Messenger',
  x: 'X',
  wechat: 'WeChat',
};

/** The platform's name as customers and agents know it (`whatsapp` → "WhatsApp"). */
export function platformName(platform: Platform): string {
  return PLATFORM_NAMES[platform];
}

/** The customer on a platform: only what the platform's payload says. */
export interface Contact {
  readonly id: string;
  readonly name?: string;
  readonly handle?: string;
  readonly avatarUrl?: string;
  /** The language the customer's app is set to (e.g. Telegram's `language_code`): a routing hint only. */
  readonly languageHint?: string;
}

/** What every inbound event carries. */
interface EventBase {
  readonly platform: Platform;
  /** De-duplication key: the platform's id for this delivery, or the documented substitute. */
  readonly eventId: string;
  /** Our identity on the platform: bot id, phone_number_id, page id, IG id, app id. */
  readonly account: string;
  readonly contact: Contact;
  /** ISO 8601, from the platform's timestamp (not the time of receipt). */
  readonly occurredAt: string;
}

/** Opaque reference to a platform media object; `Channel.fetchMedia` resolves it. */
export interface MediaRef {
  readonly platform: Platform;
  readonly id: string;
}

/** A file or a place the customer sent. */
export type Attachment =
  | {
      readonly kind: 'image' | 'audio' | 'video' | 'file' | 'sticker';
      readonly media: MediaRef;
      readonly mimeType?: string;
      readonly fileName?: string;
      readonly caption?: string;
    }
  | {
      readonly kind: 'location';
      readonly latitude: number;
      readonly longitude: number;
      readonly name?: string;
    }
  | {
      readonly kind: 'contact';
      readonly name: string;
      readonly phone?: string;
    };

/** Why a message exists beyond a plain DM; rules decide what to do with it. */
export interface MessageContext {
  /** `like`: the message is only a like (Instagram's heart), no words. */
  readonly kind: 'story_reply' | 'story_mention' | 'post_reply' | 'ad_referral' | 'like';
  readonly url?: string;
}

/** A customer's message, new or edited. */
export interface InboundMessage extends EventBase {
  readonly kind: 'message';
  readonly messageId: string;
  readonly text?: string;
  readonly attachments: readonly Attachment[];
  /** Platform id of the message this one quotes. */
  readonly replyTo?: string;
  /**
   * Set when the customer forwarded this message: `from` names its original author where the
   * platform tells (Telegram), `frequently` when it was forwarded many times (WhatsApp).
   */
  readonly forwarded?: { readonly from?: string; readonly frequently?: boolean };
  readonly context?: MessageContext;
  /** True when this is a new version of a message sent earlier (same `messageId`). */
  readonly edited?: boolean;
  /**
   * True when the customer took back (unsent) the earlier message `messageId` (Instagram's
   * `is_deleted`). It has no text and no attachments. The engine marks the mirrored message as
   * unsent and never deletes it; an unsend of a message that was never mirrored opens nothing.
   */
  readonly unsent?: boolean;
  /**
   * True when the business sent this message from outside Threadline (the platform's own app or
   * inbox; Meta's echoes) to `contact`. The engine shows it in an existing thread as the business's;
   * it never opens a conversation and is not the customer's message.
   */
  readonly fromBusiness?: boolean;
  /**
   * Set when the customer sent something the adapter could not read: a payload of a kind it handles
   * whose fields are not what the platform documents, or content it cannot show. The message then
   * has no text and no attachments, and the thread says a message came that could not be read, so
   * nothing acknowledged to the platform disappears. `kind` is the platform's name for what arrived
   * (Telegram: `message`, `edited_message`); `reason` says what was wrong, in words fit for an agent,
   * and never quotes the customer's content.
   */
  readonly unreadable?: { readonly kind: string; readonly reason: string };
}

/** A customer's reaction to a message in the conversation. */
export interface InboundReaction extends EventBase {
  readonly kind: 'reaction';
  /** Platform id of the message reacted to. */
  readonly messageId: string;
  /** Unicode emoji. */
  readonly emoji: string;
  readonly removed: boolean;
}

/** The platform's word on a message we sent. */
export interface DeliveryUpdate extends EventBase {
  readonly kind: 'delivery';
  readonly messageId: string;
  readonly status: 'delivered' | 'read' | 'failed';
  /**
   * Why a message that was sent did not arrive (a later `failed` status): the platform's code and
   * words, and the adapter's ChannelErrorKind for that code when it knows it, which decides what the
   * agent is told.
   */
  readonly failure?: { readonly code: string; readonly title: string; readonly kind?: ChannelErrorKind };
}

/** The customer blocked (or unblocked) our account: replies cannot reach them while blocked. */
export interface ContactStatus extends EventBase {
  readonly kind: 'contact_status';
  readonly status: 'blocked' | 'unblocked';
}

/** Everything a platform tells Threadline. */
export type InboundEvent = InboundMessage | InboundReaction | DeliveryUpdate | ContactStatus;

/** A file an agent attached in Slack, already downloaded. Built at send time, never journaled. */
export interface OutboundFile {
  readonly kind: 'image' | 'audio' | 'video' | 'file';
  readonly fileName: string;
  readonly mimeType?: string;
  readonly data: Uint8Array;
}

/** One message to deliver to a customer. */
export interface OutboundMessage {
  /** Stable per agent reply (Slack channel + ts): a retried send must not double-post. */
  readonly idempotencyKey: string;
  readonly platform: Platform;
  readonly account: string;
  readonly contactId: string;
  /** Plain text; the adapter escapes it for the platform's markup. */
  readonly text?: string;
  readonly files?: readonly OutboundFile[];
  /** Platform id of the customer message this answers. */
  readonly replyTo?: string;
  /** ISO 8601 time of the customer's last message, for platforms whose reply window depends on it. */
  readonly lastCustomerMessageAt?: string;
}

/** Proof a message reached the platform. */
export interface Delivery {
  /** Platform ids of what was sent (a text with files may become several platform messages). */
  readonly messageIds: readonly string[];
  readonly sentAt: string;
}

/** Exhaustiveness check for switches over discriminated unions. */
export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
