/**
 * X's webhook signatures, computed as X documents them: `sha256=` + base64 HMAC-SHA256 keyed with
 * the app's consumer secret, over the raw body (header `x-twitter-webhooks-signature`) or over the
 * `crc_token` (the CRC's `response_token`).
 * @see https://developer.x.com/en/docs/x-api/enterprise/account-activity-api/guides/securing-webhooks
 */
import { createHmac } from 'node:crypto';
import type { FuzzAuth } from '../fuzz/webhook-fuzz.ts';

export function signX(consumerSecret: string, data: string | Uint8Array): string {
  return `sha256=${createHmac('sha256', consumerSecret).update(data).digest('base64')}`;
}

/** The webhook fuzz's authentication for POST /webhooks/x; forgeries: another secret, hex instead of base64, no prefix. */
export function xSigningAuth(consumerSecret: string): FuzzAuth {
  const header = (value: string) => ({ 'x-twitter-webhooks-signature': value });
  return {
    headers: (rawBody) => header(signX(consumerSecret, rawBody)),
    forgeries: (rawBody) => ({
      'another secret': header(signX(`${consumerSecret}x`, rawBody)),
      'hex digest': header(`sha256=${createHmac('sha256', consumerSecret).update(rawBody).digest('hex')}`),
      'signature without sha256=': header(signX(consumerSecret, rawBody).slice(7)),
    }),
  };
}
