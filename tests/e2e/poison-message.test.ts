/**
 * One bad message never stalls a channel, end to end: names and texts that used to break the
 * Slack call (an 80-unit cut through an emoji, a lone surrogate) reach Slack well-formed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeMessage } from '../fakes/slack-state.ts';
import { DEFAULT_CHANNEL, eventually, startE2e, type Customer, type E2e, type E2eOptions } from './harness.ts';

const running: E2e[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e2e) => e2e.stop()));
});

async function start(options: E2eOptions): Promise<E2e> {
  const e2e = await startE2e(options);
  running.push(e2e);
  return e2e;
}

function parents(e2e: E2e, channel: string): FakeMessage[] {
  return e2e.slack.messages(channel).filter((m) => m.bot_id && (!m.thread_ts || m.thread_ts === m.ts));
}

const FAMILY = '👨‍👩‍👧‍👦';
const isWellFormed = (text: string) => !/\p{Surrogate}/u.test(text);

describe('names and texts that Slack cannot take as they are', () => {
  it('shows a customer whose names are 41 emoji each, under a valid username, and a text ending in a lone surrogate', async () => {
    const e2e = await start({ slackMode: 'http', telegramMode: 'webhook' });
    const family: Customer = { id: 7101, first_name: FAMILY.repeat(41), last_name: FAMILY.repeat(41) };
    // 'A' then two-unit emoji: a cut at 80 UTF-16 units falls between the two halves of the 40th one.
    const smiles: Customer = { id: 7102, first_name: `A${'😀'.repeat(41)}`, last_name: '😀'.repeat(41) };
    await e2e.customerSends({ text: 'hello' }, family);
    await e2e.customerSends({ text: 'hello' }, smiles);
    await e2e.customerSends({ text: 'and then \uD83D' }, family);
    const threads = await eventually(() => parents(e2e, DEFAULT_CHANNEL).length === 2 && parents(e2e, DEFAULT_CHANNEL));
    const replies = await eventually(() => {
      const all = threads.map((parent) => e2e.slack.replies(DEFAULT_CHANNEL, parent.ts));
      return all[0]?.length === 2 && all[1]?.length === 1 && all;
    }, 15_000);
    const [familyThread = [], smilesThread = []] = replies;
    for (const message of [...familyThread, ...smilesThread]) {
      expect(isWellFormed(message.username ?? '')).toBe(true);
      expect(message.username!.length).toBeLessThanOrEqual(80);
      expect(message.username!.endsWith('…')).toBe(true);
    }
    expect(familyThread.map((m) => m.text)).toEqual(['hello', 'and then \uFFFD']);
    expect(familyThread[0]?.username).toBe(`${FAMILY.repeat(7)}…`);
    expect(smilesThread[0]?.text).toBe('hello');
    expect(smilesThread[0]?.username).toBe(`A${'😀'.repeat(39)}…`);
  });
});
