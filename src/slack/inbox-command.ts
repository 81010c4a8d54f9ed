/**
 * `/inbox`: routing of languages to Slack channels. Everyone may read the routes; changing them is
 * for workspace admins and owners, and the users listed in ADMIN_USERS. Answers are ephemeral.
 * @see https://docs.slack.dev/interactivity/implementing-slash-commands
 */
import type { App, webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { RoutingSettings } from '../engine/slack-port.ts';
import { adminRefusal, isAdmin } from './admins.ts';
import { escapeText, languageName } from './blocks.ts';
import { warnMalformed } from './malformed.ts';
import { DETECT_HELP, type DetectRequest, parseDetect, runDetect } from './inbox/detect.ts';
import type { DeskCommandOptions } from './inbox/shared.ts';
import { parseSla, runSla, SLA_HELP, type SlaRequest } from './inbox/sla.ts';
import { parseStatus, runStatus, STATUS_HELP, type StatusRequest } from './inbox/status.ts';
import { parseWaiting, runWaiting, WAITING_HELP, type WaitingRequest } from './inbox/waiting.ts';

/** Dependencies of {@link registerInboxCommand}. */
export interface InboxCommandOptions extends DeskCommandOptions {
  readonly settings: RoutingSettings;
  /** Canonical language tag (`ko`, `zh-Hant`) for what an admin typed, or undefined if unknown. */
  readonly normalizeLanguage: (tag: string) => string | undefined;
  /** Slack user ids who may change settings besides workspace admins and owners (ADMIN_USERS). */
  readonly adminUsers: readonly string[];
  readonly logger: Logger;
}

/** What an `/inbox` text asks for, after parsing and validation. */
export type InboxRequest =
  | { readonly kind: 'help' }
  | { readonly kind: 'routes' }
  | { readonly kind: 'route'; readonly language: string; readonly slackChannelId: string }
  | { readonly kind: 'route-default'; readonly slackChannelId: string }
  | { readonly kind: 'unroute'; readonly language: string }
  | WaitingRequest
  | SlaRequest
  | DetectRequest
  | StatusRequest
  | { readonly kind: 'invalid'; readonly text: string };

/** The help text, also shown for `/inbox` alone. */
export const INBOX_HELP = [
  "*Threadline* brings customer messages into Slack: one thread per conversation, in the channel of the customer's language.",
  '`/inbox routes`: which channel each language goes to',
  '`/inbox route <language> <#channel>`: send a language to a channel, e.g. `/inbox route ko #support-ko`',
  '`/inbox route default <#channel>`: the channel for other languages, and when the language cannot be told',
  '`/inbox unroute <language>`: remove a route (that language then goes to the default channel)',
  ...WAITING_HELP,
  ...SLA_HELP,
  ...DETECT_HELP,
  ...STATUS_HELP,
  'Changing routes and reply times is for workspace admins and owners, and the users listed in ADMIN_USERS.',
].join('\n');

const CHANNEL_EXAMPLE = 'Pick the channel from the suggestions as you type `#`, or give its id, e.g. `/inbox route ko C0123ABC`.';

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

/** Parses the command text into a request, validating channel and language arguments. */
export function parseInbox(text: string, normalizeLanguage: (tag: string) => string | undefined): InboxRequest {
  const [sub = 'help', ...args] = text
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '');
  const command = sub.toLowerCase();
  if (command === 'help') return { kind: 'help' };
  if (command === 'routes') return { kind: 'routes' };
  if (command === 'route') {
    const [lang, channel, extra] = args;
    if (!lang || !channel || extra) return invalid('Usage: `/inbox route <language> <#channel>`, e.g. `/inbox route ko #support-ko`.');
    const slackChannelId = parseChannelArg(channel);
    if (!slackChannelId) return invalid(`${echo(channel)} is not a Slack channel Threadline can use. ${CHANNEL_EXAMPLE}`);
    if (lang.toLowerCase() === 'default') return { kind: 'route-default', slackChannelId };
    const language = normalizeLanguage(lang);
    return language ? { kind: 'route', language, slackChannelId } : unknownLanguage(lang);
  }
  if (command === 'unroute') {
    const [lang, extra] = args;
    if (!lang || extra) return invalid('Usage: `/inbox unroute <language>`, e.g. `/inbox unroute ko`.');
    const language = normalizeLanguage(lang);
    return language ? { kind: 'unroute', language } : unknownLanguage(lang);
  }
  const rest = text.trim().slice(sub.length);
  const desk =
    parseWaiting(command, args) ?? parseSla(command, args, normalizeLanguage) ?? parseDetect(command, rest) ?? parseStatus(command, args);
  if (desk) return desk;
  return invalid(`Unknown ${echo(`/inbox ${sub}`)}.\n${INBOX_HELP}`);
}

/**
 * What the admin typed, shown back as code. Escaped as customer text is (`&`, `<`, `>`), so that
 * `<!channel>`, `<!here>`, `<!subteam^…>`, `<@U…>` or `<#C…>` in an argument is shown, not acted on.
 * @see https://docs.slack.dev/messaging/formatting-message-text#escaping
 */
function echo(arg: string): string {
  return `\`${escapeText(arg)}\``;
}

function invalid(text: string): InboxRequest {
  return { kind: 'invalid', text };
}

function unknownLanguage(tag: string): InboxRequest {
  return invalid(`${echo(tag)} is not a language Threadline knows. Use a language tag such as \`ko\`, \`en\`, \`zh-Hant\` or \`pt\`.`);
}

function describe(language: string): string {
  const name = languageName(language);
  return name === language ? `\`${language}\`` : `${name} (\`${language}\`)`;
}

/** The routes in effect, as Slack mrkdwn lines (shared with App Home). */
export async function routesText(settings: RoutingSettings): Promise<string> {
  const [routes, fallback] = await Promise.all([settings.routes(), settings.defaultChannel()]);
  const lines = Object.entries(routes)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([language, channel]) => `• ${describe(language)} → <#${channel}>`);
  const head = lines.length === 0 ? 'No language routes yet.' : `Routes:\n${lines.join('\n')}`;
  return `${head}\nEverything else, and messages whose language cannot be told: <#${fallback}>`;
}

const INVITE_HINT = 'Make sure Threadline is a member there (`/invite @Threadline` in that channel).';

/**
 * What to add to a route confirmation about the bot's membership: nothing when it is a member, how
 * to invite it when it is not (until then those conversations open in the default channel).
 * @see https://docs.slack.dev/reference/methods/conversations.info (channel.is_member)
 */
async function membershipNote(client: webApi.WebClient, slackChannelId: string, options: InboxCommandOptions): Promise<string> {
  try {
    const info = await client.conversations.info({ channel: slackChannelId });
    if (info.channel?.is_archived)
      return ` ⚠️ <#${slackChannelId}> is archived: conversations routed there open in the default channel until it is unarchived.`;
    if (info.channel?.is_member) return '';
    return ` ⚠️ Threadline is not a member of <#${slackChannelId}> yet: \`/invite @Threadline\` there. Until then, these conversations open in the default channel.`;
  } catch (error) {
    options.logger.warn({ err: error, slackChannelId }, 'could not check channel membership');
    return ` ${INVITE_HINT}`;
  }
}

/** Carries out one request for `userId` and returns the ephemeral answer. */
export async function runInbox(
  request: InboxRequest,
  userId: string,
  client: webApi.WebClient,
  options: InboxCommandOptions,
): Promise<string> {
  const { settings } = options;
  switch (request.kind) {
    case 'help':
      return INBOX_HELP;
    case 'invalid':
      return request.text;
    case 'routes':
      return routesText(settings);
    case 'open':
    case 'mine':
      return runWaiting(request, userId, client, options);
    case 'sla-show':
    case 'sla-set':
      return runSla(request, userId, client, options);
    case 'detect':
      return runDetect(request, options);
    case 'status':
      return runStatus(options);
    default:
      break;
  }
  if (!(await isAdmin(client, userId, options.adminUsers)))
    return adminRefusal(options.adminUsers, 'change routing', 'use `/inbox routes` to see the current routes');
  switch (request.kind) {
    case 'route':
      await settings.setRoute(userId, request.language, request.slackChannelId);
      options.logger.info({ language: request.language, slackChannelId: request.slackChannelId, by: userId }, 'route set');
      return `Done: ${describe(request.language)} now goes to <#${request.slackChannelId}>.${await membershipNote(client, request.slackChannelId, options)}`;
    case 'route-default':
      await settings.setDefaultChannel(userId, request.slackChannelId);
      options.logger.info({ slackChannelId: request.slackChannelId, by: userId }, 'default channel set');
      return `Done: other languages, and messages whose language cannot be told, now go to <#${request.slackChannelId}>.${await membershipNote(client, request.slackChannelId, options)}`;
    case 'unroute': {
      const removed = await settings.removeRoute(userId, request.language);
      if (!removed) return `${describe(request.language)} had no route; nothing changed.`;
      options.logger.info({ language: request.language, by: userId }, 'route removed');
      return `Done: ${describe(request.language)} now goes to the default channel, <#${await settings.defaultChannel()}>.`;
    }
  }
}

/** The fields of the command read here. @see https://docs.slack.dev/interactivity/implementing-slash-commands#app_command_handling */
const inboxCommand = z.looseObject({ user_id: z.string().min(1), text: z.string().optional() });

/** Registers `/inbox`. The answer is computed first and sent as the ephemeral ack (within Slack's 3 s). */
export function registerInboxCommand(app: App, options: InboxCommandOptions): void {
  app.command('/inbox', async ({ command: raw, ack, client }) => {
    const parsed = inboxCommand.safeParse(raw);
    if (!parsed.success) {
      warnMalformed(options.logger, '/inbox', parsed.error);
      await ack({
        response_type: 'ephemeral',
        text: 'Threadline could not read this command (Slack sent it without the user or the text). Nothing was changed; try again.',
      });
      return;
    }
    const command = parsed.data;
    let text: string;
    try {
      text = await runInbox(parseInbox(command.text ?? '', options.normalizeLanguage), command.user_id, client, options);
    } catch (error) {
      options.logger.error({ err: error, userId: command.user_id }, 'inbox command failed');
      text = 'Something went wrong and nothing was changed. Try again; if it keeps failing, an admin can check the Threadline logs.';
    }
    await ack({ response_type: 'ephemeral', text });
  });
}
