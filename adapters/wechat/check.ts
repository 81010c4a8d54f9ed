/**
 * WeChat's part of `threadline doctor` (and of start-up): does WeChat accept WECHAT_APP_ID and
 * WECHAT_APP_SECRET from this server (the IP allow-list), and which push mode the settings expect.
 * Read-only: one `stable_token` call without force_refresh, which returns the current token and
 * changes nothing.
 * @see https://developers.weixin.qq.com/doc/service/api/base/api_getstableaccesstoken
 */
import type { CheckResult } from '../../src/channel.ts';
import { ChannelError } from '../../src/errors.ts';
import type { WeChatApi } from './api.ts';
import type { WeChatConfig } from './config.ts';

export async function checkWeChat(api: WeChatApi, config: WeChatConfig): Promise<readonly CheckResult[]> {
  const mode: CheckResult =
    config.encodingAesKey === undefined
      ? {
          status: 'ok',
          subject: 'WECHAT_ENCODING_AES_KEY',
          detail: 'unset: plaintext mode; choose "Plaintext" as the message encryption method in the server configuration',
        }
      : {
          status: 'ok',
          subject: 'WECHAT_ENCODING_AES_KEY',
          detail: 'set: compatible or safe mode; the EncodingAESKey must be the one shown in the server configuration',
        };
  try {
    await api.checkCredentials();
    return [
      { status: 'ok', subject: 'WECHAT_APP_SECRET', detail: `WeChat accepts the AppID ${config.appId} and its AppSecret from this server` },
      mode,
    ];
  } catch (error) {
    const e = error instanceof ChannelError ? error : new ChannelError('wechat', 'transient', String(error));
    const subject = e.detail.platformCode === 40013 ? 'WECHAT_APP_ID' : e.kind === 'transient' ? 'wechat' : 'WECHAT_APP_SECRET';
    return [{ status: 'fail', subject, detail: e.message.replace(/\s+/g, ' ') }, mode];
  }
}
