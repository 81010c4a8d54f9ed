/**
 * What every `/inbox` subcommand group shares: its dependencies, the caller, the help line format,
 * and the argument readers (Slack escapes channels and users in the command text when the command
 * has `should_escape` on).
 * @see https://docs.slack.dev/interactivity/implementing-slash-commands#creating_commands
 */
import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { SettingsStore } from '../../engine/settings.ts';
import type { DeskQueries, RoutingSettings } from '../../engine/slack-port.ts';
import { escapeText, languageName } from '../blocks.ts';

/** Dependencies of the `/inbox` command. */
export interface InboxCommandOptions {
  readonly settings: RoutingSettings;
  /** The whole settings document: agents, escalation, rules, emoji, reply mode, and the audit log. */
  readonly settingsDocument: SettingsStore;
  /** Canonical language tag (`ko`, `zh-Hant`) for what an admin typed, or undefined if unknown. */
  readonly normalizeLanguage: (tag: string) => string | undefined;
  /** Slack user ids who may change settings besides workspace admins and owners (ADMIN_USERS). */
  readonly adminUsers: readonly string[];
  readonly logger: Logger;
  /** The waiting list, counts, status and language verdicts, from the engine. */
  readonly queries: DeskQueries;
  /** Each configured platform and whether it is `live`. */
  readonly platforms: () => ReadonlyMap<string, string>;
}

/** One `/inbox` call: who asked, the Web API client, and the dependencies. */
export interface InboxCall {
  readonly userId: string;
  readonly client: webApi.WebClient;
  readonly options: InboxCommandOptions;
}

/** One line of `/inbox help`: the usage, what it does, and one example. */
export interface HelpLine {
  /** e.g. `/inbox agent @user <language…>` */
  readonly usage: string;
  readonly what: string;
  /** e.g. `/inbox agent @mina ko zh-Hant` */
  readonly example: string;
}

/** A group of `/inbox` subcommands in its own file: the words it answers to, its help, and how it runs. */
export interface InboxGroup {
  /** First words it handles (`agent`, `agents`). */
  readonly commands: readonly string[];
  readonly help: readonly HelpLine[];
  /** Runs `/inbox <command> <args…>` for the caller and returns the ephemeral answer. */
  run(command: string, args: readonly string[], call: InboxCall): Promise<string>;
}

/** A help line as shown: "`usage`: what. Example: `example`". */
export function helpText(line: HelpLine): string {
  return `\`${line.usage}\`: ${line.what}. Example: \`${line.example}\``;
}

/** The answer to a malformed command: its correct usage with the example. */
export function usage(line: HelpLine, problem?: string): string {
  return `${problem ? `${problem} ` : ''}Usage: \`${line.usage}\`, e.g. \`${line.example}\`.`;
}

/**
 * What the admin typed, shown back as code. Escaped as customer text is (`&`, `<`, `>`), so that
 * `<!channel>`, `<!here>`, `<!subteam^…>`, `<@U…>` or `<#C…>` in an argument is shown, not acted on.
 * @see https://docs.slack.dev/messaging/formatting-message-text#escaping
 */
export function echo(arg: string): string {
  return `\`${escapeText(arg)}\``;
}

/**
 * A Slack channel id from an argument: the escaped form `<#C0123ABC|name>` Slack sends when the
 * command has `should_escape` on, or a bare id `C0123ABC`. Anything else is undefined.
 * @see https://docs.slack.dev/interactivity/implementing-slash-commands#creating_commands
 */
export function parseChannelArg(arg: string): string | undefined {
  const escaped = /^<#([CG][A-Z0-9]{2,})(?:\|[^>]*)?>$/.exec(arg);
  if (escaped) return escaped[1];
  return /^[CG][A-Z0-9]{2,}$/.test(arg) ? arg : undefined;
}

/** A Slack user id from an argument: the escaped mention `<@U0123ABC|name>`, or a bare id `U0123ABC`. */
export function parseUserArg(arg: string): string | undefined {
  const escaped = /^<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>$/.exec(arg);
  if (escaped) return escaped[1];
  return /^[UW][A-Z0-9]{2,}$/.test(arg) ? arg : undefined;
}

/** "Korean (`ko`)", or the tag alone when it has no English name. */
export function describeLanguage(language: string): string {
  const name = languageName(language);
  return name === language ? `\`${language}\`` : `${name} (\`${language}\`)`;
}

/** The refusal for an unknown language tag. */
export function unknownLanguageText(tag: string): string {
  return `${echo(tag)} is not a language Threadline knows. Use a language tag such as \`ko\`, \`en\`, \`zh-Hant\` or \`pt\`.`;
}
