import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebhookRoute } from '../../../src/channel.ts';
import { createHttpServer } from '../../../src/http/server.ts';
import type { InboundEvent } from '../../../src/messages.ts';
import { createMemoryStore } from '../../../src/store/memory-store.ts';
import type { Store } from '../../../src/store/store.ts';
import { routeOf, webhookRequest } from '../../contract/channel-contract.ts';
import { deeplyNestedTextBody, textIsNumber, withOneFieldMissing } from '../../fixtures/telegram/malformed.ts';
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

  it('acknowledges an Update that names no customer with 200, no events and one warning, never an error', async () => {
    const route = await webhookMode();
    const result = await route.handle(telegramRequest({ update_id: 5, message: { message_id: 1 } }));
    expect(result).toEqual({ status: 200, events: [] });
    const logged = setup!.capture.entries().filter((e) => e.level >= 40);
    expect(logged).toMatchObject([
      { level: 40, kind: 'message', reason: 'chat is missing; date is missing', msg: expect.stringContaining('names no customer') },
    ]);
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
      params: {
        url: WEBHOOK_URL,
        secret_token: SECRET,
        allowed_updates: ['message', 'edited_message', 'message_reaction', 'my_chat_member'],
      },
    });
    expect(setup?.tg.callsOf('getUpdates')).toEqual([]);
  });

  it('only warns how to register the webhook when no URL is set, without the secret', async () => {
    await webhookMode();
    await setup?.channel.start(setup.intake);
    expect(setup?.tg.callsOf('setWebhook')).toEqual([]);
    const warns = setup?.capture.entries().filter((e) => e.level === 40) ?? [];
    expect(warns).toMatchObject([
      { msg: 'Telegram webhook must be registered outside Threadline', hint: expect.stringContaining('setWebhook') },
    ]);
    expect(setup?.capture.text()).not.toContain(SECRET);
  });
});

/**
 * The issue "One bad message must never stall a channel", through the real HTTP server and the
 * Telegram webhook route, journaling into a real (memory) journal as the app does: input that fails
 * the same way on every delivery gets a 4xx or is shown as unreadable, never a 5xx.
 */
describe('Telegram webhook behind the HTTP server: bad input', () => {
  let setup: TelegramTestSetup | undefined;
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await setup?.close();
    server = undefined;
    setup = undefined;
  });

  async function serve(): Promise<{ post: (body: string) => Promise<Response>; store: Store; telegram: TelegramTestSetup }> {
    setup = await setupTelegram({ TELEGRAM_WEBHOOK_SECRET: SECRET });
    const store = createMemoryStore();
    const intake = {
      accept: (events: readonly InboundEvent[]) => store.journal.append(events.map((payload) => ({ queue: 'telegram', payload }))),
    };
    server = createHttpServer({ routes: setup.channel.routes, intake, health: async () => ({ ok: true }), logger: setup.capture.logger });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/telegram`;
    const headers = { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET };
    return { post: (body) => fetch(url, { method: 'POST', headers, body }), store, telegram: setup };
  }

  async function journaled(store: Store): Promise<unknown[]> {
    const queue = await store.journal.lease('test', 5000);
    const payloads: unknown[] = [];
    for (
      let entry = queue && (await store.journal.head(queue, 'test', 5000));
      queue && entry;
      entry = await store.journal.head(queue, 'test', 5000)
    ) {
      payloads.push(entry.payload);
      await store.journal.ack(queue, entry.id, 'test');
    }
    return payloads;
  }

  const errors = (s: TelegramTestSetup) => s.capture.entries().filter((e) => e.level >= 50);

  it('answers 400 to a message.text nested 10,000 arrays deep (20 KB), and journals nothing', async () => {
    const { post, store, telegram } = await serve();
    const body = deeplyNestedTextBody(10_000);
    expect(body.length).toBeGreaterThan(20_000);
    const response = await post(body);
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/nested deeper than 64 levels/);
    expect(await store.journal.size()).toBe(0);
    expect(errors(telegram)).toEqual([]);
  });

  it('answers 200 to a message whose text is a number, and journals it as unreadable', async () => {
    const { post, store, telegram } = await serve();
    expect((await post(JSON.stringify(textIsNumber))).status).toBe(200);
    const entries = await journaled(store);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      kind: 'message',
      eventId: '1111111:1390',
      contact: { id: '1111111' },
      unreadable: { kind: 'message', reason: 'text is a number, not a string' },
    });
    expect(entries[0]).not.toHaveProperty('text');
    expect(errors(telegram)).toEqual([]);
  });

  it('answers 200 to hundreds of updates with a documented field missing: no error logs, at most one warning per kind', async () => {
    const { post, telegram } = await serve();
    const updates = withOneFieldMissing();
    expect(updates.length).toBeGreaterThanOrEqual(170);
    const statuses = new Set<number>();
    for (const update of updates) statuses.add((await post(JSON.stringify(update))).status);
    expect([...statuses]).toEqual([200]);
    expect(errors(telegram)).toEqual([]);
    const warns = telegram.capture.entries().filter((e) => e.level === 40);
    const perKind = new Map<unknown, number>();
    for (const warn of warns) perKind.set(warn.kind, (perKind.get(warn.kind) ?? 0) + 1);
    expect(warns.length).toBeGreaterThan(0);
    expect(
      [...perKind.values()].every((count) => count === 1),
      JSON.stringify([...perKind]),
    ).toBe(true);
  });
});
