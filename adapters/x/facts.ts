/**
 * What agents and admins are told about X when a reply fails (src/slack/failure-text.ts words the
 * notice). X DMs have no reply window; the customer's DM settings decide whether the account may write.
 * @see https://docs.x.com/x-api/direct-messages/manage/integrate
 * @see https://docs.x.com/x-api/media/quickstart/media-upload-chunked (images up to 5 MB, GIFs up to 15 MB, videos up to 512 MB)
 */
import type { PlatformFacts } from '../../src/channel.ts';

export const X_FACTS: PlatformFacts = {
  displayName: 'X',
  credentials: 'X_APP_KEY, X_APP_SECRET, X_ACCESS_TOKEN and X_ACCESS_SECRET',
  unreachable: 'X refuses direct messages to this person (they blocked the account, or their DM settings do not allow messages from it)',
  contentLimits: 'one image up to 5 MB, GIF up to 15 MB or video up to 512 MB a message; no audio or documents',
};
