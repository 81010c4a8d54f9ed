/**
 * The `entry.messaging[]` webhooks Messenger (`object: page`) and Instagram (`object: instagram`)
 * share: one item per event, `sender`, `recipient`, `timestamp` (ms) and one of `message`,
 * `message_edit`, `reaction`, `read`, `delivery`, `postback`. Pure: the channel adds the profile
 * and drops the echoes of its own sends (which it recognises by message id or `metadata`).
 * @see https://developers.facebook.com/documentation/business-messaging/messenger-platform/webhooks/webhook-events
 * @see https://developers.facebook.com/documentation/business-messaging/messenger-platform/webhooks/webhook-events/messages.md
 * @see https://developers.facebook.com/docs/instagram-platform/webhooks/examples/
 */
import { z } from 'zod';
import type { Attachment, InboundEvent, InboundMessage, MessageContext, Platform } from '../../src/messages.ts';

/** The `metadata` Threadline puts on its Messenger sends; their echoes carry it back. */
export const OWN_METADATA = 'threadline';

const idSchema = z.object({ id: z.string().min(1) });

/** An attachment's `payload`: only the fields Threadline reads. */
const attachmentSchema = z.object({
  type: z.string(),
  payload: z
    .object({
      url: z.string().optional(),
      title: z.string().optional(),
      sticker_id: z.union([z.number(), z.string()]).optional(),
      ig_post_media_id: z.string().optional(),
    })
    .nullish(),
  title: z.string().optional(),
});

const messageSchema = z.object({
  mid: z.string().min(1),
  text: z.string().optional(),
  is_echo: z.boolean().optional(),
  app_id: z.union([z.number(), z.string()]).optional(),
  metadata: z.string().optional(),
  is_deleted: z.boolean().optional(),
  is_unsupported: z.boolean().optional(),
  quick_reply: z.object({ payload: z.string() }).optional(),
  reply_to: z
    .object({
      mid: z.string().optional(),
      is_self_reply: z.boolean().optional(),
      story: z.object({ url: z.string().optional(), id: z.string().optional() }).optional(),
    })
    .optional(),
  attachments: z.array(attachmentSchema).optional(),
});

const itemSchema = z.object({
  sender: idSchema,
  recipient: idSchema,
  timestamp: z.number(),
  message: z.unknown().optional(),
  message_edit: z.object({ mid: z.string().min(1), text: z.string(), num_edit: z.number().optional() }).optional(),
  reaction: z
    .object({ mid: z.string().min(1), action: z.enum(['react', 'unreact']), reaction: z.string().optional(), emoji: z.string().optional() })
    .optional(),
  read: z.object({ mid: z.string().optional(), watermark: z.number().optional() }).optional(),
  delivery: z.object({ mids: z.array(z.string()).optional(), watermark: z.number().optional() }).optional(),
  postback: z.object({ mid: z.string().optional(), title: z.string().optional(), payload: z.string().optional() }).optional(),
});

const entrySchema = z.object({
  id: z.string(),
  time: z.number().optional(),
  messaging: z.array(z.unknown()).optional(),
  standby: z.array(z.unknown()).optional(),
  changes: z.array(z.object({ field: z.string() }).passthrough()).optional(),
});

/** A message the account itself sent (an echo): ours by API, or a colleague's from the app or inbox. */
export interface Echo {
  readonly mid: string;
  readonly metadata?: string;
  readonly appId?: string;
  readonly recipient: string;
  /** The message as the customer's conversation would show it, marked `fromBusiness`. */
  readonly event: InboundMessage;
}

/** Messenger's read (and mid-less delivery): everything sent to `contactId` up to `watermark` (ms). */
export interface Watermark {
  readonly status: 'read' | 'delivered';
  readonly contactId: string;
  readonly account: string;
  readonly watermark: number;
  readonly occurredAt: string;
}

export interface MessagingParse {
  readonly events: readonly InboundEvent[];
  readonly echoes: readonly Echo[];
  readonly watermarks: readonly Watermark[];
  readonly unknown: readonly string[];
}

/** Reaction names (Messenger) → emoji, for a payload that names the reaction without `emoji`. */
const REACTION_EMOJI: Readonly<Record<string, string>> = {
  smile: '😆',
  angry: '😠',
  sad: '😢',
  wow: '😮',
  love: '❤️',
  like: '👍',
  dislike: '👎',
};

const MEDIA_KINDS: Readonly<Record<string, 'image' | 'audio' | 'video' | 'file' | 'sticker'>> = {
  image: 'image',
  audio: 'audio',
  video: 'video',
  file: 'file',
  sticker: 'sticker',
  animated_image_share: 'image',
};

/** Shared posts, reels and links: shown as a link, never downloaded. */
const LINK_KINDS: Readonly<Record<string, string>> = {
  share: 'Shared',
  ig_post: 'Shared a post',
  post: 'Shared a post',
  ig_reel: 'Shared a reel',
  reel: 'Shared a reel',
  fallback: 'Shared a link',
};

export function parseMessagingEntry(platform: Platform, entry: unknown): MessagingParse {
  const events: InboundEvent[] = [];
  const echoes: Echo[] = [];
  const watermarks: Watermark[] = [];
  const unknown: string[] = [];
  const parsed = entrySchema.safeParse(entry);
  if (!parsed.success) return { events, echoes, watermarks, unknown: ['malformed:entry'] };
  const account = parsed.data.id;
  if (parsed.data.standby !== undefined) unknown.push('standby');
  for (const change of parsed.data.changes ?? []) unknown.push(`field:${change.field}`);
  for (const raw of parsed.data.messaging ?? []) {
    const item = itemSchema.safeParse(raw);
    if (!item.success) {
      unknown.push('malformed:messaging');
      continue;
    }
    const { sender, recipient, timestamp } = item.data;
    const occurredAt = new Date(timestamp).toISOString();
    const base = { platform, account, contact: { id: sender.id }, occurredAt };
    if (item.data.message !== undefined) {
      const message = messageSchema.safeParse(item.data.message);
      if (!message.success) {
        const mid = midOf(item.data.message);
        if (mid === undefined || isEcho(item.data.message)) {
          unknown.push('malformed:message');
          continue;
        }
        events.push({
          ...base,
          kind: 'message',
          eventId: mid,
          messageId: mid,
          attachments: [],
          unreadable: { kind: 'message', reason: `${describe(message.error.issues)} not as Meta documents` },
        });
        continue;
      }
      const m = message.data;
      if (m.is_echo === true) {
        echoes.push({
          mid: m.mid,
          recipient: recipient.id,
          ...(m.metadata === undefined ? {} : { metadata: m.metadata }),
          ...(m.app_id === undefined ? {} : { appId: String(m.app_id) }),
          event: { ...toMessage(platform, { ...base, contact: { id: recipient.id } }, m), fromBusiness: true },
        });
        continue;
      }
      if (m.is_deleted === true) {
        // An unsend: the engine marks the mirrored message, never deletes it.
        events.push({ ...base, kind: 'message', eventId: `unsend:${m.mid}`, messageId: m.mid, attachments: [], unsent: true });
        continue;
      }
      events.push(toMessage(platform, base, m));
      continue;
    }
    if (item.data.message_edit !== undefined) {
      const edit = item.data.message_edit;
      events.push({
        ...base,
        kind: 'message',
        eventId: `edit:${edit.mid}:${edit.num_edit ?? timestamp}`,
        messageId: edit.mid,
        text: edit.text,
        attachments: [],
        edited: true,
      });
      continue;
    }
    if (item.data.reaction !== undefined) {
      const r = item.data.reaction;
      // Empty when the payload names no emoji Threadline knows (`other`, an unreact without it): the channel settles it.
      const emoji = r.emoji ?? (r.reaction === undefined ? undefined : REACTION_EMOJI[r.reaction]) ?? '';
      events.push({
        ...base,
        kind: 'reaction',
        eventId: `reaction:${r.mid}:${sender.id}:${r.action}:${timestamp}`,
        messageId: r.mid,
        emoji,
        removed: r.action === 'unreact',
      });
      continue;
    }
    if (item.data.read !== undefined) {
      // Instagram names the message read; Messenger gives a watermark, which the channel resolves.
      const { mid, watermark } = item.data.read;
      if (mid !== undefined) events.push({ ...base, kind: 'delivery', eventId: `read:${mid}`, messageId: mid, status: 'read' });
      else if (watermark !== undefined) watermarks.push({ status: 'read', contactId: sender.id, account, watermark, occurredAt });
      continue;
    }
    if (item.data.delivery !== undefined) {
      const { mids, watermark } = item.data.delivery;
      for (const mid of mids ?? [])
        events.push({ ...base, kind: 'delivery', eventId: `delivered:${mid}`, messageId: mid, status: 'delivered' });
      if (mids === undefined && watermark !== undefined)
        watermarks.push({ status: 'delivered', contactId: sender.id, account, watermark, occurredAt });
      continue;
    }
    if (item.data.postback !== undefined) {
      const p = item.data.postback;
      const text = p.title ?? p.payload;
      const id = p.mid ?? `postback:${sender.id}:${timestamp}`;
      events.push({ ...base, kind: 'message', eventId: id, messageId: id, attachments: [], ...(text ? { text } : {}) });
      continue;
    }
    const kind = Object.keys(raw as object).find((key) => !['sender', 'recipient', 'timestamp'].includes(key));
    unknown.push(`event:${kind ?? 'empty'}`);
  }
  return { events, echoes, watermarks, unknown };
}

function toMessage(
  platform: Platform,
  base: { platform: Platform; account: string; contact: { id: string }; occurredAt: string },
  m: z.infer<typeof messageSchema>,
): InboundMessage {
  const attachments: Attachment[] = [];
  const lines: string[] = [];
  let context: MessageContext | undefined;
  const raw = m.attachments ?? [];
  // Until Meta sends only `sticker`, a sticker comes as a `sticker` and an `image` with the same sticker_id.
  const stickers = new Set(raw.filter((a) => a.type === 'sticker').map((a) => String(a.payload?.sticker_id ?? '')));
  // A post share comes as `share` and `ig_post` (with the title): shown once, as the post.
  const hasPost = raw.some((a) => a.type === 'ig_post');
  for (const a of raw) {
    const url = a.payload?.url;
    if (a.type === 'share' && hasPost) continue;
    if (a.type === 'image' && a.payload?.sticker_id !== undefined && stickers.has(String(a.payload.sticker_id))) continue;
    if (a.type === 'story_mention') {
      // Meta's policy: story media is linked, never downloaded or stored.
      // The thread shows the link from `context` (src/engine/render.ts).
      context = { kind: 'story_mention', ...(url ? { url } : {}) };
      continue;
    }
    if (a.type === 'like_heart') {
      context ??= { kind: 'like' };
      lines.push('❤️');
      continue;
    }
    const media = MEDIA_KINDS[a.type];
    if (media !== undefined && url !== undefined) {
      attachments.push({ kind: media, media: { platform, id: url } });
      continue;
    }
    const label = LINK_KINDS[a.type];
    if (label !== undefined) {
      const title = a.payload?.title ?? a.title;
      lines.push(`[${label}${title ? `: ${title}` : ''}${url ? ` ${url}` : ''}]`);
      continue;
    }
    lines.push(`[${a.type.replace(/[^a-z_]/gi, '')} attachment Threadline cannot show]`);
  }
  const story = m.reply_to?.story;
  if (story !== undefined) {
    context = { kind: 'story_reply', ...(story.url ? { url: story.url } : {}) };
  }
  if (m.is_unsupported === true) lines.push('[A message Instagram does not show to apps]');
  const text = [...new Set(lines), m.text].filter((line): line is string => line !== undefined && line !== '').join('\n');
  return {
    ...base,
    kind: 'message',
    eventId: m.mid,
    messageId: m.mid,
    ...(text === '' ? {} : { text }),
    attachments,
    ...(m.reply_to?.mid === undefined ? {} : { replyTo: m.reply_to.mid }),
    ...(context === undefined ? {} : { context }),
  };
}

function midOf(raw: unknown): string | undefined {
  const mid = typeof raw === 'object' && raw !== null ? (raw as { mid?: unknown }).mid : undefined;
  return typeof mid === 'string' && mid !== '' ? mid : undefined;
}

function isEcho(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && (raw as { is_echo?: unknown }).is_echo === true;
}

/** Field paths and what is wrong with them; never values. */
function describe(issues: readonly { readonly path: readonly PropertyKey[] }[]): string {
  const where = issues
    .slice(0, 2)
    .map((issue) => (issue.path.length === 0 ? 'the message' : `message.${issue.path.map(String).join('.')}`));
  return [...new Set(where)].join(', ');
}
