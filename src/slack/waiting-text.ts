/**
 * The words of reply-time reminders and escalations, and of waiting times. Mentions use Slack's
 * `<@U…>` and `<!channel>` forms; the customer's name is escaped as customer text is.
 * @see https://docs.slack.dev/messaging/formatting-message-text#mentioning-users
 * @see https://docs.slack.dev/messaging/formatting-message-text#special-mentions
 */
import type { EscalationTarget, WaitingAlert } from '../engine/slack-port.ts';
import { escapeText } from './blocks.ts';

/** `3 min`, `2 h 05 min`, `1 d 4 h`: how long something has waited. */
export function waitedText(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** Who the alert is for: the assignee, else everyone in the Slack channel. */
function whom(alert: WaitingAlert): string {
  return alert.assignee ? `<@${alert.assignee}>` : '<!channel>';
}

/** The notice in the conversation's thread. */
export function waitingAlertText(alert: WaitingAlert): string {
  const waited = waitedText(alert.waitedMinutes * 60_000);
  if (alert.stage === 'reminder')
    return `⏰ ${whom(alert)} ${escapeText(alert.customer)} has waited ${waited} for a reply (reply time: ${alert.limitMinutes} min).`;
  return `🚨 *Escalated:* ${whom(alert)} ${escapeText(alert.customer)} has waited ${waited} for a reply, twice the reply time of ${alert.limitMinutes} min.`;
}

/** The message in the escalation channel, linking to the thread and mentioning the target's user group. */
export function escalationLinkText(
  target: EscalationTarget,
  alert: WaitingAlert,
  link: string | undefined,
  slackChannelId: string,
): string {
  const where = link ? `<${link}|the thread in <#${slackChannelId}>>` : `a thread in <#${slackChannelId}>`;
  const group = target.usergroupId ? `<!subteam^${target.usergroupId}> ` : '';
  return `🚨 ${group}${escapeText(alert.customer)} has waited ${waitedText(alert.waitedMinutes * 60_000)} for a reply (twice the reply time of ${alert.limitMinutes} min): ${where}${alert.assignee ? `, assigned to <@${alert.assignee}>` : ', unassigned'}. Press *De-escalate* on the conversation when it is handled.`;
}
