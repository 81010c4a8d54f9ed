import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closedPort, startDoctorWorld, WEBHOOK_SECRET, type DoctorWorld } from './harness.ts';

const WEBHOOK_URL = 'https://threadline.example.com/webhooks/telegram';
const ALL_KINDS = ['message', 'edited_message', 'message_reaction', 'my_chat_member'];

let world: DoctorWorld;
beforeEach(async () => {
  world = await startDoctorWorld();
});
afterEach(async () => {
  await world.close();
});

describe('threadline doctor: Telegram token and reachability', () => {
  it('says to set TELEGRAM_BOT_TOKEN when Telegram rejects it', async () => {
    const run = await world.run({ TELEGRAM_BOT_TOKEN: '7777777:RevokedTokenForThreadlineTests' });
    expect(run.code).toBe(1);
    expect(run.line('TELEGRAM_BOT_TOKEN')).toBe(
      '✗ TELEGRAM_BOT_TOKEN: Telegram rejected the bot token: set TELEGRAM_BOT_TOKEN to the token from @BotFather (401: Unauthorized: invalid token specified)',
    );
    expect(run.line('telegram webhook')).toBeUndefined();
    expect(run.text).not.toContain('RevokedTokenForThreadlineTests');
  });

  it('says an unreachable Telegram is a network problem at that URL, not a bad token', async () => {
    const apiRoot = `http://127.0.0.1:${await closedPort()}`;
    const run = await world.run({ TELEGRAM_API_ROOT: apiRoot });
    expect(run.code).toBe(1);
    expect(run.line('telegram')).toBe(
      `✗ telegram: could not reach Telegram at ${apiRoot}/: ECONNREFUSED — a network problem (proxy, DNS, firewall), not a bad token; check TELEGRAM_API_ROOT and this host's network`,
    );
    expect(run.line('TELEGRAM_BOT_TOKEN')).toBeUndefined();
  });
});

describe('threadline doctor: Telegram webhook against the mode', () => {
  it('warns that long polling will delete a webhook that is set, and deletes nothing itself', async () => {
    world.telegram.presetWebhook('https://other.example.com/hook');
    const run = await world.run();
    expect(run.code, run.text).toBe(0);
    expect(run.line('telegram webhook')).toMatch(
      /^! telegram webhook: https:\/\/other\.example\.com\/hook is set, but Threadline long-polls \(TELEGRAM_WEBHOOK_SECRET is unset\): starting Threadline deletes that webhook \(deleteWebhook\)/,
    );
    expect(run.lines.at(-1)).toMatch(/checks passed, 1 warning \(!\)/);
    expect(world.telegram.webhook?.url).toBe('https://other.example.com/hook');
  });

  it('fails webhook mode with no webhook set and no TELEGRAM_WEBHOOK_URL to register', async () => {
    const run = await world.run({ TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET });
    expect(run.code).toBe(1);
    expect(run.line('telegram webhook')).toMatch(
      /^✗ telegram webhook: none set, and TELEGRAM_WEBHOOK_URL is unset, so Telegram delivers nothing: set TELEGRAM_WEBHOOK_URL=https:\/\/<public host>\/webhooks\/telegram/,
    );
  });

  it('passes webhook mode when Threadline will register TELEGRAM_WEBHOOK_URL, or already did', async () => {
    const before = await world.run({ TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET, TELEGRAM_WEBHOOK_URL: WEBHOOK_URL });
    expect(before.line('telegram webhook')).toBe(
      `✓ telegram webhook: none set yet: Threadline registers TELEGRAM_WEBHOOK_URL (${WEBHOOK_URL}) when it starts`,
    );
    world.telegram.presetWebhook(WEBHOOK_URL, { allowed_updates: ALL_KINDS });
    const after = await world.run({ TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET, TELEGRAM_WEBHOOK_URL: WEBHOOK_URL });
    expect(after.code, after.text).toBe(0);
    expect(after.line('telegram webhook')).toBe(`✓ telegram webhook: set to ${WEBHOOK_URL}, as TELEGRAM_WEBHOOK_URL says`);
  });

  it('warns about a webhook at another URL than TELEGRAM_WEBHOOK_URL', async () => {
    world.telegram.presetWebhook('https://old.example.com/webhooks/telegram');
    const run = await world.run({ TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET, TELEGRAM_WEBHOOK_URL: WEBHOOK_URL });
    expect(run.line('telegram webhook')).toMatch(
      /^! telegram webhook: set to https:\/\/old\.example\.com\/webhooks\/telegram, not to TELEGRAM_WEBHOOK_URL \(https:\/\/threadline\.example\.com\/webhooks\/telegram\): Threadline replaces it when it starts/,
    );
  });

  it("reports Telegram's last delivery error, and update kinds the webhook leaves out", async () => {
    world.telegram.presetWebhook(WEBHOOK_URL, { allowed_updates: ['message', 'edited_message'] });
    world.telegram.failWebhookDelivery('Wrong response from the webhook: 502 Bad Gateway', Date.parse('2026-11-20T10:00:00Z') / 1000);
    const run = await world.run({ TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET });
    expect(run.code, run.text).toBe(0);
    const lines = run.lines.filter((line) => line.includes('telegram webhook:'));
    expect(lines).toEqual([
      `✓ telegram webhook: set to ${WEBHOOK_URL} (registered outside Threadline; its secret_token must be TELEGRAM_WEBHOOK_SECRET, which Telegram does not show)`,
      expect.stringMatching(
        /^! telegram webhook: does not ask for message_reaction, my_chat_member updates, so those never arrive: set TELEGRAM_WEBHOOK_URL so Threadline registers it/,
      ),
      `! telegram webhook: Telegram's last delivery to ${WEBHOOK_URL} failed at 2026-11-20T10:00:00.000Z: "Wrong response from the webhook: 502 Bad Gateway": check that the URL is public, serves HTTPS with a valid certificate, and reaches Threadline's POST /webhooks/telegram`,
    ]);
  });

  it("warns about a webhook registered outside Threadline at another path than Threadline's", async () => {
    world.telegram.presetWebhook('https://proxy.example.com/tg');
    const run = await world.run({ TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET });
    expect(run.line('telegram webhook')).toMatch(
      /^! telegram webhook: set to https:\/\/proxy\.example\.com\/tg, which is not Threadline's path \/webhooks\/telegram/,
    );
  });
});
