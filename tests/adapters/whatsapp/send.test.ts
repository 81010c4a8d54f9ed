import { afterEach, describe, expect, it } from 'vitest';
import type { MetaChannel } from '../../../adapters/meta/index.ts';
import { splitText } from '../../../adapters/whatsapp/send.ts';
import { memoryState } from '../../contract/channel-contract.ts';
import type { FakeGraphApi } from '../../fakes/graph-api.ts';
import { PHONE_NUMBER_ID, WA_ID } from '../../fixtures/whatsapp/webhooks.ts';
import { captureLogger } from '../../support/capture-logger.ts';
import { setupMeta } from './harness.ts';

let graph: FakeGraphApi | undefined;
afterEach(async () => graph?.close());

async function channel(): Promise<MetaChannel> {
  const setup = await setupMeta({ logger: captureLogger().logger, state: memoryState(), now: () => 0 });
  graph = setup.graph;
  return setup.group.channels[0] as MetaChannel;
}

const reply = { idempotencyKey: 'C1:1.1', platform: 'whatsapp' as const, account: PHONE_NUMBER_ID, contactId: WA_ID };
const file = (kind: 'image' | 'file', fileName: string, mimeType: string) => ({
  kind,
  fileName,
  mimeType,
  data: new TextEncoder().encode(`bytes of ${fileName}`),
});

describe('WhatsApp send', () => {
  it('uploads a file first and sends it by media id, with the text as its caption', async () => {
    const wa = await channel();
    const delivery = await wa.send({ ...reply, text: 'Here is the label', files: [file('image', 'label.png', 'image/png')] });
    expect(delivery.messageIds).toEqual(['wamid.FAKE0001']);
    // @see https://developers.facebook.com/documentation/business-messaging/whatsapp/business-phone-numbers/media#upload-media
    expect(graph!.callsOf('media-upload').map((c) => c.body)).toEqual([
      { messaging_product: 'whatsapp', type: 'image/png', file: { fileName: 'label.png', size: 18, type: 'image/png' } },
    ]);
    // @see https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/image-messages/
    expect(graph!.callsOf('messages').map((c) => c.body)).toEqual([
      {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: WA_ID,
        type: 'image',
        image: { id: '9001', caption: 'Here is the label' },
      },
    ]);
  });

  it('sends other files as documents with their name, and a long text in parts', async () => {
    const wa = await channel();
    const text = `${'a'.repeat(3000)} ${'b'.repeat(3000)}`;
    const delivery = await wa.send({ ...reply, text, files: [file('image', 'drawing.svg', 'image/svg+xml')] });
    expect(delivery.messageIds).toHaveLength(3);
    const bodies = graph!.callsOf('messages').map((c) => c.body);
    expect(bodies.map((b) => b.type)).toEqual(['text', 'text', 'document']);
    expect(bodies[2]).toMatchObject({ document: { id: '9001', filename: 'drawing.svg' } });
    expect(splitText(text)).toEqual(['a'.repeat(3000), 'b'.repeat(3000)]);
  });

  it('sends only the missing parts when a send is retried', async () => {
    const wa = await channel();
    graph!.failNext('media-upload', {
      status: 500,
      body: { error: { message: 'Something went wrong', type: 'OAuthException', code: 131000 } },
    });
    const message = { ...reply, text: 'x'.repeat(2000), files: [file('file', 'a.pdf', 'application/pdf')] };
    await expect(wa.send(message)).rejects.toMatchObject({ kind: 'transient' });
    const delivery = await wa.send(message);
    expect(delivery.messageIds).toEqual(['wamid.FAKE0001', 'wamid.FAKE0002']);
    expect(graph!.callsOf('messages').map((c) => c.body.type)).toEqual(['text', 'document']);
  });

  it('refuses to send to a group, naming why', async () => {
    const wa = await channel();
    await expect(wa.send({ ...reply, contactId: 'group:abc', text: 'hi' })).rejects.toMatchObject({ kind: 'rejected' });
  });
});
