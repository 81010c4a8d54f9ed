/**
 * WhatsApp Cloud API error codes → ChannelError kinds: the one table, first match wins; the
 * Graph-wide codes (190 token, 4/613/80007 throttling…) are in adapters/meta/graph.ts. Build on
 * `code`: titles and subcodes are not stable.
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes
 */
import type { ChannelErrorKind } from '../../src/errors.ts';
import type { GraphRule } from '../meta/graph.ts';

export const TOKEN_SETTING = 'WHATSAPP_TOKEN';

export const RULES: readonly GraphRule[] = [
  // 131047 Re-engagement message: "more than 24 hours have passed since the customer last replied".
  {
    code: 131047,
    kind: 'window_closed',
    say: 'The 24-hour customer service window has closed: only an approved template message can reach this customer now',
  },
  // 130429 Rate limit hit: the phone number's throughput (80 messages/s by default).
  // @see https://developers.facebook.com/documentation/business-messaging/whatsapp/throughput
  { code: 130429, kind: 'rate_limited', say: "WhatsApp throttled the business number's throughput", retryAfterMs: 5000 },
  // 131056 (Business Account, Consumer Account) pair rate limit hit: too many messages to one customer in a short time.
  { code: 131056, kind: 'rate_limited', say: 'WhatsApp throttled messages to this customer (pair rate limit)', retryAfterMs: 6000 },
  // 131026 Message undeliverable: not a WhatsApp user, an old app, or terms not accepted.
  {
    code: 131026,
    kind: 'unreachable',
    say: 'This number is not a WhatsApp user, or cannot receive this message (old WhatsApp version, terms not accepted)',
  },
  // 131049 not delivered "to maintain healthy ecosystem engagement".
  { code: 131049, kind: 'rejected', say: 'WhatsApp chose not to deliver this message (ecosystem engagement limit)' },
  // 131051 Unsupported message type.
  { code: 131051, kind: 'rejected', say: 'WhatsApp does not support this message type' },
  // 131053 Media upload error.
  { code: 131053, kind: 'rejected', say: 'WhatsApp could not take this file (type or size)' },
  // 100 Invalid parameter.
  { code: 100, kind: 'rejected', say: 'WhatsApp refused a parameter of the request' },
  // 131000 Something went wrong; 131016 Service unavailable.
  { code: 131000, kind: 'transient', say: 'WhatsApp had a temporary problem' },
  { code: 131016, kind: 'transient', say: 'WhatsApp is temporarily unavailable' },
  // 190: Graph's "access token expired or invalid", also in failed statuses.
  { code: 190, kind: 'auth', say: `Meta rejected the access token (190): set ${TOKEN_SETTING} to a valid token` },
];

/** The kind of a code seen in a `failed` status; undefined when the table does not know it. */
export function kindOfCode(code: number): ChannelErrorKind | undefined {
  return RULES.find((rule) => rule.code === code)?.kind;
}
