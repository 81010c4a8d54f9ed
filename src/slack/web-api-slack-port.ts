/**
 * SlackPort (the interface in src/engine/slack-port.ts) implemented with Slack's Web API. Every write
 * goes through the pacer keyed by Slack channel, so a backlog keeps each conversation's order.
 * @see https://docs.slack.dev/reference/methods/chat.postMessage
 */
import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { SlackChannelUnavailableError } from '../errors.ts';
import type { ConversationView, CustomerPost, PostMarker, SlackFileRef, SlackPort, ThreadRef } from '../engine/slack-port.ts';
import { assignmentNoteText } from './assignment-text.ts';
import { escapeText, parentMessage } from './blocks.ts';
import { batchBlocks, batchLimits, fallbackText, sectionText, sectionsOf } from './customer-batch.ts';
import { deescalatedPostText, escalationNoteText, escalationPostText } from './escalation-text.ts';
import { failureText, platformName } from './failure-text.ts';
import { toReactionName } from './emoji.ts';
import { parkedText } from './parked-text.ts';
import { escalationLinkText, waitingAlertText } from './waiting-text.ts';
import { retryRateLimited, type Pacer } from './pacing.ts';
import { toSlackApiError } from './slack-errors.ts';

/** Dependencies of {@link createWebApiSlackPort}. */
export interface WebApiSlackPortOptions {
  /** A WebClient with the bot token and `rejectRateLimitedCalls: true` (see createSlackApp). */
  readonly client: webApi.WebClient;
  readonly pacer: Pacer;
  /** Sent as `Authorization: Bearer` when downloading agents' files. */
  readonly botToken: string;
  readonly logger: Logger;
  /** Largest agent file downloadFile accepts (default 100 MB). */
  readonly maxDownloadBytes?: number;
  /** fetch for downloads (default global fetch). */
  readonly fetch?: typeof fetch;
  /** The reply mode (`/inbox replies`), said on every parent posted or updated; unsaid without it. */
  readonly replyMode?: () => Promise<'all' | 'prefixed'>;
  /** The note prefix, for the parent's reply-mode line (default `note:`). */
  readonly notePrefix?: string;
  /** How long a user's presence is reused before asking Slack again (default 60 s). */
  readonly presenceTtlMs?: number;
  readonly now?: () => number;
  /** Called when App Home should be refreshed (src/slack/home.ts debounces it). */
  readonly onDeskChanged?: () => void;
}

/** Reaction on an agent's message that reached the customer (✔️; ✅ is the close command). */
export const DELIVERED_REACTION = ':heavy_check_mark:';
/** Reaction on an agent's message the customer has read (👀), when the platform reports reads. */
export const READ_REACTION = ':eyes:';
/** Reaction on an agent's message that did not reach the customer (⚠️), next to the notice explaining why. */
export const FAILED_REACTION = ':warning:';

/** Slack's `username` limit for custom identities is short; longer names are cut. */
const MAX_USERNAME = 80;

/** Creates the SlackPort; see the interface in src/engine/slack-port.ts for each method's contract. */
export function createWebApiSlackPort(options: WebApiSlackPortOptions): SlackPort {
  const { client, pacer, logger } = options;
  const fetchFn = options.fetch ?? fetch;
  const maxBytes = options.maxDownloadBytes ?? 100 * 1024 * 1024;
  const now = options.now ?? Date.now;
  const presenceTtlMs = options.presenceTtlMs ?? 60_000;
  const presence = new Map<string, { readonly active: boolean; readonly at: number }>();

  /** Runs one Web API call paced for `slackChannelId`, turning failures into actionable errors. */
  async function call<T>(method: string, slackChannelId: string, fn: () => Promise<T>, paced = true): Promise<T> {
    try {
      return paced ? await pacer.run(slackChannelId, fn) : await retryRateLimited(fn, { logger, key: slackChannelId });
    } catch (error) {
      const code = slackErrorCode(error);
      if (code === 'not_in_channel' || code === 'channel_not_found' || code === 'is_archived') {
        throw new SlackChannelUnavailableError(slackChannelId, code, describeSlackError(method, slackChannelId, error), { cause: error });
      }
      throw toSlackApiError(describeSlackError(method, slackChannelId, error), error, code);
    }
  }

  /**
   * The message a customer answered, as a Slack quote (`> …` lines, shortened) followed by a line
   * break; empty when it cannot be read, so the customer's words are posted either way.
   * @see https://docs.slack.dev/messaging/formatting-message-text#quotes
   */
  async function quoteOf(slackChannelId: string, quoted: { readonly ts: string; readonly section?: number }): Promise<string> {
    const { ts, section } = quoted;
    try {
      const message = await readMessage(slackChannelId, ts);
      // A message posted in a batch is quoted by its own section, not the whole combined post.
      const words = (section === undefined ? message?.text : sectionsOf(message?.blocks)?.[section])?.trim();
      return quoteLines(words);
    } catch (error) {
      logger.debug({ err: error, slackChannelId, ts }, 'quoted message not read; posting without the quote');
      return '';
    }
  }

  /** One message of a thread as Slack returns it (with its blocks), read back by its ts. */
  async function readMessage(slackChannelId: string, ts: string): Promise<{ text?: string; blocks?: unknown } | undefined> {
    const result = await call(
      'conversations.replies',
      slackChannelId,
      () => client.conversations.replies({ channel: slackChannelId, ts, oldest: ts, inclusive: true, limit: 200 }),
      false,
    );
    return result.messages?.find((m) => m.ts === ts);
  }

  function quoteLines(quoted: string | undefined): string {
    if (!quoted) return '';
    const short = quoted.length > 300 ? `${quoted.slice(0, 299)}…` : quoted;
    return `${short
      .split('\n')
      .map((line) => `> ${line}`)
      .join('\n')}\n`;
  }

  /** Threadline's own note in a thread; with `marker`, findable again after a crash (postOnce). Returns its ts. */
  async function postInThread(thread: ThreadRef, text: string, marker?: PostMarker): Promise<string> {
    const result = await call('chat.postMessage', thread.slackChannelId, () =>
      client.chat.postMessage({
        channel: thread.slackChannelId,
        thread_ts: thread.threadTs,
        text,
        ...(marker ? { metadata: markerMetadata(marker) } : {}),
        unfurl_links: false,
      }),
    );
    return requireTs(result.ts, 'chat.postMessage');
  }

  /** Threadline's own top-level message in a Slack channel, carrying `marker`, links not unfurled. Returns its ts. */
  async function postInChannel(slackChannelId: string, text: string, marker: PostMarker): Promise<string> {
    const result = await call('chat.postMessage', slackChannelId, () =>
      client.chat.postMessage({
        channel: slackChannelId,
        text,
        metadata: markerMetadata(marker),
        unfurl_links: false,
        unfurl_media: false,
      }),
    );
    return requireTs(result.ts, 'chat.postMessage');
  }

  async function permalink(thread: ThreadRef): Promise<string | undefined> {
    try {
      const result = await call(
        'chat.getPermalink',
        thread.slackChannelId,
        () => client.chat.getPermalink({ channel: thread.slackChannelId, message_ts: thread.threadTs }),
        false,
      );
      return result.permalink;
    } catch (error) {
      logger.warn({ err: error, slackChannelId: thread.slackChannelId }, 'previous thread link unavailable');
      return undefined;
    }
  }

  /** Builds the parent; retries once without the avatar when Slack could not fetch the picture. */
  async function withParent<T>(view: ConversationView, send: (body: ReturnType<typeof parentMessage>) => Promise<T>): Promise<T> {
    const [previousLink, movedFromLink, movedToLink] = await Promise.all(
      [view.previous, view.movedFrom, view.movedTo].map((thread) => (thread ? permalink(thread) : undefined)),
    );
    const replyMode = await options.replyMode?.();
    const opts = {
      ...(previousLink ? { previousLink } : {}),
      ...(movedFromLink ? { movedFromLink } : {}),
      ...(movedToLink ? { movedToLink } : {}),
      ...(replyMode ? { replyMode } : {}),
      ...(options.notePrefix ? { notePrefix: options.notePrefix } : {}),
    };
    try {
      return await send(parentMessage(view, opts));
    } catch (error) {
      if (!view.contact.avatarUrl || slackErrorCode(error) !== 'invalid_blocks') throw error;
      logger.warn({ conversationId: view.conversationId }, 'slack refused the avatar, posting without it');
      return send(parentMessage(view, { ...opts, showAvatar: false }));
    }
  }

  function customerText(text: string, files: CustomerPost['files']): string {
    if (text.trim() !== '') return escapeText(text);
    const names = files.map((f) => escapeText(f.fileName)).join(', ');
    return files.length === 1 ? `📎 ${names}` : `📎 ${files.length} files: ${names}`;
  }

  const port: SlackPort = {
    async postParent(slackChannelId, view, marker) {
      const result = await withParent(view, (body) =>
        call('chat.postMessage', slackChannelId, () =>
          client.chat.postMessage({
            channel: slackChannelId,
            ...body,
            metadata: markerMetadata(marker),
            unfurl_links: false,
            unfurl_media: false,
          }),
        ),
      );
      return requireTs(result.ts, 'chat.postMessage');
    },

    async updateParent(thread, view) {
      await withParent(view, (body) =>
        call('chat.update', thread.slackChannelId, () =>
          client.chat.update({ channel: thread.slackChannelId, ts: thread.threadTs, ...body }),
        ),
      );
    },

    async postCustomerMessage(post) {
      const { slackChannelId, threadTs } = post.thread;
      const text = `${post.quoting ? await quoteOf(slackChannelId, post.quoting) : ''}${customerText(post.text, post.files)}`;
      // The customer's name and picture need chat:write.customize. A text message is always posted
      // first, even for files alone: only it can carry the marker and the customer's identity.
      const result = await call('chat.postMessage', slackChannelId, () =>
        client.chat.postMessage({
          channel: slackChannelId,
          thread_ts: threadTs,
          text,
          username: slackUsername(post.author.name),
          ...(post.author.avatarUrl ? { icon_url: post.author.avatarUrl } : {}),
          metadata: markerMetadata(post.marker),
          unfurl_links: false,
          unfurl_media: false,
        }),
      );
      return requireTs(result.ts, 'chat.postMessage');
    },

    async postCustomerBatch(batch) {
      const { slackChannelId, threadTs } = batch.thread;
      const texts = await Promise.all(
        batch.sections.map(async (section) =>
          sectionText(section.text, section.quoting ? await quoteOf(slackChannelId, section.quoting) : ''),
        ),
      );
      // One section block per message: the engine finds each message again by its index here.
      const result = await call('chat.postMessage', slackChannelId, () =>
        client.chat.postMessage({
          channel: slackChannelId,
          thread_ts: threadTs,
          text: fallbackText(texts),
          blocks: batchBlocks(texts),
          username: slackUsername(batch.author.name),
          ...(batch.author.avatarUrl ? { icon_url: batch.author.avatarUrl } : {}),
          metadata: markerMetadata(batch.marker),
          unfurl_links: false,
          unfurl_media: false,
        }),
      );
      return requireTs(result.ts, 'chat.postMessage');
    },

    batchLimits,

    behindPace: (slackChannelId) => pacer.wouldWait(slackChannelId),

    async uploadFiles(thread, files) {
      if (files.length === 0) return;
      const { slackChannelId, threadTs } = thread;
      // files.getUploadURLExternal → POST upload_url → files.completeUploadExternal.
      // @see https://docs.slack.dev/reference/methods/files.completeUploadExternal
      await call('files.uploadV2', slackChannelId, () =>
        client.files.uploadV2({
          channel_id: slackChannelId,
          thread_ts: threadTs,
          file_uploads: files.map((f) => ({
            file: Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength),
            filename: f.fileName,
            ...(f.title ? { title: f.title } : {}),
          })),
        }),
      );
      logger.debug({ slackChannelId, threadTs, files: files.length }, 'customer files uploaded');
    },

    async updateCustomerMessage(thread, ts, text, _author, section) {
      const { slackChannelId } = thread;
      const sections = section === undefined ? undefined : sectionsOf((await readMessage(slackChannelId, ts))?.blocks);
      if (section === undefined || sections === undefined || section >= sections.length) {
        if (section !== undefined) logger.warn({ slackChannelId, ts, section }, 'combined post has no such section; rewriting it whole');
        await call('chat.update', slackChannelId, () =>
          client.chat.update({ channel: slackChannelId, ts, text: `${escapeText(text)} _(edited)_` }),
        );
        return;
      }
      // Only this message's section changes; the quote above it (our `> ` lines) stays. The other
      // sections are taken as Slack has them now (edits apply one at a time per conversation).
      const quote = (sections[section] ?? '')
        .split('\n')
        .filter((line, i, lines) => line.startsWith('> ') && lines.slice(0, i).every((l) => l.startsWith('> ')));
      sections[section] = `${sectionText(text, quote.length > 0 ? `${quote.join('\n')}\n` : '')} _(edited)_`;
      await call('chat.update', slackChannelId, () =>
        client.chat.update({
          channel: slackChannelId,
          ts,
          text: fallbackText(sections),
          // New block_ids for the new iteration of the message, as Slack asks.
          blocks: batchBlocks(sections, now().toString(36)),
        }),
      );
    },

    async findPosted(slackChannelId, thread, marker) {
      return call(
        thread ? 'conversations.replies' : 'conversations.history',
        slackChannelId,
        () => findMarked(client, slackChannelId, thread, marker),
        false,
      );
    },

    async addReaction(slackChannelId, ts, emoji) {
      const name = toReactionName(emoji);
      try {
        await call('reactions.add', slackChannelId, () => client.reactions.add({ channel: slackChannelId, timestamp: ts, name }));
      } catch (error) {
        if (slackErrorCode(error) !== 'already_reacted') throw error;
      }
    },

    async removeReaction(slackChannelId, ts, emoji) {
      const name = toReactionName(emoji);
      try {
        await call('reactions.remove', slackChannelId, () => client.reactions.remove({ channel: slackChannelId, timestamp: ts, name }));
      } catch (error) {
        if (slackErrorCode(error) !== 'no_reaction') throw error;
      }
    },

    async threadOf(slackChannelId, ts) {
      try {
        const result = await call(
          'conversations.replies',
          slackChannelId,
          () => client.conversations.replies({ channel: slackChannelId, ts, limit: 1 }),
          false,
        );
        // Every message of a thread carries the parent's ts as thread_ts; a lone message has none.
        // @see https://docs.slack.dev/reference/methods/conversations.replies
        const first = result.messages?.[0];
        return first ? (first.thread_ts ?? first.ts) : undefined;
      } catch (error) {
        if (['thread_not_found', 'message_not_found'].includes(slackErrorCode(error) ?? '')) return undefined;
        throw error;
      }
    },

    async noteContactStatus(thread, platform, status) {
      // WeChat has no blocking: the customer unfollows the Official Account (the `unsubscribe` event).
      // @see https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_event_pushes.html
      const wechat =
        status === 'blocked'
          ? '🚫 The customer unfollowed this WeChat Official Account: replies cannot reach them until they follow it again and write.'
          : '✅ The customer follows this WeChat Official Account again: replies reach them once they write.';
      const text =
        platform === 'wechat'
          ? wechat
          : status === 'blocked'
            ? `🚫 The customer blocked this ${platformName(platform)} account: replies cannot reach them until they unblock it or write again.`
            : `✅ The customer unblocked this ${platformName(platform)} account: replies reach them again.`;
      await port.postNotice(thread, text);
    },

    async noteRerouted(thread, routed) {
      const why =
        routed.reason === 'is_archived'
          ? 'it is archived: unarchive it, or route the language elsewhere with `/inbox route`'
          : 'Threadline cannot post there: invite it with `/invite @Threadline` in that channel, or change the route with `/inbox route`';
      await port.postNotice(
        thread,
        `This conversation was routed to <#${routed.slackChannelId}>, but ${why}. It was opened here instead so that it is not missed.`,
      );
    },

    async markDelivered(slackChannelId, messageTs) {
      await port.addReaction(slackChannelId, messageTs, DELIVERED_REACTION);
    },

    async markRead(slackChannelId, messageTs) {
      await port.addReaction(slackChannelId, messageTs, READ_REACTION);
    },

    async reportDeliveryFailure(thread, messageTs, failure) {
      // The reactions first: they are idempotent, so a retry after a failed notice cannot double anything.
      // A failure the platform reports after the send (a later `failed` status) turns ✔️ into ⚠️.
      await port.addReaction(thread.slackChannelId, messageTs, FAILED_REACTION);
      await port.removeReaction(thread.slackChannelId, messageTs, DELIVERED_REACTION);
      await port.postNotice(thread, `⚠️ ${failureText(failure)}`);
    },

    async noteParked(where, notice) {
      const text = parkedText(notice);
      if (where.threadTs) await port.postNotice({ slackChannelId: where.slackChannelId, threadTs: where.threadTs }, text);
      else
        await call('chat.postMessage', where.slackChannelId, () =>
          client.chat.postMessage({ channel: where.slackChannelId, text, unfurl_links: false }),
        );
    },

    async isActive(userId) {
      const cached = presence.get(userId);
      if (cached && now() - cached.at < presenceTtlMs) return cached.active;
      let active = false;
      try {
        // For another user Slack answers only `presence`: `active` or `away` (scope users:read).
        // @see https://docs.slack.dev/reference/methods/users.getPresence
        const result = await retryRateLimited(() => client.users.getPresence({ user: userId }), { logger, key: 'users.getPresence' });
        active = result.presence === 'active';
      } catch (error) {
        logger.warn({ err: error, userId }, 'presence unknown; counted as away');
      }
      presence.set(userId, { active, at: now() });
      return active;
    },

    noteAssignment: (thread, note, marker) => postInThread(thread, assignmentNoteText(note), marker),

    async postEscalation(target, thread, view, by, marker) {
      const link = await permalink(thread);
      return postInChannel(target.slackChannelId, escalationPostText(target, view, by, link), marker);
    },

    async closeEscalation(post, thread, by) {
      const link = await permalink(thread);
      await call('chat.update', post.slackChannelId, () =>
        client.chat.update({ channel: post.slackChannelId, ts: post.ts, text: deescalatedPostText(by, link) }),
      );
    },

    noteEscalation: (thread, note, marker) => postInThread(thread, escalationNoteText(note), marker),

    postNotice: (thread, text) => postInThread(thread, text),

    /**
     * Reads the old thread (conversations.replies) and posts its last messages as quotes, each under
     * who wrote it. Their text is Slack's own (already escaped), so it is quoted as is.
     * @see https://docs.slack.dev/reference/methods/conversations.replies
     */
    async carryOver(from, to, count) {
      const result = await call('conversations.replies', from.slackChannelId, () =>
        client.conversations.replies({ channel: from.slackChannelId, ts: from.threadTs, limit: 200 }),
      );
      const replies = (result.messages ?? []).filter((m) => m.ts !== from.threadTs && (m.text ?? '').trim() !== '').slice(-count);
      const link = await permalink(from);
      const head = `⬅️ Moved here from ${link ? `<${link}|the earlier thread>` : `a thread in <#${from.slackChannelId}>`}.`;
      const lines = replies.map((m) => {
        // `username` is set on messages posted under a custom name (the customer's), as chat.postMessage was given it.
        const username = (m as { username?: string }).username;
        const who = username ? `*${username}*` : m.user ? `<@${m.user}>` : '*Threadline*';
        const text = (m.text ?? '').length > 500 ? `${(m.text ?? '').slice(0, 499)}…` : (m.text ?? '');
        return `${who}\n${text
          .split('\n')
          .map((line) => `> ${line}`)
          .join('\n')}`;
      });
      const body =
        lines.length === 0 ? head : `${head} The last ${lines.length === 1 ? 'message' : `${lines.length} messages`}:\n${lines.join('\n')}`;
      await port.postNotice(to, body);
    },

    deskChanged() {
      try {
        options.onDeskChanged?.();
      } catch (error) {
        logger.warn({ err: error }, 'App Home refresh not scheduled');
      }
    },

    alertWaiting: (thread, alert, marker) => postInThread(thread, waitingAlertText(alert), marker),

    async postOverdue(target, thread, alert, marker) {
      const link = await permalink(thread);
      return postInChannel(target.slackChannelId, escalationLinkText(target, alert, link, thread.slackChannelId), marker);
    },

    downloadFile: (file) => download(fetchFn, options.botToken, file, maxBytes),
  };
  return port;
}

/**
 * The customer's name as the message's `username`, escaped as their text is (Slack rendered a raw
 * `<!channel>` there), and cut to MAX_USERNAME characters with an ellipsis, never inside a
 * character (an emoji, a flag, a letter and its accent) or an escape such as `&amp;`.
 */
export function slackUsername(name: string): string {
  const parts = Array.from(GRAPHEMES.segment(name), ({ segment }) => escapeText(segment));
  if (parts.join('').length <= MAX_USERNAME) return parts.join('');
  let username = '';
  for (const part of parts) {
    if (username.length + part.length + ELLIPSIS.length > MAX_USERNAME) break;
    username += part;
  }
  return username + ELLIPSIS;
}

const ELLIPSIS = '…';
/** Cuts fall between user-perceived characters, as Intl.Segmenter finds them. */
const GRAPHEMES = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

function requireTs(ts: string | undefined, method: string): string {
  if (!ts) throw new Error(`Slack ${method} answered ok without a message ts`);
  return ts;
}

/**
 * Downloads an agent's file from `url_private` with the bot token (scope files:read). Redirects are
 * followed. Slack answers a missing scope or a bad token with its HTML sign-in page, so HTML where a
 * file was expected is an error, not a file.
 * @see https://docs.slack.dev/messaging/working-with-files#authenticating
 */
async function download(fetchFn: typeof fetch, botToken: string, file: SlackFileRef, maxBytes: number): Promise<Uint8Array> {
  if (file.size !== undefined && file.size > maxBytes) {
    throw new Error(`Slack file ${file.id} is ${file.size} bytes, over the ${maxBytes}-byte limit`);
  }
  let response: Response;
  try {
    response = await fetchFn(file.urlPrivate, { headers: { Authorization: `Bearer ${botToken}` }, redirect: 'follow' });
  } catch (error) {
    throw new Error(`Could not download Slack file ${file.id}`, { cause: error });
  }
  if (!response.ok) throw new Error(`Slack answered ${response.status} for file ${file.id}`);
  const type = response.headers.get('content-type') ?? '';
  if (type.includes('text/html') && !(file.mimeType ?? '').includes('html')) {
    throw new Error(`Slack sent a sign-in page instead of file ${file.id}: the bot token needs the files:read scope`);
  }
  const data = new Uint8Array(await response.arrayBuffer());
  if (data.byteLength > maxBytes) throw new Error(`Slack file ${file.id} is over the ${maxBytes}-byte limit`);
  return data;
}

/** `metadata.event_type` of every message Threadline posts with a marker. */
export const MARKER_EVENT_TYPE = 'threadline_post';

/** The marker as message metadata. @see https://docs.slack.dev/messaging/message-metadata */
export function markerMetadata(marker: PostMarker): { event_type: string; event_payload: { key: string } } {
  return { event_type: MARKER_EVENT_TYPE, event_payload: { key: marker.key } };
}

/** Pages read back when looking for a marker: 10 × 200 replies in a thread, 2 × 200 top-level messages. */
const MARKER_PAGES = { thread: 10, channel: 2 } as const;

interface MaybeMarked {
  readonly ts?: string;
  readonly metadata?: { readonly event_type?: string; readonly event_payload?: Record<string, unknown> };
}

/**
 * Reads a thread (conversations.replies) or the channel's recent top-level messages
 * (conversations.history) with `include_all_metadata`, and returns the ts of the message carrying
 * the marker. Slack returns `metadata` only when asked for it.
 * @see https://docs.slack.dev/reference/methods/conversations.replies
 * @see https://docs.slack.dev/reference/methods/conversations.history
 */
async function findMarked(
  client: webApi.WebClient,
  slackChannelId: string,
  thread: ThreadRef | undefined,
  marker: PostMarker,
): Promise<string | undefined> {
  let cursor: string | undefined;
  const pages = thread ? MARKER_PAGES.thread : MARKER_PAGES.channel;
  for (let page = 0; page < pages; page += 1) {
    const args = { channel: slackChannelId, include_all_metadata: true, limit: 200, ...(cursor ? { cursor } : {}) };
    const result = thread ? await client.conversations.replies({ ...args, ts: thread.threadTs }) : await client.conversations.history(args);
    const messages = (result.messages ?? []) as MaybeMarked[];
    const hit = messages.find((m) => m.metadata?.event_type === MARKER_EVENT_TYPE && m.metadata.event_payload?.key === marker.key);
    if (hit?.ts) return hit.ts;
    cursor = result.response_metadata?.next_cursor || undefined;
    if (!cursor) return undefined;
  }
  return undefined;
}

/** Slack's error code (`not_in_channel`, `already_reacted`…) from a WebClient error or its `cause`. */
export function slackErrorCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 5; depth += 1) {
    const { data, cause } = e as { data?: { error?: unknown }; cause?: unknown };
    if (typeof data?.error === 'string') return data.error;
    e = cause;
  }
  return undefined;
}

/**
 * One line saying what failed and what to do, for the error the port throws (the WebClient error
 * stays as `cause`). Codes: https://docs.slack.dev/reference/methods/chat.postMessage#errors
 */
export function describeSlackError(method: string, slackChannelId: string, error: unknown): string {
  const code = slackErrorCode(error);
  switch (code) {
    case 'not_in_channel':
    case 'channel_not_found':
      return `Slack ${method} failed (${code}): the Threadline bot must be invited to Slack channel ${slackChannelId} (/invite @Threadline there), or the channel id is wrong`;
    case 'is_archived':
      return `Slack ${method} failed (is_archived): Slack channel ${slackChannelId} is archived; unarchive it or route the language elsewhere with /inbox route`;
    case 'invalid_auth':
    case 'not_authed':
    case 'token_revoked':
    case 'account_inactive':
      return `Slack ${method} failed (${code}): Slack rejected the bot token; set SLACK_BOT_TOKEN to a valid xoxb- token`;
    case 'missing_scope': {
      const needed = (error as { data?: { needed?: unknown } }).data?.needed;
      return `Slack ${method} failed (missing_scope): add the ${typeof needed === 'string' ? needed : 'missing'} scope to the Slack app and reinstall it`;
    }
    case undefined: {
      const message = error instanceof Error ? error.message : String(error);
      return `Slack ${method} failed for channel ${slackChannelId}: ${message}`;
    }
    default:
      return `Slack ${method} failed for channel ${slackChannelId}: ${code}`;
  }
}
