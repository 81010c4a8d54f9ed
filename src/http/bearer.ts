/** `Authorization: Bearer <token>` for `/metrics` and the details of `/healthz` (METRICS_TOKEN). @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1 */
import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether `authorization` (the header as received) carries exactly `token` as a bearer token. The
 * comparison takes the same time whatever was sent: both sides are hashed to equal lengths first.
 */
export function bearerMatches(authorization: string | undefined, token: string): boolean {
  const match = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
  const given = match?.[1];
  if (given === undefined) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(token));
}
