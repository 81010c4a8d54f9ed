/**
 * One bad message never stalls a channel, end to end: names and texts that used to break the
 * Slack call (an 80-unit cut through an emoji, a lone surrogate) reach Slack well-formed, and a
 * message Slack always refuses is set aside while the other customers of its channel go on.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runJournalCommand } from '../../src/journal-command.ts';
import { DEFAULT_CHANNEL, eventually, startE2e, type Customer, type E2e, type E2eOptions } from './harness.ts';
import { parents } from '../support/slack-messages.ts';

const running: E2e[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e2e) => e2e.stop()));
});

async function start(options: E2eOptions): Promise<E2e> {
  const e2e = await startE2e(options);
  running.push(e2e);
  return e2e;
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
    const threads = await eventually(() => parents(e2e.slack, DEFAULT_CHANNEL).length === 2 && parents(e2e.slack, DEFAULT_CHANNEL));
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

describe('a message Slack always refuses', () => {
  it('does not hold up another customer of its channel, is set aside with a notice in its thread, and can be replayed', async () => {
    // A short backoff, so that the five attempts take seconds; the Slack pace is the real one (1 post/s per channel).
    const e2e = await start({ slackMode: 'http', telegramMode: 'webhook', worker: { maxBackoffMs: 1000 } });
    const lift = e2e.slack.refuse('chat.postMessage', (args) => String(args.text ?? '').includes('POISON'), 'msg_too_long');
    const pat: Customer = { id: 7201, first_name: 'Pat', last_name: 'Poisson', language_code: 'en' };
    const olga: Customer = { id: 7202, first_name: 'Olga', last_name: 'Berg', language_code: 'en' };
    const posts = () => e2e.slack.calls.filter((c) => c.method === 'chat.postMessage');
    const patTries = () => posts().flatMap((c, index) => (String(c.args.text).includes('POISON') ? [index] : []));

    await e2e.customerSends({ text: 'POISON: my order never came' }, pat);
    await eventually(() => patTries().length >= 1);
    await e2e.customerSends({ text: 'Hello, where is my parcel?' }, olga);
    const parentOf = (name: string) =>
      eventually(() => parents(e2e.slack, DEFAULT_CHANNEL).find((m) => JSON.stringify(m.blocks).includes(name)));
    const olgaParent = await parentOf('Olga Berg');
    const [olgaMessage] = await eventually(
      () => e2e.slack.replies(DEFAULT_CHANNEL, olgaParent.ts).length === 1 && e2e.slack.replies(DEFAULT_CHANNEL, olgaParent.ts),
    );
    expect(olgaMessage?.text).toBe('Hello, where is my parcel?');
    const olgaPosted = posts().findIndex((c) => c.args.text === 'Hello, where is my parcel?');

    const patParent = await parentOf('Pat Poisson');
    const notice = await eventually(
      () => e2e.slack.replies(DEFAULT_CHANNEL, patParent.ts).find((m) => m.text.includes('could not be shown')),
      20_000,
    );
    // Pat's message was tried five times, and Olga's was posted while Pat's was still being retried.
    expect(patTries()).toHaveLength(5);
    expect(olgaPosted).toBeLessThan(patTries().at(-1)!);
    const [entryId] = /threadline journal replay (\d+)/.exec(notice.text)!.slice(1);
    expect(notice.text).toBe(
      `⚠️ A message from Pat Poisson could not be shown: Slack chat.postMessage failed for channel ${DEFAULT_CHANNEL}: msg_too_long. An operator can replay it with \`threadline journal replay ${entryId}\`.`,
    );
    expect(await (await fetch(`${e2e.baseUrl}/metrics`)).text()).toContain('threadline_jobs_parked_total 1');

    // Pat's conversation goes on; once Slack takes the message, an operator replays it.
    await e2e.customerSends({ text: 'Hello? Anyone?' }, pat);
    await eventually(() => e2e.slack.replies(DEFAULT_CHANNEL, patParent.ts).some((m) => m.text === 'Hello? Anyone?'));
    lift();
    const lines: string[] = [];
    expect(
      await runJournalCommand(['replay', entryId!], { DATA_DIR: e2e.dataDir }, (line) => lines.push(line), {
        envFile: '/nonexistent/.env',
      }),
    ).toBe(0);
    await eventually(() => e2e.slack.replies(DEFAULT_CHANNEL, patParent.ts).some((m) => m.text === 'POISON: my order never came'));
    expect(e2e.slack.replies(DEFAULT_CHANNEL, patParent.ts).map((m) => m.text.slice(0, 20))).toEqual([
      '⚠️ A message from Pa',
      'Hello? Anyone?',
      'POISON: my order nev',
    ]);
    expect(await e2e.app.store.journal.parked()).toEqual([]);
  });
});
