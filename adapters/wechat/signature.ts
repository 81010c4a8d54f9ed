/**
 * WeChat's push signatures. `signature` = hex SHA-1 of the Token, `timestamp` and `nonce` sorted
 * and joined; in safe and compatible mode `msg_signature` also covers the `Encrypt` ciphertext.
 * Compared in constant time.
 * @see https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/Access_Overview.html
 * @see https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Message_encryption_and_decryption_instructions.html
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** The SHA-1 signature WeChat computes over `parts` (Token, timestamp, nonce and, for msg_signature, Encrypt). */
export function wechatSignature(parts: readonly string[]): string {
  return createHash('sha1')
    .update([...parts].sort().join(''))
    .digest('hex');
}

/** Whether `given` is the signature of `parts`; false when it is missing or malformed. */
export function isValidSignature(given: string | null, parts: readonly string[]): boolean {
  // WeChat writes lowercase hex; anything else is not its signature.
  if (given === null || !/^[0-9a-f]{40}$/.test(given)) return false;
  const a = Buffer.from(given, 'hex');
  const b = Buffer.from(wechatSignature(parts), 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
