/**
 * The access token: one refresher for every instance (a lease in the shared store), kept with its
 * expiry, renewed before it expires, and renewed at once when WeChat calls it stale.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createWeChatChannel } from '../../../adapters/wechat/index.ts';
import { storeAdapterState } from '../../../src/adapter-state.ts';
import type { Channel } from '../../../src/channel.ts';
import type { OutboundMessage } from '../../../src/messages.ts';
import { createMemoryStore } from '../../../src/store/memory-store.ts';
import { startFakeWeChatApi, type FakeWeChatApi } from '../../fakes/wechat-api.ts';
import { invalidCredential, invalidToken, tokenExpired } from '../../fixtures/wechat/api-errors.ts';
import { captureLogger } from '../../support/capture-logger.ts';
import { PLAIN, wechatEnv } from './harness.ts';
import { wechatFactory } from '../../../adapters/wechat/index.ts';

let wechat: FakeWeChatApi | undefined;
afterEach(async () => wechat?.close());

const reply = (n: number): OutboundMessage => ({
  idempotencyKey: `C0ZH:1715000000.${String(n).padStart(6, '0')}`,
  platform: 'wechat',
  account: PLAIN.appId,
  contactId: 'oMainland_7q2vXk9cR4tYb1',
  text: `第${n}条回复`,
});

/** `count` instances of the channel on one shared store, each leasing in its own name, on one clock. */
async function instances(count: number, options: { tokenDelayMs?: number } = {}) {
  wechat = await startFakeWeChatApi({ appId: PLAIN.appId, appSecret: PLAIN.appSecret, ...options });
  const config = wechatFactory.readConfig(wechatEnv(PLAIN, wechat.apiRoot));
  if (config === undefined) throw new Error('no config');
  const clock = { now: Date.parse('2026-12-03T08:00:00Z') };
  const store = createMemoryStore({ now: () => clock.now });
  const channels: Channel[] = Array.from({ length: count }, (_, i) =>
    createWeChatChannel(config, {
      logger: captureLogger().logger,
      state: storeAdapterState(store, 'wechat', `instance-${i}`),
      now: () => clock.now,
    }),
  );
  return { channels, clock, fake: wechat };
}

describe('the WeChat access token', () => {
  it('is fetched by one instance while the others wait and use it', async () => {
    const { channels, fake } = await instances(3, { tokenDelayMs: 150 });
    await Promise.all(channels.flatMap((channel, i) => [channel.send(reply(i * 2)), channel.send(reply(i * 2 + 1))]));
    expect(fake.callsOf('token')).toHaveLength(1);
    expect(fake.callsOf('send')).toHaveLength(6);
    expect(new Set(fake.callsOf('send').map((c) => c.query.access_token))).toEqual(new Set([fake.accessToken]));
  });

  it('is renewed before it expires (WeChat rotates it 5 minutes early), by one instance', async () => {
    const { channels, clock, fake } = await instances(2);
    const [a, b] = channels as [Channel, Channel];
    await a.send(reply(1));
    clock.now += (7200 - 6 * 60) * 1000;
    await b.send(reply(2));
    expect(fake.callsOf('token')).toHaveLength(1);
    clock.now += 2 * 60 * 1000; // now less than 5 minutes left
    await Promise.all([a.send(reply(3)), b.send(reply(4))]);
    expect(fake.callsOf('token')).toHaveLength(2);
    expect(fake.callsOf('token').map((c) => c.body.force_refresh)).toEqual([false, false]);
  });

  it.each([
    ['40001', invalidCredential],
    ['42001', tokenExpired],
    ['40014', invalidToken],
  ])('is renewed at once with force_refresh on %s, and the call is retried once', async (_code, error) => {
    const { channels, fake } = await instances(2);
    const [a, b] = channels as [Channel, Channel];
    await a.send(reply(1));
    const stale = fake.accessToken;
    fake.expireToken(error);
    const delivery = await b.send(reply(2));
    expect(delivery.messageIds).toHaveLength(1);
    expect(fake.callsOf('token').map((c) => c.body.force_refresh)).toEqual([false, true]);
    const sends = fake.callsOf('send');
    expect(sends.map((c) => c.query.access_token)).toEqual([stale, stale, fake.accessToken]);
    expect(fake.accessToken).not.toBe(stale);
    // The other instance reads the renewed token from the store.
    await a.send(reply(3));
    expect(fake.callsOf('token')).toHaveLength(2);
    expect(fake.callsOf('send').at(-1)?.query.access_token).toBe(fake.accessToken);
  });

  it('is not renewed twice when two instances are refused the same stale token at once', async () => {
    const { channels, fake } = await instances(2, { tokenDelayMs: 100 });
    const [a, b] = channels as [Channel, Channel];
    await a.send(reply(1));
    fake.expireToken(tokenExpired);
    await Promise.all([a.send(reply(2)), b.send(reply(3))]);
    expect(fake.callsOf('token').filter((c) => c.body.force_refresh === true)).toHaveLength(1);
  });
});
