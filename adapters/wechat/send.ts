/**
 * Agents' replies → WeChat customer-service messages (`message/custom/send`), allowed within 48
 * hours of the customer's last message. Images, voice and video are uploaded as temporary media
 * first (`media/upload`) to get a `media_id`. WeChat has no file message, so a reply with any
 * other file is refused as a whole, before anything is sent, with words the thread shows. Each part
 * sent is recorded under the reply's idempotency key, so a retry sends only what is missing.
 * @see https://developers.weixin.qq.com/doc/service/en/api/customer/message/api_sendcustommessage
 * @see https://developers.weixin.qq.com/doc/offiaccount/Asset_Management/New_temporary_materials.html
 * @see https://developers.weixin.qq.com/doc/offiaccount/Asset_Management/Get_temporary_materials.html
 */
import type { AdapterState, MediaFile } from '../../src/channel.ts';
import { ChannelError } from '../../src/errors.ts';
import type { Delivery, MediaRef, OutboundFile, OutboundMessage } from '../../src/messages.ts';
import type { WeChatApi } from './api.ts';
import { toHttpError } from './errors.ts';

/**
 * Longest text part, in UTF-8 bytes: WeChat documents 2048 bytes for text it accepts from an
 * account (passive replies); a longer reply goes as several messages, each counting against the quota.
 * @see https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Passive_user_reply_message.html
 */
export const MAX_TEXT_BYTES = 2048;
const PROGRESS_TTL_MS = 7 * 24 * 3600 * 1000;

/** The temporary media type and message type of each file kind WeChat can carry. */
const MEDIA_TYPES: Readonly<Partial<Record<OutboundFile['kind'], 'image' | 'voice' | 'video'>>> = {
  image: 'image',
  audio: 'voice',
  video: 'video',
};

type Step = () => Promise<string>;

export function createSender(options: { readonly api: WeChatApi; readonly state: AdapterState; readonly now: () => number }) {
  const { api, state } = options;

  async function postMessage(body: Record<string, unknown>, fallbackId: string): Promise<string> {
    const answer = await api.post('message/custom/send', body);
    return typeof answer.msgid === 'string' || typeof answer.msgid === 'number' ? String(answer.msgid) : fallbackId;
  }

  async function upload(file: OutboundFile, type: 'image' | 'voice' | 'video'): Promise<string> {
    const form = new FormData();
    const mimeType = file.mimeType ?? 'application/octet-stream';
    form.append('media', new Blob([file.data as Uint8Array<ArrayBuffer>], { type: mimeType }), file.fileName.replace(/[\r\n"]+/g, ' '));
    const answer = await api.post('media/upload', form, { type });
    if (typeof answer.media_id !== 'string') throw new ChannelError('wechat', 'transient', 'WeChat accepted the upload without a media_id');
    return answer.media_id;
  }

  async function send(message: OutboundMessage): Promise<Delivery> {
    const files = message.files ?? [];
    const refused = files.filter((file) => MEDIA_TYPES[file.kind] === undefined);
    if (refused.length > 0)
      throw new ChannelError(
        'wechat',
        'rejected',
        `WeChat customer-service messages cannot carry files, only images, voice and video (${refused.map((f) => f.fileName).join(', ')}): share the file as a link in the text instead`,
        { local: true },
      );
    const key = `sent:${message.idempotencyKey}`;
    const sent = [...((await guard(() => state.get<string[]>(key))) ?? [])];
    const touser = message.contactId;
    const id = (index: number) => `${message.idempotencyKey}#${index}`;
    const parts = message.text === undefined ? [] : splitUtf8(message.text, MAX_TEXT_BYTES);
    const steps: Step[] = [
      ...parts.map((content, i) => () => postMessage({ touser, msgtype: 'text', text: { content } }, id(i))),
      ...files.map((file, i) => async () => {
        const type = MEDIA_TYPES[file.kind] as 'image' | 'voice' | 'video';
        const mediaId = await upload(file, type);
        return postMessage({ touser, msgtype: type, [type]: { media_id: mediaId } }, id(parts.length + i));
      }),
    ];
    for (const [index, step] of steps.entries()) {
      if (index < sent.length) continue;
      sent.push(await step());
      await guard(() => state.set(key, sent, PROGRESS_TTL_MS));
    }
    return { messageIds: sent, sentAt: new Date(options.now()).toISOString() };
  }

  /** `media/get` serves the file itself, or for a video a JSON `video_url` to download. */
  async function fetchMedia(ref: MediaRef): Promise<MediaFile> {
    if (ref.platform !== 'wechat') throw new ChannelError('wechat', 'rejected', `Not a WeChat media reference (${ref.platform})`);
    let response = await api.get('media/get', { media_id: ref.id });
    if (!(response instanceof Response)) {
      const videoUrl = response.video_url;
      if (typeof videoUrl !== 'string') throw new ChannelError('wechat', 'rejected', 'WeChat offers no download for this media');
      response = await api.download(videoUrl);
      if (!response.ok) throw toHttpError(response.status);
    }
    const mimeType = response.headers.get('content-type') ?? undefined;
    const fileName = fileNameOf(response.headers.get('content-disposition'));
    return {
      data: new Uint8Array(await response.arrayBuffer()),
      ...(mimeType === undefined ? {} : { mimeType }),
      ...(fileName === undefined ? {} : { fileName }),
    };
  }

  return { send, fetchMedia };
}

/** `attachment; filename="MEDIA_ID.jpg"` → `MEDIA_ID.jpg`. @see https://www.rfc-editor.org/rfc/rfc6266 */
function fileNameOf(disposition: string | null): string | undefined {
  if (disposition === null) return undefined;
  for (const part of disposition.split(';')) {
    const [name, ...rest] = part.split('=');
    if (name?.trim().toLowerCase() !== 'filename') continue;
    const value = rest
      .join('=')
      .trim()
      .replace(/^"(.*)"$/, '$1');
    return value === '' ? undefined : value;
  }
  return undefined;
}

/** Parts of at most `maxBytes` UTF-8 bytes, cut between code points, at a line break or space where there is one. */
export function splitUtf8(text: string, maxBytes: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (Buffer.byteLength(rest) > maxBytes) {
    let end = 0;
    let bytes = 0;
    for (const char of rest) {
      const size = Buffer.byteLength(char);
      if (bytes + size > maxBytes) break;
      bytes += size;
      end += char.length;
    }
    const head = rest.slice(0, end);
    const breakAt = Math.max(head.lastIndexOf('\n'), head.lastIndexOf(' '));
    const cut = breakAt > 0 && breakAt >= end / 2 ? breakAt : end;
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
    throw new ChannelError('wechat', 'transient', 'Could not record send progress in the adapter state', {}, { cause: error });
  }
}
