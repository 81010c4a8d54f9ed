/** The channel contract for WeChat, in plaintext mode and in safe mode (the official sample's keys). */
import { describe, expect, it } from 'vitest';
import { wechatFactory } from '../../../adapters/wechat/index.ts';
import type { InboundMessage, OutboundMessage } from '../../../src/messages.ts';
import { channelContract, routeOf, webhookRequest, type FailureCase } from '../../contract/channel-contract.ts';
import type { FakeWeChatApi } from '../../fakes/wechat-api.ts';
import {
  invalidCredential,
  ipNotAllowed,
  minuteQuota,
  invalidOpenId,
  outOfResponseCount,
  outOfTimeLimit,
  systemBusy,
} from '../../fixtures/wechat/api-errors.ts';
import { contentNotText, documentedPushes, imagePush, menuClickPush, templateSentPush, textPush } from '../../fixtures/wechat/pushes.ts';
import type { FuzzAuth, FuzzSample, Json } from '../../fuzz/webhook-fuzz.ts';
import { readXml } from '../../../adapters/wechat/xml.ts';
import { encryptedPush, sha1Sorted, signWechat } from '../../support/wechat-signing.ts';
import { PLAIN, pushRequest, SAFE, setupWeChat, wechatEnv, type Keys } from './harness.ts';

const IMAGE = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);
const WEBHOOK = '/webhooks/wechat';

function failures(wechat: FakeWeChatApi): FailureCase[] {
  return [
    { name: '45011 per-minute quota', arrange: () => wechat.failNext('send', minuteQuota), kind: 'rate_limited', retryAfterMs: 60_000 },
    { name: '-1 system busy', arrange: () => wechat.failNext('send', systemBusy), kind: 'transient' },
    { name: 'HTTP 502 from a proxy', arrange: () => wechat.failNext('send', { status: 502 }), kind: 'transient' },
    { name: 'connection dropped', arrange: () => wechat.failNext('send', 'network'), kind: 'transient' },
    {
      name: '40001 again after renewing the token',
      arrange: () => {
        wechat.failNext('send', invalidCredential);
        wechat.failNext('send', invalidCredential);
      },
      kind: 'auth',
    },
    { name: '40164 IP not on the allow-list', arrange: () => wechat.failNext('send', ipNotAllowed), kind: 'auth' },
    { name: '45015 48 hours passed', arrange: () => wechat.failNext('send', outOfTimeLimit), kind: 'window_closed' },
    { name: '45047 replies used up', arrange: () => wechat.failNext('send', outOfResponseCount), kind: 'window_closed' },
    { name: '40003 unknown OpenID', arrange: () => wechat.failNext('send', invalidOpenId), kind: 'unreachable' },
  ];
}

/** The fuzz: every documented push as fields, signed in the URL (and, in safe mode, the envelope as it travels). */
function fuzzOf(keys: Keys): Record<string, { samples: FuzzSample[]; auth: FuzzAuth }> {
  const query = (extra: Record<string, string> = {}) =>
    Object.fromEntries(new URLSearchParams(signWechat(keys.token, '1764720000', '1514711492', extra)));
  const samples: FuzzSample[] = Object.entries(documentedPushes).map(([name, xml]) => {
    const fields = readXml(xml) as Json;
    if (keys.encodingAesKey === undefined) return { name, encoding: 'xml', value: fields };
    const { body } = encryptedPush(xml, { token: keys.token, encodingAesKey: keys.encodingAesKey, appId: keys.appId });
    return { name: `encrypted ${name}`, encoding: 'xml', value: readXml(body) as Json };
  });
  const postAuth: FuzzAuth = {
    inQuery: true,
    headers: (raw) => {
      if (keys.encodingAesKey === undefined) return query();
      // msg_signature covers the Encrypt field of the body as it arrives.
      const encrypt = readXml(Buffer.from(raw).toString('utf8'))?.Encrypt;
      const text = typeof encrypt === 'string' ? encrypt : '';
      return query({ encrypt_type: 'aes', msg_signature: sha1Sorted([keys.token, '1764720000', '1514711492', text]) });
    },
  };
  return {
    [`POST ${WEBHOOK}`]: { samples, auth: postAuth },
    [`GET ${WEBHOOK}`]: {
      samples: [{ name: 'server check', encoding: 'form', value: { echostr: '4375120948345356249' } }],
      auth: { inQuery: true, headers: () => query() },
    },
  };
}

function describeMode(mode: string, keys: Keys): void {
  const reply: OutboundMessage = {
    idempotencyKey: 'C0ZHHANS:1715000000.000100',
    platform: 'wechat',
    account: keys.appId,
    contactId: 'fromUser',
    text: '您好，我们马上为您查询。',
  };
  const expectedMessage: InboundMessage = {
    kind: 'message',
    platform: 'wechat',
    eventId: '1234567890123456',
    account: keys.appId,
    contact: { id: 'fromUser' },
    occurredAt: '2012-09-28T11:31:00.000Z',
    messageId: '1234567890123456',
    text: 'this is a test',
    attachments: [],
  };
  channelContract({
    name: `wechat (${mode})`,
    inbound: 'webhook',
    handshake: true,
    expiringToken: true,
    // WeChat pushes carry no reactions. @see https://developers.weixin.qq.com/doc/offiaccount/en/Message_Management/Receiving_standard_messages.html
    reactions: false,
    async setup(deps) {
      const { wechat, channel, config } = await setupWeChat(keys, deps);
      wechat.addMedia('media_id', { data: IMAGE, mimeType: 'image/jpeg' });
      const post = routeOf(channel, 'POST', WEBHOOK);
      const get = routeOf(channel, 'GET', WEBHOOK);
      return {
        channel,
        get secrets() {
          // The access tokens WeChat issued must stay out of logs too.
          return [...wechatFactory.secretsOf(config), ...wechat.issuedTokens];
        },
        fuzz: fuzzOf(keys),
        webhook: {
          handle: post.handle,
          expectedBody: 'success',
          requests: {
            message: () => pushRequest(textPush, keys),
            image: () => pushRequest(imagePush, keys),
            unknownKind: () => pushRequest(menuClickPush, keys),
            ownEcho: () => pushRequest(templateSentPush, keys),
            unreadable: () => pushRequest(contentNotText, keys),
            badSignature: () => pushRequest(textPush, keys, 'notTheToken'),
            missingSignature: () => pushRequest(textPush, keys, null),
            malformed: () => {
              const query = keys.encodingAesKey === undefined ? signWechat(keys.token) : pushRequest(textPush, keys).query.toString();
              return webhookRequest('<xml><ToUserName><![CDATA[toUser]]></ToUserName><Content>', { 'content-type': 'text/xml' }, query);
            },
          },
        },
        handshake: {
          handle: get.handle,
          valid: () => webhookRequest('', {}, signWechat(keys.token, '1714036504', '1514711492', { echostr: '4375120948345356249' })),
          expectedBody: '4375120948345356249',
        },
        expectedMessageEvents: [expectedMessage],
        unknownKind: 'CLICK',
        expectedUnreadable: { contactId: 'fromUser', messageId: '1234567890123456' },
        send: {
          message: reply,
          expectedMessageIds: ['C0ZHHANS:1715000000.000100#0'],
          assertRequest: () => {
            // @see https://developers.weixin.qq.com/doc/service/en/api/customer/message/api_sendcustommessage
            const [call] = wechat.callsOf('send');
            expect(call?.body).toEqual({ touser: 'fromUser', msgtype: 'text', text: { content: '您好，我们马上为您查询。' } });
            expect(call?.query.access_token).toBe(wechat.accessToken);
          },
          failures: failures(wechat),
        },
        token: { fetches: () => wechat.callsOf('token').length, ttlMs: 7200 * 1000 },
        media: { expectedBytes: IMAGE },
        checks: { unreachable: () => wechat.failNext('token', 'network') },
        teardown: () => wechat.close(),
      };
    },
  });
}

describeMode('plaintext mode', PLAIN);
describeMode('safe mode, official sample keys', SAFE);

describe('the WeChat registry entry', () => {
  it('is off when no WECHAT_ variable is set, and names the wrong one otherwise', () => {
    expect(wechatFactory.readConfig({})).toBeUndefined();
    const env = wechatEnv(SAFE, 'https://api.weixin.qq.com');
    expect(() => wechatFactory.readConfig({ ...env, WECHAT_APP_ID: '' })).toThrow(/WECHAT_APP_ID/);
    expect(() => wechatFactory.readConfig({ ...env, WECHAT_APP_SECRET: 'short' })).toThrow(/WECHAT_APP_SECRET/);
    expect(() => wechatFactory.readConfig({ ...env, WECHAT_TOKEN: 'a b' })).toThrow(/WECHAT_TOKEN/);
    expect(() => wechatFactory.readConfig({ ...env, WECHAT_ENCODING_AES_KEY: 'tooShort' })).toThrow(/WECHAT_ENCODING_AES_KEY/);
    expect(() => wechatFactory.readConfig({ ...env, WECHAT_API_ROOT: 'ftp://x' })).toThrow(/WECHAT_API_ROOT/);
    expect(() => wechatFactory.readConfig({ WECHAT_TOKEN: 'spamtest' })).toThrow(/WECHAT_APP_ID/);
  });

  it('defaults to the real API, turns safe mode on with the key, and keeps every secret out of logs', () => {
    const { WECHAT_API_ROOT: _root, ...env } = wechatEnv(SAFE, '');
    const config = wechatFactory.readConfig(env);
    expect(config?.apiRoot).toBe('https://api.weixin.qq.com');
    expect(config?.encodingAesKey).toBe(SAFE.encodingAesKey);
    expect(wechatFactory.readConfig(wechatEnv(PLAIN, 'http://127.0.0.1:1'))?.encodingAesKey).toBeUndefined();
    if (config === undefined) throw new Error('no config');
    expect(wechatFactory.secretsOf(config)).toEqual(expect.arrayContaining([SAFE.appSecret, SAFE.token, SAFE.encodingAesKey]));
  });
});
