/**
 * Automation rules from Slack, end to end: `/inbox rules` shows today's defaults, `/inbox rule`
 * changes what a kind of message does at once, and an ignored message is still counted (/metrics).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ANN, DEFAULT_CHANNEL, eventually, startE2e, type E2e } from './harness.ts';
import { parents } from '../support/slack-messages.ts';

const ADMIN = 'U01ADMIN99';
const MEMBER = 'U0MEMBER';

const running: E2e[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e2e) => e2e.stop()));
});

const metrics = async (e2e: E2e) => (await fetch(`${e2e.baseUrl}/metrics`)).text();

describe('automation rules', () => {
  it('lists the defaults, refuses non-admins, ignores (and counts) or closes a kind as an admin sets it', async () => {
    const e2e = await startE2e({ slackMode: 'http', telegramMode: 'webhook', adminUsers: ADMIN, env: { SLACK_POSTS_PER_SECOND: '20' } });
    running.push(e2e);
    const listed = await e2e.inbox(MEMBER, 'rules');
    expect(listed).toContain('`*` `story_mention` → *ignore* (every platform, default)');
    expect(listed).toContain('`*` `story_reply_emoji` → *ignore* (every platform, default)');
    expect(listed).toContain('`*` `like` → *ignore* (every platform, default)');
    expect(listed).toContain('`*` `emoji_only` → *open* (every platform, default)');
    expect(listed).toContain('`reaction`');

    expect(await e2e.inbox(MEMBER, 'rule telegram emoji_only ignore')).toContain('Only workspace admins and owners');
    expect(await e2e.inbox(ADMIN, 'rule telegram emoji_only ignore')).toContain(
      'Done: on Telegram, a message made only of emoji (not a story reply) is ignored',
    );
    expect(await e2e.inbox(MEMBER, 'rules')).toContain('`telegram` `emoji_only` → *ignore* (Telegram, set by an admin)');

    await e2e.customerSends({ text: '👍👍' });
    await eventually(async () => /threadline_messages_ignored_total\{platform="telegram",rule="emoji_only"\} 1/.test(await metrics(e2e)));
    expect(parents(e2e.slack, DEFAULT_CHANNEL)).toHaveLength(0);

    // A rule for every platform does not beat the Telegram one; replacing the Telegram one does.
    await e2e.inbox(ADMIN, 'rule * emoji_only open');
    expect(await e2e.inbox(ADMIN, 'rule telegram emoji_only close')).toContain('is shown and closes the conversation');
    await e2e.customerSends({ text: '🙏' }, ANN);
    const [parent] = await eventually(() => parents(e2e.slack, DEFAULT_CHANNEL).length === 1 && parents(e2e.slack, DEFAULT_CHANNEL));
    await eventually(() => JSON.stringify(e2e.slack.message(DEFAULT_CHANNEL, parent!.ts)?.blocks ?? []).includes('✅ Closed'));
    expect(e2e.slack.replies(DEFAULT_CHANNEL, parent!.ts).map((m) => m.text)).toContain('🙏');
  });

  it('answers a malformed rule with its usage', async () => {
    const e2e = await startE2e({ slackMode: 'socket', telegramMode: 'polling', adminUsers: ADMIN });
    running.push(e2e);
    expect(await e2e.inbox(ADMIN, 'rule telegram')).toContain('Usage: `/inbox rule <platform|*> <kind> <open|ignore|close>`');
    expect(await e2e.inbox(ADMIN, 'rule myspace like ignore')).toContain('`myspace` is not a platform');
    expect(await e2e.inbox(ADMIN, 'rule * sticker ignore')).toContain('`sticker` is not a kind');
    expect(await e2e.inbox(ADMIN, 'rule * like drop')).toContain('`drop` is not an action');
  });
});

describe('/inbox audit', () => {
  it('lists the latest settings changes, newest first, with who made them', async () => {
    const e2e = await startE2e({ slackMode: 'http', telegramMode: 'webhook', adminUsers: `${ADMIN},U02SECOND9` });
    running.push(e2e);
    expect(await e2e.inbox(MEMBER, 'audit')).toContain('No settings changes yet.');
    await e2e.inbox(ADMIN, 'route ko <#C0KOREAN|support-ko>');
    await e2e.inbox('U02SECOND9', 'rule instagram like open');
    await e2e.inbox(ADMIN, 'replies prefixed');
    // A refused change is not a change.
    await e2e.inbox(MEMBER, 'replies all');
    const answer = await e2e.inbox(MEMBER, 'audit');
    const lines = answer.split('\\n').filter((line) => line.startsWith('• '));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain(`<@${ADMIN}>: replies prefixed`);
    expect(lines[1]).toContain('<@U02SECOND9>: rule instagram like open');
    expect(lines[2]).toContain(`<@${ADMIN}>: route ko → <#C0KOREAN>`);
    expect(lines[0]).toMatch(/<!date\^\d+\^\{date_short_pretty\} \{time\}\|\d{4}-\d\d-\d\d \d\d:\d\d UTC>/);
    const latest = (await e2e.inbox(MEMBER, 'audit 1')).split('\\n').filter((line) => line.startsWith('• '));
    expect(latest).toHaveLength(1);
    expect(await e2e.inbox(MEMBER, 'audit many')).toContain('`many` is not a number of changes');
  });
});
