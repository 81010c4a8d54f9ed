/**
 * Automatic assignment: a new conversation goes round-robin to an agent who speaks its language,
 * preferring agents who are active in Slack now. The position is a store counter per language, so
 * several instances share one rotation.
 */
import { keys } from '../store/keys.ts';
import type { EngineContext } from './context.ts';
import type { UnassignedReason } from './slack-port.ts';

/** Who gets a new conversation: an agent, or nobody and why (no reason when no agents are listed at all). */
export type AutoAssignment = { readonly assignee: string } | { readonly unassigned?: UnassignedReason };

/**
 * The agents who speak `language`, sorted by user id. An agent listed for a primary language
 * (`zh`) speaks every variant of it (`zh-Hant`); one listed for `zh-Hant` only that variant.
 */
export function speakersOf(agents: Readonly<Record<string, readonly string[]>>, language: string): string[] {
  const primary = language.split('-')[0]?.toLowerCase() ?? language;
  const speaks = (tag: string) => tag.toLowerCase() === language.toLowerCase() || tag.toLowerCase() === primary;
  return Object.entries(agents)
    .filter(([, languages]) => languages.some(speaks))
    .map(([agentId]) => agentId)
    .sort();
}

/** Picks the assignee of a new conversation in `language` (undefined: the language could not be told). */
export async function chooseAssignee(ctx: EngineContext, language: string | undefined): Promise<AutoAssignment> {
  const { agents } = await ctx.settingsDocument.read();
  if (Object.keys(agents).length === 0) return {};
  if (!language) return { unassigned: 'no_language' };
  const speakers = speakersOf(agents, language);
  if (speakers.length === 0) return { unassigned: 'no_agent' };
  const presence = await Promise.all(speakers.map((agentId) => ctx.slack.isActive(agentId)));
  const active = speakers.filter((_agentId, index) => presence[index]);
  const pool = active.length > 0 ? active : speakers;
  const position = await ctx.store.increment(keys.roundRobin(language));
  return { assignee: pool[(position - 1) % pool.length] as string };
}
