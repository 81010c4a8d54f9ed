/**
 * The words of escalation in Slack: the post in the escalation channel (a link to the thread,
 * mentioning the user group), its rewrite on de-escalation, and the notes in the conversation's
 * thread.
 * @see https://docs.slack.dev/messaging/formatting-message-text#mentioning-groups (`<!subteam^ID>`)
 */
import type { ConversationView, EscalationNote, EscalationTarget } from '../engine/slack-port.ts';
import { contactName, escapeText } from './blocks.ts';
import { platformName } from './failure-text.ts';

/** "🚨 <!subteam^S1> <@U1> escalated <link|Ann Berg on Telegram>: …". */
export function escalationPostText(target: EscalationTarget, view: ConversationView, by: string, link: string | undefined): string {
  const group = target.usergroupId ? `<!subteam^${target.usergroupId}> ` : '';
  const who = `${escapeText(contactName(view))} on ${platformName(view.platform)}`;
  const conversation = link ? `<${link}|${who}>` : who;
  return `🚨 ${group}<@${by}> escalated a conversation: ${conversation}. React 🚨 off or press *De-escalate* there when it is handled.`;
}

/** The escalation post once de-escalated. */
export function deescalatedPostText(by: string, link: string | undefined): string {
  return `✅ De-escalated by <@${by}>${link ? `: <${link}|the conversation>` : ''}.`;
}

/** The note in the conversation's thread. */
export function escalationNoteText(note: EscalationNote): string {
  if (!note.escalated) return `✅ De-escalated by <@${note.by}>${note.target ? ` (<#${note.target.slackChannelId}> was told)` : ''}.`;
  if (!note.target)
    return `🚨 Escalated by <@${note.by}>. No escalation channel is set, so nobody else was told: an admin can set one with \`/inbox escalation #channel @group\`.`;
  return `🚨 Escalated by <@${note.by}> to <#${note.target.slackChannelId}>${note.target.usergroupId ? ` (<!subteam^${note.target.usergroupId}>)` : ''}.`;
}
