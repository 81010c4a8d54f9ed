/**
 * Moving a conversation to another language, end to end: a flag reaction or the parent's language
 * menu moves it to that language's channel (new parent linking back and carrying the last
 * messages; the old parent marked as moved with a link); the customer's later messages go to the
 * new thread, and their next conversation opens in that language.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeMessage } from '../fakes/slack-state.ts';
import { DEFAULT_CHANNEL, eventually, startE2e, type Customer, type E2e } from './harness.ts';

const ADMIN = 'U01ADMIN99';
const AGENT = 'U0AGENT';
const KO_CHANNEL = 'C0KOREAN';
const ZH_TW_CHANNEL = 'C0ZHTW';
/** Telegram says English (the app's language), and the first message is too short to tell. */
const MINJI: Customer = { id: 7301, first_name: 'Minji', last_name: 'Park', language_code: 'en' };

const running: E2e[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e2e) => e2e.stop()));
});

const shown = (message: FakeMessage | undefined) => JSON.stringify(message?.blocks ?? []) + (message?.text ?? '');
const parents = (e2e: E2e, channel: string) =>
  e2e.slack.messages(channel).filter((m) => m.bot_id && (!m.thread_ts || m.thread_ts === m.ts) && shown(m).includes('Minji Park'));
const link = (e2e: E2e, channel: string, ts: string) => `${e2e.slack.base}/archives/${channel}/p${ts.replace('.', '')}`;

async function setUp(): Promise<{ e2e: E2e; old: FakeMessage }> {
  const e2e = await startE2e({ slackMode: 'http', telegramMode: 'webhook', adminUsers: ADMIN });
  running.push(e2e);
  await e2e.inbox(ADMIN, `route ko <#${KO_CHANNEL}|support-ko>`);
  await e2e.inbox(ADMIN, `route zh-Hant <#${ZH_TW_CHANNEL}|support-zh-tw>`);
  // The second message once the first is shown: sent sooner, it could share the first one's post
  // (a backlog behind Slack's pace goes out as one post), and this thread is to hold two.
  await e2e.customerSends({ text: 'hello' }, MINJI);
  const [old] = await eventually(() => parents(e2e, DEFAULT_CHANNEL).length === 1 && parents(e2e, DEFAULT_CHANNEL));
  await eventually(() => e2e.slack.replies(DEFAULT_CHANNEL, old!.ts).length === 1);
  await e2e.customerSends({ text: 'my order 4411' }, MINJI);
  await eventually(() => e2e.slack.replies(DEFAULT_CHANNEL, old!.ts).length === 2);
  await e2e.agentReplies({ channel: DEFAULT_CHANNEL, ts: old!.ts }, AGENT, 'note: she writes Korean on the phone, moving');
  return { e2e, old: old! };
}

describe('moving a conversation to another language', () => {
  it('a flag reaction moves it: new parent with a link back and the last messages, old parent marked, later messages follow', async () => {
    const { e2e, old } = await setUp();
    await e2e.react(DEFAULT_CHANNEL, old.ts, AGENT, 'flag-kr');

    const [moved] = await eventually(() => parents(e2e, KO_CHANNEL).length === 1 && parents(e2e, KO_CHANNEL));
    expect(shown(moved)).toContain('Korean');
    expect(shown(moved)).toContain('Moved here from');
    expect(shown(moved)).toContain(link(e2e, DEFAULT_CHANNEL, old.ts));
    const [carried] = await eventually(
      () => e2e.slack.replies(KO_CHANNEL, moved!.ts).length > 0 && e2e.slack.replies(KO_CHANNEL, moved!.ts),
    );
    expect(carried!.text).toContain('The last 3 messages');
    expect(carried!.text).toContain('*Minji Park*\n> hello');
    expect(carried!.text).toContain('> my order 4411');
    expect(carried!.text).toContain(`<@${AGENT}>\n> note: she writes Korean on the phone, moving`);

    await eventually(() => shown(e2e.slack.message(DEFAULT_CHANNEL, old.ts)).includes('Moved to'));
    const oldShown = shown(e2e.slack.message(DEFAULT_CHANNEL, old.ts));
    expect(oldShown).toContain(link(e2e, KO_CHANNEL, moved!.ts));
    expect(oldShown).not.toContain('threadline_close');

    await e2e.customerSends({ text: '배송이 언제 되나요?' }, MINJI);
    await eventually(() => e2e.slack.replies(KO_CHANNEL, moved!.ts).some((m) => m.text === '배송이 언제 되나요?'));
    expect(e2e.slack.replies(DEFAULT_CHANNEL, old.ts).some((m) => m.text === '배송이 언제 되나요?')).toBe(false);
    expect(await e2e.inbox(AGENT, 'open')).toContain(link(e2e, KO_CHANNEL, moved!.ts).replace(e2e.slack.base, ''));

    // Closed, then the customer writes again, briefly: the next conversation opens in Korean.
    await e2e.react(KO_CHANNEL, moved!.ts, AGENT, 'white_check_mark');
    await eventually(() => shown(e2e.slack.message(KO_CHANNEL, moved!.ts)).includes('Closed'));
    await e2e.customerSends({ text: 'hi' }, MINJI);
    await eventually(() => parents(e2e, KO_CHANNEL).length === 2);
    expect(parents(e2e, DEFAULT_CHANNEL)).toHaveLength(1);
  });

  it('the language menu on the parent moves it too', async () => {
    const { e2e, old } = await setUp();
    await e2e.choose(DEFAULT_CHANNEL, old.ts, AGENT, 'threadline_move', { value: 'zh-Hant', label: 'Traditional Chinese' });
    const [moved] = await eventually(() => parents(e2e, ZH_TW_CHANNEL).length === 1 && parents(e2e, ZH_TW_CHANNEL));
    expect(shown(moved)).toContain('Traditional Chinese');
    expect(shown(moved)).toContain(link(e2e, DEFAULT_CHANNEL, old.ts));
    await eventually(() => shown(e2e.slack.message(DEFAULT_CHANNEL, old.ts)).includes('Moved to'));
  });

  it('reassigns a moved conversation to an agent who speaks the new language, and says so in the new thread', async () => {
    const e2e = await startE2e({ slackMode: 'http', telegramMode: 'webhook', adminUsers: ADMIN, presenceTtlMs: 0 });
    running.push(e2e);
    const KO_AGENT = 'U0KOAGENT';
    await e2e.inbox(ADMIN, `route ko <#${KO_CHANNEL}|support-ko>`);
    await e2e.inbox(ADMIN, `agent <@${AGENT}|agent> en`);
    await e2e.inbox(ADMIN, `agent <@${KO_AGENT}|ko-agent> ko`);
    await e2e.customerSends({ text: 'Hello, where is my parcel? It was due yesterday.' }, MINJI);
    const [old] = await eventually(() => parents(e2e, DEFAULT_CHANNEL).length === 1 && parents(e2e, DEFAULT_CHANNEL));
    await eventually(() => shown(e2e.slack.message(DEFAULT_CHANNEL, old!.ts)).includes(`<@${AGENT}>`));

    await e2e.react(DEFAULT_CHANNEL, old!.ts, AGENT, 'flag-kr');
    const [moved] = await eventually(() => parents(e2e, KO_CHANNEL).length === 1 && parents(e2e, KO_CHANNEL));
    await eventually(() => shown(e2e.slack.message(KO_CHANNEL, moved!.ts)).includes(`<@${KO_AGENT}>`));
    expect(shown(e2e.slack.message(KO_CHANNEL, moved!.ts))).not.toContain(`<@${AGENT}>`);
    await eventually(() => e2e.slack.replies(KO_CHANNEL, moved!.ts).some((m) => (m.text ?? '').includes(`<@${KO_AGENT}>`)));
  });
});
