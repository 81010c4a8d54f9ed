/**
 * One bad message must never stall a channel, end to end: the real app (Slack HTTP mode, Telegram
 * webhook) against the local fakes. A body that fails the same way on every delivery is refused
 * with 400; a customer message Threadline cannot read still reaches the thread as a notice, and the
 * conversation goes on.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { deeplyNestedTextBody } from '../fixtures/telegram/malformed.ts';
import { DEFAULT_CHANNEL, WEBHOOK_SECRET, eventually, startE2e, type E2e } from './harness.ts';
import { parents } from '../support/slack-messages.ts';

const running: E2e[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e2e) => e2e.stop()));
});

async function start(): Promise<E2e> {
  const e2e = await startE2e({ slackMode: 'http', telegramMode: 'webhook' });
  running.push(e2e);
  return e2e;
}

const levels = (e2e: E2e) => e2e.logs.map((line) => JSON.parse(line) as { level: number; msg: string });

describe('bad input from Telegram, end to end', () => {
  it('shows a message whose text is a number in the thread as unreadable, and the next message follows it', async () => {
    const e2e = await start();
    // `text` is documented as a String (https://core.telegram.org/bots/api#message); this one is a number.
    await e2e.customerSends({ text: 42 as unknown as string });
    const [parent] = await eventually(() => parents(e2e.slack, DEFAULT_CHANNEL).length === 1 && parents(e2e.slack, DEFAULT_CHANNEL));
    const [notice] = await eventually(
      () => e2e.slack.replies(DEFAULT_CHANNEL, parent!.ts).length === 1 && e2e.slack.replies(DEFAULT_CHANNEL, parent!.ts),
    );
    expect(notice).toMatchObject({ username: 'Ann Berg' });
    expect(notice?.text).toBe(
      '⚠️ A message Threadline could not read (Telegram message: text is a number, not a string). Ask the customer to send it again, as text if they can.',
    );

    await e2e.customerSends({ text: 'Sorry, my order number is 1234' });
    await eventually(() => e2e.slack.replies(DEFAULT_CHANNEL, parent!.ts).length === 2);
    expect(e2e.slack.replies(DEFAULT_CHANNEL, parent!.ts).map((m) => m.text)).toEqual([notice?.text, 'Sorry, my order number is 1234']);
    expect(levels(e2e).filter((entry) => entry.level >= 50)).toEqual([]);
  });

  it('answers 400 to a message.text nested 10,000 arrays deep, and nothing reaches the journal or Slack', async () => {
    const e2e = await start();
    const response = await fetch(`${e2e.baseUrl}/webhooks/telegram`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET },
      body: deeplyNestedTextBody(10_000),
    });
    expect(response.status).toBe(400);
    expect(await e2e.app.store.journal.size()).toBe(0);
    await e2e.customerSends({ text: 'Hello, is anyone there?' });
    const [parent] = await eventually(() => parents(e2e.slack, DEFAULT_CHANNEL).length === 1 && parents(e2e.slack, DEFAULT_CHANNEL));
    await eventually(() => e2e.slack.replies(DEFAULT_CHANNEL, parent!.ts).length === 1);
    expect(e2e.slack.replies(DEFAULT_CHANNEL, parent!.ts).map((m) => m.text)).toEqual(['Hello, is anyone there?']);
    expect(levels(e2e).filter((entry) => entry.level >= 50)).toEqual([]);
  });
});
