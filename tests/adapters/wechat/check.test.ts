/** `threadline doctor` for WeChat: the AppID and AppSecret from this server, read-only, with what to do. */
import { afterEach, describe, expect, it } from 'vitest';
import type { Channel } from '../../../src/channel.ts';
import { memoryState } from '../../contract/channel-contract.ts';
import type { FakeWeChatApi } from '../../fakes/wechat-api.ts';
import { invalidAppId, invalidAppSecret, ipNotAllowed } from '../../fixtures/wechat/api-errors.ts';
import { captureLogger } from '../../support/capture-logger.ts';
import { PLAIN, SAFE, setupWeChat, type Keys } from './harness.ts';

let wechat: FakeWeChatApi | undefined;
afterEach(async () => wechat?.close());

async function channel(keys: Keys = PLAIN): Promise<{ channel: Channel; state: ReturnType<typeof memoryState> }> {
  const state = memoryState(Date.now, 'wechat');
  const setup = await setupWeChat(keys, { logger: captureLogger().logger, state, now: Date.now });
  wechat = setup.wechat;
  return { channel: setup.channel, state };
}

describe('WeChat setup checks', () => {
  it('pass on a healthy account, name the push mode, and change nothing (no token kept, none forced)', async () => {
    const { channel: plain, state } = await channel();
    const results = (await plain.check?.()) ?? [];
    expect(results.map((r) => r.status)).toEqual(['ok', 'ok']);
    expect(results[1]?.detail).toContain('plaintext');
    expect(await state.get('access-token')).toBeUndefined();
    expect(wechat!.callsOf('token').map((c) => c.body.force_refresh)).toEqual([false]);
    await wechat!.close();
    const safe = await channel(SAFE);
    expect(((await safe.channel.check?.()) ?? [])[1]?.detail).toContain('safe mode');
  });

  it.each([
    ['an IP not on the allow-list', ipNotAllowed, 'WECHAT_APP_SECRET', /IP whitelist/],
    ['a wrong AppSecret', invalidAppSecret, 'WECHAT_APP_SECRET', /WECHAT_APP_SECRET/],
    ['an unknown AppID', invalidAppId, 'WECHAT_APP_ID', /WECHAT_APP_ID/],
  ])('fail on %s, naming the setting and what to do', async (_case, error, subject, detail) => {
    const { channel: wechatChannel } = await channel();
    wechat!.failNext('token', error);
    const [result] = (await wechatChannel.check?.()) ?? [];
    expect(result).toMatchObject({ status: 'fail', subject, detail: expect.stringMatching(detail) });
  });
});
