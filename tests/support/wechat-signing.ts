/**
 * Signs pushes as WeChat does: `signature` = SHA-1 of the sorted Token, timestamp and nonce, in
 * the URL; in safe mode the body is `<xml><ToUserName/><Encrypt/></xml>` and `msg_signature`
 * also covers the ciphertext.
 * Source: https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/Access_Overview.html
 * Source: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Message_encryption_and_decryption_instructions.html
 */
import { createHash } from 'node:crypto';
import { encryptMessage } from '../../adapters/wechat/crypto.ts';

export function sha1Sorted(parts: readonly string[]): string {
  return createHash('sha1')
    .update([...parts].sort().join(''))
    .digest('hex');
}

/** The query string of a plaintext push (or of the server check, with `echostr`). */
export function signWechat(token: string, timestamp = '1764720000', nonce = '1514711492', extra: Record<string, string> = {}): string {
  return new URLSearchParams({ signature: sha1Sorted([token, timestamp, nonce]), timestamp, nonce, ...extra }).toString();
}

/** A safe-mode push: the encrypted body and its query string. */
export function encryptedPush(
  xml: string,
  keys: { readonly token: string; readonly encodingAesKey: string; readonly appId: string },
  timestamp = '1764720000',
  nonce = '1514711492',
): { readonly body: string; readonly query: string } {
  const encrypt = encryptMessage(xml, keys.encodingAesKey, keys.appId);
  const body = `<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;
  const query = signWechat(keys.token, timestamp, nonce, {
    encrypt_type: 'aes',
    msg_signature: sha1Sorted([keys.token, timestamp, nonce, encrypt]),
  });
  return { body, query };
}
