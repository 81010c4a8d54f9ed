/**
 * Nothing waits unseen, end to end: the waiting list (`/inbox open`, `/inbox mine`), reply-time
 * reminders and their escalation (`/inbox sla`), `/inbox status` and `/inbox detect`, through the
 * real app, the real Bolt and grammY against the fakes. The app runs on a test clock that the tests
 * move forward, so nobody waits minutes; the reminder sweeper looks every 20 ms.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSettingsStore } from '../../src/engine/settings.ts';
import type { FakeMessage } from '../fakes/slack-state.ts';
import { DEFAULT_CHANNEL, eventually, startE2e, type Customer, type E2e, type E2eOptions } from './harness.ts';
import { shown } from '../support/slack-messages.ts';

const ADMIN = 'U01ADMIN99';
const AGENT = 'U0AGENT';
const OTHER = 'U0OTHER';
const ESCALATIONS = 'C0ESCALATE';
const MINUTE = 60_000;

const ANN: Customer = { id: 7101, first_name: 'Ann', last_name: 'Berg', language_code: 'en' };
const BEN: Customer = { id: 7102, first_name: 'Ben', last_name: 'Okafor', language_code: 'en' };
const CAT: Customer = { id: 7103, first_name: 'Cat', last_name: 'Silva', language_code: 'en' };

const running: E2e[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e2e) => e2e.stop()));
});

/** A clock the test moves forward. */
function testClock() {
  let now = Date.parse('2026-12-03T09:00:00Z');
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

async function start(clock: ReturnType<typeof testClock>, options: Partial<E2eOptions> = {}): Promise<E2e> {
  const e2e = await startE2e({
    slackMode: 'http',
    telegramMode: 'webhook',
    adminUsers: ADMIN,
    now: clock.now,
    reminders: { intervalMs: 20 },
    ...options,
  });
  running.push(e2e);
  return e2e;
}

/** Waits for the parent of `name`'s conversation in the default channel. */
function parentOf(e2e: E2e, name: string): Promise<FakeMessage> {
  return eventually(() =>
    e2e.slack.messages(DEFAULT_CHANNEL).find((m) => m.bot_id && (!m.thread_ts || m.thread_ts === m.ts) && shown(m).includes(name)),
  );
}

/** Threadline's own notices in a thread (not the customer's mirrored messages). */
const notices = (e2e: E2e, parent: FakeMessage, mark: string) =>
  e2e.slack.replies(DEFAULT_CHANNEL, parent.ts).filter((m) => m.bot_id && !m.username && m.text.includes(mark));

/** Every journaled job took effect (the clock may move on without racing the worker). */
async function settled(e2e: E2e): Promise<void> {
  await eventually(async () => (await e2e.app.store.journal.size()) === 0);
}

/** A customer writes and the conversation is shown as waiting. */
async function writes(e2e: E2e, customer: Customer, text: string): Promise<FakeMessage> {
  await e2e.customerSends({ text }, customer);
  const parent = await parentOf(e2e, `${customer.first_name} ${customer.last_name}`);
  await eventually(() => e2e.slack.replies(DEFAULT_CHANNEL, parent.ts).some((m) => m.text === text));
  await settled(e2e);
  return parent;
}

/** The answer to an /inbox command, as the user sees it (the ephemeral ack). */
async function inbox(e2e: E2e, user: string, text: string): Promise<string> {
  const answer = await e2e.inbox(user, text);
  expect(answer).toContain('ephemeral');
  return (JSON.parse(answer.replace(/\[\]$/, '')) as { text: string }).text;
}

describe('the waiting list', () => {
  it('/inbox open lists the waiting conversations oldest first, with wait, platform, language, assignee and a link; an answer takes one off', async () => {
    const clock = testClock();
    const e2e = await start(clock);
    expect(await inbox(e2e, AGENT, 'open')).toContain('No conversation is waiting');
    const ann = await writes(e2e, ANN, 'Hello, my parcel has not arrived yet, can you check it please?');
    clock.advance(5 * MINUTE);
    const ben = await writes(e2e, BEN, 'Good morning, I would like to change the address of my order.');
    clock.advance(7 * MINUTE);
    await writes(e2e, CAT, 'Hi there, is the blue jacket available in size medium again soon?');
    clock.advance(3 * MINUTE);

    const answer = await inbox(e2e, AGENT, 'open');
    expect(answer).toContain('3 conversations waiting for a reply');
    const lines = answer.split('\n').filter((l) => /^\d\./.test(l));
    expect(lines.map((l) => /\|([^>]+)>/.exec(l)?.[1])).toEqual(['Ann Berg', 'Ben Okafor', 'Cat Silva']);
    expect(lines[0]).toContain('waiting 15 min');
    expect(lines[1]).toContain('waiting 10 min');
    expect(lines[2]).toContain('waiting 3 min');
    expect(lines[0]).toContain('Telegram');
    expect(lines[0]).toContain('English');
    expect(lines[0]).toContain('unassigned');
    expect(lines[0]).toContain(`/archives/${DEFAULT_CHANNEL}/p${ann.ts.replace('.', '')}`);

    await e2e.agentReplies({ channel: DEFAULT_CHANNEL, ts: ben.ts }, AGENT, 'Sure, which address should we use?');
    await eventually(() => shown(e2e.slack.message(DEFAULT_CHANNEL, ben.ts)).includes('Answered'));
    const after = await inbox(e2e, AGENT, 'open');
    expect(after).toContain('2 conversations waiting');
    expect(after).not.toContain('Ben Okafor');
  });

  it('/inbox mine lists only the caller’s own waiting conversations', async () => {
    const clock = testClock();
    const e2e = await start(clock);
    const ann = await writes(e2e, ANN, 'Hello, my parcel has not arrived yet, can you check it please?');
    await writes(e2e, BEN, 'Good morning, I would like to change the address of my order.');
    await e2e.react(DEFAULT_CHANNEL, ann.ts, AGENT, 'raising_hand');
    await eventually(() => shown(e2e.slack.message(DEFAULT_CHANNEL, ann.ts)).includes(`<@${AGENT}>`));
    const mine = await inbox(e2e, AGENT, 'mine');
    expect(mine).toContain('1 conversation assigned to you');
    expect(mine).toContain('Ann Berg');
    expect(mine).toContain(`<@${AGENT}>`);
    expect(mine).not.toContain('Ben Okafor');
    expect(await inbox(e2e, OTHER, 'mine')).toContain('Nothing assigned to you is waiting');
  });
});

describe('reply-time reminders', () => {
  it('refuses a non-admin, then reminds once at the reply time (mentioning the channel) and escalates at twice it', async () => {
    const clock = testClock();
    const e2e = await start(clock);
    const refusal = await inbox(e2e, AGENT, 'sla 10');
    expect(refusal).toContain('Only workspace admins and owners');
    expect(refusal).toContain(`<@${ADMIN}>`);
    expect(await inbox(e2e, AGENT, 'sla')).toContain('No overall reply time');
    await createSettingsStore(e2e.app.store, { owner: 'test' }).update(ADMIN, 'escalation', (s) => ({
      ...s,
      escalation: { slackChannelId: ESCALATIONS },
    }));
    expect(await inbox(e2e, ADMIN, 'sla 10')).toContain('reminded after 10 min waiting, and escalated after 20 min');

    const ann = await writes(e2e, ANN, 'Hello, my parcel has not arrived yet, can you check it please?');
    clock.advance(9 * MINUTE);
    const ben = await writes(e2e, BEN, 'Good morning, I would like to change the address of my order.');
    clock.advance(2 * MINUTE);
    const [reminder] = await eventually(() => notices(e2e, ann, '⏰').length > 0 && notices(e2e, ann, '⏰'));
    expect(reminder!.text).toContain('<!channel>');
    expect(reminder!.text).toContain('Ann Berg has waited 11 min');

    clock.advance(10 * MINUTE);
    const [escalation] = await eventually(() => notices(e2e, ann, 'Escalated').length > 0 && notices(e2e, ann, 'Escalated'));
    expect(escalation!.text).toContain('<!channel>');
    expect(escalation!.text).toContain('twice the reply time of 10 min');
    const [link] = await eventually(() => e2e.slack.messages(ESCALATIONS).length > 0 && e2e.slack.messages(ESCALATIONS));
    expect(link!.text).toContain(`/archives/${DEFAULT_CHANNEL}/p${ann.ts.replace('.', '')}`);
    // Ben, who wrote 9 minutes later, has had his reminder meanwhile; Ann still has exactly one of each.
    await eventually(() => notices(e2e, ben, '⏰').length === 1);
    expect(notices(e2e, ann, '⏰')).toHaveLength(1);
    expect(notices(e2e, ann, 'Escalated')).toHaveLength(1);
    // The escalation's records are committed when its job is done (after its posts).
    await settled(e2e);
    expect(await inbox(e2e, AGENT, 'status')).toContain('1 escalated');
    // The parent says so and offers De-escalate, which rewrites the escalation channel's link.
    await eventually(() => shown(e2e.slack.message(DEFAULT_CHANNEL, ann.ts)).includes('Escalated: waited twice the reply time of 10 min'));
    expect(shown(e2e.slack.message(DEFAULT_CHANNEL, ann.ts))).toContain('threadline_deescalate');
    await e2e.click(DEFAULT_CHANNEL, ann.ts, AGENT, 'threadline_deescalate');
    await eventually(() => notices(e2e, ann, `✅ De-escalated by <@${AGENT}>`).length === 1);
    await eventually(() => e2e.slack.messages(ESCALATIONS)[0]?.text.includes(`✅ De-escalated by <@${AGENT}>`));
    await eventually(() => !shown(e2e.slack.message(DEFAULT_CHANNEL, ann.ts)).includes('Escalated:'));
    await settled(e2e);
    expect(await inbox(e2e, AGENT, 'status')).toContain('0 escalated');
    // The stretch stays escalated once: no second escalation later while Ann still waits.
    clock.advance(30 * MINUTE);
    await writes(e2e, CAT, 'Hi there, is the blue jacket available in size medium again soon?');
    expect(notices(e2e, ann, 'Escalated')).toHaveLength(1);
  });

  it('mentions the assignee, and an answer or a close cancels the reminder', async () => {
    const clock = testClock();
    const e2e = await start(clock);
    await inbox(e2e, ADMIN, 'sla 30');
    expect(await inbox(e2e, ADMIN, 'sla en 10')).toContain('English (`en`) is reminded after 10 min');
    const ann = await writes(e2e, ANN, 'Hello, my parcel has not arrived yet, can you check it please?');
    const ben = await writes(e2e, BEN, 'Good morning, I would like to change the address of my order.');
    const cat = await writes(e2e, CAT, 'Hi there, is the blue jacket available in size medium again soon?');
    await e2e.react(DEFAULT_CHANNEL, cat.ts, AGENT, 'raising_hand');
    await eventually(() => shown(e2e.slack.message(DEFAULT_CHANNEL, cat.ts)).includes(`<@${AGENT}>`));
    await e2e.agentReplies({ channel: DEFAULT_CHANNEL, ts: ann.ts }, AGENT, 'Let me check the tracking for you.');
    await eventually(() => shown(e2e.slack.message(DEFAULT_CHANNEL, ann.ts)).includes('Answered'));
    await e2e.react(DEFAULT_CHANNEL, ben.ts, OTHER, 'white_check_mark');
    await eventually(() => shown(e2e.slack.message(DEFAULT_CHANNEL, ben.ts)).includes('Closed'));

    clock.advance(25 * MINUTE);
    const [reminder] = await eventually(() => notices(e2e, cat, 'Escalated').length > 0 && notices(e2e, cat, 'Escalated'));
    expect(reminder!.text).toContain(`<@${AGENT}>`);
    expect(notices(e2e, ann, '⏰')).toHaveLength(0);
    expect(notices(e2e, ann, 'Escalated')).toHaveLength(0);
    expect(notices(e2e, ben, '⏰')).toHaveLength(0);
    expect(notices(e2e, ben, 'Escalated')).toHaveLength(0);
  });

  it('keeps its timers across a restart and still reminds exactly once', async () => {
    const clock = testClock();
    const first = await start(clock);
    await inbox(first, ADMIN, 'sla 10');
    const ann = await writes(first, ANN, 'Hello, my parcel has not arrived yet, can you check it please?');
    await first.app.stop();
    running.splice(running.indexOf(first), 1);

    clock.advance(11 * MINUTE);
    const second = await start(clock, { dataDir: first.dataDir, fakes: { slack: first.slack, telegram: first.telegram } });
    await eventually(() => notices(second, ann, '⏰').length === 1);
    await second.app.stop();
    running.splice(running.indexOf(second), 1);

    const third = await start(clock, { dataDir: first.dataDir, fakes: { slack: first.slack, telegram: first.telegram } });
    clock.advance(10 * MINUTE);
    await eventually(() => notices(third, ann, 'Escalated').length === 1);
    expect(notices(third, ann, '⏰')).toHaveLength(1);
    await third.app.stop();
    running.splice(running.indexOf(third), 1);
    await first.slack.close();
    await first.telegram.close();
  });
});

describe('/inbox status and /inbox detect', () => {
  it('/inbox status reports platforms, store, backlog, the oldest wait and the counts', async () => {
    const clock = testClock();
    const e2e = await start(clock);
    const ann = await writes(e2e, ANN, 'Hello, my parcel has not arrived yet, can you check it please?');
    clock.advance(42 * MINUTE);
    await writes(e2e, BEN, 'Good morning, I would like to change the address of my order.');
    await e2e.agentReplies({ channel: DEFAULT_CHANNEL, ts: ann.ts }, AGENT, 'Let me check the tracking for you.');
    await eventually(() => shown(e2e.slack.message(DEFAULT_CHANNEL, ann.ts)).includes('Answered'));
    clock.advance(3 * MINUTE);
    const status = await inbox(e2e, AGENT, 'status');
    expect(status).toContain('Telegram ✅ live');
    expect(status).toContain('embedded (SQLite) ✅ reachable');
    expect(status).toContain('Journal backlog: 0 events');
    expect(status).toContain('Oldest waiting conversation: 3 min');
    expect(status).toContain('2 open, 1 waiting for a reply, 0 escalated');
  });

  it('/inbox detect names the language and the channel, or says the text is too short', async () => {
    const clock = testClock();
    const e2e = await start(clock);
    await inbox(e2e, ADMIN, 'route ko <#C0KOREAN|support-ko>');
    expect(await inbox(e2e, AGENT, 'detect 배송이 언제 되나요?')).toContain('Detected as Korean (`ko`): it would go to <#C0KOREAN>');
    const english = await inbox(e2e, AGENT, 'detect Where is my order? It has been two weeks.');
    expect(english).toContain('Detected as English (`en`)');
    expect(english).toContain(`the default channel, <#${DEFAULT_CHANNEL}>`);
    expect(await inbox(e2e, AGENT, 'detect ok')).toContain('Too short to tell');
    expect(await inbox(e2e, AGENT, 'detect')).toContain('Usage: `/inbox detect <text>`');
  });
});

describe('App Home', () => {
  /** The text of the latest Home `user` was shown. */
  const home = (e2e: E2e, user: string): string => {
    const view = e2e.slack.views.get(user)?.at(-1) as { blocks: { text?: { text: string } }[] } | undefined;
    return view ? view.blocks.map((b) => b.text?.text ?? '').join('\n') : '';
  };

  it('shows counts per language and status, the oldest waiting and the viewer’s own, with links, and refreshes after changes', async () => {
    const clock = testClock();
    const e2e = await start(clock);
    await e2e.openHome(AGENT);
    await eventually(() => home(e2e, AGENT).includes('No conversations yet'));

    const ann = await writes(e2e, ANN, 'Hello, my parcel has not arrived yet, can you check it please?');
    clock.advance(4 * MINUTE);
    const ben = await writes(e2e, BEN, 'Good morning, I would like to change the address of my order.');
    await eventually(() => home(e2e, AGENT).includes('⏳ 2 waiting'));
    const before = home(e2e, AGENT);
    expect(before).toContain('*English*: ⏳ 2 waiting · 💬 0 answered · ✅ 0 closed');
    expect(before.indexOf('Ann Berg')).toBeLessThan(before.indexOf('Ben Okafor'));
    expect(before).toContain(`/archives/${DEFAULT_CHANNEL}/p${ann.ts.replace('.', '')}`);
    expect(before).toContain('waiting 4 min');
    expect(before).toContain('Nothing assigned to you is waiting');

    await e2e.react(DEFAULT_CHANNEL, ben.ts, AGENT, 'raising_hand');
    await e2e.agentReplies({ channel: DEFAULT_CHANNEL, ts: ann.ts }, OTHER, 'Let me check the tracking for you.');
    await eventually(() => home(e2e, AGENT).includes('⏳ 1 waiting · 💬 1 answered'));
    const after = home(e2e, AGENT);
    const mine = after.slice(after.indexOf('Assigned to you'));
    expect(mine).toContain('Ben Okafor');
    expect(mine).toContain(`/archives/${DEFAULT_CHANNEL}/p${ben.ts.replace('.', '')}`);
    expect(after).not.toContain('Ann Berg');
  });
});
