/** The push route's choices between plaintext, compatible and safe mode, through the channel's own route. */
import { afterEach, describe, expect, it } from 'vitest';
import type { ChannelDeps } from '../../../src/channel.ts';
import { memoryState, routeOf, webhookRequest } from '../../contract/channel-contract.ts';
import type { FakeWeChatApi } from '../../fakes/wechat-api.ts';
import { SAMPLE } from '../../fixtures/wechat/encryption-sample.ts';
import { textPush } from '../../fixtures/wechat/pushes.ts';
import { captureLogger } from '../../support/capture-logger.ts';
import { encryptedPush, sha1Sorted, signWechat } from '../../support/wechat-signing.ts';
import { PLAIN, SAFE, setupWeChat, type Keys } from './harness.ts';

let wechat: FakeWeChatApi | undefined;
afterEach(async () => wechat?.close());

async function route(keys: Keys) {
  const capture = captureLogger();
  const deps: ChannelDeps = { logger: capture.logger, state: memoryState(Date.now, 'wechat'), now: Date.now };
  const setup = await setupWeChat(keys, deps);
  wechat = setup.wechat;
  return { handle: routeOf(setup.channel, 'POST', '/webhooks/wechat').handle, capture };
}

/** The official sample's query: its timestamp, nonce and msg_signature, and the Token's signature. */
const sampleQuery = (msgSignature: string = SAMPLE.msgSignature) =>
  signWechat(SAMPLE.token, SAMPLE.timestamp, SAMPLE.nonce, { encrypt_type: 'aes', msg_signature: msgSignature });

describe('the WeChat push route', () => {
  it("reads the official sample in safe mode: its msg_signature checks and it decrypts for the sample's AppID", async () => {
    const { handle } = await route(SAFE);
    const result = await handle(webhookRequest(SAMPLE.body, { 'content-type': 'text/xml' }, sampleQuery()));
    expect(result).toMatchObject({
      status: 200,
      body: 'success',
      events: [{ kind: 'message', text: 'abcdteT', messageId: '6054768590064713728', contact: { id: 'oyORnuP8q7ou2gfYjqLzSIWZf0rs' } }],
    });
    expect((await handle(webhookRequest(SAMPLE.body, {}, sampleQuery('0'.repeat(40))))).status).toBe(401);
    // The envelope of safe mode alone (no plaintext copy) reads the same.
    const envelope = `<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><Encrypt><![CDATA[${SAMPLE.encrypt}]]></Encrypt></xml>`;
    expect(await handle(webhookRequest(envelope, {}, sampleQuery()))).toMatchObject({ status: 200, events: [{ text: 'abcdteT' }] });
    // Without encrypt_type=aes, an Encrypt is not one of WeChat's pushes.
    expect((await handle(webhookRequest(envelope, {}, signWechat(SAMPLE.token, SAMPLE.timestamp, SAMPLE.nonce)))).status).toBe(400);
  });

  it('refuses a push encrypted for another AppID, even with a valid msg_signature', async () => {
    const { handle } = await route({ ...SAFE, appId: 'wx0f3c2d1e4b5a6978' });
    expect(await handle(webhookRequest(SAMPLE.body, {}, sampleQuery()))).toMatchObject({ status: 401 });
  });

  it('reads a compatible-mode push from its plaintext fields when no EncodingAESKey is set, and refuses safe mode with one error line naming the setting', async () => {
    const keys = { ...PLAIN, token: SAMPLE.token };
    const { handle, capture } = await route(keys);
    expect(await handle(webhookRequest(SAMPLE.body, {}, sampleQuery()))).toMatchObject({ status: 200, events: [{ text: 'abcdteT' }] });
    const envelope = `<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><Encrypt><![CDATA[${SAMPLE.encrypt}]]></Encrypt></xml>`;
    for (let i = 0; i < 2; i++) expect((await handle(webhookRequest(envelope, {}, sampleQuery()))).status).toBe(400);
    const errors = capture.entries().filter((e) => e.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.msg).toContain('WECHAT_ENCODING_AES_KEY');
  });

  it('accepts a plaintext push in safe mode too (WeChat signs it with the Token), and refuses a ciphertext that does not decrypt', async () => {
    const { handle } = await route(SAFE);
    const plain = await handle(webhookRequest(textPush, {}, signWechat(SAFE.token)));
    expect(plain).toMatchObject({ status: 200, events: [{ text: 'this is a test' }] });
    const garbled = 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODkwMTIzNDU2Nzg5MDEyMw==';
    const body = `<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><Encrypt><![CDATA[${garbled}]]></Encrypt></xml>`;
    const query = signWechat(SAFE.token, '1764720000', '1514711492', {
      encrypt_type: 'aes',
      msg_signature: sha1Sorted([SAFE.token, '1764720000', '1514711492', garbled]),
    });
    expect((await handle(webhookRequest(body, {}, query))).status).toBe(400);
    const good = encryptedPush(textPush, SAFE);
    expect((await handle(webhookRequest(good.body, {}, good.query))).status).toBe(200);
  });
});
