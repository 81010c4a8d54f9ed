/**
 * `/inbox audit [count]`: the latest settings changes, newest first, with who made each and when
 * (the audit log the settings document keeps). Readable by everyone, like the settings themselves.
 */
import { echo, type HelpLine, type InboxGroup, usage } from './context.ts';

export const AUDIT_HELP: HelpLine = {
  usage: '/inbox audit [count]',
  what: 'the latest settings changes, with who made them and when (20 unless told, at most 100)',
  example: '/inbox audit 50',
};

const DEFAULT_COUNT = 20;
const MAX_COUNT = 100;

/**
 * A time as Slack shows it in each reader's own time zone, with a UTC fallback.
 * @see https://docs.slack.dev/messaging/formatting-message-text#date-formatting
 */
export function slackDate(epochMs: number): string {
  const seconds = Math.floor(epochMs / 1000);
  const fallback = `${new Date(epochMs).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${seconds}^{date_short_pretty} {time}|${fallback}>`;
}

/** `/inbox audit`. */
export const auditGroup: InboxGroup = {
  commands: ['audit'],
  help: [AUDIT_HELP],
  async run(_command, args, { options }) {
    const [countArg, extra] = args;
    const count = countArg === undefined ? DEFAULT_COUNT : Number(countArg);
    if (extra || !Number.isInteger(count) || count < 1)
      return usage(AUDIT_HELP, countArg !== undefined && !extra ? `${echo(countArg)} is not a number of changes.` : undefined);
    const entries = await options.settingsDocument.audit(Math.min(count, MAX_COUNT));
    if (entries.length === 0) return 'No settings changes yet.';
    const lines = entries.map((entry) => `• ${slackDate(entry.at)} <@${entry.actor}>: ${entry.change}`);
    return `Latest settings changes, newest first:\n${lines.join('\n')}`;
  },
};
