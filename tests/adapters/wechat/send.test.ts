/** Agents' replies → customer-service messages, through the real client against the WeChat API fake. */
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_TEXT_BYTES, splitUtf8 } from '../../../adapters/wechat/send.ts';
import { ChannelError } from '../../../src/errors.ts';
import type { Channel } from '../../../src/channel.ts';
import type { OutboundMessage } from '../../../src/messages.ts';
import { memoryState } from '../../contract/channel-contract.ts';
import type { FakeWeChatApi } from '../../fakes/wechat-api.ts';
import { invalidMediaId, systemBusy } from '../../fixtures/wechat/api-errors.ts';
import { captureLogger } from '../../support/capture-logger.ts';
import { PLAIN, setupWeChat } from './harness.ts';

const OPENID = 'oMainland_7q2vXk9cR4tYb1';
let wechat: FakeWeChatApi | undefined;
afterEach(async () => wechat?.close());

async function channel(): Promise<Channel> {
  const setup = await setupWeChat(PLAIN, { logger: captureLogger().logger, state: memoryState(Date.now, 'wechat'), now: Date.now });
  wechat = setup.wechat;
  return setup.channel;
}

const message = (extra: Partial<OutboundMessage>): OutboundMessage => ({
  idempotencyKey: 'C0ZH:1715000000.000200',
  platform: 'wechat',
  account: PLAIN.appId,
  contactId: OPENID,
  ...extra,
});
const file = (kind: 'image' | 'audio' | 'video' | 'file', fileName: string, mimeType: string) => ({
  kind,
  fileName,
  mimeType,
  data: new Uint8Array([1, 2, 3, 4]),
});

describe('sending to WeChat', () => {
  it('uploads images, voice and video as temporary media, then sends each by media_id after the text', async () => {
    const wechatChannel = await channel();
    const delivery = await wechatChannel.send(
      message({
        text: '这是照片、录音和视频。',
        files: [
          file('image', 'box.jpg', 'image/jpeg'),
          file('audio', 'note.mp3', 'audio/mpeg'),
          file('video', 'unboxing.mp4', 'video/mp4'),
        ],
      }),
    );
    expect(delivery.messageIds).toHaveLength(4);
    expect(wechat!.callsOf('upload').map((c) => [c.query.type, (c.body.media as { fileName?: string }).fileName])).toEqual([
      ['image', 'box.jpg'],
      ['voice', 'note.mp3'],
      ['video', 'unboxing.mp4'],
    ]);
    expect(wechat!.callsOf('send').map((c) => c.body)).toEqual([
      { touser: OPENID, msgtype: 'text', text: { content: '这是照片、录音和视频。' } },
      { touser: OPENID, msgtype: 'image', image: { media_id: 'FAKE_MEDIA_1' } },
      { touser: OPENID, msgtype: 'voice', voice: { media_id: 'FAKE_MEDIA_2' } },
      { touser: OPENID, msgtype: 'video', video: { media_id: 'FAKE_MEDIA_3' } },
    ]);
  });

  it('refuses a reply with a file WeChat cannot carry before sending any of it, naming the file', async () => {
    const wechatChannel = await channel();
    const error = await wechatChannel
      .send(
        message({ text: '发票在附件里', files: [file('image', 'box.jpg', 'image/jpeg'), file('file', 'invoice.pdf', 'application/pdf')] }),
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChannelError);
    expect(error).toMatchObject({ kind: 'rejected' });
    expect((error as ChannelError).message).toContain('invoice.pdf');
    expect((error as ChannelError).message).toContain('cannot carry files');
    expect(wechat!.calls.filter((c) => c.endpoint !== 'token')).toEqual([]);
  });

  it('splits a long text into parts of at most 2048 UTF-8 bytes, never inside a character', async () => {
    const wechatChannel = await channel();
    const text = '您好，'.repeat(400);
    await wechatChannel.send(message({ text }));
    const parts = wechat!.callsOf('send').map((c) => (c.body.text as { content: string }).content);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(Buffer.byteLength(part)).toBeLessThanOrEqual(MAX_TEXT_BYTES);
    expect(parts.join('')).toBe(text);
    expect(splitUtf8('a b', 2)).toEqual(['a', 'b']);
  });

  it('sends only what is missing when a retry follows a part that failed', async () => {
    const wechatChannel = await channel();
    const reply = message({ text: '请看照片', files: [file('image', 'box.jpg', 'image/jpeg')] });
    wechat!.failNext('upload', systemBusy);
    await expect(wechatChannel.send(reply)).rejects.toMatchObject({ kind: 'transient' });
    await wechatChannel.send(reply);
    expect(wechat!.callsOf('send').map((c) => c.body.msgtype)).toEqual(['text', 'image']);
  });

  it('downloads pictures and voice as files, and a video through the URL WeChat gives for it', async () => {
    const wechatChannel = await channel();
    wechat!.addMedia('PHOTO', { data: new Uint8Array([9, 9]), mimeType: 'image/jpeg' });
    wechat!.addMedia('CLIP', { data: new Uint8Array([7, 7, 7]), mimeType: 'video/mp4' });
    expect(await wechatChannel.fetchMedia({ platform: 'wechat', id: 'PHOTO' })).toEqual({
      data: new Uint8Array([9, 9]),
      mimeType: 'image/jpeg',
      fileName: 'PHOTO.jpeg',
    });
    expect((await wechatChannel.fetchMedia({ platform: 'wechat', id: 'CLIP' })).data).toEqual(new Uint8Array([7, 7, 7]));
    expect(wechat!.callsOf('video')).toHaveLength(1);
    wechat!.failNext('media', invalidMediaId);
    await expect(wechatChannel.fetchMedia({ platform: 'wechat', id: 'PHOTO' })).rejects.toMatchObject({ kind: 'rejected' });
  });

  it('honours WECHAT_API_ROOT in every call', async () => {
    const wechatChannel = await channel();
    wechat!.addMedia('PHOTO', { data: new Uint8Array([9]), mimeType: 'image/jpeg' });
    await wechatChannel.send(message({ text: 'hi', files: [file('image', 'a.png', 'image/png')] }));
    await wechatChannel.fetchMedia({ platform: 'wechat', id: 'PHOTO' });
    await wechatChannel.check?.();
    expect(new Set(wechat!.calls.map((c) => c.endpoint))).toEqual(new Set(['token', 'upload', 'send', 'media']));
  });
});
