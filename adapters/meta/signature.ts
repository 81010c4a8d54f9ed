/**
 * Meta's webhook signature: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body, keyed
 * with the App Secret>`. Checked on the exact bytes received (Meta escapes non-ASCII as `\uXXXX`,
 * so a re-serialised body would not match), in constant time.
 * @see https://developers.facebook.com/docs/graph-api/webhooks/getting-started#validate-payloads
 * @see https://developers.facebook.com/docs/messenger-platform/webhooks#validate-payloads
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header Meta signs every POST with. */
export const SIGNATURE_HEADER = 'x-hub-signature-256';

/** Exactly what Meta sends: `sha256=` and 64 lowercase hex digits; anything else is refused. */
const SIGNATURE = /^sha256=([0-9a-f]{64})$/;

/** The header value Meta would send for `rawBody`. */
export function signatureOf(rawBody: Buffer, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

/** Whether `header` is Meta's signature of `rawBody`; false when it is missing or malformed. */
export function isValidSignature(rawBody: Buffer, header: string | null, appSecret: string): boolean {
  const match = header === null ? null : SIGNATURE.exec(header.trim());
  if (match === null) return false;
  const given = Buffer.from(match[1] as string, 'hex');
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}
