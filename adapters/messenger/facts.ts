/**
 * What agents and admins are told about Messenger when a reply fails (src/slack/failure-text.ts
 * words the notice).
 * @see https://developers.facebook.com/documentation/business-messaging/messenger-platform/error-codes (551 / 1545041)
 * @see https://developers.facebook.com/docs/messenger-platform/send-messages#file-attachments (25 MB)
 */
import type { PlatformFacts } from '../../src/channel.ts';
import { humanAgentWindow } from '../meta/facts.ts';
import { TOKEN_SETTING } from './errors.ts';

/** Messenger's facts; the reply window depends on META_HUMAN_AGENT_TAG. */
export function messengerFacts(humanAgentTag: boolean): PlatformFacts {
  return {
    displayName: 'Messenger',
    credentials: TOKEN_SETTING,
    unreachable: 'Messenger says this person is unavailable (they blocked the Page or deleted their account)',
    replyWindow: humanAgentWindow('Messenger', humanAgentTag),
    contentLimits: 'attachments up to 25 MB',
  };
}
