/**
 * `/inbox sla`: reply-time reminders. A conversation waiting longer than its reply time gets one
 * reminder in its thread (mentioning the assignee, or the Slack channel when unassigned), and is
 * escalated at twice that time. Anyone may see the reply times; changing them is for admins.
 */
import type { webApi } from '@slack/bolt';
import type { Settings } from '../../engine/settings.ts';
import { adminRefusal, isAdmin } from '../admins.ts';
import { type DeskCommandOptions, describeLanguage, echo, type InvalidRequest, invalid } from './shared.ts';

/** A reply-time request: show them, or set (null: switch off) the overall or one language's time. */
export type SlaRequest =
  | { readonly kind: 'sla-show' }
  | { readonly kind: 'sla-set'; readonly language?: string; readonly minutes: number | null };

/** The longest reply time accepted: a week. */
const MAX_MINUTES = 7 * 24 * 60;

export const SLA_HELP = [
  '`/inbox sla`: the reply times in effect',
  '`/inbox sla <minutes>`: remind after that many minutes waiting, escalate at twice that, e.g. `/inbox sla 30` (`off` to stop)',
  '`/inbox sla <language> <minutes>`: a reply time for one language, e.g. `/inbox sla ko 15` (`off`: back to the overall time)',
];

const USAGE =
  'Usage: `/inbox sla <minutes>` or `/inbox sla <language> <minutes>`, e.g. `/inbox sla 30` or `/inbox sla ko 15` (`off` to remove).';

/** Parses `sla …`; undefined for other subcommands. */
export function parseSla(
  command: string,
  args: readonly string[],
  normalizeLanguage: (tag: string) => string | undefined,
): SlaRequest | InvalidRequest | undefined {
  if (command !== 'sla') return undefined;
  if (args.length === 0) return { kind: 'sla-show' };
  if (args.length > 2) return invalid(USAGE);
  const [first = '', second] = args;
  if (second === undefined) {
    const minutes = parseMinutes(first);
    return minutes === undefined ? invalid(`${echo(first)} is not a number of minutes. ${USAGE}`) : { kind: 'sla-set', minutes };
  }
  const language = normalizeLanguage(first);
  if (!language) return invalid(`${echo(first)} is not a language Threadline knows. ${USAGE}`);
  const minutes = parseMinutes(second);
  return minutes === undefined ? invalid(`${echo(second)} is not a number of minutes. ${USAGE}`) : { kind: 'sla-set', language, minutes };
}

/** Whole minutes from 1 to a week, or null for `off`; undefined for anything else. */
function parseMinutes(arg: string): number | null | undefined {
  if (arg.toLowerCase() === 'off') return null;
  if (!/^\d+$/.test(arg)) return undefined;
  const minutes = Number(arg);
  return minutes >= 1 && minutes <= MAX_MINUTES ? minutes : undefined;
}

/** The reply times in effect, as Slack mrkdwn. */
export function slaText(settings: Settings): string {
  const { minutes, byLanguage } = settings.sla;
  const overall =
    minutes === undefined
      ? 'No overall reply time: conversations are not reminded unless their language has one.'
      : `Reply time: *${minutes} min* (a reminder then, escalation at ${2 * minutes} min).`;
  const languages = Object.entries(byLanguage)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([language, m]) => `• ${describeLanguage(language)}: ${m} min (escalation at ${2 * m} min)`);
  return languages.length === 0 ? overall : `${overall}\nBy language:\n${languages.join('\n')}`;
}

/** Shows or changes the reply times for `userId`. */
export async function runSla(request: SlaRequest, userId: string, client: webApi.WebClient, options: DeskCommandOptions): Promise<string> {
  if (request.kind === 'sla-show') return slaText(await options.settingsDocument.read());
  if (!(await isAdmin(client, userId, options.adminUsers)))
    return adminRefusal(options.adminUsers, 'change reply times', 'use `/inbox sla` to see the current ones');
  const { language, minutes } = request;
  const change = `sla ${language ?? 'overall'} → ${minutes === null ? 'off' : `${minutes} min`}`;
  const next = await options.settingsDocument.update(userId, change, (current) => withSla(current, language, minutes));
  await options.queries.remindersChanged();
  options.logger.info({ language: language ?? null, minutes, by: userId }, 'reply time set');
  const what = language ? describeLanguage(language) : 'Every conversation';
  const done =
    minutes === null
      ? language
        ? `Done: ${what} now follows the overall reply time.`
        : 'Done: no overall reply time any more.'
      : `Done: ${what} is reminded after ${minutes} min waiting, and escalated after ${2 * minutes} min.`;
  return `${done}\n${slaText(next)}`;
}

function withSla(current: Settings, language: string | undefined, minutes: number | null): Settings {
  if (language === undefined) {
    if (minutes === null && current.sla.minutes === undefined) return current;
    const { minutes: _old, ...rest } = current.sla;
    return { ...current, sla: minutes === null ? rest : { ...rest, minutes } };
  }
  if (minutes === null && !(language in current.sla.byLanguage)) return current;
  const { [language]: _old, ...others } = current.sla.byLanguage;
  return { ...current, sla: { ...current.sla, byLanguage: minutes === null ? others : { ...others, [language]: minutes } } };
}
