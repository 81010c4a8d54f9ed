/**
 * `/inbox agent @user <languages…>`, `/inbox agent @user off` and `/inbox agents`: which agents
 * answer which languages. New conversations are assigned round-robin among the agents who speak
 * their language (src/engine/assignment.ts). Listing is for everyone; changing is for admins.
 */
import { adminRefusal, isAdmin } from '../admins.ts';
import {
  describeLanguage,
  echo,
  type HelpLine,
  type InboxCall,
  type InboxGroup,
  parseUserArg,
  unknownLanguageText,
  usage,
} from './context.ts';

export const AGENT_HELP: HelpLine = {
  usage: '/inbox agent @user <language…>',
  what: 'the languages an agent answers; new conversations in them are assigned round-robin, active agents first',
  example: '/inbox agent @mina ko zh-Hant',
};
export const AGENT_OFF_HELP: HelpLine = {
  usage: '/inbox agent @user off',
  what: 'an agent no longer gets conversations automatically',
  example: '/inbox agent @mina off',
};
export const AGENTS_HELP: HelpLine = { usage: '/inbox agents', what: 'the agents and their languages', example: '/inbox agents' };

/** What `/inbox agent …` asks for. */
export type AgentRequest =
  | { readonly kind: 'set'; readonly agentId: string; readonly languages: readonly string[] }
  | { readonly kind: 'off'; readonly agentId: string }
  | { readonly kind: 'invalid'; readonly text: string };

/** Parses the arguments of `/inbox agent`. */
export function parseAgent(args: readonly string[], normalizeLanguage: (tag: string) => string | undefined): AgentRequest {
  const [who, ...tags] = args;
  if (!who || tags.length === 0) return { kind: 'invalid', text: usage(AGENT_HELP) };
  const agentId = parseUserArg(who);
  if (!agentId) return { kind: 'invalid', text: usage(AGENT_HELP, `${echo(who)} is not a Slack user: mention them with @.`) };
  if (tags.length === 1 && tags[0]?.toLowerCase() === 'off') return { kind: 'off', agentId };
  const languages: string[] = [];
  for (const tag of tags) {
    const language = normalizeLanguage(tag);
    if (!language) return { kind: 'invalid', text: unknownLanguageText(tag) };
    if (!languages.includes(language)) languages.push(language);
  }
  return { kind: 'set', agentId, languages };
}

/** The agents and their languages, as Slack mrkdwn lines. */
export function agentsText(agents: Readonly<Record<string, readonly string[]>>): string {
  const lines = Object.entries(agents)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([agentId, languages]) => `• <@${agentId}>: ${languages.map(describeLanguage).join(', ')}`);
  if (lines.length === 0) return `No agents yet: new conversations stay unassigned. Add one with \`${AGENT_HELP.example}\`.`;
  return `Agents (new conversations go round-robin to one who speaks the language, active ones first):\n${lines.join('\n')}`;
}

async function runAgent(args: readonly string[], call: InboxCall): Promise<string> {
  const { options, userId, client } = call;
  const request = parseAgent(args, options.normalizeLanguage);
  if (request.kind === 'invalid') return request.text;
  if (!(await isAdmin(client, userId, options.adminUsers)))
    return adminRefusal(options.adminUsers, "change agents' languages", 'use `/inbox agents` to see them');
  if (request.kind === 'off') {
    let removed = false;
    await options.settingsDocument.update(userId, `agent <@${request.agentId}> off`, (current) => {
      if (!(request.agentId in current.agents)) return current;
      removed = true;
      const { [request.agentId]: _off, ...agents } = current.agents;
      return { ...current, agents };
    });
    options.logger.info({ agentId: request.agentId, by: userId }, 'agent removed');
    return removed
      ? `Done: <@${request.agentId}> no longer gets conversations automatically.`
      : `<@${request.agentId}> was not an agent; nothing changed.`;
  }
  const { agentId, languages } = request;
  await options.settingsDocument.update(userId, `agent <@${agentId}> ${languages.join(' ')}`, (current) => ({
    ...current,
    agents: { ...current.agents, [agentId]: languages },
  }));
  options.logger.info({ agentId, languages, by: userId }, 'agent languages set');
  return `Done: <@${agentId}> answers ${languages.map(describeLanguage).join(', ')}, and gets new conversations in them in turn.`;
}

/** `/inbox agent` and `/inbox agents`. */
export const agentsGroup: InboxGroup = {
  commands: ['agent', 'agents'],
  help: [AGENT_HELP, AGENT_OFF_HELP, AGENTS_HELP],
  async run(command, args, call) {
    if (command === 'agents') {
      if (args.length > 0) return usage(AGENTS_HELP);
      return agentsText((await call.options.settingsDocument.read()).agents);
    }
    return runAgent(args, call);
  },
};
