/**
 * What agents and admins will be told about X when a reply fails, for the X adapter to come (its
 * `Channel.facts`); src/slack/failure-text.ts words the notice. X documents no reply window for
 * direct messages; the recipient's DM settings decide.
 * @see https://developer.x.com/en/docs/x-api/direct-messages/manage/api-reference/post-dm_conversations-with-participant_id-messages
 * @see https://docs.x.com/x-api/media (uploads: images up to 5 MB, GIFs up to 15 MB)
 */
import type { PlatformFacts } from '../../src/channel.ts';

export const X_FACTS: PlatformFacts = {
  displayName: 'X',
  credentials: 'X_ACCESS_TOKEN and X_ACCESS_SECRET',
  unreachable: 'X refuses direct messages to this person (they blocked the account, or their DM settings no longer allow it)',
  contentLimits: 'images up to 5 MB, GIFs up to 15 MB',
};
