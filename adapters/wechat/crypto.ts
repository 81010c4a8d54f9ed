/**
 * WeChat's safe-mode message encryption. The AES key is the EncodingAESKey (43 characters) plus `=`,
 * base64-decoded (32 bytes); AES-256-CBC with the key's first 16 bytes as IV, and PKCS#7 padding to
 * 32-byte blocks (not AES's 16). The plaintext is 16 random bytes, the message length as 4 bytes big
 * endian, the message, and the AppID it was sent for, which must be ours.
 * @see https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Message_encryption_and_decryption_instructions.html
 * @see https://developers.weixin.qq.com/doc/oplatform/en/Third-party_Platforms/2.0/api/Before_Develop/Technical_Plan.html
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const BLOCK = 32;

/** Why a ciphertext was refused: it does not decrypt (`malformed`), or it is for another account (`appid`). */
export type DecryptResult =
  | { readonly ok: true; readonly message: string }
  | { readonly ok: false; readonly reason: 'malformed' | 'appid' };

function keyOf(encodingAesKey: string): Buffer {
  return Buffer.from(`${encodingAesKey}=`, 'base64');
}

/** Decrypts an `Encrypt` value and checks that it was sent for `appId`. Never throws for bad input. */
export function decryptMessage(encrypted: string, encodingAesKey: string, appId: string): DecryptResult {
  const key = keyOf(encodingAesKey);
  const data = Buffer.from(encrypted, 'base64');
  if (data.length === 0 || data.length % BLOCK !== 0) return { ok: false, reason: 'malformed' };
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    decipher.setAutoPadding(false);
    plain = Buffer.concat([decipher.update(data), decipher.final()]);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const pad = plain[plain.length - 1] ?? 0;
  if (pad < 1 || pad > BLOCK || plain.length < 20 + pad) return { ok: false, reason: 'malformed' };
  const content = plain.subarray(16, plain.length - pad);
  const length = content.readUInt32BE(0);
  if (length > content.length - 4) return { ok: false, reason: 'malformed' };
  const message = content.subarray(4, 4 + length).toString('utf8');
  const forApp = content.subarray(4 + length).toString('utf8');
  if (forApp !== appId) return { ok: false, reason: 'appid' };
  return { ok: true, message };
}

/** Encrypts `message` for `appId` as WeChat does (used to answer in safe mode, and by tests to act as WeChat). */
export function encryptMessage(message: string, encodingAesKey: string, appId: string, random: Buffer = randomBytes(16)): string {
  const key = keyOf(encodingAesKey);
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length, 0);
  const content = Buffer.concat([random, length, body, Buffer.from(appId, 'utf8')]);
  const pad = BLOCK - (content.length % BLOCK);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([content, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64');
}
