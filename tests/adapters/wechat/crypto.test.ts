/** Safe mode and signatures against WeChat's own published examples. */
import { describe, expect, it } from 'vitest';
import { decryptMessage, encryptMessage } from '../../../adapters/wechat/crypto.ts';
import { isValidSignature, wechatSignature } from '../../../adapters/wechat/signature.ts';
import { readXml } from '../../../adapters/wechat/xml.ts';
import { SAMPLE, VERIFICATION_EXAMPLE } from '../../fixtures/wechat/encryption-sample.ts';

describe('WeChat signatures', () => {
  it("match the documentation's server-verification example (Token AAAAA)", () => {
    const { token, timestamp, nonce, signature } = VERIFICATION_EXAMPLE;
    expect(wechatSignature([token, timestamp, nonce])).toBe(signature);
    expect(isValidSignature(signature, [token, timestamp, nonce])).toBe(true);
    expect(isValidSignature(signature, ['AAAAB', timestamp, nonce])).toBe(false);
    expect(isValidSignature(signature.toUpperCase(), [token, timestamp, nonce])).toBe(false);
    expect(isValidSignature(null, [token, timestamp, nonce])).toBe(false);
  });

  it("match the official sample's msg_signature over the Token, timestamp, nonce and ciphertext", () => {
    expect(isValidSignature(SAMPLE.msgSignature, [SAMPLE.token, SAMPLE.timestamp, SAMPLE.nonce, SAMPLE.encrypt])).toBe(true);
    expect(isValidSignature(SAMPLE.msgSignature, [SAMPLE.token, SAMPLE.timestamp, SAMPLE.nonce, `${SAMPLE.encrypt}x`])).toBe(false);
  });
});

describe('WeChat safe mode', () => {
  it('decrypts the official sample to its text message, sent for its AppID', () => {
    const result = decryptMessage(SAMPLE.encrypt, SAMPLE.encodingAesKey, SAMPLE.appId);
    expect(result).toEqual({ ok: true, message: SAMPLE.decrypted });
    if (!result.ok) throw new Error('no message');
    expect(readXml(result.message)).toMatchObject({ MsgType: 'text', Content: 'abcdteT', MsgId: '6054768590064713728' });
  });

  it('refuses the sample for another AppID, and a ciphertext that does not decrypt', () => {
    expect(decryptMessage(SAMPLE.encrypt, SAMPLE.encodingAesKey, 'wx0f3c2d1e4b5a6978')).toEqual({ ok: false, reason: 'appid' });
    expect(decryptMessage(SAMPLE.encrypt.slice(8), SAMPLE.encodingAesKey, SAMPLE.appId)).toEqual({ ok: false, reason: 'malformed' });
    expect(decryptMessage('', SAMPLE.encodingAesKey, SAMPLE.appId)).toEqual({ ok: false, reason: 'malformed' });
    const otherKey = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq';
    expect(decryptMessage(SAMPLE.encrypt, otherKey, SAMPLE.appId).ok).toBe(false);
  });

  it('pads to 32-byte blocks as WeChat documents (a whole block when the content already fills one)', () => {
    const random = Buffer.alloc(16, 7);
    for (const message of ['', '你好', 'x'.repeat(26), '<xml><Content><![CDATA[好]]></Content></xml>']) {
      const encrypted = encryptMessage(message, SAMPLE.encodingAesKey, SAMPLE.appId, random);
      const bytes = Buffer.from(encrypted, 'base64');
      expect(bytes.length % 32).toBe(0);
      expect(decryptMessage(encrypted, SAMPLE.encodingAesKey, SAMPLE.appId)).toEqual({ ok: true, message });
    }
    // 16 + 4 + 2 + 18 = 40 bytes of content → 24 bytes of padding, in a 64-byte ciphertext.
    expect(Buffer.from(encryptMessage('ab', SAMPLE.encodingAesKey, SAMPLE.appId, random), 'base64')).toHaveLength(64);
    // Content that fills a block exactly gets a whole block of padding.
    expect(Buffer.from(encryptMessage('x'.repeat(26), SAMPLE.encodingAesKey, SAMPLE.appId, random), 'base64')).toHaveLength(96);
  });
});
