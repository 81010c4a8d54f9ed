/**
 * Instagram messaging error codes → ChannelError kinds, first match wins; the Graph-wide codes (190
 * token, 4/613/80007 throttling, HTTP 429…) are in adapters/meta/graph.ts. Instagram shares
 * Messenger's error codes.
 * @see https://developers.facebook.com/documentation/business-messaging/messenger-platform/error-codes
 * @see https://developers.facebook.com/docs/instagram-messaging/overview (the 24-hour window)
 */
import type { GraphRule } from '../meta/graph.ts';

export const TOKEN_SETTING = 'INSTAGRAM_TOKEN';

const WINDOW = 'The 24-hour reply window has closed: Instagram accepts a reply again once the customer writes';

export const RULES: readonly GraphRule[] = [
  // (#10) "This message is sent outside of allowed window": Instagram gives subcode 2534022, Messenger 2018278.
  { code: 10, subcode: 2534022, kind: 'window_closed', say: WINDOW },
  { code: 10, subcode: 2018278, kind: 'window_closed', say: WINDOW },
  // 551 (subcode 1545041) "This person isn't available right now".
  { code: 551, kind: 'unreachable', say: "Instagram says this person isn't available right now" },
  {
    code: 10,
    kind: 'rejected',
    say: 'Instagram refused the send (permission): check that the token has instagram_business_manage_messages',
  },
  { code: 100, kind: 'rejected', say: 'Instagram refused a parameter of the request' },
  { code: 190, kind: 'auth', say: `Meta rejected the Instagram access token: set ${TOKEN_SETTING} to a valid token` },
];
