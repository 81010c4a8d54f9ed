/**
 * Escalation end to end: 🚨 or the Escalate button posts a link to the thread in the escalation
 * channel set by `/inbox escalation`, mentioning the user group, and marks the parent; removing 🚨
 * or De-escalate says so in both places.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CHANNEL, eventually, startE2e, type E2e, type E2eOptions } from './harness.ts';
import { parents, shown } from '../support/slack-messages.ts';

const ADMIN = 'U01ADMIN99';
const MEMBER = 'U0MEMBER';
const AGENT = 'U0AGENT';
const LEADS_CHANNEL = 'C0LEADS';
const LEADS_GROUP = 'S0LEADS';

const running: E2e[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e2e) => e2e.stop()));
});

async function start(options: E2eOptions): Promise<E2e> {
  const e2e = await startE2e({ ...options, adminUsers: ADMIN, env: { SLACK_POSTS_PER_SECOND: '20' } });
  running.push(e2e);
  return e2e;
}

describe.each([
  { slackMode: 'http', telegramMode: 'webhook' },
  { slackMode: 'socket', telegramMode: 'polling' },
] as const)('escalation, Slack $slackMode mode', (modes) => {
  it('escalates by 🚨 to the escalation channel mentioning the group; removing 🚨 de-escalates and says so in both places', async () => {
    const e2e = await start(modes);
    expect(await e2e.inbox(MEMBER, `escalation <#${LEADS_CHANNEL}|leads> <!subteam^${LEADS_GROUP}|@leads>`)).toContain(
      'Only workspace admins and owners',
    );
    expect(await e2e.inbox(ADMIN, `escalation <#${LEADS_CHANNEL}|leads> <!subteam^${LEADS_GROUP}|@leads>`)).toContain(
      `escalations go to <#${LEADS_CHANNEL}>`,
    );
    expect(await e2e.inbox(MEMBER, 'escalation')).toContain(`Escalations go to <#${LEADS_CHANNEL}>, mentioning <!subteam^${LEADS_GROUP}>`);

    await e2e.customerSends({ text: 'My card was charged twice for the same order, please help' });
    const [parent] = await eventually(() => parents(e2e.slack, DEFAULT_CHANNEL).length === 1 && parents(e2e.slack, DEFAULT_CHANNEL));
    const parentShows = () => shown(e2e.slack.message(DEFAULT_CHANNEL, parent!.ts));
    const notes = () => e2e.slack.replies(DEFAULT_CHANNEL, parent!.ts).map((m) => m.text);
    await e2e.react(DEFAULT_CHANNEL, parent!.ts, AGENT, 'rotating_light');

    const [post] = await eventually(() => e2e.slack.messages(LEADS_CHANNEL).length === 1 && e2e.slack.messages(LEADS_CHANNEL));
    expect(post?.text).toContain(`<!subteam^${LEADS_GROUP}> <@${AGENT}> escalated a conversation`);
    expect(post?.text).toContain(`/archives/${DEFAULT_CHANNEL}/p${parent!.ts.replace('.', '')}|Ann Berg on Telegram>`);
    await eventually(() => parentShows().includes(`Escalated by <@${AGENT}>`));
    expect(parentShows()).toContain('threadline_deescalate');
    await eventually(() => notes().includes(`🚨 Escalated by <@${AGENT}> to <#${LEADS_CHANNEL}> (<!subteam^${LEADS_GROUP}>).`));

    // Escalating again changes nothing.
    await e2e.click(DEFAULT_CHANNEL, parent!.ts, 'U0OTHER', 'threadline_escalate');
    await e2e.react(DEFAULT_CHANNEL, parent!.ts, AGENT, 'rotating_light', true);
    await eventually(() => notes().includes(`✅ De-escalated by <@${AGENT}> (<#${LEADS_CHANNEL}> was told).`));
    expect(e2e.slack.messages(LEADS_CHANNEL)).toHaveLength(1);
    expect(e2e.slack.messages(LEADS_CHANNEL)[0]?.text).toContain(`✅ De-escalated by <@${AGENT}>`);
    // The parent is updated last (after the notes), so that a retried job finishes what a crash cut short.
    await eventually(() => !parentShows().includes('Escalated by'));
    expect(parentShows()).toContain('threadline_escalate');
  });

  it('escalates and de-escalates with the buttons; without an escalation channel it only marks the conversation', async () => {
    const e2e = await start(modes);
    await e2e.customerSends({ text: 'I want to speak to a manager about my contract' });
    const [parent] = await eventually(() => parents(e2e.slack, DEFAULT_CHANNEL).length === 1 && parents(e2e.slack, DEFAULT_CHANNEL));
    const parentShows = () => shown(e2e.slack.message(DEFAULT_CHANNEL, parent!.ts));
    const notes = () => e2e.slack.replies(DEFAULT_CHANNEL, parent!.ts).map((m) => m.text);
    await e2e.click(DEFAULT_CHANNEL, parent!.ts, AGENT, 'threadline_escalate');
    await eventually(() => parentShows().includes(`Escalated by <@${AGENT}>`));
    await eventually(() => notes().some((t) => t.includes('No escalation channel is set')));
    await e2e.click(DEFAULT_CHANNEL, parent!.ts, AGENT, 'threadline_deescalate');
    await eventually(() => notes().includes(`✅ De-escalated by <@${AGENT}>.`));
    await eventually(() => !parentShows().includes('Escalated by'));
    expect(await e2e.inbox(ADMIN, 'escalation general')).toContain('Usage: `/inbox escalation <#channel> [@usergroup]`');
    expect(await e2e.inbox(MEMBER, 'escalation off')).toContain('Only workspace admins and owners');
  });
});
