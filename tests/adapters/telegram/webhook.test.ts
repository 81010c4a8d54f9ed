import { afterEach, describe, expect, it } from 'vitest';
import type { WebhookRoute } from '../../../src/channel.ts';
import { routeOf, webhookRequest } from '../../contract/channel-contract.ts';
import { groupText, privateText } from '../../fixtures/telegram/updates.ts';
import { SECRET, setupTelegram, telegramRequest, WEBHOOK_URL, type TelegramTestSetup } from './harness.ts';

describe('Telegram webhook', () => {
  let setup: TelegramTestSetup | undefined;
  afterEach(async () => {
    await setup?.close();
    setup = undefined;
  });

  async function webhookMode(env: Record<string, string> = {}): Promise<WebhookRoute> {
    setup = await setupTelegram({ TELEGRAM_WEBHOOK_SECRET: SECRET, ...env });
    return routeOf(setup.channel, 'POST', '/webhooks/telegram');
  }

  it('serves POST /webhooks/telegram only in webhook mode', async () => {
    const route = await webhookMode();
    expect(route.method).toBe('POST');
    const polling = await setupTelegram();
    expect(polling.channel.routes).toEqual([]);
    await polling.close();
  });

  it('answers 401 when the secret header is missing, wrong, or of another length', async () => {
    const route = await webhookMode();
    for (const secret of [null, 'wh_Secret-0123456780', 'short', `${SECRET}x`, '']) {
      expect(await route.handle(telegramRequest(privateText, secret))).toEqual({ status: 401, reason: 'missing or wrong secret token' });
    }
  });

  it('refuses a missing or wrong secret header before the body, and lets the right one through', async () => {
    const route = await webhookMode();
    expect(route.precheck).toBeTypeOf('function');
    for (const secret of [null, 'wh_Secret-0123456780', 'short', `${SECRET}x`, '']) {
      expect(route.precheck?.(telegramRequest(privateText, secret).headers)).toEqual({ status: 401, reason: 'missing or wrong secret token' });
    }
    expect(route.precheck?.(telegramRequest(privateText).headers)).toBeUndefined();
  });

  it('acknowledges a group message without events and says why at info level, so an admin can find it', async () => {
    const route = await webhookMode();
    expect(await route.handle(telegramRequest(groupText))).toEqual({ status: 200, events: [] });
    const lines = setup!.capture.entries().filter((e) => e.msg === 'Telegram group message ignored');
    expect(lines).toHaveLength(1);
    expect(lines[0]?.level).toBe(30);
    expect(String(lines[0]?.reason)).toContain('TELEGRAM_ALLOW_GROUPS');
  });

  it('answers 400 when the body is not JSON or not an Update', async () => {
    const route = await webhookMode();
    const headers = { 'X-Telegram-Bot-Api-Secret-Token': SECRET };
    for (const body of ['not json', '[]', 'null', '{"message": {}}', '{"update_id": "1"}']) {
      expect((await route.handle(webhookRequest(body, headers))).status, body).toBe(400);
    }
  });

  it('answers 400 to an Update whose content lacks documented fields', async () => {
    const route = await webhookMode();
    const result = await route.handle(telegramRequest({ update_id: 5, message: { message_id: 1 } }));
    expect(result).toEqual({ status: 400, reason: 'update does not have the documented shape' });
  });

  it('answers 200 with the events, before start() too (getMe is called on first use)', async () => {
    const route = await webhookMode();
    const result = await route.handle(telegramRequest(privateText));
    expect(result).toMatchObject({ status: 200, events: [{ kind: 'message', eventId: '1111111:1365', account: '7777777' }] });
    expect(setup?.tg.calls.map((c) => c.method)).toEqual(['getMe']);
    await route.handle(telegramRequest(privateText));
    expect(setup?.tg.callsOf('getMe')).toHaveLength(1);
  });

  it('throws (so Telegram retries) when getMe fails, and tries getMe again next time', async () => {
    const route = await webhookMode();
    setup?.tg.failNext('getMe', 'network');
    await expect(route.handle(telegramRequest(privateText))).rejects.toMatchObject({ kind: 'transient' });
    expect((await route.handle(telegramRequest(privateText))).status).toBe(200);
  });

  it('registers the webhook with the secret and the update kinds when TELEGRAM_WEBHOOK_URL is set', async () => {
    await webhookMode({ TELEGRAM_WEBHOOK_URL: WEBHOOK_URL });
    await setup?.channel.start(setup.intake);
    expect(setup?.tg.webhook).toEqual({
      url: WEBHOOK_URL,
      params: { url: WEBHOOK_URL, secret_token: SECRET, allowed_updates: ['message', 'edited_message', 'message_reaction', 'my_chat_member'] },
    });
    expect(setup?.tg.callsOf('getUpdates')).toEqual([]);
  });

  it('only warns how to register the webhook when no URL is set, without the secret', async () => {
    await webhookMode();
    await setup?.channel.start(setup.intake);
    expect(setup?.tg.callsOf('setWebhook')).toEqual([]);
    const warns = setup?.capture.entries().filter((e) => e.level === 40) ?? [];
    expect(warns).toMatchObject([{ msg: 'Telegram webhook must be registered outside Threadline', hint: expect.stringContaining('setWebhook') }]);
    expect(setup?.capture.text()).not.toContain(SECRET);
  });
});
