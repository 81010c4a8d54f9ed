/**
 * The WeChat Official Account channel: signed XML pushes to /webhooks/wechat in (plaintext,
 * compatible or safe mode), customer-service messages out. A push is answered `success` as soon as
 * its events are journaled, well within WeChat's 5 seconds; the agent's reply goes out later
 * through the customer-service API.
 * @see https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/Access_Overview.html
 * @see https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Message_encryption_and_decryption_instructions.html
 */
import { WECHAT_FACTS } from './facts.ts';
import type { Channel, ChannelDeps, ChannelFactory, Logger, WebhookRequest, WebhookResult, WebhookRoute } from '../../src/channel.ts';
import { createWeChatApi } from './api.ts';
import { checkWeChat } from './check.ts';
import { readConfig, WEBHOOK_PATH, type WeChatConfig } from './config.ts';
import { decryptMessage } from './crypto.ts';
import { parsePush } from './parse.ts';
import { createSender, MAX_TEXT_BYTES } from './send.ts';
import { isValidSignature } from './signature.ts';
import { readXml, textField, type XmlFields } from './xml.ts';

export type { WeChatConfig } from './config.ts';

/** What every accepted push is answered with: WeChat then neither retries nor shows the user an error. */
export const SUCCESS = 'success';

export function createWeChatChannel(config: WeChatConfig, deps: ChannelDeps): Channel {
  const log = deps.logger;
  const api = createWeChatApi({
    apiRoot: config.apiRoot,
    appId: config.appId,
    appSecret: config.appSecret,
    state: deps.state,
    now: deps.now,
  });
  const sender = createSender({ api, state: deps.state, now: deps.now });
  const warned = new Set<string>();
  const push = (request: WebhookRequest) => handlePush(request, config, deps, warned);

  return {
    platform: 'wechat',
    facts: WECHAT_FACTS,
    limits: {
      maxTextLength: MAX_TEXT_BYTES,
      // Temporary media: images up to 10 MB, voice 2 MB, video 10 MB. @see https://developers.weixin.qq.com/doc/offiaccount/Asset_Management/New_temporary_materials.html
      maxFileBytes: 10 * 1024 * 1024,
      // Customer-service messages: within 48 hours of the customer's last message.
      replyWindowHours: 48,
    },
    routes: [
      { method: 'GET', path: WEBHOOK_PATH, handle: async (request) => verifyServer(request, config) },
      { method: 'POST', path: WEBHOOK_PATH, handle: push },
    ] satisfies WebhookRoute[],
    async start() {
      await api.tokens.current();
      log.info(
        { appId: config.appId, mode: config.encodingAesKey === undefined ? 'plaintext' : 'safe or compatible' },
        'WeChat channel started',
      );
    },
    async stop() {},
    send: (message) => sender.send(message),
    fetchMedia: (ref) => sender.fetchMedia(ref),
    check: () => checkWeChat(api, config),
  };
}

/** `GET ?signature&timestamp&nonce&echostr`: WeChat checking the server URL; echo `echostr` when the signature is ours. */
function verifyServer(request: WebhookRequest, config: WeChatConfig): WebhookResult {
  const q = request.query;
  if (!isValidSignature(q.get('signature'), [config.token, q.get('timestamp') ?? '', q.get('nonce') ?? '']))
    return { status: 401, reason: 'bad signature' };
  const echostr = q.get('echostr');
  if (echostr === null) return { status: 400, reason: 'no echostr' };
  return { status: 200, events: [], body: echostr };
}

async function handlePush(request: WebhookRequest, config: WeChatConfig, deps: ChannelDeps, warned: Set<string>): Promise<WebhookResult> {
  const q = request.query;
  const timestamp = q.get('timestamp') ?? '';
  const nonce = q.get('nonce') ?? '';
  if (!isValidSignature(q.get('signature'), [config.token, timestamp, nonce])) return { status: 401, reason: 'bad signature' };
  const outer = readXml(request.rawBody.toString('utf8'));
  if (outer === undefined) return { status: 400, reason: 'not a WeChat XML push' };
  const opened = pushFields(outer, q, config, deps.logger, warned);
  if ('status' in opened) return opened;
  const parsed = parsePush(opened.fields, { account: config.appId, receivedAt: deps.now() });
  if ('invalid' in parsed) return { status: 400, reason: parsed.invalid };
  if (parsed.unknown !== undefined) {
    if (!warned.has(parsed.unknown)) {
      warned.add(parsed.unknown);
      deps.logger.warn({ kind: parsed.unknown }, `WeChat ${parsed.unknown} is not mirrored; acknowledged (logged once per kind)`);
    } else deps.logger.debug({ kind: parsed.unknown }, 'WeChat push acknowledged, not mirrored');
  }
  deps.logger.debug({ events: parsed.events.length, encrypted: opened.encrypted }, 'WeChat push');
  return { status: 200, events: parsed.events, body: SUCCESS, contentType: 'text/plain; charset=utf-8' };
}

/**
 * The push's own fields: as sent in plaintext mode, or decrypted from `Encrypt` in compatible and
 * safe mode, after checking `msg_signature` and that the message was sent for WECHAT_APP_ID.
 */
function pushFields(
  outer: XmlFields,
  q: URLSearchParams,
  config: WeChatConfig,
  log: Logger,
  warned: Set<string>,
): { readonly fields: XmlFields; readonly encrypted: boolean } | { readonly status: 400 | 401; readonly reason: string } {
  const encrypt = textField(outer, 'Encrypt');
  const aes = q.get('encrypt_type') === 'aes';
  if (encrypt === undefined) return aes ? { status: 400, reason: 'encrypt_type=aes without Encrypt' } : { fields: outer, encrypted: false };
  if (typeof encrypt !== 'string' || encrypt === '') return { status: 400, reason: 'Encrypt is not text' };
  if (config.encodingAesKey === undefined) {
    // Compatible mode also sends the plaintext fields; safe mode sends only the ciphertext.
    if (textField(outer, 'MsgType') !== undefined) return { fields: outer, encrypted: false };
    if (!warned.has('no-aes-key')) {
      warned.add('no-aes-key');
      log.error(
        'WeChat sent an encrypted push but WECHAT_ENCODING_AES_KEY is unset: set it to the EncodingAESKey of the server configuration',
      );
    }
    return { status: 400, reason: 'encrypted push, WECHAT_ENCODING_AES_KEY unset' };
  }
  // WeChat names the scheme of every encrypted push; an Encrypt without it is not one of its pushes.
  if (!aes) return { status: 400, reason: 'Encrypt without encrypt_type=aes' };
  if (!isValidSignature(q.get('msg_signature'), [config.token, q.get('timestamp') ?? '', q.get('nonce') ?? '', encrypt]))
    return { status: 401, reason: 'bad msg_signature' };
  const decrypted = decryptMessage(encrypt, config.encodingAesKey, config.appId);
  if (!decrypted.ok) {
    if (decrypted.reason === 'appid') return { status: 401, reason: 'encrypted for another AppID' };
    return { status: 400, reason: 'Encrypt does not decrypt with WECHAT_ENCODING_AES_KEY' };
  }
  const inner = readXml(decrypted.message);
  if (inner === undefined) return { status: 400, reason: 'the decrypted push is not XML' };
  return { fields: inner, encrypted: true };
}

/**
 * Registry entry for WeChat Official Accounts.
 * @see https://developers.weixin.qq.com/doc/offiaccount/Getting_Started/Overview.html
 */
export const wechatFactory: ChannelFactory<WeChatConfig> = {
  platform: 'wechat',
  readConfig,
  secretsOf: (config) => [config.appSecret, config.token, ...(config.encodingAesKey === undefined ? [] : [config.encodingAesKey])],
  create: (config, deps) => createWeChatChannel(config, deps),
};
