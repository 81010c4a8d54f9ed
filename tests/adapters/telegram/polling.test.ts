import { afterEach, describe, expect, it } from 'vitest';
import type { InboundEvent } from '../../../src/messages.ts';
import { StoreError } from '../../../src/errors.ts';
import { conflictOtherPoller } from '../../fixtures/telegram/api-errors.ts';
import { privateText, replyText } from '../../fixtures/telegram/updates.ts';
import type { RecordedCall } from '../../fakes/telegram-api.ts';
import { content, setupTelegram, type TelegramTestSetup } from './harness.ts';

const offsets = (calls: readonly RecordedCall[]) => calls.filter((c) => c.method === 'getUpdates').map((c) => c.params.offset);

describe('Telegram long polling', () => {
  let setup: TelegramTestSetup | undefined;
  afterEach(async () => {
    await setup?.close();
    setup = undefined;
  });

  it('calls getMe and deleteWebhook (keeping pending updates), then polls for the kinds it needs', async () => {
    setup = await setupTelegram();
    const { tg, channel, intake } = setup;
    await channel.start(intake);
    const [poll] = await tg.waitFor('getUpdates');
    expect(tg.calls.map((c) => c.method).slice(0, 3)).toEqual(['getMe', 'deleteWebhook', 'getUpdates']);
    expect(tg.callsOf('deleteWebhook')[0]?.params).toEqual({});
    expect(poll?.params).toEqual({ timeout: 30, allowed_updates: ['message', 'edited_message', 'message_reaction', 'my_chat_member'] });
  });

  it('confirms an update to Telegram only after intake accepted it', async () => {
    setup = await setupTelegram();
    const { tg, channel } = setup;
    const seenAtAccept: unknown[][] = [];
    await channel.start({ accept: async () => void seenAtAccept.push(offsets(tg.calls)) });
    const update = tg.pushUpdate(content(privateText));
    await tg.waitForConfirmed(update.update_id);
    expect(seenAtAccept).toHaveLength(1);
    expect(seenAtAccept[0]?.some((offset) => Number(offset) > update.update_id)).toBe(false);
    expect(offsets(tg.calls).at(-1)).toBe(update.update_id + 1);
  });

  it('retries the same batch when intake fails, and loses nothing', async () => {
    setup = await setupTelegram();
    const { tg, channel, capture } = setup;
    const attempts: (readonly InboundEvent[])[] = [];
    await channel.start({
      accept: async (events) => {
        attempts.push(events);
        if (attempts.length === 1) throw new StoreError('journal unavailable');
      },
    });
    const first = tg.pushUpdate(content(privateText));
    await tg.waitForConfirmed(first.update_id);
    expect(attempts).toHaveLength(2);
    expect(attempts[1]).toEqual(attempts[0]);
    expect(attempts[0]?.map((e) => e.eventId)).toEqual(['1111111:1365']);
    expect(
      capture
        .entries()
        .filter((e) => e.level === 50)
        .map((e) => e.msg),
    ).toEqual(['journal unavailable: Telegram updates kept unconfirmed, retrying']);

    const second = tg.pushUpdate(content(replyText));
    await tg.waitForConfirmed(second.update_id);
    expect(attempts.map((batch) => batch.map((e) => e.eventId))).toEqual([['1111111:1365'], ['1111111:1365'], ['1111111:1366']]);
  });

  it('leaves updates unconfirmed when stopped while the journal is down, so the next run gets them', async () => {
    setup = await setupTelegram();
    const { tg, channel } = setup;
    let failures = 0;
    await channel.start({
      accept: async () => {
        failures += 1;
        throw new StoreError('journal unavailable');
      },
    });
    const update = tg.pushUpdate(content(privateText));
    while (failures < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    await channel.stop();
    expect(offsets(tg.calls).every((offset) => offset === undefined || Number(offset) <= update.update_id)).toBe(true);

    const next = await setupTelegram({ TELEGRAM_API_ROOT: tg.apiRoot });
    await next.channel.start(next.intake);
    await tg.waitForConfirmed(update.update_id);
    expect(next.accepted.map((e) => e.eventId)).toEqual(['1111111:1365']);
    await next.close();
  });

  it('stops promptly while a long poll is parked, and stop() is safe twice', async () => {
    setup = await setupTelegram({}, { backoffMs: () => 5, pollTimeoutSeconds: 600 });
    const { tg, channel, intake } = setup;
    await channel.start(intake);
    await tg.waitFor('getUpdates');
    // Were the parked 600 s poll awaited, this would exceed the test timeout.
    await channel.stop();
    await channel.stop();
    const polls = tg.callsOf('getUpdates').length;
    tg.pushUpdate(content(privateText));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(tg.callsOf('getUpdates')).toHaveLength(polls);
  });

  it('logs a 409 conflict at error with a hint, then keeps polling', async () => {
    setup = await setupTelegram();
    const { tg, channel, intake, capture } = setup;
    tg.failNext('getUpdates', conflictOtherPoller);
    await channel.start(intake);
    const update = tg.pushUpdate(content(privateText));
    await tg.waitForConfirmed(update.update_id);
    const errors = capture.entries().filter((e) => e.level === 50);
    expect(errors).toMatchObject([{ msg: 'Telegram polling conflict', hint: expect.stringContaining('another process is polling') }]);
    expect(setup.accepted).toHaveLength(1);
  });

  it('retries after a network failure of getUpdates with a warn', async () => {
    setup = await setupTelegram();
    const { tg, channel, intake, capture } = setup;
    tg.failNext('getUpdates', 'network');
    await channel.start(intake);
    const update = tg.pushUpdate(content(privateText));
    await tg.waitForConfirmed(update.update_id);
    expect(
      capture
        .entries()
        .filter((e) => e.level === 40)
        .map((e) => e.msg),
    ).toEqual(['Telegram getUpdates failed, retrying']);
    expect(setup.accepted.map((e) => e.eventId)).toEqual(['1111111:1365']);
  });

  it('fails start() with an auth error when getMe rejects the token', async () => {
    setup = await setupTelegram();
    setup.tg.failNext('getMe', { status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } });
    await expect(setup.channel.start(setup.intake)).rejects.toMatchObject({
      name: 'ChannelError',
      kind: 'auth',
      message: expect.stringContaining('TELEGRAM_BOT_TOKEN'),
    });
  });
});
