/**
 * Agents and their languages, automatic round-robin assignment (active agents first), and the user
 * picker on the parent message, end to end: the real app and Bolt against the Slack fake, customers
 * writing on Telegram, admins using `/inbox`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CHANNEL, eventually, startE2e, type Customer, type E2e, type E2eOptions } from './harness.ts';
import { parents, shown } from '../support/slack-messages.ts';

const KO_CHANNEL = 'C0KOREAN';
const ADMIN = 'U01ADMIN99';
const MEMBER = 'U0MEMBER';
const JOON = 'U0JOON';
const MINA = 'U0MINA';
const LEAD = 'U0LEAD';

const koreanCustomer = (id: number): Customer => ({ id, first_name: `고객${id}`, language_code: 'ko' });

const running: E2e[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e2e) => e2e.stop()));
});

async function start(options: E2eOptions): Promise<E2e> {
  const e2e = await startE2e({ ...options, adminUsers: ADMIN, presenceTtlMs: 0, env: { SLACK_POSTS_PER_SECOND: '20' } });
  running.push(e2e);
  return e2e;
}

describe.each([
  { slackMode: 'http', telegramMode: 'webhook' },
  { slackMode: 'socket', telegramMode: 'polling' },
] as const)('assignment, Slack $slackMode mode', (modes) => {
  it('assigns Korean conversations in turn to the Korean speakers, active ones first, and mentions the assignee in the thread', async () => {
    const e2e = await start(modes);
    e2e.slack.setPresence(JOON, 'active');
    e2e.slack.setPresence(MINA, 'active');
    expect(await e2e.inbox(ADMIN, `route ko <#${KO_CHANNEL}|support-ko>`)).toContain(KO_CHANNEL);
    expect(await e2e.inbox(ADMIN, `agent <@${MINA}|mina> ko`)).toContain(`<@${MINA}> answers Korean`);
    expect(await e2e.inbox(ADMIN, `agent <@${JOON}|joon> KO zh-hant`)).toContain('Traditional Chinese (`zh-Hant`)');
    const listed = await e2e.inbox(MEMBER, 'agents');
    expect(listed).toContain(`<@${JOON}>: Korean (\`ko\`), Traditional Chinese (\`zh-Hant\`)`);
    expect(listed).toContain(`<@${MINA}>: Korean (\`ko\`)`);

    await e2e.customerSends({ text: '안녕하세요, 주문한 물건이 아직 안 왔어요' }, koreanCustomer(7001));
    const [first] = await eventually(() => parents(e2e.slack, KO_CHANNEL).length === 1 && parents(e2e.slack, KO_CHANNEL));
    expect(shown(first)).toContain(`Assigned to <@${JOON}>`);
    await eventually(() =>
      e2e.slack.replies(KO_CHANNEL, first!.ts).some((m) => m.text === `👤 Assigned to <@${JOON}> automatically: speaks Korean.`),
    );

    await e2e.customerSends({ text: '환불은 어떻게 받을 수 있나요?' }, koreanCustomer(7002));
    const second = await eventually(() => parents(e2e.slack, KO_CHANNEL)[1]);
    expect(shown(second)).toContain(`Assigned to <@${MINA}>`);

    // Joon goes away: the next Korean conversation goes to whoever is active, whatever the turn.
    e2e.slack.setPresence(JOON, 'away');
    await e2e.customerSends({ text: '배송 주소를 바꾸고 싶어요' }, koreanCustomer(7003));
    await e2e.customerSends({ text: '영수증을 받을 수 있을까요?' }, koreanCustomer(7004));
    const [third, fourth] = await eventually(() => parents(e2e.slack, KO_CHANNEL).length === 4 && parents(e2e.slack, KO_CHANNEL).slice(2));
    expect(shown(third)).toContain(`Assigned to <@${MINA}>`);
    expect(shown(fourth)).toContain(`Assigned to <@${MINA}>`);
    expect(e2e.slack.calls.some((c) => c.method === 'users.getPresence' && c.args.user === JOON)).toBe(true);
  });

  it('leaves a conversation nobody speaks unassigned, and the parent says why; an agent set off gets nothing', async () => {
    const e2e = await start(modes);
    e2e.slack.setPresence(MINA, 'active');
    await e2e.inbox(ADMIN, `agent <@${MINA}|mina> ko`);
    await e2e.customerSends({ text: 'Hello, my parcel arrived damaged, what can I do?' });
    const [parent] = await eventually(() => parents(e2e.slack, DEFAULT_CHANNEL).length === 1 && parents(e2e.slack, DEFAULT_CHANNEL));
    expect(shown(parent)).toContain('Unassigned: no agent speaks English');

    expect(await e2e.inbox(ADMIN, `agent <@${MINA}|mina> off`)).toContain('no longer gets conversations');
    expect(await e2e.inbox(MEMBER, 'agents')).toContain('No agents yet');
  });

  it('refuses agent changes from a non-admin, naming who can, and changes nothing', async () => {
    const e2e = await start(modes);
    const refused = await e2e.inbox(MEMBER, `agent <@${MINA}|mina> ko`);
    expect(refused).toContain('Only workspace admins and owners');
    expect(refused).toContain(`<@${ADMIN}> (ADMIN_USERS)`);
    expect(await e2e.inbox(MEMBER, `agent <@${MINA}|mina> off`)).toContain('Only workspace admins and owners');
    expect(await e2e.inbox(MEMBER, 'agents')).toContain('No agents yet');
  });

  it('answers a malformed agent command with its usage', async () => {
    const e2e = await start(modes);
    expect(await e2e.inbox(ADMIN, 'agent')).toContain('Usage: `/inbox agent @user <language…>`, e.g. `/inbox agent @mina ko zh-Hant`');
    expect(await e2e.inbox(ADMIN, 'agent mina ko')).toContain('`mina` is not a Slack user');
    expect(await e2e.inbox(ADMIN, `agent <@${MINA}|mina> klingon`)).toContain('`klingon` is not a language Threadline knows');
  });

  it('assigns anyone with the picker, reassigns and unassigns, noting each change in the thread', async () => {
    const e2e = await start(modes);
    await e2e.customerSends({ text: 'Hi, can someone from billing look at my invoice?' });
    const [parent] = await eventually(() => parents(e2e.slack, DEFAULT_CHANNEL).length === 1 && parents(e2e.slack, DEFAULT_CHANNEL));
    const parentShows = () => shown(e2e.slack.message(DEFAULT_CHANNEL, parent!.ts));
    const notes = () => e2e.slack.replies(DEFAULT_CHANNEL, parent!.ts).map((m) => m.text);
    expect(parentShows()).toContain('threadline_assign_to');
    expect(parentShows()).not.toContain('threadline_unassign');

    await e2e.pickUser(DEFAULT_CHANNEL, parent!.ts, LEAD, 'threadline_assign_to', MINA);
    await eventually(() => parentShows().includes(`Assigned to <@${MINA}>`));
    await eventually(() => notes().includes(`👤 Assigned to <@${MINA}> by <@${LEAD}>.`));
    expect(parentShows()).toContain(`"initial_user":"${MINA}"`);
    expect(parentShows()).toContain('threadline_unassign');

    await e2e.pickUser(DEFAULT_CHANNEL, parent!.ts, MINA, 'threadline_assign_to', JOON);
    await eventually(() => notes().includes(`👤 Assigned to <@${JOON}> by <@${MINA}>.`));
    expect(parentShows()).toContain(`Assigned to <@${JOON}>`);

    await e2e.click(DEFAULT_CHANNEL, parent!.ts, JOON, 'threadline_unassign');
    await eventually(() => notes().includes(`👤 Unassigned by <@${JOON}>.`));
    expect(parentShows()).toContain('Unassigned');
    expect(parentShows()).not.toContain('threadline_unassign');
    expect(notes().filter((t) => t.startsWith('👤'))).toHaveLength(3);
  });
});
