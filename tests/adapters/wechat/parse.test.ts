/** Every documented push Threadline handles, as the events it becomes. */
import { describe, expect, it } from 'vitest';
import { parsePush } from '../../../adapters/wechat/parse.ts';
import { readXml } from '../../../adapters/wechat/xml.ts';
import {
  imagePush,
  linkPush,
  locationPush,
  menuClickPush,
  shortVideoPush,
  subscribePush,
  textPush,
  unsubscribePush,
  videoPush,
  voicePush,
  voiceRecognisedPush,
} from '../../fixtures/wechat/pushes.ts';

const APP_ID = 'wx0f3c2d1e4b5a6978';
const parse = (xml: string) => {
  const fields = readXml(xml);
  if (fields === undefined) throw new Error('not XML');
  return parsePush(fields, { account: APP_ID, receivedAt: Date.parse('2026-12-03T10:00:00Z') });
};
const only = (xml: string) => {
  const result = parse(xml);
  if (!('events' in result) || result.events.length !== 1) throw new Error(`expected one event: ${JSON.stringify(result)}`);
  return result.events[0];
};
const base = { platform: 'wechat', account: APP_ID, contact: { id: 'fromUser' } };

describe('parsePush', () => {
  it('reads a text message, keeping the 64-bit MsgId exact as its eventId', () => {
    expect(only(textPush)).toEqual({
      ...base,
      kind: 'message',
      eventId: '1234567890123456',
      messageId: '1234567890123456',
      occurredAt: '2012-09-28T11:31:00.000Z',
      text: 'this is a test',
      attachments: [],
    });
    expect(only(textPush.replace('1234567890123456', '6054768590064713728'))).toMatchObject({ eventId: '6054768590064713728' });
  });

  it('reads pictures, voice (with what speech recognition heard), video and short video as files by MediaId', () => {
    expect(only(imagePush)).toMatchObject({ attachments: [{ kind: 'image', media: { platform: 'wechat', id: 'media_id' } }] });
    expect(only(voicePush)).toMatchObject({ attachments: [{ kind: 'audio', media: { platform: 'wechat', id: 'media_id' } }] });
    expect(only(voicePush)).not.toHaveProperty('text');
    expect(only(voicePush.replace('<![CDATA[Format]]>', '<![CDATA[amr]]>'))).toMatchObject({ attachments: [{ mimeType: 'audio/amr' }] });
    expect(only(voiceRecognisedPush)).toMatchObject({ text: '腾讯微信团队', attachments: [{ kind: 'audio' }] });
    expect(only(videoPush)).toMatchObject({ attachments: [{ kind: 'video', media: { id: 'media_id' } }] });
    expect(only(shortVideoPush)).toMatchObject({ attachments: [{ kind: 'video', media: { id: 'media_id' } }] });
  });

  it('reads a location as a place (shown with a map link) and a link as its title, description and URL', () => {
    expect(only(locationPush)).toMatchObject({
      attachments: [{ kind: 'location', latitude: 23.134521, longitude: 113.358803, name: '位置信息' }],
    });
    expect(only(linkPush)).toMatchObject({ text: '公众平台官网链接\n公众平台官网链接\nurl', attachments: [] });
  });

  it('turns follow and unfollow into contact status keyed by sender and CreateTime, so a retry is the same event', () => {
    expect(only(subscribePush)).toEqual({
      platform: 'wechat',
      account: APP_ID,
      contact: { id: 'FromUser' },
      kind: 'contact_status',
      status: 'unblocked',
      eventId: 'FromUser:123456789:subscribe',
      occurredAt: '1973-11-29T21:33:09.000Z',
    });
    expect(only(unsubscribePush)).toMatchObject({ kind: 'contact_status', status: 'blocked', eventId: 'FromUser:123456789:unsubscribe' });
  });

  it('names what it does not mirror, and refuses what is not a push', () => {
    expect(parse(menuClickPush)).toEqual({ events: [], unknown: 'event CLICK' });
    expect(parse(textPush.replace('<![CDATA[text]]>', '<![CDATA[miniprogrampage]]>'))).toEqual({
      events: [],
      unknown: 'message miniprogrampage',
    });
    expect(parse('<xml><MsgType>text</MsgType></xml>')).toEqual({ invalid: 'no FromUserName' });
    expect(parse('<xml><FromUserName>fromUser</FromUserName></xml>')).toEqual({ invalid: 'no MsgType' });
  });

  it('marks a message it cannot read as unreadable, never dropping it', () => {
    for (const xml of [
      textPush.replace('<Content><![CDATA[this is a test]]></Content>', ''),
      textPush.replace('<![CDATA[this is a test]]>', '<![CDATA[   ]]>'),
      imagePush.replace('<MediaId><![CDATA[media_id]]></MediaId>', ''),
      locationPush.replace('23.134521', 'north'),
      textPush.replace('1348831860', 'yesterday'),
    ]) {
      const event = only(xml);
      expect(event).toMatchObject({
        kind: 'message',
        contact: { id: 'fromUser' },
        attachments: [],
        unreadable: { reason: expect.any(String) },
      });
      expect(event).not.toHaveProperty('text');
    }
  });
});
