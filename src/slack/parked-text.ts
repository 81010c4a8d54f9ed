/**
 * The words of the notice Slack shows when Threadline set a journaled event aside: what could not
 * be shown, why, and the command an operator replays it with.
 */
import type { ParkedNotice } from '../engine/slack-port.ts';
import { truncateGraphemes } from '../safe-text.ts';
import { escapeText } from './blocks.ts';

/** The longest reason shown; the full one is in `threadline journal parked` and the log. */
const MAX_REASON = 300;

/** "⚠️ A message from Ann could not be shown: <reason>. An operator can replay it with `threadline journal replay 17`." */
export function parkedText(notice: ParkedNotice): string {
  const customer = escapeText(truncateGraphemes(notice.customer ?? 'the customer', 80));
  const agent = notice.agentId ? `<@${notice.agentId}>` : 'an agent';
  const subject = {
    customer_message: `A message from ${customer} could not be shown`,
    customer_event: `An update from ${customer} (a reaction or a change of status) could not be shown`,
    agent_reply: `The reply by ${agent} could not be completed`,
    agent_command: `An action by ${agent} could not be applied`,
    waiting_alert: 'A reply-time reminder or escalation could not be posted',
  }[notice.what];
  const reason = escapeText(truncateGraphemes(notice.reason.replace(/\s+/g, ' ').trim(), MAX_REASON)).replace(/\.$/, '');
  return `⚠️ ${subject}: ${reason}. An operator can replay it with \`threadline journal replay ${notice.entryId}\`.`;
}
