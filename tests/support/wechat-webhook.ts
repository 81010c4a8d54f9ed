/** Posts pushes to a running service's /webhooks/wechat as WeChat does (signed in the URL; encrypted in safe mode). */
import { readXml, writeXml } from '../../adapters/wechat/xml.ts';
import { encryptedPush, signWechat } from './wechat-signing.ts';

export interface WeChatKeys {
  readonly appId: string;
  readonly token: string;
  readonly encodingAesKey?: string;
}

/** POSTs `xml` (encrypted when the keys have an EncodingAESKey); resolves with the status and body. */
export async function postWeChat(
  service: { readonly baseUrl: string },
  xml: string,
  keys: WeChatKeys,
  options: { readonly signWith?: string; readonly nonce?: string } = {},
): Promise<{ status: number; body: string }> {
  const token = options.signWith ?? keys.token;
  const nonce = options.nonce ?? '1514711492';
  const push =
    keys.encodingAesKey === undefined
      ? { body: xml, query: signWechat(token, '1764720000', nonce) }
      : encryptedPush(xml, { token, encodingAesKey: keys.encodingAesKey, appId: keys.appId }, '1764720000', nonce);
  return post(service, push.body, push.query);
}

/** POSTs a body exactly as given, with the query string as given. */
export async function post(service: { readonly baseUrl: string }, body: string, query: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`${service.baseUrl}/webhooks/wechat?${query}`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body,
  });
  return { status: response.status, body: await response.text() };
}

/** A customer's text message, in the documented shape. Source: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_standard_messages.html */
export function textFrom(openId: string, msgId: string, content: string, createTime = 1764720000): string {
  return `<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><FromUserName><![CDATA[${openId}]]></FromUserName><CreateTime>${createTime}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${msgId}</MsgId></xml>`;
}

/** A follow or unfollow event. Source: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_event_pushes.html */
export function eventFrom(openId: string, event: 'subscribe' | 'unsubscribe', createTime = 1764720000): string {
  return `<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><FromUserName><![CDATA[${openId}]]></FromUserName><CreateTime>${createTime}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[${event}]]></Event></xml>`;
}

/** A picture. Source: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_standard_messages.html */
export function imageFrom(openId: string, msgId: string, mediaId: string, createTime = 1764720000): string {
  return `<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><FromUserName><![CDATA[${openId}]]></FromUserName><CreateTime>${createTime}</CreateTime><MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://mmbiz.qpic.cn/mmbiz/placeholder]]></PicUrl><MediaId><![CDATA[${mediaId}]]></MediaId><MsgId>${msgId}</MsgId></xml>`;
}

/** Any documented push with the sender, id and time replaced (read and written back as XML). */
export function asFrom(fixture: string, openId: string, msgId: string, createTime = 1764720000): string {
  const fields = readXml(fixture);
  if (fields === undefined) throw new Error('the fixture is not XML');
  const strings = Object.fromEntries(Object.entries(fields).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  return writeXml({ ...strings, FromUserName: openId, MsgId: msgId, CreateTime: createTime });
}
