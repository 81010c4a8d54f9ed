/**
 * What `POST /slack/events` refuses from the headers alone, through the real Bolt in HTTP mode: a
 * declared size over the 1 MiB cap (413, signed or not), a timestamp outside Slack's 5-minute window
 * and a missing signature header (401), all answered before the body arrives. A body that streams
 * past the cap is cut off at it (413).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SLACK_MAX_BODY_BYTES } from '../../src/slack/request-checks.ts';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-api.ts';
import { rawClient, type RawClient } from '../support/raw-client.ts';
import { signSlack } from '../support/slack-signing.ts';
import { SIGNING_SECRET, startHarness, type Harness } from './harness.ts';

const now = () => Math.floor(Date.now() / 1000);

describe('POST /slack/events before the body', () => {
  let fake: FakeSlack;
  let h: Harness;
  let server: Server;
  let url: string;
  const sockets: Socket[] = [];
  let port = 0;
  const clients: RawClient[] = [];

  beforeAll(async () => {
    fake = await startFakeSlack();
    h = await startHarness(fake, { mode: 'http' });
    const handler = h.slack.httpHandler;
    server = createServer((req, res) => handler?.(req, res));
    server.on('connection', (socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    url = `http://127.0.0.1:${port}/slack/events`;
  });
  afterAll(async () => {
    for (const client of clients) client.kill();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await h.close();
    await fake.close();
  });

  const post = (body: Buffer, headers: Record<string, string>) =>
    fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

  /**
   * Sends the headers and the first bytes of a body that never ends, and resolves with what the
   * server answered once it closed the connection: an answer that cannot have waited for the body.
   */
  async function answerToUnfinished(headers: Record<string, string>, body: string): Promise<string> {
    const lines = Object.entries({ host: 'slack', 'content-type': 'application/json', ...headers }).map(
      ([name, value]) => `${name}: ${value}\r\n`,
    );
    const client = rawClient(port, `POST /slack/events HTTP/1.1\r\n${lines.join('')}\r\n${body}`);
    clients.push(client);
    await client.closed;
    return client.received();
  }

  it('answers 413 to a declared size over 1 MiB, unsigned or signed, before reading it', async () => {
    const justOver = Buffer.alloc(SLACK_MAX_BODY_BYTES + 1, 0x20);
    const large = Buffer.alloc(4 * 1024 * 1024, 0x20);
    const before = sockets.length;
    const answers = [await post(justOver, {}), await post(large, {}), await post(justOver, signSlack(SIGNING_SECRET, justOver.toString()))];
    expect(answers.map((res) => res.status)).toEqual([413, 413, 413]);
    expect(answers.map((res) => res.headers.get('connection'))).toEqual(['close', 'close', 'close']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const read = sockets.slice(before).reduce((sum, socket) => sum + socket.bytesRead, 0);
    expect(read).toBeLessThan(large.length);
    expect(h.recorded.replies).toEqual([]);
  });

  it('answers 413 to a signed body that streams past 1 MiB without declaring its size, and stops reading it', async () => {
    const chunk = ' '.repeat(SLACK_MAX_BODY_BYTES + 1024);
    // The body never ends, so no signature could hold; the cap is met first.
    const answer = await answerToUnfinished(
      { 'x-slack-signature': 'v0=00', 'x-slack-request-timestamp': String(now()), 'transfer-encoding': 'chunked' },
      `${chunk.length.toString(16)}\r\n${chunk}\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
  });

  it.each([
    ['a timestamp 10 minutes old', { 'x-slack-signature': 'v0=00', 'x-slack-request-timestamp': String(now() - 600) }],
    ['a timestamp an hour ahead', { 'x-slack-signature': 'v0=00', 'x-slack-request-timestamp': String(now() + 3600) }],
    ['a timestamp that is not a number', { 'x-slack-signature': 'v0=00', 'x-slack-request-timestamp': 'soon' }],
    ['no X-Slack-Signature', { 'x-slack-request-timestamp': String(now()) }],
    ['no X-Slack-Request-Timestamp', { 'x-slack-signature': 'v0=00' }],
  ])('answers 401 to %s while the body is still arriving, and closes the connection', async (_name, headers) => {
    const answer = await answerToUnfinished({ ...headers, 'content-length': '1000' }, '{"type": "event_callback", ');
    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
    expect(answer).toMatch(/\r\nconnection: close\r\n/i);
    expect(answer).toMatch(/signature/i);
  });

  it('answers 401 to an unsigned body larger than an SSL check, without waiting for it', async () => {
    expect(await answerToUnfinished({ 'content-length': String(8 * 1024) }, 'ssl_check=1&')).toMatch(/^HTTP\/1\.1 401 /);
    expect(await answerToUnfinished({ 'transfer-encoding': 'chunked' }, `2000\r\n${' '.repeat(0x2000)}\r\n`)).toMatch(/^HTTP\/1\.1 401 /);
  });
});
