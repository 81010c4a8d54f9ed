/**
 * `/inbox`: channel-level work in Slack. This file reads the command, dispatches it to its group
 * (routing here; agents, and the other groups, in src/slack/inbox/), assembles `/inbox help` from
 * every group's help lines, and answers an unknown or malformed command with the closest correct
 * usage. Everyone may read settings; changing them is for workspace admins and owners, and the
 * users listed in ADMIN_USERS. Answers are ephemeral.
 * @see https://docs.slack.dev/interactivity/implementing-slash-commands
 */
import type { App, webApi } from '@slack/bolt';
import { closest } from 'fastest-levenshtein';
import { z } from 'zod';
import type { RoutingSettings } from '../engine/slack-port.ts';
import { adminRefusal, isAdmin } from './admins.ts';
import { agentsGroup } from './inbox/agents.ts';
import { auditGroup } from './inbox/audit.ts';
import { detectGroup, slaGroup, statusGroup, waitingGroup } from './inbox/desk-groups.ts';
import { emojiGroup } from './inbox/emoji.ts';
import { escalationGroup } from './inbox/escalation.ts';
import { repliesGroup } from './inbox/replies.ts';
import { rulesGroup } from './inbox/rules.ts';
import {
  describeLanguage as describe,
  echo,
  type HelpLine,
  helpText,
  type InboxCall,
  type InboxCommandOptions,
  type InboxGroup,
  parseChannelArg,
  unknownLanguageText,
  usage,
} from './inbox/context.ts';
import { warnMalformed } from './malformed.ts';

export { parseChannelArg };
export type { InboxCommandOptions };

/** What an `/inbox` routing text asks for, after parsing and validation. */
export type InboxRequest =
  | { readonly kind: 'help' }
  | { readonly kind: 'routes' }
  | { readonly kind: 'route'; readonly language: string; readonly slackChannelId: string }
  | { readonly kind: 'route-default'; readonly slackChannelId: string }
  | { readonly kind: 'unroute'; readonly language: string }
  | { readonly kind: 'invalid'; readonly text: string };

const ROUTES_HELP: HelpLine = { usage: '/inbox routes', what: 'which channel each language goes to', example: '/inbox routes' };
const ROUTE_HELP: HelpLine = {
  usage: '/inbox route <language> <#channel>',
  what: 'send a language to a channel',
  example: '/inbox route ko #support-ko',
};
const ROUTE_DEFAULT_HELP: HelpLine = {
  usage: '/inbox route default <#channel>',
  what: 'the channel for other languages, and when the language cannot be told',
  example: '/inbox route default #support',
};
const UNROUTE_HELP: HelpLine = {
  usage: '/inbox unroute <language>',
  what: 'remove a route (that language then goes to the default channel)',
  example: '/inbox unroute ko',
};
const HELP_HELP: HelpLine = { usage: '/inbox help', what: 'this list', example: '/inbox help' };

/** Routing: `routes`, `route`, `unroute` (the first group; kept here, where it began). */
const ROUTING_HELP: readonly HelpLine[] = [ROUTES_HELP, ROUTE_HELP, ROUTE_DEFAULT_HELP, UNROUTE_HELP];

/** Every other group, each in its own file under src/slack/inbox/. */
const GROUPS: readonly InboxGroup[] = [
  waitingGroup,
  agentsGroup,
  escalationGroup,
  slaGroup,
  rulesGroup,
  emojiGroup,
  repliesGroup,
  detectGroup,
  statusGroup,
  auditGroup,
];

/** Every help line, in the order `/inbox help` shows them. */
export const HELP_LINES: readonly HelpLine[] = [...ROUTING_HELP, ...GROUPS.flatMap((group) => group.help), HELP_HELP];

/** The help text, also shown for `/inbox` alone: every command with one example. */
export const INBOX_HELP = [
  "*Threadline* brings customer messages into Slack: one thread per conversation, in the channel of the customer's language.",
  ...HELP_LINES.map((line) => `• ${helpText(line)}`),
  'Changing settings is for workspace admins and owners, and the users listed in ADMIN_USERS.',
].join('\n');

const CHANNEL_EXAMPLE = 'Pick the channel from the suggestions as you type `#`, or give its id, e.g. `/inbox route ko C0123ABC`.';

/** The first word of every command `/inbox` knows. */
const COMMAND_WORDS = [...new Set([...HELP_LINES.map((line) => line.usage.split(' ')[1] ?? ''), ...GROUPS.flatMap((g) => g.commands)])];

/**
 * The answer to an unknown command: the closest command's usage (by edit distance), and where the
 * full list is. Never silence.
 */
export function unknownCommandText(typed: string): string {
  const word = closest(typed.toLowerCase(), COMMAND_WORDS);
  const line = HELP_LINES.find((l) => l.usage.split(' ')[1] === word) ?? HELP_HELP;
  return `Unknown ${echo(`/inbox ${typed}`)}. Did you mean \`${line.usage}\`? For example \`${line.example}\`. \`/inbox help\` lists every command.`;
}

/** Parses a routing command text into a request, validating channel and language arguments. */
export function parseInbox(text: string, normalizeLanguage: (tag: string) => string | undefined): InboxRequest {
  const [sub = 'help', ...args] = words(text);
  const command = sub.toLowerCase();
  if (command === 'help') return { kind: 'help' };
  if (command === 'routes') return { kind: 'routes' };
  if (command === 'route') {
    const [lang, channel, extra] = args;
    if (!lang || !channel || extra) return invalid(usage(ROUTE_HELP));
    const slackChannelId = parseChannelArg(channel);
    if (!slackChannelId) return invalid(`${echo(channel)} is not a Slack channel Threadline can use. ${CHANNEL_EXAMPLE}`);
    if (lang.toLowerCase() === 'default') return { kind: 'route-default', slackChannelId };
    const language = normalizeLanguage(lang);
    return language ? { kind: 'route', language, slackChannelId } : invalid(unknownLanguageText(lang));
  }
  if (command === 'unroute') {
    const [lang, extra] = args;
    if (!lang || extra) return invalid(usage(UNROUTE_HELP));
    const language = normalizeLanguage(lang);
    return language ? { kind: 'unroute', language } : invalid(unknownLanguageText(lang));
  }
  return invalid(unknownCommandText(sub));
}

function words(text: string): string[] {
  return text
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '');
}

function invalid(text: string): InboxRequest {
  return { kind: 'invalid', text };
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

/** Runs one `/inbox` text for the caller: a group's command, or routing. */
export async function answerInbox(text: string, call: InboxCall): Promise<string> {
  const [sub = 'help', ...args] = words(text);
  const command = sub.toLowerCase();
  const group = GROUPS.find((g) => g.commands.includes(command));
  if (group) return group.run(command, args, call);
  return runInbox(parseInbox(text, call.options.normalizeLanguage), call.userId, call.client, call.options);
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
      text = await answerInbox(command.text ?? '', { userId: command.user_id, client, options });
    } catch (error) {
      options.logger.error({ err: error, userId: command.user_id }, 'inbox command failed');
      text = 'Something went wrong and nothing was changed. Try again; if it keeps failing, an admin can check the Threadline logs.';
    }
    await ack({ response_type: 'ephemeral', text });
  });
}
