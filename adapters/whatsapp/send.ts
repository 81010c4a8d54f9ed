/**
 * Agents' replies → WhatsApp: `POST /<PHONE_NUMBER_ID>/messages`, files uploaded first
 * (`POST /<PHONE_NUMBER_ID>/media`) to get a media id. Each part sent is recorded under the
 * reply's idempotency key, so a retry sends only what is missing.
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/text-messages
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/image-messages/
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/business-phone-numbers/media
 */
import type { AdapterState, MediaFile } from '../../src/channel.ts';
import { ChannelError } from '../../src/errors.ts';
import type { Delivery, MediaRef, OutboundFile, OutboundMessage } from '../../src/messages.ts';
import type { GraphClient } from '../meta/graph.ts';

/** Text body limit. */
export const MAX_TEXT_LENGTH = 4096;
/** Caption limit of image, video and document messages. */
const MAX_CAPTION_LENGTH = 1024;
const PROGRESS_TTL_MS = 7 * 24 * 3600 * 1000;

/** Supported types; anything else goes as a document. @see https://developers.facebook.com/documentation/business-messaging/whatsapp/business-phone-numbers/media#supported-media-types */
const IMAGE_TYPES = new Set(['image/jpeg', 'image/png']);
const AUDIO_TYPES = new Set(['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg']);
const VIDEO_TYPES = new Set(['video/mp4', 'video/3gpp']);

type Step = (context: Record<string, unknown>) => Promise<string>;

/** Where replies to `contactId` go: its phone (digits, as `wa_id`), learned from its messages. */
export type RecipientOf = (contactId: string) => Promise<string | undefined>;

export function createSender(options: {
  readonly graph: GraphClient;
  readonly phoneNumberId: string;
  readonly state: AdapterState;
  readonly recipientOf: RecipientOf;
  readonly now: () => number;
}) {
  const { graph, phoneNumberId, state } = options;

  async function postMessage(to: string, body: Record<string, unknown>): Promise<string> {
    const answer = (await graph.post(`${phoneNumberId}/messages`, {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to,
      ...body,
    })) as { messages?: { id?: unknown }[] };
    const id = answer.messages?.[0]?.id;
    if (typeof id !== 'string') throw new ChannelError('whatsapp', 'transient', 'WhatsApp accepted the message without a message id');
    return id;
  }

  async function upload(file: OutboundFile, mimeType: string): Promise<string> {
    const form = new FormData();
    form.append('messaging_product', 'whatsapp');
    form.append('type', mimeType);
    form.append('file', new Blob([file.data as Uint8Array<ArrayBuffer>], { type: mimeType }), file.fileName.replace(/[\r\n"]+/g, ' '));
    const answer = (await graph.post(`${phoneNumberId}/media`, form)) as { id?: unknown };
    if (typeof answer.id !== 'string') throw new ChannelError('whatsapp', 'transient', 'WhatsApp accepted the upload without a media id');
    return answer.id;
  }

  async function send(message: OutboundMessage): Promise<Delivery> {
    if (message.contactId.startsWith('group:'))
      throw new ChannelError('whatsapp', 'rejected', 'Threadline does not send to WhatsApp groups yet', { local: true });
    const to = await options.recipientOf(message.contactId);
    if (to === undefined)
      throw new ChannelError('whatsapp', 'rejected', 'No phone number is known for this WhatsApp customer (a username-only account)', {
        local: true,
      });
    const key = `sent:${message.idempotencyKey}`;
    const sent = [...((await guard(() => state.get<string[]>(key))) ?? [])];
    const steps = plan(message);
    const context = message.replyTo === undefined ? {} : { context: { message_id: message.replyTo } };
    for (const [index, step] of steps.entries()) {
      if (index < sent.length) continue;
      sent.push(await step(context));
      await guard(() => state.set(key, sent, PROGRESS_TTL_MS));
    }
    return { messageIds: sent, sentAt: new Date(options.now()).toISOString() };

    function plan(m: OutboundMessage): Step[] {
      const files = m.files ?? [];
      const text = m.text !== undefined && m.text.trim() !== '' ? m.text : undefined;
      const first = files[0];
      const captionable = first !== undefined && kindFor(first) !== 'audio';
      const caption = text !== undefined && captionable && text.length <= MAX_CAPTION_LENGTH ? text : undefined;
      const result: Step[] = [];
      if (text !== undefined && caption === undefined) {
        for (const part of splitText(text))
          result.push((c) => postMessage(to as string, { type: 'text', text: { body: part, preview_url: false }, ...c }));
      }
      for (const [i, file] of files.entries()) {
        result.push(async (c) => {
          const type = kindFor(file);
          const mimeType = file.mimeType ?? 'application/octet-stream';
          const id = await upload(file, mimeType);
          const media: Record<string, unknown> = { id };
          if (i === 0 && caption !== undefined) media.caption = caption;
          if (type === 'document') media.filename = file.fileName;
          return postMessage(to as string, { type, [type]: media, ...c });
        });
      }
      return result;
    }
  }

  /**
   * `GET /<media-id>` gives a short-lived URL; that URL is fetched with the same bearer token.
   * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/business-phone-numbers/media#retrieve-media-url
   * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/business-phone-numbers/media#download-media
   */
  async function fetchMedia(ref: MediaRef): Promise<MediaFile> {
    if (ref.platform !== 'whatsapp') throw new ChannelError('whatsapp', 'rejected', `Not a WhatsApp media reference (${ref.platform})`);
    const info = (await graph.get(encodeURIComponent(ref.id))) as { url?: unknown; mime_type?: unknown };
    if (typeof info.url !== 'string') throw new ChannelError('whatsapp', 'rejected', 'WhatsApp offers no download for this media');
    const file = await graph.download(info.url);
    const mimeType = typeof info.mime_type === 'string' ? info.mime_type : file.mimeType;
    return { data: file.data, ...(mimeType ? { mimeType } : {}) };
  }

  return { send, fetchMedia };
}

function kindFor(file: OutboundFile): 'image' | 'audio' | 'video' | 'document' {
  const type = (file.mimeType ?? '').split(';')[0]?.trim() ?? '';
  if (file.kind === 'image' && IMAGE_TYPES.has(type)) return 'image';
  if (file.kind === 'audio' && AUDIO_TYPES.has(type)) return 'audio';
  if (file.kind === 'video' && VIDEO_TYPES.has(type)) return 'video';
  return 'document';
}

/** Parts of at most `max` UTF-16 units, cut at a line break or a space where there is one. */
export function splitText(text: string, max = MAX_TEXT_LENGTH): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = rest.lastIndexOf('\n', max);
    if (cut <= 0) cut = rest.lastIndexOf(' ', max);
    if (cut <= 0) cut = max;
    parts.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^[\n ]/, '');
  }
  parts.push(rest);
  return parts.filter((part) => part.trim() !== '');
}

async function guard<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw new ChannelError('whatsapp', 'transient', 'Could not record send progress in the adapter state', {}, { cause: error });
  }
}
