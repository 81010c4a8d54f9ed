/**
 * One WeChat push (the fields of its `<xml>`) → Threadline events. Pure: no I/O.
 *
 * Messages carry `MsgId`, their de-duplication key; events carry none, so WeChat's advice is used:
 * the sender and `CreateTime` (with the event's name). WeChat retries a push up to 3 times, and
 * the journal drops a second copy of the same eventId.
 * @see https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_standard_messages.html
 * @see https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_event_pushes.html
 */
import type { Attachment, InboundEvent, InboundMessage } from '../../src/messages.ts';
import { textField, type XmlFields } from './xml.ts';

export interface ParseContext {
  /** WECHAT_APP_ID: Threadline's account id for WeChat. */
  readonly account: string;
  /** Now, in ms, for an unreadable message whose CreateTime cannot be read. */
  readonly receivedAt: number;
}

/**
 * What a push gave: its events, or the kind Threadline does not mirror (`unknown`, for one warn per
 * kind), or `invalid` when it is not a push at all (no sender or no type: answered 400).
 */
export type ParseResult = { readonly events: readonly InboundEvent[]; readonly unknown?: string } | { readonly invalid: string };

/** Voice formats WeChat names in `Format` → MIME types. @see https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_standard_messages.html */
const VOICE_TYPES: Readonly<Record<string, string>> = { amr: 'audio/amr', speex: 'audio/speex' };

export function parsePush(fields: XmlFields, ctx: ParseContext): ParseResult {
  const from = textField(fields, 'FromUserName');
  const type = textField(fields, 'MsgType');
  if (typeof from !== 'string' || from === '') return { invalid: 'no FromUserName' };
  if (typeof type !== 'string' || type === '') return { invalid: 'no MsgType' };
  const created = textField(fields, 'CreateTime');
  const seconds = typeof created === 'string' && /^[0-9]{1,12}$/.test(created) ? Number(created) : undefined;
  const occurredAt = new Date(seconds === undefined ? ctx.receivedAt : seconds * 1000).toISOString();
  const base = { platform: 'wechat' as const, account: ctx.account, contact: { id: from }, occurredAt };

  if (type === 'event') {
    const event = textField(fields, 'Event');
    const name = typeof event === 'string' ? event : '';
    const eventId = `${from}:${created ?? ''}:${name}`;
    // Following opens nothing until the user writes; unfollowing is noted in an open thread (replies can no longer reach them).
    if (name === 'subscribe') return { events: [{ ...base, kind: 'contact_status', eventId, status: 'unblocked' }] };
    if (name === 'unsubscribe') return { events: [{ ...base, kind: 'contact_status', eventId, status: 'blocked' }] };
    return { events: [], unknown: `event ${name || '(none)'}` };
  }

  const msgId = textField(fields, 'MsgId');
  const messageId = typeof msgId === 'string' && msgId !== '' ? msgId : `${from}:${created ?? ''}`;
  const message = { ...base, kind: 'message' as const, eventId: messageId, messageId, attachments: [] as Attachment[] };
  const unreadable = (reason: string): InboundMessage => ({ ...message, unreadable: { kind: type, reason } });
  if (seconds === undefined) return { events: [unreadable('its CreateTime is not a time')] };
  const text = (name: string): string | undefined | null => textField(fields, name);
  const media = (kind: 'image' | 'audio' | 'video', mimeType?: string): Attachment | undefined => {
    const id = text('MediaId');
    if (typeof id !== 'string' || id === '') return undefined;
    return { kind, media: { platform: 'wechat', id }, ...(mimeType === undefined ? {} : { mimeType }) };
  };

  switch (type) {
    case 'text': {
      const content = text('Content');
      if (typeof content !== 'string') return { events: [unreadable('its Content is missing or not text')] };
      if (content.trim() === '') return { events: [unreadable('its Content is empty')] };
      return { events: [{ ...message, text: content }] };
    }
    case 'image': {
      const image = media('image');
      if (image === undefined) return { events: [unreadable('it names no MediaId for the picture')] };
      return { events: [{ ...message, attachments: [image] }] };
    }
    case 'voice': {
      const format = text('Format');
      const voice = media('audio', typeof format === 'string' ? VOICE_TYPES[format.toLowerCase()] : undefined);
      if (voice === undefined) return { events: [unreadable('it names no MediaId for the recording')] };
      // With speech recognition on, WeChat adds what it heard.
      const heard = text('Recognition');
      return {
        events: [{ ...message, attachments: [voice], ...(typeof heard === 'string' && heard.trim() !== '' ? { text: heard } : {}) }],
      };
    }
    case 'video':
    case 'shortvideo': {
      const video = media('video');
      if (video === undefined) return { events: [unreadable('it names no MediaId for the video')] };
      return { events: [{ ...message, attachments: [video] }] };
    }
    case 'location': {
      const latitude = Number(text('Location_X') ?? Number.NaN);
      const longitude = Number(text('Location_Y') ?? Number.NaN);
      if (!Number.isFinite(latitude) || !Number.isFinite(longitude) || Math.abs(latitude) > 90 || Math.abs(longitude) > 180)
        return { events: [unreadable('its Location_X and Location_Y are not a place')] };
      const label = text('Label');
      const place: Attachment = {
        kind: 'location',
        latitude,
        longitude,
        ...(typeof label === 'string' && label !== '' ? { name: label } : {}),
      };
      return { events: [{ ...message, attachments: [place] }] };
    }
    case 'link': {
      const parts = ['Title', 'Description', 'Url']
        .map(text)
        .filter((part): part is string => typeof part === 'string' && part.trim() !== '');
      if (parts.length === 0) return { events: [unreadable('it has no Title, Description or Url')] };
      return { events: [{ ...message, text: parts.join('\n') }] };
    }
    default:
      return { events: [], unknown: `message ${type}` };
  }
}
