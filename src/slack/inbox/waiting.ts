/**
 * `/inbox open` and `/inbox mine`: the conversations waiting for a reply, the oldest first, with
 * how long each has waited, platform, language, assignee and a link to its thread. The answer is
 * ephemeral (only the caller sees it).
 */
import type { webApi } from '@slack/bolt';
import type { WaitingConversation } from '../../engine/slack-port.ts';
import { platformName } from '../failure-text.ts';
import { escapeText, languageName } from '../blocks.ts';
import { waitedText } from '../waiting-text.ts';
import { type DeskCommandOptions, type InvalidRequest, invalid, threadLink } from './shared.ts';

/** A waiting-list request. */
export type WaitingRequest = { readonly kind: 'open' } | { readonly kind: 'mine' };

/** How many conversations one answer lists. */
export const WAITING_LIMIT = 15;

export const WAITING_HELP = [
  '`/inbox open`: the conversations waiting for a reply, the oldest first, with links, e.g. `/inbox open`',
  '`/inbox mine`: the waiting conversations assigned to you, e.g. `/inbox mine`',
];

/** Parses `open` / `mine` (no arguments); undefined for other subcommands. */
export function parseWaiting(command: string, args: readonly string[]): WaitingRequest | InvalidRequest | undefined {
  if (command !== 'open' && command !== 'mine') return undefined;
  if (args.length > 0) return invalid(`\`/inbox ${command}\` takes no arguments, e.g. \`/inbox ${command}\`.`);
  return { kind: command };
}

/** The waiting list for `userId`. */
export async function runWaiting(
  request: WaitingRequest,
  userId: string,
  client: webApi.WebClient,
  options: DeskCommandOptions,
): Promise<string> {
  const mine = request.kind === 'mine';
  const { conversations, total } = await options.queries.waiting({ limit: WAITING_LIMIT, ...(mine ? { assignee: userId } : {}) });
  if (conversations.length === 0)
    return mine ? 'Nothing assigned to you is waiting for a reply. 🎉' : 'No conversation is waiting for a reply. 🎉';
  const lines = await Promise.all(conversations.map(async (c, i) => `${i + 1}. ${await waitingLine(client, c, options)}`));
  const head = mine
    ? `*${total} conversation${total === 1 ? '' : 's'} assigned to you waiting for a reply*, the oldest first:`
    : `*${total} conversation${total === 1 ? '' : 's'} waiting for a reply*, the oldest first:`;
  const more = total > conversations.length ? `\n…and ${total - conversations.length} more.` : '';
  return `${head}\n${lines.join('\n')}${more}`;
}

/** One line: link, waited, platform, language, assignee. */
export async function waitingLine(client: webApi.WebClient, c: WaitingConversation, options: Pick<DeskCommandOptions, 'logger'>) {
  const link = await threadLink(client, c.thread, options.logger);
  const name = escapeText(c.customer);
  const who = link ? `<${link}|${name}>` : `${name} (in <#${c.thread.slackChannelId}>)`;
  const language = c.language ? languageName(c.language) : 'language unknown';
  const assignee = c.assignee ? `<@${c.assignee}>` : 'unassigned';
  return `${who}: waiting ${waitedText(c.waitedMs)} · ${platformName(c.platform)} · ${language} · ${assignee}`;
}
