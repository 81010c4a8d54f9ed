/**
 * Agents' thread replies → the engine. A human's reply in a thread goes to the customer unless it
 * starts with the note prefix (default `note:`), which keeps it internal. In `prefixed` reply mode
 * (`/inbox replies prefixed`) only a reply that starts with `>>` or mentions the bot goes, without
 * that prefix or mention; everything else stays internal.
 * @see https://docs.slack.dev/reference/events/message/
 */
import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { SettingsStore } from '../engine/settings.ts';
import type { AgentActions, SlackFileRef } from '../engine/slack-port.ts';
import { warnMalformed } from './malformed.ts';
import { isSlackId, isSlackTs } from './ids.ts';

/** Replies starting with this (case-insensitive, after leading spaces) stay in Slack. */
export const DEFAULT_NOTE_PREFIX = 'note:';

/** Dependencies of {@link registerReplies}. */
export interface RepliesOptions {
  readonly actions: AgentActions;
  readonly notePrefix?: string;
  /** Where the reply mode is kept (read on each reply, so a change applies at once); `all` without it. */
  readonly settingsDocument?: SettingsStore;
  readonly logger: Logger;
}

/**
 * In prefixed mode, the text to send when `text` is meant for the customer: without its leading
 * `>>` (Slack sends `&gt;&gt;`) or its mention of the bot; undefined when it is internal.
 * @see https://docs.slack.dev/messaging/formatting-message-text#escaping
 */
export function customerPart(text: string, botUserId: string | undefined): string | undefined {
  const prefixed = /^\s*(?:>>|&gt;&gt;)\s*/.exec(text);
  if (prefixed) return text.slice(prefixed[0].length);
  if (!botUserId) return undefined;
  const mention = new RegExp(`<@${botUserId}(?:\\|[^>]*)?>\\s*`, 'g');
  return mention.test(text) ? text.replace(mention, '').trim() : undefined;
}

/**
 * The fields of a `message` event this listener reads, checked before use (a message whose `text`
 * is not a string is ignored with a warning, not a crash). Bolt types messages as a wide union of
 * subtypes; this is the shape shared by plain, `file_share` and `thread_broadcast` messages, and
 * every other subtype has at least `channel` and `ts`.
 * @see https://docs.slack.dev/tools/node-slack-sdk/reference/types/interfaces/GenericMessageEvent
 */
const threadMessage = z.looseObject({
  subtype: z.string().optional(),
  channel: z.string(),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  text: z.string().optional(),
  ts: z.string(),
  thread_ts: z.string().optional(),
  files: z
    .array(
      z.looseObject({
        id: z.string(),
        name: z.string().optional(),
        title: z.string().optional(),
        mimetype: z.string().optional(),
        url_private: z.string().optional(),
        size: z.number().optional(),
      }),
    )
    .optional(),
});
type ThreadMessage = z.infer<typeof threadMessage>;

/**
 * Subtypes that are a person writing: none (plain text), `file_share` (with files), and
 * `thread_broadcast` ("Also send to #channel"). Edits (`message_changed`), deletions, joins and
 * bot posts are not replies.
 */
const HUMAN_SUBTYPES = new Set<string | undefined>([undefined, 'file_share', 'thread_broadcast']);

/** Whether `text` is an internal note: it starts with `prefix`, ignoring case and leading spaces. */
export function isNote(text: string, prefix: string = DEFAULT_NOTE_PREFIX): boolean {
  return prefix !== '' && text.trimStart().toLowerCase().startsWith(prefix.toLowerCase());
}

/**
 * Slack message text → plain text for the customer: mentions, channel links and URLs in Slack's
 * `<…>` syntax become readable text, and `&amp;` `&lt;` `&gt;` are unescaped.
 * @see https://docs.slack.dev/messaging/formatting-message-text
 */
export function toPlainText(slackText: string): string {
  return slackText
    .replace(/<([^<>]+)>/g, (_all, inner: string) => {
      const [target = '', label] = inner.split('|', 2);
      if (target.startsWith('@') || target.startsWith('#')) return label ? `${target[0]}${label.replace(/^[@#]/, '')}` : target;
      if (target.startsWith('!')) return label ?? `@${target.slice(1).split('^')[0]}`;
      const url = target.replace(/^mailto:/, '');
      return label && label !== url ? `${label} (${url})` : url;
    })
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function toFileRefs(files: ThreadMessage['files']): SlackFileRef[] {
  return (files ?? [])
    .filter((f) => typeof f.url_private === 'string')
    .map((f) => ({
      id: f.id,
      name: f.name ?? f.title ?? f.id,
      urlPrivate: f.url_private ?? '',
      ...(f.mimetype ? { mimeType: f.mimetype } : {}),
      ...(f.size === undefined ? {} : { size: f.size }),
    }));
}

/** Registers the `message` listener that hands agents' thread replies to `actions.reply`. */
export function registerReplies(app: App, options: RepliesOptions): void {
  const prefix = options.notePrefix ?? DEFAULT_NOTE_PREFIX;
  app.message(async ({ message, context, client }) => {
    const parsed = threadMessage.safeParse(message);
    if (!parsed.success) return warnMalformed(options.logger, 'message', parsed.error);
    const m = parsed.data;
    if (!HUMAN_SUBTYPES.has(m.subtype) || m.bot_id || !m.user || m.user === context.botUserId) return;
    if (!m.thread_ts || m.thread_ts === m.ts) return;
    // Ids that are not Slack's (a lone surrogate, say) cannot be a reply, and the Web API client could not encode them.
    if (!isSlackId(m.user) || !isSlackId(m.channel) || !isSlackTs(m.ts) || !isSlackTs(m.thread_ts)) {
      options.logger.warn(
        { fields: ['user', 'channel', 'ts', 'thread_ts'] },
        'slack message event with ids that are not Slack ids; ignored',
      );
      return;
    }
    const text = m.text ?? '';
    const files = toFileRefs(m.files);
    const log = options.logger.child({ slackChannelId: m.channel, threadTs: m.thread_ts, messageTs: m.ts });
    if (isNote(text, prefix)) {
      log.debug('internal note, not sent');
      return;
    }
    let accepted: boolean;
    try {
      let outgoing = text;
      if (options.settingsDocument && (await options.settingsDocument.read()).replies === 'prefixed') {
        const part = customerPart(text, context.botUserId);
        if (part === undefined) {
          log.debug('reply without the >> prefix in prefixed mode, kept internal');
          return;
        }
        outgoing = part;
      }
      if (outgoing.trim() === '' && files.length === 0) return;
      accepted = await options.actions.reply({
        slackChannelId: m.channel,
        threadTs: m.thread_ts,
        messageTs: m.ts,
        agentId: m.user,
        text: toPlainText(outgoing),
        files,
      });
    } catch (error) {
      // The reply could not even be journaled, or the reply mode read (storage down): never let it
      // fail silently. The ⚠️ shows on the agent's message, and the error leaves the event
      // unacknowledged (Socket Mode) or answered 500 (HTTP), so Slack delivers it again.
      log.error({ err: error }, 'agent reply not accepted');
      await client.reactions.add({ channel: m.channel, timestamp: m.ts, name: 'warning' }).catch(() => undefined);
      throw error;
    }
    log.debug({ accepted, length: text.length, files: files.length }, 'agent reply handed over');
  });
}
