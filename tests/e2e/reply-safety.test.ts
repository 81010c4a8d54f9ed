/**
 * What reactions do (`/inbox emoji`) and which thread replies reach the customer (`/inbox replies`),
 * end to end: the real app and Bolt against the Slack fake, the customer on Telegram.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ANN, DEFAULT_CHANNEL, eventually, startE2e, type E2e, type E2eOptions } from './harness.ts';
import { parents, shown } from '../support/slack-messages.ts';

const ADMIN = 'U01ADMIN99';
const MEMBER = 'U0MEMBER';
const AGENT = 'U0AGENT';

const running: E2e[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e2e) => e2e.stop()));
});

async function start(options: E2eOptions): Promise<E2e> {
  const e2e = await startE2e({ ...options, adminUsers: ADMIN, env: { SLACK_POSTS_PER_SECOND: '20' } });
  running.push(e2e);
  return e2e;
}

async function openConversation(e2e: E2e, text: string) {
  await e2e.customerSends({ text });
  const [parent] = await eventually(() => parents(e2e.slack, DEFAULT_CHANNEL).length === 1 && parents(e2e.slack, DEFAULT_CHANNEL));
  await eventually(() => e2e.slack.replies(DEFAULT_CHANNEL, parent!.ts).length >= 1);
  return { channel: DEFAULT_CHANNEL, ts: parent!.ts };
}

describe.each([
  { slackMode: 'http', telegramMode: 'webhook' },
  { slackMode: 'socket', telegramMode: 'polling' },
] as const)('reply safety, Slack $slackMode mode', (modes) => {
  it('in prefixed mode sends only replies starting with >> or mentioning the bot, keeps the rest internal, and the parent says so', async () => {
    const e2e = await start(modes);
    const thread = await openConversation(e2e, 'Hello, can I return shoes I bought last week?');
    expect(shown(e2e.slack.message(DEFAULT_CHANNEL, thread.ts))).toContain('Replies in this thread go to the customer');
    expect(await e2e.inbox(MEMBER, 'replies prefixed')).toContain('Only workspace admins and owners');
    expect(await e2e.inbox(ADMIN, 'replies prefixed')).toContain('Done: only thread replies starting with');
    expect(await e2e.inbox(MEMBER, 'replies')).toContain('Reply mode: only thread replies starting with');

    await e2e.agentReplies(thread, AGENT, 'did we change the return policy?');
    await e2e.agentReplies(thread, AGENT, 'note: checking with the warehouse');
    // Slack sends a typed `>>` escaped as `&gt;&gt;`. Source: https://docs.slack.dev/messaging/formatting-message-text#escaping
    await e2e.agentReplies(thread, AGENT, '&gt;&gt; Yes, within 30 days.');
    const [sent] = await e2e.telegram.waitFor('sendMessage', 1, 8000);
    expect(sent?.params).toMatchObject({ chat_id: ANN.id, text: 'Yes, within 30 days.' });
    await e2e.agentReplies(thread, AGENT, '<@UBOT> Bring the receipt, please.');
    await eventually(() => e2e.telegram.callsOf('sendMessage').length === 2);
    expect(e2e.telegram.callsOf('sendMessage').map((c) => c.params.text)).toEqual(['Yes, within 30 days.', 'Bring the receipt, please.']);

    // The parent says so from its next update (the customer writes again).
    await e2e.customerSends({ text: 'Great, thanks!' });
    await eventually(() => shown(e2e.slack.message(DEFAULT_CHANNEL, thread.ts)).includes('Only replies starting with'));

    expect(await e2e.inbox(ADMIN, 'replies all')).toContain('Done: every thread reply goes to the customer');
    await e2e.agentReplies(thread, AGENT, 'You are welcome!');
    await eventually(() => e2e.telegram.callsOf('sendMessage').length === 3);
    expect(e2e.telegram.callsOf('sendMessage').map((c) => c.params.text)).not.toContain('did we change the return policy?');
  });

  it('changes what a reaction does with /inbox emoji, at once; none makes a default do nothing', async () => {
    const e2e = await start(modes);
    const thread = await openConversation(e2e, 'Hi, where can I find the size chart?');
    const parentShows = () => shown(e2e.slack.message(DEFAULT_CHANNEL, thread.ts));
    expect(await e2e.inbox(MEMBER, 'emoji :eyes: assign')).toContain('Only workspace admins and owners');
    expect(await e2e.inbox(ADMIN, 'emoji :eyes: assign')).toContain('Done: :eyes: now assigns the conversation to whoever reacts');
    expect(await e2e.inbox(ADMIN, 'emoji white_check_mark none')).toContain('Done: :white_check_mark: now does nothing');
    expect(await e2e.inbox(ADMIN, 'emoji :lock: close')).toContain('Done: :lock: now closes');
    const listed = await e2e.inbox(MEMBER, 'emoji');
    expect(listed).toContain('assign to whoever reacts: :raising_hand: :hand: :raised_hand: :eyes:');
    expect(listed).toContain('close (removing it reopens): :lock:');

    await e2e.react(DEFAULT_CHANNEL, thread.ts, AGENT, 'eyes');
    await eventually(() => parentShows().includes(`Assigned to <@${AGENT}>`));
    // ✅ now does nothing: a later command on the same conversation finds it still open.
    await e2e.react(DEFAULT_CHANNEL, thread.ts, AGENT, 'white_check_mark');
    await e2e.react(DEFAULT_CHANNEL, thread.ts, 'U0OTHER', 'eyes');
    await eventually(() => parentShows().includes('Assigned to <@U0OTHER>'));
    expect(parentShows()).toContain('Waiting for reply');
    await e2e.react(DEFAULT_CHANNEL, thread.ts, AGENT, 'lock');
    await eventually(() => parentShows().includes(`Closed by <@${AGENT}>`));
    expect(await e2e.inbox(ADMIN, 'emoji :lock: dance')).toContain('`dance` is not something a reaction can do');
  });
});
