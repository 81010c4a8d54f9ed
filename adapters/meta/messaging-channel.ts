/**
 * The channel Messenger and Instagram share: `entry.messaging[]` in (messaging.ts), the Send API
 * out (`POST /me/messages` with `recipient.id` and `message.text`), the customer's profile fetched
 * once and kept in the adapter state, and attachments fetched from the URL their webhook gave.
 * Each product supplies its Graph client, its token setting, its profile fields and its limits.
 * @see https://developers.facebook.com/docs/messenger-platform/reference/send-api
 * @see https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/messaging-api/
 */
import { createHash } from 'node:crypto';
import type { CheckResult, ChannelDeps, MediaFile, PlatformFacts } from '../../src/channel.ts';
import { ChannelError } from '../../src/errors.ts';
import type {
  Contact,
  Delivery,
  InboundEvent,
  InboundReaction,
  MediaRef,
  OutboundFile,
  OutboundMessage,
  Platform,
} from '../../src/messages.ts';
import { graphemeCut } from '../../src/safe-text.ts';
import type { GraphClient } from './graph.ts';
import type { MetaChannel } from './index.ts';
import { OWN_METADATA, parseMessagingEntry } from './messaging.ts';

/** What one product tells the shared channel. */
export interface MessagingProduct {
  readonly platform: Platform;
  readonly name: string;
  /** What agents and admins are told about the platform when a reply fails. */
  readonly facts: PlatformFacts;
  readonly tokenSetting: string;
  readonly graph: GraphClient;
  /** Graph client for profile lookups (a short timeout: they run while Meta waits for the webhook's answer). */
  readonly profileGraph: GraphClient;
  /** Longest text part, in characters (Messenger) or UTF-8 bytes (Instagram). */
  readonly maxText: { readonly units: 'chars' | 'bytes'; readonly max: number };
  readonly maxFileBytes: number;
  /** Extra fields of every send inside the 24-hour window (Messenger: `messaging_type: RESPONSE`). */
  readonly sendFields: Readonly<Record<string, unknown>>;
  /** META_HUMAN_AGENT_TAG: tag replies sent 24 hours to 7 days after the customer's last message. */
  readonly humanAgentTag: boolean;
  /**
   * How files reach the customer: `upload`ed with the send (Messenger), or as a `link` the platform
   * fetches (Instagram), published through `ChannelDeps.files` (PUBLIC_URL); without it, a reply
   * with files is refused before anything is sent.
   */
  readonly files: 'upload' | 'link';
  /** Why the platform would refuse this file (type, size), in words for the agent; undefined when it takes it. */
  readonly refuseFile?: (file: OutboundFile) => string | undefined;
  /** Whether sends carry `message.metadata` (echoed back by Messenger). */
  readonly sendsMetadata: boolean;
  /** `GET /<id>?fields=…` for the customer's profile, and how to read the answer. */
  readonly profileFields: string;
  readonly toProfile: (answer: Record<string, unknown>) => Pick<Contact, 'name' | 'handle' | 'avatarUrl'>;
  /** `GET /me?fields=…` for check(), and how to describe the answer. */
  readonly meFields: string;
  /** Whether check() also reads the Page's webhook subscriptions (Messenger). */
  readonly checksSubscription: boolean;
  readonly describeMe: (answer: Record<string, unknown>) => string;
}

/** What was sent to a customer lately, for Messenger's watermark reads: the last few, for a day. */
interface SentRecord {
  readonly mid: string;
  readonly at: number;
}
const RECENT_KEPT = 10;
/** How long a text being sent is recognised in an echo that overtakes the send's answer. */
const PENDING_TTL_MS = 10 * 60 * 1000;

function pendingKey(recipient: string, text: string): string {
  return `pending:${recipient}:${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
}
const PROGRESS_TTL_MS = 7 * 24 * 3600 * 1000;
const WINDOW_MS = 24 * 3600 * 1000;
const HUMAN_AGENT_MS = 7 * 24 * 3600 * 1000;
const OWN_TTL_MS = 24 * 3600 * 1000;
/** A failed profile lookup is tried again after this long. */
const PROFILE_RETRY_MS = 3600 * 1000;

export function createMessagingChannel(product: MessagingProduct, deps: ChannelDeps): MetaChannel {
  const { graph, platform, name } = product;
  const log = deps.logger;
  const state = deps.state;

  async function profileOf(id: string): Promise<Pick<Contact, 'name' | 'handle' | 'avatarUrl'>> {
    const key = `profile:${id}`;
    const known = await state.get<Pick<Contact, 'name' | 'handle' | 'avatarUrl'>>(key);
    if (known !== undefined) return known;
    try {
      const answer = (await product.profileGraph.get(encodeURIComponent(id), { fields: product.profileFields })) as Record<string, unknown>;
      const profile = product.toProfile(answer);
      await state.set(key, profile);
      return profile;
    } catch (error) {
      if (!(error instanceof ChannelError)) throw error;
      log.debug({ err: error.message, kind: error.kind }, `${name} profile lookup failed; the customer is shown by id for now`);
      await state.set(key, {}, PROFILE_RETRY_MS);
      return {};
    }
  }

  /**
   * Inside 24 hours of the customer's last message, a response; from then to 7 days, with
   * META_HUMAN_AGENT_TAG, the HUMAN_AGENT tag; later, a response Meta will refuse (window closed).
   * @see https://developers.facebook.com/docs/messenger-platform/send-messages/message-tags
   */
  function typeFields(lastCustomerMessageAt: string | undefined): Readonly<Record<string, unknown>> {
    if (!product.humanAgentTag || lastCustomerMessageAt === undefined) return product.sendFields;
    const age = deps.now() - Date.parse(lastCustomerMessageAt);
    if (!(age > WINDOW_MS && age <= HUMAN_AGENT_MS)) return product.sendFields;
    return { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' };
  }

  /**
   * A reaction's emoji is remembered, so that an unreact without one removes what was added; a
   * reaction whose emoji is unknown and was never seen is dropped (nothing to show or remove).
   */
  async function settleReaction(event: InboundReaction): Promise<InboundReaction | undefined> {
    const key = `reaction:${event.messageId}:${event.contact.id}`;
    if (!event.removed) {
      if (event.emoji === '') return undefined;
      await state.set(key, event.emoji, OWN_TTL_MS * 30);
      return event;
    }
    const added = await state.get<string>(key);
    const emoji = added ?? event.emoji;
    return emoji === '' ? undefined : { ...event, emoji };
  }

  async function postMessage(
    recipient: string,
    message: Record<string, unknown>,
    fields: Readonly<Record<string, unknown>>,
    file?: OutboundFile,
  ): Promise<string> {
    const body = {
      recipient: { id: recipient },
      ...fields,
      message: product.sendsMetadata ? { ...message, metadata: OWN_METADATA } : message,
    };
    // Meta may send the echo before it answers the send: a text being sent is recognised by its words too.
    if (typeof message.text === 'string')
      await guard(platform, () => state.set(pendingKey(recipient, message.text as string), true, PENDING_TTL_MS));
    const answer = (await graph.post('me/messages', file === undefined ? body : asForm(body, file))) as { message_id?: unknown };
    if (typeof answer.message_id !== 'string')
      throw new ChannelError(platform, 'transient', `${name} accepted the message without a message id`);
    const mid = answer.message_id;
    await guard(platform, async () => {
      await state.set(`own:${mid}`, true, OWN_TTL_MS);
      const recent = (await state.get<SentRecord[]>(`recent:${recipient}`)) ?? [];
      await state.set(`recent:${recipient}`, [...recent, { mid, at: deps.now() }].slice(-RECENT_KEPT), OWN_TTL_MS);
    });
    return mid;
  }

  /** The published link of a file, in `message.attachment` (Instagram fetches it from there). */
  async function linkedFile(contactId: string, file: OutboundFile, fields: Readonly<Record<string, unknown>>): Promise<string> {
    const files = deps.files;
    if (files === undefined)
      throw new ChannelError(platform, 'rejected', `PUBLIC_URL is not set, so files cannot be sent to ${name}`, { local: true });
    const url = await guard(platform, () =>
      files.publish({ data: file.data, fileName: file.fileName, ...(file.mimeType === undefined ? {} : { mimeType: file.mimeType }) }),
    );
    return postMessage(contactId, { attachment: { type: file.kind, payload: { url } } }, fields);
  }

  /** Refuses, before anything is sent, a reply whose files cannot reach the customer. */
  function refuseFiles(files: readonly OutboundFile[]): void {
    if (files.length === 0) return;
    if (product.files === 'link' && deps.files === undefined)
      throw new ChannelError(
        platform,
        'rejected',
        `${name} takes files only as links that Threadline serves itself, and PUBLIC_URL is not set: send the text alone, or share a link to the file (an admin can set PUBLIC_URL)`,
        { local: true },
      );
    for (const file of files) {
      const refusal = product.refuseFile?.(file);
      if (refusal !== undefined) throw new ChannelError(platform, 'rejected', refusal, { local: true });
    }
  }

  async function send(message: OutboundMessage): Promise<Delivery> {
    const files = message.files ?? [];
    refuseFiles(files);
    const key = `sent:${message.idempotencyKey}`;
    const sent = [...((await guard(platform, () => state.get<string[]>(key))) ?? [])];
    const fields = typeFields(message.lastCustomerMessageAt);
    const parts = message.text === undefined ? [] : splitText(message.text, product.maxText.units, product.maxText.max);
    const steps: (() => Promise<string>)[] = [
      ...parts.map((part) => () => postMessage(message.contactId, { text: part }, fields)),
      ...files.map((file) =>
        product.files === 'link'
          ? () => linkedFile(message.contactId, file, fields)
          : // An uploaded file: `message.attachment` with an empty payload, the bytes as `filedata`.
            // @see https://developers.facebook.com/docs/messenger-platform/send-messages#file-attachments
            () => postMessage(message.contactId, { attachment: { type: file.kind, payload: { is_reusable: false } } }, fields, file),
      ),
    ];
    for (const [index, step] of steps.entries()) {
      if (index < sent.length) continue;
      sent.push(await step());
      await guard(platform, () => state.set(key, sent, PROGRESS_TTL_MS));
    }
    return { messageIds: sent, sentAt: new Date(deps.now()).toISOString() };
  }

  /** The webhook's attachment URL (Meta's CDN): fetched as is, without the token. */
  async function fetchMedia(ref: MediaRef): Promise<MediaFile> {
    if (ref.platform !== platform) throw new ChannelError(platform, 'rejected', `Not a ${name} media reference (${ref.platform})`);
    let url: URL;
    try {
      url = new URL(ref.id);
    } catch {
      throw new ChannelError(platform, 'rejected', `${name} gave no URL for this attachment`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new ChannelError(platform, 'rejected', `${name} gave no web URL for this attachment`);
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
    } catch (error) {
      throw new ChannelError(platform, 'transient', `could not download the ${name} attachment (network)`, {}, { cause: error });
    }
    if (!response.ok) {
      const kind = response.status === 429 ? 'rate_limited' : response.status >= 500 ? 'transient' : 'rejected';
      // An expired CDN link (403/404) stays expired.
      throw new ChannelError(
        platform,
        kind,
        `${name} refused the attachment download (HTTP ${response.status}); the link may have expired`,
        {
          platformCode: response.status,
          ...(kind === 'rate_limited' ? { retryAfterMs: 30_000 } : {}),
        },
      );
    }
    const mimeType = response.headers.get('content-type') ?? undefined;
    return { data: new Uint8Array(await response.arrayBuffer()), ...(mimeType ? { mimeType } : {}) };
  }

  async function me(): Promise<Record<string, unknown>> {
    return (await graph.get('me', { fields: product.meFields })) as Record<string, unknown>;
  }

  /**
   * Whether an app receives this Page's `messages` (the step most often missed): `GET
   * /me/subscribed_apps` lists the apps subscribed to the Page and their fields. A warning, not a
   * failure: sends work either way.
   * @see https://developers.facebook.com/docs/graph-api/reference/page/subscribed_apps/
   */
  async function subscription(): Promise<CheckResult> {
    const subject = `${platform} webhook`;
    try {
      const answer = (await graph.get('me/subscribed_apps')) as { data?: { subscribed_fields?: unknown }[] };
      const fields = (answer.data ?? []).flatMap((app) => (Array.isArray(app.subscribed_fields) ? app.subscribed_fields : []));
      if (fields.includes('messages')) return { status: 'ok', subject, detail: 'the Page is subscribed to messages' };
      return {
        status: 'warn',
        subject,
        detail: `the Page is not subscribed to messages: in the Meta app, ${name} → Settings → Webhooks → add the Page's subscriptions (messages, message_echoes, message_reactions, message_reads, message_deliveries, messaging_postbacks, message_edits)`,
      };
    } catch (error) {
      const reason = error instanceof ChannelError ? error.message : String(error);
      return { status: 'warn', subject, detail: `could not read the Page's webhook subscriptions (${reason})` };
    }
  }

  async function check(): Promise<readonly CheckResult[]> {
    try {
      const answer = await me();
      const token: CheckResult = { status: 'ok', subject: product.tokenSetting, detail: `${product.describeMe(answer)} accepts the token` };
      const results = product.checksSubscription ? [token, await subscription()] : [token];
      if (product.files === 'link' && deps.files === undefined)
        results.push({
          status: 'warn',
          subject: 'PUBLIC_URL',
          detail: `not set, so agents' files cannot be sent to ${name} (it takes files only as links that Threadline serves; text replies work): set PUBLIC_URL to the https address where Threadline is reached from the internet`,
        });
      return results;
    } catch (error) {
      const e = error instanceof ChannelError ? error : new ChannelError(platform, 'transient', String(error));
      if (e.kind === 'transient' && e.detail.platformCode === undefined) return [{ status: 'fail', subject: platform, detail: e.message }];
      const hint = e.kind === 'auth' ? '' : ': run threadline doctor again in a minute';
      return [{ status: 'fail', subject: product.tokenSetting, detail: `${e.message}${hint}` }];
    }
  }

  return {
    platform,
    limits: {
      // Per part; longer replies are sent in several parts.
      maxTextLength: product.maxText.max,
      maxFileBytes: product.maxFileBytes,
      replyWindowHours: 24,
    },
    facts: product.facts,
    routes: [],
    async start() {
      const answer = await me();
      log.info({ account: product.describeMe(answer) }, `${name} channel started`);
    },
    async stop() {},
    send,
    fetchMedia,
    check,
    async parseEntry(entry) {
      const parsed = parseMessagingEntry(platform, entry);
      const events: InboundEvent[] = [];
      for (const echo of parsed.echoes) {
        const text = echo.event.text;
        const ours =
          echo.metadata === OWN_METADATA ||
          (await state.get<boolean>(`own:${echo.mid}`)) === true ||
          (text !== undefined && (await state.get<boolean>(pendingKey(echo.recipient, text))) === true);
        if (ours) log.debug({ mid: echo.mid }, `echo of a Threadline send to ${name} skipped`);
        else {
          // A colleague wrote from the app or the inbox: the thread shows it as the business's.
          log.debug({ mid: echo.mid }, `${name} message sent from outside Threadline (app or inbox)`);
          events.push(echo.event);
        }
      }
      // A watermark covers every message sent before it; the engine drops the ones it already showed (same eventId).
      for (const mark of parsed.watermarks) {
        const recent = (await state.get<SentRecord[]>(`recent:${mark.contactId}`)) ?? [];
        for (const sent of recent.filter((r) => r.at <= mark.watermark))
          events.push({
            kind: 'delivery',
            platform,
            eventId: `${mark.status}:${sent.mid}`,
            account: mark.account,
            contact: { id: mark.contactId },
            occurredAt: mark.occurredAt,
            messageId: sent.mid,
            status: mark.status,
          });
      }
      for (const event of parsed.events) {
        if (event.kind === 'reaction') {
          const settled = await settleReaction(event);
          if (settled !== undefined) events.push(settled);
          continue;
        }
        if (event.kind !== 'message' || event.unreadable !== undefined) {
          events.push(event);
          continue;
        }
        const profile = await profileOf(event.contact.id);
        events.push({ ...event, contact: { ...event.contact, ...profile } });
      }
      return { events, unknown: parsed.unknown };
    },
  };
}

/** A send with a file as multipart: each field JSON, the file as `filedata`. */
function asForm(body: Record<string, unknown>, file: OutboundFile): FormData {
  const form = new FormData();
  for (const [field, value] of Object.entries(body)) form.append(field, typeof value === 'string' ? value : JSON.stringify(value));
  const type = file.mimeType ?? 'application/octet-stream';
  form.append('filedata', new Blob([file.data as Uint8Array<ArrayBuffer>], { type }), file.fileName.replace(/[\r\n"]+/g, ' '));
  return form;
}

/**
 * Parts of at most `max` characters or UTF-8 bytes, cut at a line break or a space where there is
 * one and never inside a character.
 */
export function splitText(text: string, units: 'chars' | 'bytes', max: number): string[] {
  const size = (s: string) => (units === 'chars' ? s.length : Buffer.byteLength(s, 'utf8'));
  const parts: string[] = [];
  let rest = text;
  while (size(rest) > max) {
    let fit = units === 'chars' ? max : fitBytes(rest, max);
    fit = graphemeCut(rest, fit);
    if (fit <= 0) fit = Math.max(1, units === 'chars' ? max : fitBytes(rest, max));
    let cut = rest.lastIndexOf('\n', fit);
    if (cut <= 0) cut = rest.lastIndexOf(' ', fit);
    if (cut <= 0) cut = fit;
    parts.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^[\n ]/, '');
  }
  parts.push(rest);
  return parts.filter((part) => part.trim() !== '');
}

/** How many UTF-16 units of `text` fit in `max` UTF-8 bytes, never splitting a surrogate pair. */
function fitBytes(text: string, max: number): number {
  let bytes = 0;
  let i = 0;
  while (i < text.length) {
    const code = text.codePointAt(i) as number;
    const width = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (bytes + width > max) break;
    bytes += width;
    i += code >= 0x10000 ? 2 : 1;
  }
  return i;
}

async function guard<T>(platform: Platform, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw new ChannelError(platform, 'transient', 'Could not use the adapter state', {}, { cause: error });
  }
}
