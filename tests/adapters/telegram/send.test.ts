import { afterEach, describe, expect, it } from 'vitest';
import { splitText } from '../../../adapters/telegram/send.ts';
import type { OutboundFile, OutboundMessage } from '../../../src/messages.ts';
import { botBlocked, fileTooBig, internalServerError } from '../../fixtures/telegram/api-errors.ts';
import { NOW, setupTelegram, type TelegramTestSetup } from './harness.ts';

const base: OutboundMessage = { idempotencyKey: 'C1:1.1', platform: 'telegram', account: '7777777', contactId: '1111111' };
const bytes = (...values: number[]) => new Uint8Array(values);

describe('splitText', () => {
  it('keeps a text of 4096 characters whole', () => {
    expect(splitText('a'.repeat(4096))).toEqual(['a'.repeat(4096)]);
  });

  it('cuts at the last line break, else the last space, dropping the separator', () => {
    expect(splitText('aaaa\nbb cc', 8)).toEqual(['aaaa', 'bb cc']);
    expect(splitText('aaa bbb ccc', 8)).toEqual(['aaa bbb', 'ccc']);
  });

  it('cuts a word longer than the limit without splitting a surrogate pair', () => {
    expect(splitText('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(splitText('abc😀def', 4)).toEqual(['abc', '😀de', 'f']);
  });

  it('cuts a run of emoji between graphemes, and turns lone surrogates into U+FFFD', () => {
    const family = '👨‍👩‍👧‍👦'; // 11 UTF-16 units
    expect(splitText(family.repeat(3), 25)).toEqual([family.repeat(2), family]);
    expect(splitText('🇰🇷🇯🇵🇫🇷', 6)).toEqual(['🇰🇷', '🇯🇵', '🇫🇷']);
    expect(splitText('ab\uD83Dcd\uDE00', 3)).toEqual(['ab\uFFFD', 'cd\uFFFD']);
  });

  it('skips blank parts', () => {
    expect(splitText(`aaaa\n${' '.repeat(10)}\nbbbb`, 5)).toEqual(['aaaa', 'bbbb']);
  });
});

describe('Telegram send', () => {
  let setup: TelegramTestSetup;
  afterEach(async () => setup.close());

  it('sends plain text without parse_mode, split into parts of at most 4096 characters', async () => {
    setup = await setupTelegram();
    const paragraph = `${'word '.repeat(399)}word`;
    const text = Array.from({ length: 5 }, () => paragraph).join('\n');
    const delivery = await setup.channel.send({ ...base, text });
    const sent = setup.tg.callsOf('sendMessage').map((c) => c.params);
    expect(sent.map((p) => String(p.text).length)).toEqual([3999, 3999, 1999]);
    expect(sent.map((p) => p.text).join('\n')).toBe(text);
    expect(sent.every((p) => p.parse_mode === undefined && p.chat_id === 1111111)).toBe(true);
    expect(delivery).toEqual({ messageIds: ['5001', '5002', '5003'], sentAt: new Date(NOW).toISOString() });
  });

  it('uploads a photo with its bytes, name and the text as caption, replying to the customer message', async () => {
    setup = await setupTelegram();
    const file: OutboundFile = { kind: 'image', fileName: 'label.png', mimeType: 'image/png', data: bytes(137, 80, 78, 71) };
    const delivery = await setup.channel.send({ ...base, text: 'Here is your label', files: [file], replyTo: '1365' });
    const [call] = setup.tg.callsOf('sendPhoto');
    expect(call?.files.photo?.fileName).toBe('label.png');
    expect(call?.files.photo?.data).toEqual(Buffer.from(file.data));
    expect(call?.params).toMatchObject({
      chat_id: '1111111',
      caption: 'Here is your label',
      reply_parameters: { message_id: 1365, allow_sending_without_reply: true },
    });
    expect(setup.tg.callsOf('sendMessage')).toEqual([]);
    expect(delivery.messageIds).toEqual(['5001']);
  });

  it('sends a text longer than a caption first, then the files without caption', async () => {
    setup = await setupTelegram();
    const text = 'x'.repeat(1025);
    const delivery = await setup.channel.send({
      ...base,
      text,
      replyTo: '9',
      files: [{ kind: 'file', fileName: 'a.pdf', data: bytes(1) }],
    });
    expect(setup.tg.calls.map((c) => c.method)).toEqual(['sendMessage', 'sendDocument']);
    expect(setup.tg.callsOf('sendMessage')[0]?.params.reply_parameters).toEqual({ message_id: 9, allow_sending_without_reply: true });
    expect(setup.tg.callsOf('sendDocument')[0]?.params).not.toHaveProperty('caption');
    expect(setup.tg.callsOf('sendDocument')[0]?.params).not.toHaveProperty('reply_parameters');
    expect(delivery.messageIds).toEqual(['5001', '5002']);
  });

  it('picks the Bot API method by file kind', async () => {
    setup = await setupTelegram();
    const files: OutboundFile[] = [
      { kind: 'audio', fileName: 'note.ogg', mimeType: 'audio/ogg', data: bytes(1) },
      { kind: 'audio', fileName: 'song.mp3', mimeType: 'audio/mpeg', data: bytes(2) },
      { kind: 'video', fileName: 'clip.mp4', data: bytes(3) },
      { kind: 'file', fileName: 'sheet.csv', data: bytes(4) },
      { kind: 'image', fileName: 'huge.png', data: new Uint8Array(10 * 1024 * 1024 + 1) },
    ];
    await setup.channel.send({ ...base, files });
    expect(setup.tg.calls.map((c) => c.method)).toEqual(['sendVoice', 'sendAudio', 'sendVideo', 'sendDocument', 'sendDocument']);
    expect(setup.tg.callsOf('sendVideo')[0]?.files.video?.data).toEqual(Buffer.from([3]));
  });

  it('sends only the missing parts when a partly failed send is retried', async () => {
    setup = await setupTelegram();
    const message = {
      ...base,
      text: 'x'.repeat(2000),
      files: [{ kind: 'file', fileName: 'a.pdf', data: bytes(1) }],
    } satisfies OutboundMessage;
    setup.tg.failNext('sendDocument', internalServerError);
    await expect(setup.channel.send(message)).rejects.toMatchObject({ kind: 'transient' });
    const delivery = await setup.channel.send(message);
    expect(setup.tg.calls.map((c) => c.method)).toEqual(['sendMessage', 'sendDocument', 'sendDocument']);
    expect(delivery.messageIds).toEqual(['5001', '5002']);
  });

  it('rejects a message with nothing to send', async () => {
    setup = await setupTelegram();
    await expect(setup.channel.send({ ...base, text: '  ' })).rejects.toMatchObject({ name: 'ChannelError', kind: 'rejected' });
    expect(setup.tg.calls).toEqual([]);
  });

  it('maps a blocked bot to unreachable with the Telegram code', async () => {
    setup = await setupTelegram();
    setup.tg.failNext('sendMessage', botBlocked);
    await expect(setup.channel.send({ ...base, text: 'hi' })).rejects.toMatchObject({ kind: 'unreachable', detail: { platformCode: 403 } });
  });
});

describe('Telegram fetchMedia', () => {
  let setup: TelegramTestSetup;
  afterEach(async () => setup.close());

  it('downloads the file getFile points to, with its type and name', async () => {
    setup = await setupTelegram();
    setup.tg.addFile({ fileId: 'doc-1', filePath: 'documents/file_3.pdf', data: 'PDF!', contentType: 'application/pdf' });
    const file = await setup.channel.fetchMedia({ platform: 'telegram', id: 'doc-1' });
    expect(Buffer.from(file.data).toString()).toBe('PDF!');
    expect(file).toMatchObject({ mimeType: 'application/pdf', fileName: 'file_3.pdf' });
    expect(setup.tg.callsOf('downloadFile').map((c) => c.params)).toEqual([{ file_path: 'documents/file_3.pdf' }]);
  });

  it('maps an unknown file, a refused download, a dropped connection and a file over 20 MB', async () => {
    setup = await setupTelegram();
    const ref = { platform: 'telegram', id: 'doc-1' } as const;
    await expect(setup.channel.fetchMedia(ref)).rejects.toMatchObject({ kind: 'rejected', detail: { platformCode: 400 } });
    setup.tg.addFile({ fileId: 'doc-1', data: 'x' });
    setup.tg.failNext('downloadFile', { status: 502, body: { ok: false, error_code: 502, description: 'Bad Gateway' } });
    await expect(setup.channel.fetchMedia(ref)).rejects.toMatchObject({ kind: 'transient', detail: { platformCode: 502 } });
    setup.tg.failNext('downloadFile', 'network');
    await expect(setup.channel.fetchMedia(ref)).rejects.toMatchObject({ kind: 'transient' });
    setup.tg.failNext('getFile', fileTooBig);
    await expect(setup.channel.fetchMedia(ref)).rejects.toMatchObject({ kind: 'rejected', message: expect.stringContaining('too big') });
    expect(setup.capture.text()).not.toContain(setup.secrets[0]);
  });

  it('refuses a media reference of another platform', async () => {
    setup = await setupTelegram();
    await expect(setup.channel.fetchMedia({ platform: 'whatsapp', id: 'x' })).rejects.toMatchObject({ kind: 'rejected' });
  });
});
