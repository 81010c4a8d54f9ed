/**
 * `/inbox escalation #channel [@usergroup]`, `/inbox escalation off` and `/inbox escalation`: where
 * escalated conversations are posted (🚨 or the Escalate button), and which user group is
 * mentioned there. Reading is for everyone; changing is for admins.
 */
import { adminRefusal, isAdmin } from '../admins.ts';
import { echo, type HelpLine, type InboxGroup, parseChannelArg, usage } from './context.ts';

export const ESCALATION_HELP: HelpLine = {
  usage: '/inbox escalation <#channel> [@usergroup]',
  what: 'where 🚨 and the Escalate button post a link to the thread, mentioning the group',
  example: '/inbox escalation #support-leads @leads',
};
export const ESCALATION_OFF_HELP: HelpLine = {
  usage: '/inbox escalation off',
  what: 'escalating only marks the conversation, and tells no channel',
  example: '/inbox escalation off',
};

/**
 * A user group id from an argument: the escaped `<!subteam^S0123ABC|@leads>` Slack sends when the
 * command has `should_escape` on, or a bare id `S0123ABC`.
 * @see https://docs.slack.dev/messaging/formatting-message-text#mentioning-groups
 */
export function parseUsergroupArg(arg: string): string | undefined {
  const escaped = /^<!subteam\^([A-Z0-9]{2,})(?:\|[^>]*)?>$/.exec(arg);
  if (escaped) return escaped[1];
  return /^S[A-Z0-9]{2,}$/.test(arg) ? arg : undefined;
}

/** `/inbox escalation`. */
export const escalationGroup: InboxGroup = {
  commands: ['escalation'],
  help: [ESCALATION_HELP, ESCALATION_OFF_HELP],
  async run(_command, args, { userId, client, options }) {
    const [where, group, extra] = args;
    if (where === undefined) {
      const current = (await options.settingsDocument.read()).escalation;
      if (!current) return `No escalation channel: escalating only marks the conversation. Set one with \`${ESCALATION_HELP.example}\`.`;
      return `Escalations go to <#${current.slackChannelId}>${current.usergroupId ? `, mentioning <!subteam^${current.usergroupId}>` : ''}.`;
    }
    const off = where.toLowerCase() === 'off' && group === undefined;
    const slackChannelId = off ? undefined : parseChannelArg(where);
    if (!off && (!slackChannelId || extra)) return usage(ESCALATION_HELP, extra ? undefined : `${echo(where)} is not a Slack channel.`);
    const usergroupId = group === undefined ? undefined : parseUsergroupArg(group);
    if (group !== undefined && !usergroupId) return usage(ESCALATION_HELP, `${echo(group)} is not a user group: mention it with @.`);
    if (!(await isAdmin(client, userId, options.adminUsers)))
      return adminRefusal(options.adminUsers, 'change the escalation channel', 'use `/inbox escalation` to see it');
    if (off || !slackChannelId) {
      await options.settingsDocument.update(userId, 'escalation off', (current) => {
        if (!current.escalation) return current;
        const { escalation: _off, ...rest } = current;
        return rest;
      });
      options.logger.info({ by: userId }, 'escalation channel removed');
      return 'Done: escalating now only marks the conversation.';
    }
    const target = { slackChannelId, ...(usergroupId ? { usergroupId } : {}) };
    await options.settingsDocument.update(
      userId,
      `escalation → <#${slackChannelId}>${usergroupId ? ` <!subteam^${usergroupId}>` : ''}`,
      (current) => ({ ...current, escalation: target }),
    );
    options.logger.info({ slackChannelId, usergroupId: usergroupId ?? null, by: userId }, 'escalation channel set');
    return `Done: escalations go to <#${slackChannelId}>${usergroupId ? `, mentioning <!subteam^${usergroupId}>` : ''}. Make sure Threadline is a member there (\`/invite @Threadline\`).`;
  },
};
