/**
 * WeChat end to end: the real app, signed pushes to /webhooks/wechat (plaintext, and encrypted with
 * the keys of WeChat's official sample), the WeChat API fake for sends, and the Slack fake through
 * the real Bolt. Simplified and Traditional Chinese open threads in their own Slack channels, every
 * push is answered `success`, WeChat's retries post nothing twice, agents' replies go out as
 * customer-service messages, and what WeChat refuses is explained in the thread.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeWeChatApi, type FakeWeChatApi } from '../fakes/wechat-api.ts';
import { outOfResponseCount, outOfTimeLimit, systemBusy, tokenExpired } from '../fixtures/wechat/api-errors.ts';
import { SAMPLE } from '../fixtures/wechat/encryption-sample.ts';
import { signWechat } from '../support/wechat-signing.ts';
import { linkPush, locationPush, voiceRecognisedPush } from '../fixtures/wechat/pushes.ts';
import { asFrom, eventFrom, imageFrom, post, postWeChat, textFrom } from '../support/wechat-webhook.ts';
import { DEFAULT_CHANNEL, eventually, startE2e, type E2e } from './harness.ts';
import { parents } from '../support/slack-messages.ts';

const PLAIN = { appId: 'wx0f3c2d1e4b5a6978', appSecret: 'c9a1f0e7d3b5a2c4e6f8091a2b3c4d5e', token: 'threadlineE2eToken7' } as const;
const SAFE = {
  appId: SAMPLE.appId,
  appSecret: 'f1e2d3c4b5a6978800112233445566aa',
  token: SAMPLE.token,
  encodingAesKey: SAMPLE.encodingAesKey,
};
const ADMIN = 'U01ADMIN99';
const AGENT = 'U0AGENT';
const ZH_HANS = 'C0ZHHANS';
const ZH_HANT = 'C0ZHHANT';
const MAINLAND = 'oMainland_7q2vXk9cR4tYb1';
const TAIPEI = 'oTaipei_3nL8wPz5mQ0sJd6';
const IMAGE = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x10, 0x20, 0xff, 0xd9]);

let wechat: FakeWeChatApi | undefined;
const running: E2e[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e2e) => e2e.stop()));
  await wechat?.close();
});

async function start(keys: typeof PLAIN | typeof SAFE): Promise<E2e> {
  wechat = await startFakeWeChatApi({ appId: keys.appId, appSecret: keys.appSecret });
  const e2e = await startE2e({
    slackMode: 'http',
    telegramMode: 'webhook',
    adminUsers: ADMIN,
    env: {
      // Slack's pacing (1 post a second per channel) is tested elsewhere; here it would only slow the test.
      SLACK_POSTS_PER_SECOND: '100',
      WECHAT_APP_ID: keys.appId,
      WECHAT_APP_SECRET: keys.appSecret,
      WECHAT_TOKEN: keys.token,
      WECHAT_API_ROOT: wechat.apiRoot,
      ...('encodingAesKey' in keys ? { WECHAT_ENCODING_AES_KEY: keys.encodingAesKey } : {}),
    },
  });
  running.push(e2e);
  for (const [language, channel] of [
    ['zh-Hans', ZH_HANS],
    ['zh-Hant', ZH_HANT],
  ]) {
    expect(await e2e.inbox(ADMIN, `route ${language} <#${channel}|support-${language}>`)).toContain(channel);
  }
  return e2e;
}

describe('WeChat Official Account', () => {
  it('verifies the server, routes Simplified and Traditional Chinese, answers success, posts a retry once, and delivers replies', async () => {
    const e2e = await start(PLAIN);
    const health = (await (await fetch(`${e2e.baseUrl}/healthz`)).json()) as { platforms: Record<string, string> };
    expect(health.platforms).toMatchObject({ wechat: 'live' });

    // The server configuration's check: echo echostr when signed with our Token.
    const check = await fetch(
      `${e2e.baseUrl}/webhooks/wechat?${signWechat(PLAIN.token, '1714036504', '1514711492', { echostr: '4375120948345356249' })}`,
    );
    expect([check.status, await check.text()]).toEqual([200, '4375120948345356249']);
    const forged = await fetch(`${e2e.baseUrl}/webhooks/wechat?${signWechat('notOurToken', '1714036504', '1514711492', { echostr: '1' })}`);
    expect(forged.status).toBe(401);

    // Following opens nothing; a push signed with another Token is refused and journals nothing.
    expect(await postWeChat(e2e, eventFrom(MAINLAND, 'subscribe', 1764719990), PLAIN)).toEqual({ status: 200, body: 'success' });
    const simplified = textFrom(MAINLAND, '24601000000000001', '你好，我的订单还没有发货，请帮我查一下。');
    expect((await postWeChat(e2e, simplified, PLAIN, { signWith: 'notOurToken' })).status).toBe(401);
    expect(await postWeChat(e2e, simplified, PLAIN)).toEqual({ status: 200, body: 'success' });
    expect(await postWeChat(e2e, textFrom(TAIPEI, '24601000000000002', '請問這件外套還有其他顏色嗎？'), PLAIN)).toEqual({
      status: 200,
      body: 'success',
    });

    const [hans] = await eventually(() => parents(e2e.slack, ZH_HANS).length === 1 && parents(e2e.slack, ZH_HANS));
    const [hant] = await eventually(() => parents(e2e.slack, ZH_HANT).length === 1 && parents(e2e.slack, ZH_HANT));
    expect(JSON.stringify(hans?.blocks ?? []) + hans?.text).toContain('WeChat');
    await eventually(() => e2e.slack.replies(ZH_HANS, hans!.ts).some((m) => m.text === '你好，我的订单还没有发货，请帮我查一下。'));
    await eventually(() => e2e.slack.replies(ZH_HANT, hant!.ts).some((m) => m.text === '請問這件外套還有其他顏色嗎？'));

    // WeChat retries a push it thinks went unanswered (same MsgId): shown once.
    expect((await postWeChat(e2e, simplified, PLAIN, { nonce: '99887766' })).status).toBe(200);
    wechat!.addMedia('MEDIA_PHOTO_1', { data: IMAGE, mimeType: 'image/jpeg' });
    expect((await postWeChat(e2e, imageFrom(MAINLAND, '24601000000000003', 'MEDIA_PHOTO_1', 1764720030), PLAIN)).status).toBe(200);
    await eventually(() => [...e2e.slack.files.values()].some((f) => f.data.equals(IMAGE)));
    // Voice (the recording as a file, and what speech recognition heard), a location with a map link, a link.
    const VOICE = Buffer.from('#!AMR\n-fake-voice');
    wechat!.addMedia('media_id', { data: VOICE, mimeType: 'audio/amr' });
    for (const [fixture, id] of [
      [voiceRecognisedPush, '24601000000000004'],
      [locationPush, '24601000000000005'],
      [linkPush, '24601000000000006'],
    ] as const)
      expect((await postWeChat(e2e, asFrom(fixture, MAINLAND, id, 1764720040), PLAIN)).status).toBe(200);
    await eventually(() => [...e2e.slack.files.values()].some((f) => f.data.equals(VOICE)));
    await eventually(() => e2e.slack.replies(ZH_HANS, hans!.ts).some((m) => m.text.includes('腾讯微信团队')));
    await eventually(() =>
      e2e.slack
        .replies(ZH_HANS, hans!.ts)
        .some((m) => m.text.includes('📍 Location: 位置信息: 23.134521, 113.358803 https://www.openstreetmap.org/?mlat=23.134521')),
    );
    await eventually(() => e2e.slack.replies(ZH_HANS, hans!.ts).some((m) => m.text.includes('公众平台官网链接')));
    expect(e2e.slack.replies(ZH_HANS, hans!.ts).filter((m) => m.text === '你好，我的订单还没有发货，请帮我查一下。')).toHaveLength(1);
    expect(parents(e2e.slack, ZH_HANS)).toHaveLength(1);
    expect(parents(e2e.slack, DEFAULT_CHANNEL)).toHaveLength(0);

    // The agent's reply goes out through the customer-service API.
    const thread = { channel: ZH_HANS, ts: hans!.ts };
    const replyTs = await e2e.agentReplies(thread, AGENT, '您好，您的订单明天发货。');
    const [sent] = await eventually(() => wechat!.callsOf('send').length === 1 && wechat!.callsOf('send'));
    expect(sent?.body).toEqual({ touser: MAINLAND, msgtype: 'text', text: { content: '您好，您的订单明天发货。' } });
    await eventually(() => e2e.slack.message(ZH_HANS, replyTs)?.reactions.has('heavy_check_mark'));

    // WeChat busy (-1): retried, delivered once. A stale token (42001): renewed at once, the call retried.
    wechat!.failNext('send', systemBusy);
    await e2e.agentReplies(thread, AGENT, '还有其他问题吗？');
    await eventually(
      () => wechat!.callsOf('send').filter((c) => (c.body.text as { content?: string })?.content === '还有其他问题吗？').length === 2,
    );
    const tokensBefore = wechat!.callsOf('token').length;
    wechat!.expireToken(tokenExpired);
    const renewedTs = await e2e.agentReplies(thread, AGENT, '祝您生活愉快。');
    await eventually(() => e2e.slack.message(ZH_HANS, renewedTs)?.reactions.has('heavy_check_mark'));
    expect(wechat!.callsOf('token').length).toBe(tokensBefore + 1);

    // A file WeChat cannot carry is refused in the thread, never dropped, and nothing is sent.
    const sends = wechat!.callsOf('send').length;
    const label = e2e.slack.addFile({ name: 'invoice.pdf', mimetype: 'application/pdf', data: 'pdf-bytes' });
    const fileTs = await e2e.agentReplies(thread, AGENT, '这是您的发票', { files: [label], subtype: 'file_share' });
    await eventually(() => e2e.slack.message(ZH_HANS, fileTs)?.reactions.has('warning'));
    const refusal = await eventually(() =>
      e2e.slack.replies(ZH_HANS, hans!.ts).find((m) => m.bot_id && m.text.includes('cannot carry files')),
    );
    expect(refusal.text).toContain('invoice.pdf');
    // Threadline refused it itself: the notice does not blame WeChat for it.
    expect(refusal.text).toContain('Not sent: WeChat customer-service messages cannot carry files');
    expect(refusal.text).toContain('Nothing reached WeChat');
    expect(refusal.text).not.toContain('WeChat said');
    expect(wechat!.callsOf('send')).toHaveLength(sends);

    // The 48-hour window and its quota, explained in plain words.
    wechat!.failNext('send', outOfTimeLimit);
    const lateTs = await e2e.agentReplies({ channel: ZH_HANT, ts: hant!.ts }, AGENT, '有的，還有藍色。');
    await eventually(() => e2e.slack.message(ZH_HANT, lateTs)?.reactions.has('warning'));
    const late = await eventually(() =>
      e2e.slack.replies(ZH_HANT, hant!.ts).find((m) => m.bot_id && m.text.includes('reply window has closed')),
    );
    expect(late.text).toContain('48 hours');
    expect(late.text).toContain('write to the Official Account again');
    wechat!.failNext('send', outOfResponseCount);
    await e2e.agentReplies({ channel: ZH_HANT, ts: hant!.ts }, AGENT, '還有黑色。');
    await eventually(() => e2e.slack.replies(ZH_HANT, hant!.ts).find((m) => m.bot_id && m.text.includes('5 replies')));

    // Unfollowing is noted in the open thread.
    expect((await postWeChat(e2e, eventFrom(MAINLAND, 'unsubscribe', 1764720300), PLAIN)).status).toBe(200);
    await eventually(() => e2e.slack.replies(ZH_HANS, hans!.ts).find((m) => m.bot_id && m.text.includes('unfollowed')));

    const all = e2e.logs.join('\n');
    for (const secret of [PLAIN.appSecret, PLAIN.token, ...wechat!.issuedTokens]) expect(all).not.toContain(secret);
  });

  it("decrypts WeChat's official safe-mode sample and encrypted pushes, and answers success", async () => {
    const e2e = await start(SAFE);
    // The official sample exactly as published: body, timestamp, nonce and msg_signature.
    const query = new URLSearchParams({
      signature: signWechat(SAMPLE.token, SAMPLE.timestamp, SAMPLE.nonce).split('&')[0]!.split('=')[1]!,
      timestamp: SAMPLE.timestamp,
      nonce: SAMPLE.nonce,
      encrypt_type: 'aes',
      msg_signature: SAMPLE.msgSignature,
    }).toString();
    expect(await post(e2e, SAMPLE.body, query)).toEqual({ status: 200, body: 'success' });
    const [sample] = await eventually(() => parents(e2e.slack, DEFAULT_CHANNEL).length === 1 && parents(e2e.slack, DEFAULT_CHANNEL));
    await eventually(() => e2e.slack.replies(DEFAULT_CHANNEL, sample!.ts).some((m) => m.text === 'abcdteT'));
    // A tampered msg_signature is refused.
    expect((await post(e2e, SAMPLE.body, query.replace(SAMPLE.msgSignature, '0'.repeat(40)))).status).toBe(401);

    // Encrypted Simplified and Traditional Chinese go to their channels.
    expect(await postWeChat(e2e, textFrom(MAINLAND, '24601000000000011', '请问退款什么时候到账？'), SAFE)).toEqual({
      status: 200,
      body: 'success',
    });
    expect((await postWeChat(e2e, textFrom(TAIPEI, '24601000000000012', '請問退款什麼時候會到帳？'), SAFE)).status).toBe(200);
    const [hans] = await eventually(() => parents(e2e.slack, ZH_HANS).length === 1 && parents(e2e.slack, ZH_HANS));
    await eventually(() => parents(e2e.slack, ZH_HANT).length === 1);

    await e2e.agentReplies({ channel: ZH_HANS, ts: hans!.ts }, AGENT, '退款将在三个工作日内到账。');
    const [sent] = await eventually(() => wechat!.callsOf('send').length === 1 && wechat!.callsOf('send'));
    expect(sent?.body).toEqual({ touser: MAINLAND, msgtype: 'text', text: { content: '退款将在三个工作日内到账。' } });

    const all = e2e.logs.join('\n');
    for (const secret of [SAFE.appSecret, SAFE.token, SAFE.encodingAesKey, ...wechat!.issuedTokens]) expect(all).not.toContain(secret);
  });
});
