/**
 * Agent-facing words for a failed delivery: what happened, in terms of the customer's platform, and
 * what the agent (or an admin) can do about it. Adapters never write Slack copy
 * (docs/architecture.md, "Errors"); they classify failures as a `ChannelErrorKind` and this file
 * turns that into a thread notice.
 */
import type { ChannelErrorKind } from '../errors.ts';
import { assertNever, platformName, type Platform } from '../messages.ts';
import { truncateGraphemes } from '../safe-text.ts';

export { platformName } from '../messages.ts';

/** What failureText needs: the ChannelError's platform, kind and message, plus the outbox's retry count. */
export interface FailureTextInput {
  readonly platform: Platform;
  /** `unknown`: a restart interrupted the send, so whether it arrived is not known. */
  readonly kind: ChannelErrorKind | 'unknown';
  /** The adapter's error message (shown as detail, shortened and escaped). */
  readonly message: string;
  readonly retryAfterMs?: number;
  /** How many times the outbox tried before giving up. */
  readonly attempts?: number;
}

/** The variable an admin must fix when the platform rejects Threadline's credentials (see .env.example). */
const CREDENTIALS: Readonly<Record<Platform, string>> = {
  telegram: 'TELEGRAM_BOT_TOKEN',
  whatsapp: 'WHATSAPP_TOKEN',
  instagram: 'INSTAGRAM_TOKEN',
  messenger: 'MESSENGER_PAGE_TOKEN',
  x: 'X_ACCESS_TOKEN and X_ACCESS_SECRET',
  wechat: 'WECHAT_APP_ID and WECHAT_APP_SECRET',
};

/**
 * Why a platform refuses to reach a customer, in the platform's own terms.
 * Telegram: 403 "Forbidden: bot was blocked by the user" / "user is deactivated"
 *   (adapters/telegram/errors.ts, https://core.telegram.org/bots/api#making-requests);
 * Meta: code 551 "person unavailable"
 *   (https://developers.facebook.com/documentation/business-messaging/messenger-platform/error-codes);
 * WeChat 45015: the user unfollowed
 *   (https://developers.weixin.qq.com/doc/offiaccount/Getting_Started/Global_Return_Code.html).
 */
const UNREACHABLE: Readonly<Record<Platform, string>> = {
  telegram: 'the customer blocked the bot or deleted the chat, so Telegram refuses messages to them',
  whatsapp: 'WhatsApp says this number cannot receive messages from this business (not on WhatsApp, or it blocked the business)',
  instagram: 'Instagram says this person is unavailable (they blocked the account, or deleted or restricted theirs)',
  messenger: 'Messenger says this person is unavailable (they blocked the Page or deleted their account)',
  x: 'X refuses direct messages to this person (they blocked the account, or their DM settings no longer allow it)',
  wechat: 'the customer unfollowed the Official Account, so WeChat refuses messages to them',
};

/**
 * What to do when the platform's reply window has closed: WhatsApp allows only approved templates
 * after 24 h (error 131047,
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes);
 * Instagram and Messenger only tagged messages (`HUMAN_AGENT`, 7 days;
 * https://developers.facebook.com/docs/instagram-messaging/overview,
 * https://developers.facebook.com/documentation/business-messaging/messenger-platform/policy/);
 * WeChat allows 5 customer-service messages within 48 h of the user's last message
 * (https://developers.weixin.qq.com/doc/service/en/api/customer/message/api_sendcustommessage).
 */
const WINDOW: Readonly<Record<Platform, string>> = {
  telegram: 'Telegram refused the reply because of a time limit',
  whatsapp:
    "WhatsApp only allows free-form replies within 24 hours of the customer's last message; after that only an approved template message can reach them",
  instagram: "Instagram only allows replies within 24 hours of the customer's last message (7 days with the human agent tag)",
  messenger: "Messenger only allows replies within 24 hours of the customer's last message (7 days with the human agent tag)",
  x: 'X refused the reply because of a time limit',
  wechat: "WeChat only allows 5 replies within 48 hours of the customer's last message",
};

/** Platform limits worth naming when content is refused (the adapters enforce the exact ones). */
const CONTENT_LIMITS: Readonly<Record<Platform, string>> = {
  telegram: 'bots may send files up to 50 MB and photos up to 10 MB',
  whatsapp: 'images up to 5 MB, audio and video up to 16 MB, documents up to 100 MB',
  instagram: 'images up to 8 MB, audio and video up to 25 MB',
  messenger: 'attachments up to 25 MB',
  x: 'images up to 5 MB, GIFs up to 15 MB',
  wechat: 'images up to 10 MB, voice up to 2 MB, video up to 10 MB',
};

/**
 * Words an agent can act on for a failed delivery, as plain Slack mrkdwn for a thread notice.
 * Every `ChannelErrorKind` (and `unknown`) has its own wording; the adapter's message is appended as detail.
 */
export function failureText(input: FailureTextInput): string {
  const name = platformName(input.platform);
  const detail = input.message.trim() === '' ? '' : ` (${name} said: ${clip(input.message)})`;
  switch (input.kind) {
    case 'unreachable':
      return `Not delivered: ${UNREACHABLE[input.platform]}. They can write again to reopen contact.${detail}`;
    case 'rejected':
      return `Not delivered: ${name} refused this message${detail}. Check the size and type of any file (${CONTENT_LIMITS[input.platform]}), then send it again smaller, as a link, or as text.`;
    case 'auth':
      return `Not delivered: ${name} rejected Threadline's credentials, so nothing can be sent on ${name} until an admin fixes the token (${CREDENTIALS[input.platform]}) and restarts Threadline. Your reply is kept in this thread; send it again afterwards.${detail}`;
    case 'window_closed':
      return `Not delivered: the reply window has closed. ${WINDOW[input.platform]}. Wait until the customer writes again, then reply in this thread, or reach them another way.${detail}`;
    case 'unknown':
      return `Delivery unknown: Threadline restarted while sending this reply, so it cannot tell whether it reached the customer on ${name}. Ask the customer, or send it again if it matters.${detail}`;
    case 'transient':
    case 'rate_limited':
      return `Not delivered after ${attemptsText(input.attempts)}: ${reason(input)}. Try again in a few minutes by sending your reply again in this thread.${detail}`;
    default:
      return assertNever(input.kind);
  }
}

function attemptsText(attempts: number | undefined): string {
  if (attempts === undefined || attempts <= 1) return 'one attempt';
  return `${attempts} attempts`;
}

function reason(input: FailureTextInput): string {
  const name = platformName(input.platform);
  if (input.kind === 'transient') return `${name} could not be reached or had an error`;
  const wait = input.retryAfterMs === undefined ? '' : ` (it asked to wait ${Math.ceil(input.retryAfterMs / 1000)} s)`;
  return `${name} is limiting how fast messages can be sent${wait}`;
}

/** Shortens a platform message and escapes Slack's control characters. @see https://docs.slack.dev/messaging/formatting-message-text#escaping */
function clip(message: string): string {
  const oneLine = message.replace(/\s+/g, ' ').trim();
  return truncateGraphemes(oneLine, 200).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
