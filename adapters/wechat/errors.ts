/**
 * WeChat `errcode` → ChannelError kinds: the one table. Every API answer carries `errcode` (0 or
 * absent when it worked) and `errmsg`; build on the code, not the words.
 * @see https://developers.weixin.qq.com/doc/offiaccount/Getting_Started/Global_Return_Code.html
 * @see https://developers.weixin.qq.com/doc/service/en/api/customer/message/api_sendcustommessage
 * @see https://developers.weixin.qq.com/doc/service/api/base/api_getstableaccesstoken
 */
import { ChannelError, displayUrl, networkCause, type ChannelErrorKind } from '../../src/errors.ts';

/** Codes that mean "this access token is no longer good": renew it at once and try the call once more. */
export const STALE_TOKEN_CODES: ReadonlySet<number> = new Set([
  40001, // invalid credential, access_token is invalid or not latest
  42001, // access_token expired
  40014, // invalid access_token
]);

const CREDENTIALS = 'WECHAT_APP_ID and WECHAT_APP_SECRET';

interface Rule {
  readonly kind: ChannelErrorKind;
  readonly say: string;
  readonly retryAfterMs?: number;
}

const RULES: ReadonlyMap<number, Rule> = new Map<number, Rule>([
  // -1 system busy: "retry later".
  [-1, { kind: 'transient', say: 'WeChat is busy' }],
  [40001, { kind: 'auth', say: `WeChat refused the access token even after renewing it: check ${CREDENTIALS}` }],
  [42001, { kind: 'auth', say: `WeChat says the access token expired even after renewing it: check ${CREDENTIALS}` }],
  [40014, { kind: 'auth', say: `WeChat refused the access token even after renewing it: check ${CREDENTIALS}` }],
  [40013, { kind: 'auth', say: 'WeChat does not know this AppID: set WECHAT_APP_ID to the AppID of the Official Account' }],
  [40125, { kind: 'auth', say: 'WeChat refused the AppSecret: set WECHAT_APP_SECRET to the current AppSecret (Basic Configuration)' }],
  [
    40164,
    {
      kind: 'auth',
      say: "WeChat refused this server's IP address: add it to the IP allow-list (Settings and Development → Basic Configuration → IP whitelist)",
    },
  ],
  [
    48001,
    {
      kind: 'auth',
      say: 'The Official Account may not use this API: the customer-service API needs a verified service account',
    },
  ],
  // 45015: "response out of time limit or subscription is canceled": 48 hours passed since the customer wrote, or they unfollowed.
  [
    45015,
    {
      kind: 'window_closed',
      say: 'WeChat refused the reply: more than 48 hours passed since the customer last wrote, or they unfollowed the account. They must write to the Official Account again',
    },
  ],
  // 45047: "out of response count limit": the 5 replies this interaction allows are used up.
  [
    45047,
    {
      kind: 'window_closed',
      say: 'WeChat refused the reply: the 5 replies allowed after the customer last wrote are used up. The customer must write again to allow more',
    },
  ],
  [43004, { kind: 'unreachable', say: 'The customer does not follow the Official Account (43004)' }],
  [40003, { kind: 'unreachable', say: 'WeChat does not know this OpenID for the Official Account (40003)' }],
  // 45009: the API's daily quota; 45011: the per-minute quota ("retry next minute").
  [45009, { kind: 'rate_limited', say: "WeChat's daily quota for this API is used up", retryAfterMs: 3_600_000 }],
  [45011, { kind: 'rate_limited', say: "WeChat's per-minute quota for this API is used up", retryAfterMs: 60_000 }],
  [40004, { kind: 'rejected', say: 'WeChat refused the media type' }],
  [40005, { kind: 'rejected', say: 'WeChat refused the file type' }],
  [40006, { kind: 'rejected', say: 'WeChat refused the file size' }],
  [40007, { kind: 'rejected', say: 'WeChat does not know this media id (temporary media lasts 3 days)' }],
  [45002, { kind: 'rejected', say: 'WeChat refused the message as too long' }],
]);

/** A failed WeChat answer as a ChannelError; the message says what happened and, for an admin, what to do. */
export function toChannelError(errcode: number, errmsg: string): ChannelError {
  const rule = RULES.get(errcode);
  const said = `${errcode}: ${errmsg.slice(0, 200)}`;
  return new ChannelError('wechat', rule?.kind ?? 'rejected', `${rule?.say ?? 'WeChat refused the request'} (${said})`, {
    platformCode: errcode,
    ...(rule?.retryAfterMs === undefined ? {} : { retryAfterMs: rule.retryAfterMs }),
  });
}

/** An HTTP status that is not a WeChat answer (a proxy, a 5xx). */
export function toHttpError(status: number): ChannelError {
  const kind: ChannelErrorKind = status === 429 ? 'rate_limited' : status >= 500 ? 'transient' : 'rejected';
  return new ChannelError('wechat', kind, `WeChat answered HTTP ${status}`, {
    platformCode: status,
    ...(kind === 'rate_limited' ? { retryAfterMs: 60_000 } : {}),
  });
}

/** The API could not be reached at all. */
export function toNetworkError(apiRoot: string, error: unknown): ChannelError {
  const cause = networkCause(error) ?? 'network error';
  return new ChannelError(
    'wechat',
    'transient',
    `could not reach the WeChat API at ${displayUrl(apiRoot)}: ${cause} — a network problem (proxy, DNS, firewall); check WECHAT_API_ROOT and this host's network`,
    {},
    { cause: error },
  );
}
