/**
 * What agents and admins are told about Instagram when a reply fails (src/slack/failure-text.ts
 * words the notice).
 * @see https://developers.facebook.com/documentation/business-messaging/messenger-platform/error-codes (551 / 1545041)
 * @see https://developers.facebook.com/documentation/business-messaging/instagram-messaging/features/attachment-upload (types and sizes)
 */
import type { PlatformFacts } from '../../src/channel.ts';
import { humanAgentWindow } from '../meta/facts.ts';
import { TOKEN_SETTING } from './errors.ts';

/** Instagram's facts; the reply window depends on META_HUMAN_AGENT_TAG. */
export function instagramFacts(humanAgentTag: boolean): PlatformFacts {
  return {
    displayName: 'Instagram',
    credentials: TOKEN_SETTING,
    unreachable: 'Instagram says this person is unavailable (they blocked the account, or deleted or restricted theirs)',
    replyWindow: humanAgentWindow('Instagram', humanAgentTag),
    contentLimits:
      'images as PNG, JPEG or GIF up to 8 MB, audio and video up to 25 MB, documents as PDF up to 25 MB; files need PUBLIC_URL',
  };
}
