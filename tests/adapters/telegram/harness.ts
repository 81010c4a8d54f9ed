/** Builds a Telegram channel wired to the fake Bot API, a captured logger and in-memory state. */
import type { Update } from 'grammy/types';
import { createTelegramChannel, telegramFactory, type TelegramChannelOptions } from '../../../adapters/telegram/index.ts';
import type { Channel, Intake } from '../../../src/channel.ts';
import type { InboundEvent } from '../../../src/messages.ts';
import { memoryState, webhookRequest } from '../../contract/channel-contract.ts';
import { startFakeTelegramApi, type FakeTelegramApi, type UpdateInput } from '../../fakes/telegram-api.ts';
import { captureLogger } from '../../support/capture-logger.ts';

/** The example token from https://core.telegram.org/bots/api#authorizing-your-bot */
export const TOKEN = '123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11';
export const SECRET = 'wh_Secret-0123456789';
export const WEBHOOK_URL = 'https://threadline.example.com/webhooks/telegram';
export const NOW = Date.parse('2024-05-06T07:08:09.000Z');

export interface TelegramTestSetup {
  readonly tg: FakeTelegramApi;
  readonly channel: Channel;
  readonly capture: ReturnType<typeof captureLogger>;
  readonly secrets: readonly string[];
  /** Events accepted by `intake`. */
  readonly accepted: InboundEvent[];
  readonly intake: Intake;
  readonly close: () => Promise<void>;
}

/** Starts a fake and builds (does not start) a channel; `env` adds or overrides TELEGRAM_* variables. */
export async function setupTelegram(
  env: Record<string, string> = {},
  options: TelegramChannelOptions = { backoffMs: () => 5 },
): Promise<TelegramTestSetup> {
  const tg = await startFakeTelegramApi({ token: TOKEN });
  const config = telegramFactory.readConfig({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: tg.apiRoot, ...env });
  if (config === undefined) throw new Error('no Telegram config');
  const capture = captureLogger();
  const channel = createTelegramChannel(config, { logger: capture.logger, state: memoryState(), now: () => NOW }, options);
  const accepted: InboundEvent[] = [];
  return {
    tg,
    channel,
    capture,
    secrets: telegramFactory.secretsOf(config),
    accepted,
    intake: { accept: async (events) => void accepted.push(...events) },
    close: async () => {
      await channel.stop();
      await tg.close();
    },
  };
}

/** The update without its update_id, so the fake gives it a fresh one (a new delivery of the same content). */
export function content(update: Update): UpdateInput {
  const { update_id: _, ...rest } = update;
  return rest;
}

/** A webhook request carrying `update` as Telegram sends it; `secret: null` leaves the secret header out. */
export function telegramRequest(update: unknown, secret: string | null = SECRET) {
  return webhookRequest(JSON.stringify(update), {
    'content-type': 'application/json',
    ...(secret === null ? {} : { 'X-Telegram-Bot-Api-Secret-Token': secret }),
  });
}
