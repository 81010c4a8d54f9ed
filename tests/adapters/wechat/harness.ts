/** Builds the WeChat channel against the WeChat API fake, and signs pushes as WeChat does. */
import { wechatFactory, type WeChatConfig } from '../../../adapters/wechat/index.ts';
import type { Channel, ChannelDeps } from '../../../src/channel.ts';
import { webhookRequest } from '../../contract/channel-contract.ts';
import { startFakeWeChatApi, type FakeWeChatApi } from '../../fakes/wechat-api.ts';
import { SAMPLE } from '../../fixtures/wechat/encryption-sample.ts';
import { encryptedPush, signWechat } from '../../support/wechat-signing.ts';
import type { WebhookRequest } from '../../../src/channel.ts';

/** Plaintext mode settings (made up, in the documented shapes). */
export const PLAIN = { appId: 'wx0f3c2d1e4b5a6978', appSecret: 'c9a1f0e7d3b5a2c4e6f8091a2b3c4d5e', token: 'threadlineToken42' } as const;
/** Safe mode: the keys of WeChat's official encryption sample. */
export const SAFE = {
  appId: SAMPLE.appId,
  appSecret: 'f1e2d3c4b5a6978800112233445566aa',
  token: SAMPLE.token,
  encodingAesKey: SAMPLE.encodingAesKey,
} as const;

export type Keys = { readonly appId: string; readonly appSecret: string; readonly token: string; readonly encodingAesKey?: string };

export function wechatEnv(keys: Keys, apiRoot: string): Record<string, string> {
  return {
    WECHAT_APP_ID: keys.appId,
    WECHAT_APP_SECRET: keys.appSecret,
    WECHAT_TOKEN: keys.token,
    WECHAT_API_ROOT: apiRoot,
    ...(keys.encodingAesKey === undefined ? {} : { WECHAT_ENCODING_AES_KEY: keys.encodingAesKey }),
  };
}

export async function setupWeChat(
  keys: Keys,
  deps: ChannelDeps,
): Promise<{ wechat: FakeWeChatApi; channel: Channel; config: WeChatConfig }> {
  const wechat = await startFakeWeChatApi({ appId: keys.appId, appSecret: keys.appSecret });
  const config = wechatFactory.readConfig(wechatEnv(keys, wechat.apiRoot));
  if (config === undefined) throw new Error('no WeChat config');
  return { wechat, config, channel: wechatFactory.create(config, deps) };
}

/** A push as WeChat sends it in the mode the keys choose: signed in the URL, encrypted when there is an EncodingAESKey. */
export function pushRequest(xml: string, keys: Keys, signWith: string | null = keys.token): WebhookRequest {
  const headers = { 'content-type': 'text/xml' };
  if (signWith === null) return webhookRequest(encoded(xml, keys).body, headers);
  const push = encoded(xml, { ...keys, token: signWith });
  return webhookRequest(push.body, headers, push.query);
}

function encoded(xml: string, keys: Keys): { body: string; query: string } {
  if (keys.encodingAesKey === undefined) return { body: xml, query: `${signWechat(keys.token)}&openid=fromUser` };
  return encryptedPush(xml, { token: keys.token, encodingAesKey: keys.encodingAesKey, appId: keys.appId });
}
