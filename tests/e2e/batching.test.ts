/**
 * A backlog behind Slack's pace, end to end: the real app, Bolt's WebClient and grammY against the
 * Slack fake enforcing Slack's per-channel pace (1 post/s, short bursts, 429 with Retry-After over
 * it). Queued customer messages arrive as fewer posts, one section per message in order, and each
 * is still its own message for edits, reactions, quotes and the agents' work.
 * Pace: https://docs.slack.dev/apis/web-api/rate-limits
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Message, Update } from 'grammy/types';
import { type FakeMessage, shownMessages } from '../fakes/slack-state.ts';
import { createSqliteStore } from '../../src/store/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';
import { ANN, type Customer, DEFAULT_CHANNEL, type E2e, type E2eOptions, eventually, startE2e } from './harness.ts';

const AGENT = 'U0AGENT';
const BOB: Customer = { id: 5002, first_name: 'Bob', username: 'bobby', language_code: 'en' };
const TEXTS = [
  'Hello, my parcel has not arrived yet',
  'The order number is 1243',
  'I paid by card last Monday',
  'Could you check the tracking for me?',
  'Thank you very much',
];

const running: E2e[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e2e) => e2e.stop()));
});

async function start(options: E2eOptions): Promise<E2e> {
  const e2e = await startE2e(options);
  running.push(e2e);
  e2e.slack.pace({ perSecond: 1, burst: 3 });
  return e2e;
}

/** A post as its sections: a combined post's section blocks, else its one text. */
const sections = shownMessages;

function parentOf(e2e: E2e, name: string): FakeMessage | undefined {
  return e2e.slack
    .messages(DEFAULT_CHANNEL)
    .find((m) => m.bot_id && (!m.thread_ts || m.thread_ts === m.ts) && JSON.stringify(m.blocks ?? []).includes(name));
}

/** Ann's messages behind Bob's: Bob's thread takes the channel's first posts, so Ann's queue up behind Slack's pace. */
type Sent = NonNullable<Update['message']>;

async function backlog(e2e: E2e): Promise<{ parent: FakeMessage; posts: () => FakeMessage[]; sent: Sent[] }> {
  await e2e.customerSends({ text: 'Hi, I have a question about returns' }, BOB);
  await eventually(() => parentOf(e2e, 'Bob'));
  const sent: Sent[] = [];
  for (const text of TEXTS) sent.push((await e2e.customerSends({ text })).message!);
  const parent = await eventually(() => parentOf(e2e, 'Ann Berg'), 15_000);
  const posts = () => e2e.slack.replies(DEFAULT_CHANNEL, parent.ts).filter((m) => m.username === 'Ann Berg');
  await eventually(() => posts().flatMap(sections).length >= TEXTS.length, 15_000);
  return { parent, posts, sent };
}

describe.each([
  { slackMode: 'http', telegramMode: 'webhook' },
  { slackMode: 'socket', telegramMode: 'polling' },
] as const)('Slack $slackMode mode, Telegram $telegramMode: a backlog behind Slack’s pace', (modes) => {
  it('arrives as fewer posts, every message its own section in order, with no 429 of our own making', async () => {
    const e2e = await start(modes);
    const { posts } = await backlog(e2e);
    expect(posts().flatMap(sections)).toEqual(TEXTS);
    expect(posts().length).toBeLessThan(TEXTS.length);
    const combined = posts().find((m) => (m.blocks ?? []).length > 1)!;
    // Each section is its own block, with an id of its own, and the post carries the batch's marker.
    const ids = (combined.blocks as { block_id?: string }[]).map((b) => b.block_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(combined.metadata?.event_type).toBe('threadline_post');
    expect(e2e.slack.rateLimited).toEqual([]);
  });

  it('edits only the edited message’s section; reactions, quotes, agents’ reactions and replies still find each message', async () => {
    const e2e = await start(modes);
    const { parent, posts, sent } = await backlog(e2e);
    const holding = (text: string) => posts().find((m) => sections(m).includes(text))!;
    const second = holding(TEXTS[1]!);
    const index = sections(second).indexOf(TEXTS[1]!);
    expect(sections(second).length).toBeGreaterThan(1);
    const before = sections(second);

    // The customer corrects the 2nd message: only its section of the combined post changes.
    await e2e.deliver({ edited_message: { ...sent[1]!, text: 'The order number is 1234', edit_date: sent[1]!.date + 30 } });
    await eventually(() => sections(e2e.slack.message(DEFAULT_CHANNEL, second.ts)!)[index]?.includes('1234'));
    const after = sections(e2e.slack.message(DEFAULT_CHANNEL, second.ts)!);
    expect(after[index]).toBe('The order number is 1234 _(edited)_');
    expect(after.filter((_, i) => i !== index)).toEqual(before.filter((_, i) => i !== index));
    expect(e2e.slack.calls.filter((c) => c.method === 'chat.update' && c.args.ts === second.ts)).toHaveLength(1);

    // The customer's reaction to the 3rd message shows on the post that holds it.
    const third = holding(TEXTS[2]!);
    await e2e.deliver({
      message_reaction: {
        chat: sent[2]!.chat,
        message_id: sent[2]!.message_id,
        user: sent[2]!.from,
        date: sent[2]!.date + 40,
        old_reaction: [],
        new_reaction: [{ type: 'emoji', emoji: '👍' }],
      },
    });
    await eventually(() => e2e.slack.message(DEFAULT_CHANNEL, third.ts)?.reactions.has('+1'));

    // A reply to the 4th message quotes that message alone, not the whole combined post.
    await e2e.customerSends({ text: 'Any news on this?', reply_to_message: sent[3]! } as Partial<Message>, ANN);
    const quoting = await eventually(() => posts().find((m) => m.text.includes('Any news on this?')));
    expect(quoting.text).toBe(`> ${TEXTS[3]}\nAny news on this?`);

    // Agents work the combined post like any other: a reaction assigns, a reply reaches the customer.
    await e2e.react(DEFAULT_CHANNEL, second.ts, AGENT, 'raising_hand');
    await eventually(() => JSON.stringify(e2e.slack.message(DEFAULT_CHANNEL, parent.ts)?.blocks ?? []).includes(`<@${AGENT}>`));
    await e2e.agentReplies({ channel: DEFAULT_CHANNEL, ts: parent.ts }, AGENT, 'It is on its way, arriving tomorrow.');
    const sends = await e2e.telegram.waitFor('sendMessage', 1, 8000);
    expect(sends.at(-1)?.params).toMatchObject({ chat_id: ANN.id, text: 'It is on its way, arriving tomorrow.' });
    expect(e2e.slack.rateLimited).toEqual([]);
  });
});

describe('a crash mid-batch', () => {
  it('between the combined post and its record: nothing lost, nothing posted twice, in order', async () => {
    let crashed = 0;
    const crashing = (dataDir: string): Store => {
      const store = createSqliteStore({ dataDir });
      // Die once right after Slack accepted a combined post, before the store recorded it (written
      // alone or in a commit: a commit that dies applies nothing, as a transaction cut short).
      const dieRecording = (key: string) => {
        if (crashed === 0 && key.startsWith('posted:msg:') && key.includes(String(ANN.id))) {
          const post = e2e.slack.messages(DEFAULT_CHANNEL).find((m) => m.metadata?.event_payload.key === key.slice('posted:'.length));
          if ((post?.blocks ?? []).length > 1) {
            crashed += 1;
            throw new Error('simulated crash after the combined post');
          }
        }
      };
      return {
        ...store,
        journal: store.journal,
        async set(key, value, ttl) {
          dieRecording(key);
          return store.set(key, value, ttl);
        },
        async commit(writes) {
          for (const write of writes) if (write.op === 'set') dieRecording(write.key);
          return store.commit(writes);
        },
      };
    };
    const e2e: E2e = await start({ slackMode: 'http', telegramMode: 'webhook', store: crashing });
    const { posts } = await backlog(e2e);
    await eventually(() => crashed === 1);
    await eventually(async () => (await e2e.app.store.journal.size()) === 0);
    expect(posts().flatMap(sections)).toEqual(TEXTS);
    const markers = posts().map((m) => m.metadata?.event_payload.key);
    expect(new Set(markers).size).toBe(markers.length);
  });
});
