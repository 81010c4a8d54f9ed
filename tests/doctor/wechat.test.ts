import { afterEach, describe, expect, it } from 'vitest';
import { checkPlatforms, readPlatforms } from '../../src/doctor/checks/platforms.ts';
import { startFakeWeChatApi, type FakeWeChatApi } from '../fakes/wechat-api.ts';
import { ipNotAllowed } from '../fixtures/wechat/api-errors.ts';
import { PLAIN, SAFE, wechatEnv } from '../adapters/wechat/harness.ts';

let wechat: FakeWeChatApi | undefined;
afterEach(async () => wechat?.close());

describe('threadline doctor: WeChat', () => {
  it('checks the AppID and AppSecret from this server, names the mode, and says when the IP is not on the allow-list', async () => {
    wechat = await startFakeWeChatApi({ appId: PLAIN.appId, appSecret: PLAIN.appSecret });
    const good = readPlatforms(wechatEnv(PLAIN, wechat.apiRoot));
    expect(good.results).toEqual([]);
    expect(await checkPlatforms(good.platforms)).toEqual([
      { status: 'ok', subject: 'WECHAT_APP_SECRET', detail: expect.stringContaining(PLAIN.appId) },
      { status: 'ok', subject: 'WECHAT_ENCODING_AES_KEY', detail: expect.stringContaining('plaintext') },
    ]);
    wechat.failNext('token', ipNotAllowed);
    expect((await checkPlatforms(good.platforms))[0]).toEqual({
      status: 'fail',
      subject: 'WECHAT_APP_SECRET',
      detail: expect.stringContaining('IP whitelist'),
    });
    const wrongSecret = readPlatforms(wechatEnv({ ...SAFE, appId: PLAIN.appId }, wechat.apiRoot));
    expect((await checkPlatforms(wrongSecret.platforms))[0]).toMatchObject({ status: 'fail', subject: 'WECHAT_APP_SECRET' });
  });

  it('names a malformed setting', () => {
    const { results } = readPlatforms({ ...wechatEnv(PLAIN, 'https://api.weixin.qq.com'), WECHAT_ENCODING_AES_KEY: 'short' });
    expect(results).toEqual([{ status: 'fail', subject: 'settings', detail: expect.stringContaining('WECHAT_ENCODING_AES_KEY') }]);
  });
});
