/**
 * Messenger Send API error codes → ChannelError kinds, first match wins; the Graph-wide codes (190
 * token, 4/613/80007 throttling, HTTP 429…) are in adapters/meta/graph.ts.
 * @see https://developers.facebook.com/documentation/business-messaging/messenger-platform/error-codes
 */
import type { GraphRule } from '../meta/graph.ts';

export const TOKEN_SETTING = 'MESSENGER_PAGE_TOKEN';

export const RULES: readonly GraphRule[] = [
  // (#10) "This message is sent outside of allowed window": more than 24 hours since the customer's last message.
  {
    code: 10,
    subcode: 2018278,
    kind: 'window_closed',
    say: 'The 24-hour reply window has closed: Messenger accepts a reply again once the customer writes',
  },
  // The subcode Instagram gives the same error; accepted here too, in case a Page sees it.
  {
    code: 10,
    subcode: 2534022,
    kind: 'window_closed',
    say: 'The 24-hour reply window has closed: Messenger accepts a reply again once the customer writes',
  },
  // 551 (subcode 1545041) "This person isn't available right now".
  { code: 551, kind: 'unreachable', say: "Messenger says this person isn't available right now" },
  { code: 10, kind: 'rejected', say: 'Messenger refused the send (permission): check that the app has pages_messaging for this Page' },
  { code: 100, kind: 'rejected', say: 'Messenger refused a parameter of the request' },
  // 190 (also with subcodes): the Page token is expired or invalid.
  { code: 190, kind: 'auth', say: `Meta rejected the Page access token: set ${TOKEN_SETTING} to a valid token` },
];
