/**
 * Whether the bot can work in every Slack channel Threadline posts to: the default channel and each
 * routed one. The bot must be a member (it posts there, and only a member receives the agents'
 * thread replies), and the channel must not be archived.
 * @see https://docs.slack.dev/reference/methods/conversations.info (channel.is_member, channel.is_archived)
 */
import type { webApi } from '@slack/bolt';
import { fail, ok, warn, type CheckResult } from '../results.ts';
import type { Routing } from './store.ts';
import { neededScope, slackErrorCode, slackFailure } from './slack-errors.ts';

/** One reason Threadline posts to a channel. */
type Use =
  | { readonly kind: 'default'; readonly setBy: 'DEFAULT_CHANNEL' | '/inbox' }
  | { readonly kind: 'route'; readonly language: string };

/** A channel and why Threadline posts there. */
export interface ChannelUse {
  readonly id: string;
  readonly uses: readonly Use[];
}

/**
 * The channels to check, the default first. A default set with `/inbox route default` replaces
 * DEFAULT_CHANNEL, which is then not used and not checked. undefined routing: the store could not be read.
 */
export function channelUses(defaultChannel: string, routing: Routing | undefined): ChannelUse[] {
  const byId = new Map<string, Use[]>();
  const add = (id: string, use: Use) => byId.set(id, [...(byId.get(id) ?? []), use]);
  add(routing?.defaultChannel ?? defaultChannel, {
    kind: 'default',
    setBy: routing === undefined || routing.defaultChannel === defaultChannel ? 'DEFAULT_CHANNEL' : '/inbox',
  });
  for (const [language, id] of Object.entries(routing?.routes ?? {}).sort(([a], [b]) => a.localeCompare(b)))
    add(id, { kind: 'route', language });
  return [...byId].map(([id, uses]) => ({ id, uses }));
}

/** What the routing itself looks like, when that is worth a line. */
export function routingNote(routing: Routing | undefined): CheckResult | undefined {
  if (routing === undefined) return warn('routes', 'not checked: the store could not be read (see the store line above)');
  if (Object.keys(routing.routes).length === 0) {
    return ok(
      'routes',
      `no language is routed yet, so every conversation opens in the default channel; an admin routes languages in Slack with /inbox route <language> #channel`,
    );
  }
  return undefined;
}

/** One result per channel, in the order given. `botName` is the bot user's name, for the /invite hint. */
export async function checkChannels(
  client: webApi.WebClient,
  channels: readonly ChannelUse[],
  botName: string,
  apiUrl: string,
): Promise<CheckResult[]> {
  return Promise.all(channels.map((channel) => checkChannel(client, channel, botName, apiUrl)));
}

async function checkChannel(client: webApi.WebClient, { id, uses }: ChannelUse, botName: string, apiUrl: string): Promise<CheckResult> {
  const why = describeUses(uses);
  let info: Awaited<ReturnType<webApi.WebClient['conversations']['info']>>;
  try {
    info = await client.conversations.info({ channel: id });
  } catch (error) {
    const code = slackErrorCode(error);
    if (code === 'channel_not_found') {
      // Slack answers channel_not_found for a private channel the bot is not in, as for a wrong id.
      return fail(
        id,
        `Slack shows the bot no such channel (channel_not_found; ${why}): if it is a private channel, invite the bot there with /invite @${botName}; otherwise the id is wrong: ${uses.map(reroute).join(', or ')}`,
      );
    }
    if (code === 'missing_scope') {
      const needed = neededScope(error) ?? 'channels:read, groups:read';
      return fail(
        id,
        `the token may not look channels up (missing_scope: needs ${needed}; ${why}): add it under OAuth & Permissions → Bot Token Scopes, then reinstall the app`,
      );
    }
    return slackFailure(error, { method: 'conversations.info', subject: id, apiUrl });
  }
  const label = info.channel?.name ? `#${info.channel.name} (${id})` : id;
  const here = info.channel?.name ? ` in #${info.channel.name}` : '';
  if (info.channel?.is_archived)
    return fail(label, `the channel is archived (${why}): unarchive it, or ${uses.map(reroute).join(', or ')}`);
  if (info.channel?.is_member !== true) return fail(label, `the bot is not a member (${why}): invite it with /invite @${botName}${here}`);
  return ok(label, `the bot is a member (${why})`);
}

/** e.g. `the default channel, DEFAULT_CHANNEL, routes for ko and zh-Hans`. */
function describeUses(uses: readonly Use[]): string {
  const parts = uses.flatMap((use) =>
    use.kind !== 'default'
      ? []
      : [use.setBy === 'DEFAULT_CHANNEL' ? 'the default channel, DEFAULT_CHANNEL' : 'the default channel, set with /inbox route default'],
  );
  const languages = uses.flatMap((use) => (use.kind === 'route' ? [use.language] : []));
  if (languages.length > 0) {
    const list = languages.length === 1 ? languages[0] : `${languages.slice(0, -1).join(', ')} and ${languages.at(-1)}`;
    parts.push(`${languages.length === 1 ? 'route' : 'routes'} for ${list}`);
  }
  return parts.join(', ');
}

/** How to move this use to another channel. */
function reroute(use: Use): string {
  if (use.kind === 'route') return `route ${use.language} to another channel with /inbox route ${use.language} #channel`;
  return use.setBy === 'DEFAULT_CHANNEL'
    ? 'set DEFAULT_CHANNEL to another channel id'
    : 'set another default with /inbox route default #channel';
}
