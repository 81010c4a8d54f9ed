import { describe, expect, it } from 'vitest';
import { parseDmEvent, type ParseContext } from '../../../adapters/x/parse.ts';
import { account, customer, photoEvent, photoMedia, textEvent } from '../../fixtures/x/dm-events.ts';
import { setupX, waitForCursor, waitForFirstPoll } from './harness.ts';

const ctx = (media: ParseContext['media'] = new Map()): ParseContext => ({
  account: account.id,
  users: new Map([[customer.id, customer]]),
  media,
  receivedAt: Date.parse('2024-01-01T00:00:00Z'),
});

// Source: https://docs.x.com/x-api/fundamentals/data-dictionary (Media: type video/animated_gif, variants with bit_rate, content_type, url)
const video = {
  media_key: '7_1582838499983564902',
  type: 'video',
  preview_image_url: 'https://pbs.twimg.com/ext_tw_video_thumb/1582838499983564902/pu/img/thumb.jpg',
  variants: [
    { content_type: 'application/x-mpegURL', url: 'https://video.twimg.com/dm_video/1582838499983564902/pl/list.m3u8' },
    { bit_rate: 256000, content_type: 'video/mp4', url: 'https://video.twimg.com/dm_video/1582838499983564902/vid/480x270/low.mp4' },
    { bit_rate: 2176000, content_type: 'video/mp4', url: 'https://video.twimg.com/dm_video/1582838499983564902/vid/1280x720/high.mp4' },
  ],
};
const gif = {
  media_key: '16_1582838499983564903',
  type: 'animated_gif',
  variants: [{ bit_rate: 0, content_type: 'video/mp4', url: 'https://video.twimg.com/dm_gif/1582838499983564903/cat.mp4' }],
};

describe('parseDmEvent', () => {
  it('brings photos as images, videos as their best MP4, GIFs as videos', () => {
    const event = { ...photoEvent, attachments: { media_keys: [photoMedia.media_key, video.media_key, gif.media_key] } };
    const media = new Map<string, never>([
      [photoMedia.media_key, photoMedia as never],
      [video.media_key, video as never],
      [gif.media_key, gif as never],
    ]);
    const result = parseDmEvent(event, ctx(media));
    expect(result.outcome === 'message' && result.event.attachments).toEqual([
      { kind: 'image', media: { platform: 'x', id: photoMedia.url }, mimeType: 'image/jpeg' },
      { kind: 'video', media: { platform: 'x', id: video.variants[2]?.url }, mimeType: 'video/mp4' },
      { kind: 'video', media: { platform: 'x', id: gif.variants[0]?.url }, mimeType: 'video/mp4' },
    ]);
  });

  it('shows a media-only message whose media X did not describe as unreadable, never as nothing', () => {
    const { text: _, ...noText } = photoEvent;
    const result = parseDmEvent(noText, ctx());
    expect(result).toMatchObject({
      outcome: 'message',
      event: { unreadable: { kind: 'MessageCreate', reason: 'an attachment X did not describe' } },
    });
  });

  it('takes the customer from the conversation id, and the time from created_at', () => {
    const result = parseDmEvent(textEvent, ctx());
    expect(result).toMatchObject({
      outcome: 'message',
      ownSend: false,
      event: { contact: { id: customer.id, handle: 'annb' }, occurredAt: textEvent.created_at },
    });
  });
});

describe('X profiles', () => {
  it('looks a customer up once when X did not include them, then reads the cache', async () => {
    const setup = await setupX();
    await setup.channel.start(setup.intake);
    await waitForFirstPoll(setup.state);
    // Our own DMs from the X app: includes.users names only the sender (us), so the customer is looked up.
    const dm = (text: string) => ({
      event_type: 'MessageCreate',
      text,
      sender_id: account.id,
      dm_conversation_id: `${customer.id}-${account.id}`,
    });
    setup.x.pushEvent(dm('first from the app'));
    const second = setup.x.pushEvent(dm('second from the app'));
    await waitForCursor(setup.state, String(second.id));
    const third = setup.x.pushEvent(dm('third from the app'));
    await waitForCursor(setup.state, String(third.id));
    expect(setup.x.callsOf('users').map((call) => call.query)).toEqual([
      { ids: customer.id, 'user.fields': 'name,username,profile_image_url' },
    ]);
    expect(setup.accepted.map((e) => e.contact)).toEqual(
      Array(3).fill({ id: customer.id, name: customer.name, handle: customer.username, avatarUrl: customer.profile_image_url }),
    );
    await setup.close();
  });
});
