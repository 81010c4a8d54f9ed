/** What the `/inbox` subcommands under src/slack/inbox/ share. */
import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { SettingsStore } from '../../engine/settings.ts';
import type { DeskQueries, ThreadRef } from '../../engine/slack-port.ts';
import { escapeText, languageName } from '../blocks.ts';

/** A malformed or unknown command: the answer is the closest correct usage. */
export interface InvalidRequest {
  readonly kind: 'invalid';
  readonly text: string;
}

/** What the subcommands need besides the Web API client. */
export interface DeskCommandOptions {
  readonly queries: DeskQueries;
  readonly settingsDocument: SettingsStore;
  /** Each configured platform and whether it is `live`. */
  readonly platforms: () => ReadonlyMap<string, string>;
  readonly normalizeLanguage: (tag: string) => string | undefined;
  readonly adminUsers: readonly string[];
  readonly logger: Logger;
}

export function invalid(text: string): InvalidRequest {
  return { kind: 'invalid', text };
}

/** What the user typed, shown back as code, escaped so that a mention in it is shown, not acted on. */
export function echo(arg: string): string {
  return `\`${escapeText(arg)}\``;
}

/** "Korean (`ko`)", or the tag alone when it has no English name. */
export function describeLanguage(language: string): string {
  const name = languageName(language);
  return name === language ? `\`${language}\`` : `${name} (\`${language}\`)`;
}

/**
 * A link to a thread (chat.getPermalink), or undefined when Slack cannot give one.
 * @see https://docs.slack.dev/reference/methods/chat.getPermalink
 */
export async function threadLink(client: webApi.WebClient, thread: ThreadRef, logger: Logger): Promise<string | undefined> {
  try {
    const result = await client.chat.getPermalink({ channel: thread.slackChannelId, message_ts: thread.threadTs });
    return result.permalink;
  } catch (error) {
    logger.warn({ err: error, slackChannelId: thread.slackChannelId }, 'thread link unavailable');
    return undefined;
  }
}
