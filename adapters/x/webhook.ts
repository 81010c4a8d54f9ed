/**
 * The optional Account Activity webhook (X_WEBHOOK=true): GET /webhooks/x answers X's CRC, and
 * POST /webhooks/x takes signed deliveries. Both are keyed by the app's consumer secret (X_APP_SECRET).
 * @see https://docs.x.com/x-api/webhooks/quickstart
 * @see https://developer.x.com/en/docs/x-api/enterprise/account-activity-api/guides/securing-webhooks
 * @see https://developer.x.com/en/docs/x-api/enterprise/account-activity-api/guides/account-activity-data-objects
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Logger, WebhookRejection, WebhookRoute } from '../../src/channel.ts';
import type { InboundEvent } from '../../src/messages.ts';
import { WEBHOOK_PATH } from './config.ts';
import type { EventReader } from './read-events.ts';
import type { XMedia, XUser } from './schema.ts';

const SIGNATURE_HEADER = 'x-twitter-webhooks-signature';

/**
 * Activities around DMs and the customer that Threadline acknowledges without events (a debug line
 * each): typing, read, follows, Posts. Any other activity is acknowledged too, with one warn per kind.
 */
const ACKNOWLEDGED = [
  'direct_message_indicate_typing_events',
  'direct_message_mark_read_events',
  'tweet_create_events',
  'follow_events',
  'unfollow_events',
] as const;
/** Top-level fields that are not activities. */
const ENVELOPE = new Set(['for_user_id', 'users', 'apps', 'user_has_blocked', 'is_blocked_by', 'source', 'target']);

export interface WebhookOptions {
  readonly appSecret: string;
  readonly read: EventReader;
  readonly log: Logger;
  /** Our account id once known (from users/me), to refuse deliveries for another subscribed user. */
  readonly knownAccount: () => Promise<string> | undefined;
}

/** `sha256=` + base64 HMAC-SHA256 of `data` with the consumer secret: the CRC response token and the delivery signature alike. */
export function xSignature(appSecret: string, data: string | Buffer): string {
  return `sha256=${createHmac('sha256', appSecret).update(data).digest('base64')}`;
}

/** GET and POST /webhooks/x. */
export function webhookRoutes(o: WebhookOptions): WebhookRoute[] {
  const warned = new Set<string>();
  const unsigned = (headers: Headers): WebhookRejection | undefined =>
    headers.get(SIGNATURE_HEADER) === null ? { status: 401, reason: `missing ${SIGNATURE_HEADER}` } : undefined;
  return [
    {
      method: 'GET',
      path: WEBHOOK_PATH,
      async handle(request) {
        const token = request.query.get('crc_token');
        if (token === null || token === '') return { status: 400, reason: 'missing crc_token' };
        return {
          status: 200,
          events: [],
          body: JSON.stringify({ response_token: xSignature(o.appSecret, token) }),
          contentType: 'application/json',
        };
      },
    },
    {
      method: 'POST',
      path: WEBHOOK_PATH,
      precheck: unsigned,
      async handle(request) {
        const given = request.headers.get(SIGNATURE_HEADER);
        if (given === null || !same(given, xSignature(o.appSecret, request.rawBody)))
          return { status: 401, reason: `missing or wrong ${SIGNATURE_HEADER}` };
        let body: unknown;
        try {
          body = JSON.parse(request.rawBody.toString('utf8'));
        } catch {
          return { status: 400, reason: 'body is not JSON' };
        }
        if (typeof body !== 'object' || body === null || typeof (body as { for_user_id?: unknown }).for_user_id !== 'string')
          return { status: 400, reason: 'body is not an Account Activity delivery' };
        const delivery = body as Record<string, unknown> & { for_user_id: string };
        const known = await o.knownAccount()?.catch(() => undefined);
        if (known !== undefined && known !== delivery.for_user_id) {
          o.log.warn({ forUserId: delivery.for_user_id }, 'X delivery for another subscribed account ignored');
          return { status: 200, events: [] };
        }
        return { status: 200, events: await eventsOf(delivery, o, warned) };
      },
    },
  ];
}

async function eventsOf(
  delivery: Record<string, unknown> & { for_user_id: string },
  o: WebhookOptions,
  warned: Set<string>,
): Promise<InboundEvent[]> {
  const account = delivery.for_user_id;
  const users = usersOf(delivery.users);
  const events: InboundEvent[] = [];
  const dms = Array.isArray(delivery.direct_message_events) ? delivery.direct_message_events : [];
  const media: XMedia[] = [];
  const converted = dms.map((dm) => toDmEvent(dm, media));
  events.push(...(await o.read(account, converted, { users, media })));
  events.push(...blockEvents(delivery, account, users));
  for (const key of Object.keys(delivery)) {
    if (ENVELOPE.has(key) || key === 'direct_message_events' || key === 'block_events' || key === 'unblock_events') continue;
    if ((ACKNOWLEDGED as readonly string[]).includes(key)) o.log.debug({ kind: key }, 'X activity acknowledged');
    else if (!warned.has(key)) {
      warned.add(key);
      o.log.warn({ kind: key }, 'X activity of a kind Threadline does not handle; acknowledged');
    }
  }
  return events;
}

/**
 * A v1.1 message_create event in the v2 DM event shape the parser reads. A media attachment becomes
 * an entry of `media` under its id.
 * @see https://developer.x.com/en/docs/x-api/v1/direct-messages/sending-and-receiving/guides/message-create-object
 */
function toDmEvent(raw: unknown, media: XMedia[]): unknown {
  if (typeof raw !== 'object' || raw === null) return raw;
  const dm = raw as { type?: unknown; id?: unknown; created_timestamp?: unknown; message_create?: unknown };
  if (dm.type !== 'message_create') return { id: dm.id, event_type: dm.type };
  const create = (dm.message_create ?? {}) as {
    sender_id?: unknown;
    target?: { recipient_id?: unknown };
    message_data?: { text?: unknown; attachment?: { type?: unknown; media?: Record<string, unknown> } };
  };
  const sender = create.sender_id;
  const recipient = create.target?.recipient_id;
  const pair =
    typeof sender === 'string' && typeof recipient === 'string' && /^[0-9]+$/.test(sender) && /^[0-9]+$/.test(recipient)
      ? [sender, recipient].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)).join('-')
      : undefined;
  const at = Number(dm.created_timestamp);
  const attached = create.message_data?.attachment?.media;
  const key = attached === undefined ? undefined : toMedia(attached, media);
  return {
    id: dm.id,
    event_type: 'MessageCreate',
    text: create.message_data?.text,
    sender_id: sender,
    ...(pair === undefined ? {} : { dm_conversation_id: pair }),
    ...(Number.isFinite(at) && at > 0 ? { created_at: new Date(at).toISOString() } : {}),
    ...(key === undefined ? {} : { attachments: { media_keys: [key] } }),
  };
}

/** @see https://developer.x.com/en/docs/x-api/v1/data-dictionary/object-model/entities (media: id_str, media_url_https, type, video_info.variants) */
function toMedia(item: Record<string, unknown>, media: XMedia[]): string | undefined {
  const key = typeof item.id_str === 'string' ? item.id_str : undefined;
  const type = typeof item.type === 'string' ? item.type : undefined;
  if (key === undefined || type === undefined) return undefined;
  const info = item.video_info as { variants?: { content_type?: unknown; url?: unknown; bitrate?: unknown }[] } | undefined;
  const variants = (info?.variants ?? []).flatMap((v) =>
    typeof v.url === 'string'
      ? [
          {
            url: v.url,
            ...(typeof v.content_type === 'string' ? { content_type: v.content_type } : {}),
            ...(typeof v.bitrate === 'number' ? { bit_rate: v.bitrate } : {}),
          },
        ]
      : [],
  );
  media.push({
    media_key: key,
    type,
    ...(typeof item.media_url_https === 'string' ? { url: item.media_url_https } : {}),
    ...(variants.length > 0 ? { variants } : {}),
  });
  return key;
}

/** The `users` map: v1.1 user objects by id. @see https://developer.x.com/en/docs/x-api/v1/data-dictionary/object-model/user */
function usersOf(raw: unknown): XUser[] {
  if (typeof raw !== 'object' || raw === null) return [];
  return Object.values(raw as Record<string, unknown>).flatMap((value) => {
    const user = value as { id?: unknown; name?: unknown; screen_name?: unknown; profile_image_url_https?: unknown } | null;
    if (typeof user?.id !== 'string') return [];
    return [
      {
        id: user.id,
        ...(typeof user.name === 'string' ? { name: user.name } : {}),
        ...(typeof user.screen_name === 'string' ? { username: user.screen_name } : {}),
        ...(typeof user.profile_image_url_https === 'string' ? { profile_image_url: user.profile_image_url_https } : {}),
      },
    ];
  });
}

/**
 * A customer blocking (or unblocking) our account: `source` blocks `target`.
 * @see https://developer.x.com/en/docs/x-api/enterprise/account-activity-api/guides/account-activity-data-objects (block_events)
 */
function blockEvents(delivery: Record<string, unknown>, account: string, users: readonly XUser[]): InboundEvent[] {
  const out: InboundEvent[] = [];
  for (const [key, status] of [
    ['block_events', 'blocked'],
    ['unblock_events', 'unblocked'],
  ] as const) {
    const list = Array.isArray(delivery[key]) ? (delivery[key] as unknown[]) : [];
    for (const raw of list) {
      const event = raw as {
        created_timestamp?: unknown;
        source?: { id?: unknown; name?: unknown; screen_name?: unknown };
        target?: { id?: unknown };
      } | null;
      const source = event?.source?.id;
      if (typeof source !== 'string' || event?.target?.id !== account || source === account) continue;
      const at = Number(event.created_timestamp);
      const user = users.find((u) => u.id === source) ?? usersOf({ source: event.source })[0];
      out.push({
        kind: 'contact_status',
        platform: 'x',
        eventId: `${source}:${key}:${String(event.created_timestamp)}`,
        account,
        contact: {
          id: source,
          ...(user?.name ? { name: user.name } : {}),
          ...(user?.username ? { handle: user.username } : {}),
        },
        occurredAt: new Date(Number.isFinite(at) && at > 0 ? at : Date.now()).toISOString(),
        status,
      });
    }
  }
  return out;
}

function same(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
