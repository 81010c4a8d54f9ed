/**
 * What agents and admins are told about Telegram when a reply fails (src/slack/failure-text.ts
 * words the notice). Telegram has no reply window: a bot may answer whenever it is not blocked.
 * @see https://core.telegram.org/bots/api#making-requests (403 "Forbidden: bot was blocked by the user")
 * @see https://core.telegram.org/bots/api#senddocument (files up to 50 MB), https://core.telegram.org/bots/api#sendphoto (photos up to 10 MB)
 */
import type { PlatformFacts } from '../../src/channel.ts';

export const TELEGRAM_FACTS: PlatformFacts = {
  displayName: 'Telegram',
  credentials: 'TELEGRAM_BOT_TOKEN',
  unreachable: 'the customer blocked the bot or deleted the chat, so Telegram refuses messages to them',
  contentLimits: 'bots may send files up to 50 MB and photos up to 10 MB',
};
