/** `/inbox status`: platforms live, the store, the journal backlog, the oldest wait and the counts. */
import { platformName } from '../failure-text.ts';
import type { Platform } from '../../messages.ts';
import { waitedText } from '../waiting-text.ts';
import { type DeskCommandOptions, type InvalidRequest, invalid } from './shared.ts';

export type StatusRequest = { readonly kind: 'status' };

export const STATUS_HELP = [
  '`/inbox status`: platforms live, store, journal backlog, the oldest wait and the counts, e.g. `/inbox status`',
];

/** Parses `status` (no arguments); undefined for other subcommands. */
export function parseStatus(command: string, args: readonly string[]): StatusRequest | InvalidRequest | undefined {
  if (command !== 'status') return undefined;
  return args.length > 0 ? invalid('`/inbox status` takes no arguments, e.g. `/inbox status`.') : { kind: 'status' };
}

const STORE_NAMES: Readonly<Record<string, string>> = { memory: 'in memory', embedded: 'embedded (SQLite)', redis: 'Redis' };

/** The status report, as Slack mrkdwn. */
export async function runStatus(options: DeskCommandOptions): Promise<string> {
  const status = await options.queries.status();
  const platforms = [...options.platforms()].sort(([a], [b]) => a.localeCompare(b));
  const platformLine =
    platforms.length === 0
      ? 'none configured'
      : platforms.map(([p, state]) => `${platformName(p as Platform)} ${state === 'live' ? '✅ live' : `⚠️ ${state}`}`).join(', ');
  const store = `${STORE_NAMES[status.store.kind] ?? status.store.kind} ${status.store.ok ? '✅ reachable' : '⚠️ not answering'}`;
  const backlog =
    status.journalBacklog === undefined ? 'unknown' : `${status.journalBacklog} event${status.journalBacklog === 1 ? '' : 's'}`;
  const oldest = status.oldestWaitingMs === undefined ? 'nobody is waiting' : waitedText(status.oldestWaitingMs);
  return [
    '*Threadline status*',
    `• Platforms: ${platformLine}`,
    `• Store: ${store}`,
    `• Journal backlog: ${backlog} not yet processed`,
    `• Oldest waiting conversation: ${oldest}`,
    `• Conversations: ${status.open} open, ${status.waiting} waiting for a reply, ${status.escalated} escalated`,
  ].join('\n');
}
