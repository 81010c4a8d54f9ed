/** Outbound: OutboundMessage → Bot API calls, and media download. */
import { InputFile, type Api } from 'grammy';
import type { Message, ReplyParameters } from 'grammy/types';
import type { AdapterState, Channel, MediaFile } from '../../src/channel.ts';
import { ChannelError } from '../../src/errors.ts';
import { assertNever, type Delivery, type MediaRef, type OutboundFile, type OutboundMessage } from '../../src/messages.ts';
import { graphemeCut, wellFormed } from '../../src/safe-text.ts';
import { toChannelError, toDownloadError } from './errors.ts';

/** @see https://core.telegram.org/bots/api#sendmessage (text: 1-4096 characters after entities parsing) */
export const MAX_TEXT_LENGTH = 4096;
/** @see https://core.telegram.org/bots/api#sendphoto (caption: 0-1024 characters after entities parsing) */
const MAX_CAPTION_LENGTH = 1024;
/** @see https://core.telegram.org/bots/api#sending-files ("10 MB max size for photos"; bigger images go as documents) */
const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
/** A download of at most 20 MB that takes longer has stalled. */
const DOWNLOAD_TIMEOUT_MS = 120_000;
/** How long the ids of already-sent parts are kept, so a retried send skips them. */
const PROGRESS_TTL_MS = 24 * 60 * 60 * 1000;

export interface SenderOptions {
  readonly api: Api;
  readonly apiRoot: string;
  readonly botToken: string;
  readonly state: AdapterState;
  readonly now: () => number;
}

/** Sends messages and downloads media; every failure is a ChannelError. */
export type Sender = Pick<Channel, 'send' | 'fetchMedia'>;

type StepOptions = { reply_parameters?: ReplyParameters };
type Step = (options: StepOptions) => Promise<Message>;

/**
 * Builds the sender. A message becomes several Telegram messages when its text is longer than
 * 4096 characters (split on line, then word boundaries) or when it has files; the first file
 * carries the text as caption when it fits in 1024 characters. Each part sent is recorded in
 * `state` under the idempotency key, so a retry after a partial failure sends only the rest.
 * @see https://core.telegram.org/bots/api#sendmessage
 * @see https://core.telegram.org/bots/api#sending-files
 */
export function createSender(options: SenderOptions): Sender {
  const { api, state } = options;

  async function send(message: OutboundMessage): Promise<Delivery> {
    const steps = plan(api, toChatId(message.contactId), message);
    if (steps.length === 0)
      throw new ChannelError('telegram', 'rejected', 'Nothing to send: the message has no text and no files', { local: true });
    const key = `send:${message.idempotencyKey}`;
    const sent = [...((await guard(() => state.get<string[]>(key))) ?? [])];
    const reply: ReplyParameters | undefined =
      message.replyTo !== undefined && /^[0-9]+$/.test(message.replyTo)
        ? { message_id: Number(message.replyTo), allow_sending_without_reply: true }
        : undefined;
    for (const [index, step] of steps.entries()) {
      if (index < sent.length) continue;
      let result: Message;
      try {
        result = await step(index === 0 && reply ? { reply_parameters: reply } : {});
      } catch (error) {
        throw toChannelError(error);
      }
      sent.push(String(result.message_id));
      await guard(() => state.set(key, sent, PROGRESS_TTL_MS));
    }
    return { messageIds: sent, sentAt: new Date(options.now()).toISOString() };
  }

  async function fetchMedia(ref: MediaRef): Promise<MediaFile> {
    if (ref.platform !== 'telegram') throw new ChannelError('telegram', 'rejected', `Not a Telegram media reference (${ref.platform})`);
    try {
      const file = await api.getFile(ref.id);
      // @see https://core.telegram.org/bots/api#file (file_path is absent when the file cannot be downloaded)
      if (file.file_path === undefined) throw new ChannelError('telegram', 'rejected', 'Telegram offers no download for this file');
      // @see https://core.telegram.org/bots/api#getfile (https://api.telegram.org/file/bot<token>/<file_path>)
      // The URL contains the token: it is never logged and never put in an error.
      const url = `${options.apiRoot}/file/bot${options.botToken}/${file.file_path}`;
      const response = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
      if (!response.ok) throw toDownloadError(response.status);
      const data = new Uint8Array(await response.arrayBuffer());
      const mimeType = response.headers.get('content-type') ?? undefined;
      const fileName = file.file_path.split('/').pop();
      return {
        data,
        ...(mimeType && !mimeType.startsWith('application/octet-stream') ? { mimeType } : {}),
        ...(fileName ? { fileName } : {}),
      };
    } catch (error) {
      throw toChannelError(error);
    }
  }

  return { send, fetchMedia };
}

/**
 * Splits text into parts of at most `max` UTF-16 units (never more characters than Telegram
 * counts), cutting at the last line break, else the last whitespace, else at the last grapheme
 * boundary (never inside an emoji or between a letter and its accent). Lone surrogates become
 * U+FFFD. The separator at a cut is dropped; blank parts are skipped.
 */
export function splitText(text: string, max: number = MAX_TEXT_LENGTH): string[] {
  const parts: string[] = [];
  let rest = wellFormed(text);
  while (rest.length > max) {
    let cut = rest.lastIndexOf('\n', max);
    if (cut <= 0) cut = lastWhitespace(rest, max);
    const atSeparator = cut > 0;
    // A single grapheme longer than a whole part (thousands of combining marks) is cut between code points.
    if (!atSeparator) cut = graphemeCut(rest, max) || (isHighSurrogate(rest.charCodeAt(max - 1)) ? max - 1 : max);
    parts.push(rest.slice(0, cut));
    rest = rest.slice(atSeparator ? cut + 1 : cut);
  }
  parts.push(rest);
  return parts.filter((part) => part.trim() !== '');
}

function plan(api: Api, chatId: number | string, message: OutboundMessage): Step[] {
  const files = message.files ?? [];
  const text = message.text !== undefined && message.text.trim() !== '' ? message.text : undefined;
  const caption = text !== undefined && files.length > 0 && text.length <= MAX_CAPTION_LENGTH ? text : undefined;
  const steps: Step[] = [];
  if (text !== undefined && caption === undefined) {
    for (const part of splitText(text)) steps.push((o) => api.sendMessage(chatId, part, o));
  }
  for (const [i, file] of files.entries())
    steps.push((o) => sendFile(api, chatId, file, { ...o, ...(i === 0 && caption ? { caption } : {}) }));
  return steps;
}

/** @see https://core.telegram.org/bots/api#sendvoice (OGG/OPUS shows as a voice message; sendAudio takes MP3/M4A) */
function sendFile(api: Api, chatId: number | string, file: OutboundFile, extra: StepOptions & { caption?: string }): Promise<Message> {
  // grammY refuses file names with line breaks; a fresh InputFile per call, as one can be read only once.
  const input = new InputFile(file.data, file.fileName.replace(/[\r\n]+/g, ' '));
  switch (file.kind) {
    case 'image':
      return file.data.byteLength <= MAX_PHOTO_BYTES ? api.sendPhoto(chatId, input, extra) : api.sendDocument(chatId, input, extra);
    case 'audio':
      return file.mimeType === 'audio/ogg' ? api.sendVoice(chatId, input, extra) : api.sendAudio(chatId, input, extra);
    case 'video':
      return api.sendVideo(chatId, input, extra);
    case 'file':
      return api.sendDocument(chatId, input, extra);
    default:
      return assertNever(file.kind);
  }
}

/** Chat ids are integers of at most 52 significant bits, safe as JS numbers. @see https://core.telegram.org/bots/api#chat */
function toChatId(contactId: string): number | string {
  return /^-?[0-9]+$/.test(contactId) ? Number(contactId) : contactId;
}

function lastWhitespace(text: string, max: number): number {
  for (let i = max; i > 0; i--) if (/\s/.test(text.charAt(i))) return i;
  return -1;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Store failures while tracking progress: retrying later is safe, sending blind could double-post. */
async function guard<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw new ChannelError('telegram', 'transient', 'Could not record send progress in the adapter state', {}, { cause: error });
  }
}
