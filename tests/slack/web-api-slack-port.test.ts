/**
 * The Web API SlackPort through the real WebClient (built by createSlackApp) against the fake Slack: assert
 * what a Slack user sees in the channel and thread.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationView, CustomerPost, SlackPort } from '../../src/engine/slack-port.ts';
import { createSlackApp } from '../../src/slack/bolt.ts';
import { createPacer } from '../../src/slack/pacing.ts';
import { TELEGRAM_FACTS } from '../../adapters/telegram/facts.ts';
import { createWebApiSlackPort } from '../../src/slack/web-api-slack-port.ts';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-api.ts';
import { captureLogger } from '../support/capture-logger.ts';
import { BOT_TOKEN, SIGNING_SECRET } from './harness.ts';

const CHANNEL = 'C0SUPPORTKO';

const view = (fields: Partial<ConversationView> = {}): ConversationView => ({
  conversationId: 'telegram:777:42',
  platform: 'telegram',
  contact: { id: '42', name: 'Min-jun Kim', handle: 'minjun' },
  language: 'ko',
  status: 'waiting',
  openedAt: '2025-11-25T06:00:00.000Z',
  ...fields,
});

describe('Web API SlackPort against the fake Slack', () => {
  let fake: FakeSlack;
  let port: SlackPort;
  let clock = 0;
  const slept: number[] = [];
  const logs = captureLogger();
  let n = 0;
  const marker = () => ({ key: `event-${++n}` });
  const post = (threadTs: string, fields: Partial<CustomerPost> = {}): CustomerPost => ({
    thread: { slackChannelId: CHANNEL, threadTs },
    author: { name: 'Min-jun Kim (Telegram)', avatarUrl: 'https://cdn.example/minjun.jpg' },
    text: 'Where is my order?',
    files: [],
    marker: marker(),
    ...fields,
  });

  beforeAll(async () => {
    fake = await startFakeSlack({ botToken: BOT_TOKEN });
    const { client } = createSlackApp({
      botToken: BOT_TOKEN,
      signingSecret: SIGNING_SECRET,
      apiUrl: fake.apiUrl,
      logger: logs.logger,
      retryConfig: { retries: 0 },
    });
    // Time is injected: sleeping advances the clock, so pacing and Retry-After never wait for real.
    const pacer = createPacer({
      now: () => clock,
      sleep: async (ms) => {
        slept.push(ms);
        clock += ms;
      },
      logger: logs.logger,
    });
    port = createWebApiSlackPort({ client, pacer, botToken: BOT_TOKEN, logger: logs.logger, now: () => clock, presenceTtlMs: 60_000 });
  });
  afterAll(async () => {
    await fake.close();
  });

  it('posts the parent with blocks and the marker in metadata, and finds it again by the marker', async () => {
    const m = marker();
    const ts = await port.postParent(CHANNEL, view(), m);
    const parent = fake.message(CHANNEL, ts);
    expect(parent?.metadata).toEqual({ event_type: 'threadline_post', event_payload: { key: m.key } });
    expect(parent?.text).toContain('Waiting for reply');
    expect(JSON.stringify(parent?.blocks)).toContain('threadline_assign');
    expect(await port.findPosted(CHANNEL, undefined, m)).toBe(ts);
    expect(await port.findPosted(CHANNEL, undefined, { key: 'never-posted' })).toBeUndefined();
    const history = fake.calls.filter((c) => c.method === 'conversations.history').at(-1);
    expect(history?.args).toMatchObject({ include_all_metadata: 'true', limit: '200' });
  });

  it("posts a customer message in the thread under the customer's name and picture, escaped, and finds it", async () => {
    const threadTs = await port.postParent(CHANNEL, view(), marker());
    const p = post(threadTs, { text: 'Is <!channel> & <b>this</b> free?' });
    const ts = await port.postCustomerMessage(p);
    const message = fake.message(CHANNEL, ts);
    expect(message).toMatchObject({ thread_ts: threadTs, username: 'Min-jun Kim (Telegram)', icon_url: 'https://cdn.example/minjun.jpg' });
    expect(message?.text).toBe('Is &lt;!channel&gt; &amp; &lt;b&gt;this&lt;/b&gt; free?');
    expect(await port.findPosted(CHANNEL, { slackChannelId: CHANNEL, threadTs }, p.marker)).toBe(ts);
  });

  it("escapes Slack's control sequences in the customer's name as in their text, within 80 characters", async () => {
    const threadTs = await port.postParent(CHANNEL, view(), marker());
    const named = async (name: string) =>
      fake.message(CHANNEL, await port.postCustomerMessage(post(threadTs, { author: { name } })))?.username;
    expect(await named('<!channel> Tom & Jerry <@U0ADMIN> <#C0OTHER>')).toBe(
      '&lt;!channel&gt; Tom &amp; Jerry &lt;@U0ADMIN&gt; &lt;#C0OTHER&gt;',
    );
    expect(await named('<!subteam^S0123|@support> <!here> <!everyone>')).toBe(
      '&lt;!subteam^S0123|@support&gt; &lt;!here&gt; &lt;!everyone&gt;',
    );
    // Cut before an escape that would not fit whole, never inside it, and say that it was cut.
    expect(await named(`${'a'.repeat(78)}&b`)).toBe(`${'a'.repeat(78)}…`);
    expect(await named(`${'😀'.repeat(41)}`)).toBe(`${'😀'.repeat(39)}…`);
    expect(await named(`${'😀'.repeat(40)}`)).toBe('😀'.repeat(40));
  });

  it('uploads files into the thread after the text, keeping their bytes, and returns the text message ts', async () => {
    const threadTs = await port.postParent(CHANNEL, view(), marker());
    const photo = new TextEncoder().encode('JPEG-BYTES');
    const files = [
      { fileName: 'damage.jpg', mimeType: 'image/jpeg', data: photo, title: 'Box corner' },
      { fileName: 'label.pdf', data: new Uint8Array([1, 2, 3]) },
    ];
    const ts = await port.postCustomerMessage(post(threadTs, { text: 'Photos of the damage', files }));
    await port.uploadFiles({ slackChannelId: CHANNEL, threadTs }, files);
    const replies = fake.replies(CHANNEL, threadTs);
    expect(replies.map((r) => r.text)).toEqual(['Photos of the damage', '']);
    expect(replies[0]?.ts).toBe(ts);
    const shared = replies[1]?.files ?? [];
    expect(shared.map((f) => [f.name, f.title, f.data.toString()])).toEqual([
      ['damage.jpg', 'Box corner', 'JPEG-BYTES'],
      ['label.pdf', 'label.pdf', '\u0001\u0002\u0003'],
    ]);
    expect(fake.calls.map((c) => c.method).filter((m) => m.startsWith('files.') || m === 'upload')).toEqual([
      'files.getUploadURLExternal',
      'files.getUploadURLExternal',
      'upload',
      'upload',
      'files.completeUploadExternal',
    ]);
  });

  it('names the files under the customer when a message is only files', async () => {
    const threadTs = await port.postParent(CHANNEL, view(), marker());
    const ts = await port.postCustomerMessage(post(threadTs, { text: '', files: [{ fileName: 'voice.ogg', data: new Uint8Array([9]) }] }));
    expect(fake.message(CHANNEL, ts)).toMatchObject({ text: '📎 voice.ogg', username: 'Min-jun Kim (Telegram)' });
  });

  it('rewrites the parent in place with status, assignee and a link to the previous conversation', async () => {
    const previous = await port.postParent(CHANNEL, view({ status: 'closed', closedBy: 'UAGENT1' }), marker());
    const threadTs = await port.postParent(CHANNEL, view(), marker());
    await port.updateParent(
      { slackChannelId: CHANNEL, threadTs },
      view({ status: 'answered', answeredBy: 'UAGENT1', assignee: 'UAGENT1', previous: { slackChannelId: CHANNEL, threadTs: previous } }),
    );
    const parent = fake.message(CHANNEL, threadTs);
    const shown = JSON.stringify(parent?.blocks);
    expect(shown).toContain('💬 Answered by <@UAGENT1>');
    expect(shown).toContain('Assigned to <@UAGENT1>');
    expect(shown).toContain(`/archives/${CHANNEL}/p${previous.replace('.', '')}|the previous conversation>`);
    expect(parent?.metadata?.event_payload).toBeDefined();
  });

  it('posts the parent without the picture when Slack cannot fetch it (invalid_blocks)', async () => {
    const threadTs = await port.postParent(CHANNEL, view(), marker());
    fake.failNext('chat.update', { error: 'invalid_blocks' });
    await port.updateParent(
      { slackChannelId: CHANNEL, threadTs },
      view({ contact: { id: '42', name: 'Min-jun Kim', avatarUrl: 'https://cdn.example/gone.jpg' } }),
    );
    const updates = fake.calls.filter((c) => c.method === 'chat.update').slice(-2);
    expect(updates.map((c) => JSON.stringify(c.args.blocks).includes('gone.jpg'))).toEqual([true, false]);
    expect(JSON.stringify(fake.message(CHANNEL, threadTs)?.blocks)).toContain('Min-jun Kim');
  });

  it("shows a customer's edit with an (edited) mark", async () => {
    const threadTs = await port.postParent(CHANNEL, view(), marker());
    const p = post(threadTs);
    const ts = await port.postCustomerMessage(p);
    await port.updateCustomerMessage(p.thread, ts, 'Where is my parcel?', p.author);
    expect(fake.message(CHANNEL, ts)?.text).toBe('Where is my parcel? _(edited)_');
  });

  it('posts a batch as one message of sections in order, escaped, under the customer, found by its marker', async () => {
    const threadTs = await port.postParent(CHANNEL, view(), marker());
    const thread = { slackChannelId: CHANNEL, threadTs };
    const m = marker();
    const ts = await port.postCustomerBatch({
      thread,
      author: { name: 'Min-jun Kim (Telegram)' },
      sections: [{ text: 'Hello' }, { text: 'Order <1234> & more' }, { text: 'Thanks' }],
      marker: m,
    });
    const message = fake.message(CHANNEL, ts)!;
    expect(message).toMatchObject({ thread_ts: threadTs, username: 'Min-jun Kim (Telegram)' });
    const blocks = message.blocks as { type: string; block_id: string; text: { type: string; text: string } }[];
    expect(blocks.map((b) => [b.type, b.text.type, b.text.text])).toEqual([
      ['section', 'mrkdwn', 'Hello'],
      ['section', 'mrkdwn', 'Order &lt;1234&gt; &amp; more'],
      ['section', 'mrkdwn', 'Thanks'],
    ]);
    expect(new Set(blocks.map((b) => b.block_id)).size).toBe(3);
    expect(message.text).toBe('Hello\nOrder &lt;1234&gt; &amp; more\nThanks');
    expect(await port.findPosted(CHANNEL, thread, m)).toBe(ts);

    // An edit rewrites its section only, with new block ids; a reply quotes one section alone.
    await port.updateCustomerMessage(thread, ts, 'Order 4321', { name: 'Min-jun Kim (Telegram)' }, 1);
    const edited = fake.message(CHANNEL, ts)!.blocks as typeof blocks;
    expect(edited.map((b) => b.text.text)).toEqual(['Hello', 'Order 4321 _(edited)_', 'Thanks']);
    expect(edited.map((b) => b.block_id).filter((id) => blocks.some((b) => b.block_id === id))).toEqual([]);
    const reply = await port.postCustomerMessage(post(threadTs, { text: 'And?', quoting: { ts, section: 2 } }));
    expect(fake.message(CHANNEL, reply)?.text).toBe('> Thanks\nAnd?');
  });

  it('keeps batches within Slack’s limits: 50 sections, 3,000 characters a section, 12,000 in all', () => {
    const { batchLimits } = port;
    expect(batchLimits.maxSections).toBe(50);
    expect(batchLimits.fitsSection('a'.repeat(3000), false)).toBe(true);
    expect(batchLimits.fitsSection('a'.repeat(3001), false)).toBe(false);
    expect(batchLimits.fitsSection('&'.repeat(600), false)).toBe(true); // escaped: 3,000 characters
    expect(batchLimits.fitsSection('&'.repeat(601), false)).toBe(false);
    expect(batchLimits.fitsSection('a'.repeat(2500), true)).toBe(false); // room for a quote above it
    expect(batchLimits.fitsSection('   ', false)).toBe(false);
    expect(
      batchLimits.fitsPost(
        Array.from({ length: 4 }, () => 'a'.repeat(3000)),
        0,
      ),
    ).toBe(true);
    expect(
      batchLimits.fitsPost(
        Array.from({ length: 5 }, () => 'a'.repeat(2500)),
        0,
      ),
    ).toBe(false);
    expect(
      batchLimits.fitsPost(
        Array.from({ length: 51 }, () => 'a'),
        0,
      ),
    ).toBe(false);
  });

  it('adds and removes reactions idempotently, from Unicode or a Slack name', async () => {
    const threadTs = await port.postParent(CHANNEL, view(), marker());
    const ts = await port.postCustomerMessage(post(threadTs));
    await port.addReaction(CHANNEL, ts, '👍');
    await port.addReaction(CHANNEL, ts, '👍');
    await port.addReaction(CHANNEL, ts, '❤️');
    await port.addReaction(CHANNEL, ts, ':eyes:');
    expect([...(fake.message(CHANNEL, ts)?.reactions.keys() ?? [])]).toEqual(['+1', 'heart', 'eyes']);
    await port.removeReaction(CHANNEL, ts, '👍');
    await port.removeReaction(CHANNEL, ts, '👍');
    expect([...(fake.message(CHANNEL, ts)?.reactions.keys() ?? [])]).toEqual(['heart', 'eyes']);
  });

  it('marks delivered replies ✔️ and explains failed ones in the thread with ⚠️', async () => {
    const threadTs = await port.postParent(CHANNEL, view(), marker());
    const thread = { slackChannelId: CHANNEL, threadTs };
    const ok = fake.addUserMessage(CHANNEL, { user: 'UAGENT1', text: 'On its way', thread_ts: threadTs });
    const bad = fake.addUserMessage(CHANNEL, { user: 'UAGENT1', text: 'Hello?', thread_ts: threadTs });
    await port.markDelivered(CHANNEL, ok.ts);
    await port.reportDeliveryFailure(thread, bad.ts, {
      platform: 'telegram',
      kind: 'unreachable',
      message: 'Forbidden: bot was blocked by the user',
      attempts: 1,
      facts: TELEGRAM_FACTS,
    });
    expect([...ok.reactions.keys()]).toEqual(['heavy_check_mark']);
    expect([...bad.reactions.keys()]).toEqual(['warning']);
    const notice = fake.replies(CHANNEL, threadTs).at(-1);
    expect(notice?.username).toBeUndefined();
    expect(notice?.text).toContain(
      'Not delivered: the customer blocked the bot or deleted the chat, so Telegram refuses messages to them.',
    );
  });

  it("asks Slack for an agent's presence at most once a minute", async () => {
    fake.setPresence('U0PRESENT', 'active');
    const asked = () => fake.calls.filter((c) => c.method === 'users.getPresence' && c.args.user === 'U0PRESENT').length;
    expect(await port.isActive('U0PRESENT')).toBe(true);
    fake.setPresence('U0PRESENT', 'away');
    expect(await port.isActive('U0PRESENT')).toBe(true);
    expect(asked()).toBe(1);
    clock += 60_000;
    expect(await port.isActive('U0PRESENT')).toBe(false);
    expect(asked()).toBe(2);
    expect(await port.isActive('U0NEVERSEEN')).toBe(false);
  });

  it('notes an assignment in the thread with the marker, mentioning the assignee', async () => {
    const threadTs = await port.postParent(CHANNEL, view(), marker());
    const m = marker();
    const ts = await port.noteAssignment({ slackChannelId: CHANNEL, threadTs }, { assignee: 'U0MINA', by: 'U0LEAD' }, m);
    expect(fake.message(CHANNEL, ts)?.text).toBe('👤 Assigned to <@U0MINA> by <@U0LEAD>.');
    expect(await port.findPosted(CHANNEL, { slackChannelId: CHANNEL, threadTs }, m)).toBe(ts);
  });

  it('tells the thread of any message', async () => {
    const threadTs = await port.postParent(CHANNEL, view(), marker());
    const reply = await port.postNotice({ slackChannelId: CHANNEL, threadTs }, 'noted');
    expect(await port.threadOf(CHANNEL, reply)).toBe(threadTs);
    expect(await port.threadOf(CHANNEL, threadTs)).toBe(threadTs);
    expect(await port.threadOf(CHANNEL, '1799999999.000001')).toBeUndefined();
  });

  it("downloads an agent's file with the bot token, following Slack's redirect", async () => {
    const file = fake.addFile({ name: 'refund.pdf', data: 'PDF-1.7' });
    const data = await port.downloadFile({ id: file.id, name: file.name, urlPrivate: file.url_private, mimeType: 'application/pdf' });
    expect(Buffer.from(data).toString()).toBe('PDF-1.7');
  });

  it('refuses the sign-in page Slack serves instead of a file when the token is not accepted', async () => {
    const file = fake.addFile({ name: 'a.txt', data: 'x' });
    const other = createWebApiSlackPort({
      client: createSlackApp({ botToken: 'xoxb-wrong', signingSecret: SIGNING_SECRET, apiUrl: fake.apiUrl, logger: logs.logger }).client,
      pacer: createPacer(),
      botToken: 'xoxb-wrong',
      logger: logs.logger,
    });
    await expect(other.downloadFile({ id: file.id, name: file.name, urlPrivate: file.url_private })).rejects.toThrow(/files:read/);
  });

  it('says the bot must be invited when it is not in the channel, keeping the cause', async () => {
    fake.kickBot('C0PRIVATE');
    const error = await port.postParent('C0PRIVATE', view(), marker()).then(
      () => new Error('expected a failure'),
      (e: unknown) => e as Error,
    );
    expect(error.message).toMatch(/must be invited to Slack channel C0PRIVATE/);
    expect((error.cause as { data?: { error?: string } }).data?.error).toBe('not_in_channel');
  });

  it('keeps order under a 429: waits Retry-After, retries the same post, then posts the rest', async () => {
    const threadTs = await port.postParent(CHANNEL, view(), marker());
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 7 });
    const texts = ['first', 'second', 'third'];
    const tss = await Promise.all(texts.map((text) => port.postCustomerMessage(post(threadTs, { text }))));
    expect(fake.replies(CHANNEL, threadTs).map((r) => r.text)).toEqual(texts);
    expect(tss).toEqual(fake.replies(CHANNEL, threadTs).map((r) => r.ts));
    expect(slept).toContain(7000);
    expect(logs.entries().some((e) => e.msg === 'slack rate limited, waiting' && e.level === 40)).toBe(true);
  });

  it('never logs customer text at info or above', () => {
    const loud = logs
      .entries()
      .filter((e) => e.level >= 30)
      .map((e) => JSON.stringify(e))
      .join('\n');
    expect(loud).not.toMatch(/Where is my order|Photos of the damage|damage\.jpg/);
  });
});
