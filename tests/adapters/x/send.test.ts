import { afterEach, describe, expect, it } from 'vitest';
import { splitText } from '../../../adapters/x/send.ts';
import { ChannelError } from '../../../src/errors.ts';
import type { OutboundMessage } from '../../../src/messages.ts';
import { account, customer, serviceUnavailable } from '../../fixtures/x/dm-events.ts';
import { setupX, type XTestSetup } from './harness.ts';

const base: OutboundMessage = { idempotencyKey: 'C1:1.000', platform: 'x', account: account.id, contactId: customer.id };
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 1, 2, 3]);

describe('X sending', () => {
  let setup: XTestSetup | undefined;
  afterEach(async () => {
    await setup?.close();
    setup = undefined;
  });

  it('uploads an image through initialize, append and finalize, then sends it with the text in one DM', async () => {
    setup = await setupX();
    const delivery = await setup.channel.send({
      ...base,
      text: 'Here is the label',
      files: [{ kind: 'image', fileName: 'label.jpg', mimeType: 'image/jpeg', data: JPEG }],
    });
    const [init] = setup.x.callsOf('media/initialize');
    // @see https://docs.x.com/x-api/media/media-upload (media_category dm_image)
    expect(init?.body).toEqual({ media_type: 'image/jpeg', total_bytes: JPEG.length, media_category: 'dm_image' });
    const mediaId = [...setup.x.uploads.keys()][0] ?? '';
    expect(setup.x.uploads.get(mediaId)?.data.equals(Buffer.from(JPEG))).toBe(true);
    expect(setup.x.callsOf('media/finalize')).toHaveLength(1);
    expect(setup.x.callsOf('send').map((c) => c.body)).toEqual([{ text: 'Here is the label', attachments: [{ media_id: mediaId }] }]);
    expect(delivery.messageIds).toHaveLength(1);
  });

  it('splits a text longer than 10,000 characters into several DMs', () => {
    const parts = splitText(`${'a'.repeat(9_000)}\n${'b'.repeat(9_000)}`);
    expect(parts.map((p) => p.length)).toEqual([9_000, 9_000]);
    expect(splitText('x'.repeat(25_000)).map((p) => p.length)).toEqual([10_000, 10_000, 5_000]);
  });

  it('refuses files X DMs cannot carry before sending anything', async () => {
    setup = await setupX();
    const error = await setup.channel
      .send({ ...base, text: 'see attached', files: [{ kind: 'file', fileName: 'invoice.pdf', mimeType: 'application/pdf', data: JPEG }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChannelError);
    expect(error).toMatchObject({ kind: 'rejected', message: expect.stringContaining('invoice.pdf') });
    expect(setup.x.calls.filter((c) => c.route !== 'users/me')).toEqual([]);
  });

  it('on a retry after a partial failure, sends only the parts that are missing', async () => {
    setup = await setupX();
    const long = 'a'.repeat(10_000);
    const message: OutboundMessage = {
      ...base,
      text: `${long}\ntail`,
      files: [{ kind: 'image', fileName: 'a.jpg', mimeType: 'image/jpeg', data: JPEG }],
    };
    // The first DM (the text's first 10,000 characters) goes; the upload for the second fails.
    setup.x.failNext('media/initialize', { status: 503, body: serviceUnavailable });
    await expect(setup.channel.send(message)).rejects.toMatchObject({ kind: 'transient' });
    const delivery = await setup.channel.send(message);
    expect(delivery.messageIds).toHaveLength(2);
    expect(setup.x.callsOf('send').map((c) => (c.body as { text?: string }).text)).toEqual([long, 'tail']);
  });
});
