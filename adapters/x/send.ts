/** Outbound: OutboundMessage → X DM sends (with one uploaded media each), and media download. */
import type { TwitterApi } from 'twitter-api-v2';
import type { AdapterState, Channel, MediaFile } from '../../src/channel.ts';
import { ChannelError } from '../../src/errors.ts';
import type { Delivery, MediaRef, OutboundFile, OutboundMessage } from '../../src/messages.ts';
import { graphemeCut, wellFormed } from '../../src/safe-text.ts';
import { toChannelError } from './errors.ts';

/** @see https://docs.x.com/x-api/direct-messages/manage/api-reference/post-dm_conversations-with-participant_id-messages ("text … up to 10,000 characters") */
export const MAX_TEXT_LENGTH = 10_000;
/** How long the ids of already-sent parts are kept, so a retried send skips them. */
const PROGRESS_TTL_MS = 24 * 60 * 60 * 1000;
/** How long a sent DM id is remembered, so its echo in GET /2/dm_events is not shown again (events stay listed 30 days). */
export const SENT_TTL_MS = 31 * 24 * 60 * 60 * 1000;
const DOWNLOAD_TIMEOUT_MS = 120_000;

/** The state key under which a DM event Threadline sent is remembered. */
export const sentKey = (dmEventId: string): string => `sent:${dmEventId}`;

export interface SenderOptions {
  readonly client: TwitterApi;
  readonly state: AdapterState;
  readonly now: () => number;
}

export type Sender = Pick<Channel, 'send' | 'fetchMedia'>;

type Step = () => Promise<string>;

/**
 * Builds the sender. A message becomes several DMs when its text is longer than 10,000 characters
 * or when it has more than one file (a DM carries one media attachment; the first carries the
 * text's last part). Each part sent is recorded under the idempotency key, so a retry after a
 * partial failure sends only the rest; each DM id sent is remembered so its echo is not mirrored.
 * Files other than images and videos are refused before anything is sent.
 * @see https://docs.x.com/x-api/direct-messages/manage/api-reference/post-dm_conversations-with-participant_id-messages
 * @see https://docs.x.com/x-api/media/media-upload
 */
export function createSender(options: SenderOptions): Sender {
  const { client, state, now } = options;

  async function sendDm(participantId: string, text: string | undefined, file: OutboundFile | undefined): Promise<string> {
    try {
      const mediaId = file === undefined ? undefined : await upload(client, file);
      const body = {
        ...(text === undefined ? {} : { text }),
        ...(mediaId === undefined ? {} : { attachments: [{ media_id: mediaId }] as [{ media_id: string }] }),
      };
      // The library types the answer as the inner object, but returns X's body `{ data: { dm_conversation_id, dm_event_id } }`.
      const answer = (await client.v2.sendDmToParticipant(participantId, body)) as unknown as { data?: { dm_event_id?: unknown } };
      const id = answer.data?.dm_event_id;
      if (typeof id !== 'string') throw new ChannelError('x', 'transient', 'X accepted the DM but named no dm_event_id');
      return id;
    } catch (error) {
      throw toChannelError(error, now);
    }
  }

  async function send(message: OutboundMessage): Promise<Delivery> {
    const files = message.files ?? [];
    const refused = files.find((file) => mediaCategory(file) === undefined);
    if (refused !== undefined)
      throw new ChannelError(
        'x',
        'rejected',
        `X direct messages carry only images, GIFs and videos, not ${refused.kind} files (${refused.fileName})`,
        { local: true },
      );
    const texts = message.text === undefined || message.text.trim() === '' ? [] : splitText(message.text);
    const steps: Step[] = texts.slice(0, -1).map((part) => () => sendDm(message.contactId, part, undefined));
    const last = texts.at(-1);
    if (files.length === 0 && last !== undefined) steps.push(() => sendDm(message.contactId, last, undefined));
    for (const [i, file] of files.entries()) steps.push(() => sendDm(message.contactId, i === 0 ? last : undefined, file));
    if (steps.length === 0)
      throw new ChannelError('x', 'rejected', 'Nothing to send: the message has no text and no files', { local: true });
    const key = `send:${message.idempotencyKey}`;
    const sent = [...((await guard(() => state.get<string[]>(key))) ?? [])];
    for (const [index, step] of steps.entries()) {
      if (index < sent.length) continue;
      const id = await step();
      sent.push(id);
      await guard(() => state.set(sentKey(id), true, SENT_TTL_MS));
      await guard(() => state.set(key, sent, PROGRESS_TTL_MS));
    }
    return { messageIds: sent, sentAt: new Date(now()).toISOString() };
  }

  async function fetchMedia(ref: MediaRef): Promise<MediaFile> {
    if (ref.platform !== 'x') throw new ChannelError('x', 'rejected', `Not an X media reference (${ref.platform})`);
    if (!/^https:\/\//.test(ref.id)) throw new ChannelError('x', 'rejected', 'Not an X media URL');
    try {
      // DM media is served only to the conversation's participants: the request is OAuth-signed like any other.
      // @see https://docs.x.com/x-api/direct-messages/lookup/integrate
      const response = await client.v2.get(ref.id, undefined, {
        fullResponse: true,
        forceParseMode: 'buffer',
        prefix: '',
        timeout: DOWNLOAD_TIMEOUT_MS,
      });
      const data = response.data as unknown as Buffer;
      const type = response.headers['content-type'];
      const mimeType = typeof type === 'string' && !type.startsWith('application/octet-stream') ? type.split(';')[0] : undefined;
      const fileName = new URL(ref.id).pathname.split('/').pop();
      return { data: new Uint8Array(data), ...(mimeType ? { mimeType } : {}), ...(fileName ? { fileName } : {}) };
    } catch (error) {
      throw toChannelError(error, now);
    }
  }

  return { send, fetchMedia };
}

/**
 * The DM media category of a file, or undefined when X DMs cannot carry it.
 * @see https://docs.x.com/x-api/media/media-upload (media_category dm_image, dm_gif, dm_video)
 */
function mediaCategory(file: OutboundFile): 'dm_image' | 'dm_gif' | 'dm_video' | undefined {
  if (file.kind === 'image') return file.mimeType === 'image/gif' ? 'dm_gif' : 'dm_image';
  if (file.kind === 'video') return 'dm_video';
  return undefined;
}

async function upload(client: TwitterApi, file: OutboundFile): Promise<string> {
  const mediaType = file.mimeType ?? (file.kind === 'video' ? 'video/mp4' : 'image/jpeg');
  const category = mediaCategory(file) ?? 'dm_image';
  return client.v2.uploadMedia(Buffer.from(file.data), { media_type: mediaType as 'image/jpeg', media_category: category });
}

/** Parts of at most 10,000 UTF-16 units, cut on line, then word, then grapheme boundaries; blank parts skipped. */
export function splitText(text: string, max: number = MAX_TEXT_LENGTH): string[] {
  const parts: string[] = [];
  let rest = wellFormed(text);
  while (rest.length > max) {
    let cut = rest.lastIndexOf('\n', max);
    if (cut <= 0) cut = rest.lastIndexOf(' ', max);
    const atSeparator = cut > 0;
    if (!atSeparator) cut = graphemeCut(rest, max) || max;
    parts.push(rest.slice(0, cut));
    rest = rest.slice(atSeparator ? cut + 1 : cut);
  }
  parts.push(rest);
  return parts.filter((part) => part.trim() !== '');
}

/** Store failures while tracking progress: retrying later is safe, sending blind could double-post. */
async function guard<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw new ChannelError('x', 'transient', 'Could not record send progress in the adapter state', {}, { cause: error });
  }
}
