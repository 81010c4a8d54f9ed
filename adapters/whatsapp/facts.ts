/**
 * What agents and admins are told about WhatsApp when a reply fails (src/slack/failure-text.ts
 * words the notice).
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes (131026, 131047)
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/business-phone-numbers/media (media sizes)
 */
import type { PlatformFacts } from '../../src/channel.ts';
import { TOKEN_SETTING } from './errors.ts';

export const WHATSAPP_FACTS: PlatformFacts = {
  displayName: 'WhatsApp',
  credentials: TOKEN_SETTING,
  unreachable: 'WhatsApp says this number cannot receive messages from this business (not on WhatsApp, or it blocked the business)',
  replyWindow:
    "WhatsApp only allows free-form replies within 24 hours of the customer's last message; after that only an approved template message can reach them",
  contentLimits: 'images up to 5 MB, audio and video up to 16 MB, documents up to 100 MB',
};
