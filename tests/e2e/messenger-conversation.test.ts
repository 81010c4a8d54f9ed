/**
 * Messenger end to end: the real app with Messenger on, a Meta-signed Messenger message to
 * /webhooks/meta, the Graph fake, and the Slack fake.
 * The message opens a thread under the customer's fetched name, the agent's reply goes to
 * `POST /me/messages` as a RESPONSE, its echo is not mirrored, a read watermark marks it 👀, and a
 * colleague's reply from the Page inbox shows as the business's.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeGraphApi, type FakeGraphApi } from '../fakes/graph-api.ts';
import { echo, fromCustomer, notification, PAGE_ID, profile, PSID } from '../fixtures/messenger/webhooks.ts';
import { APP_SECRET, postMeta } from '../support/meta-webhook.ts';
import { eventually, startE2e, type E2e } from './harness.ts';
import { parents } from '../support/slack-messages.ts';

const PAGE_TOKEN = 'EAAe2eMessengerPageTokenForThreadline';
const ADMIN = 'U01ADMIN99';
const AGENT = 'U0AGENT';
const ENGLISH = 'C0ENGLISH';

let graph: FakeGraphApi | undefined;
const running: E2e[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e2e) => e2e.stop()));
  await graph?.close();
});

describe('Messenger through the shared Meta webhook', () => {
  it('opens a thread under the fetched name, replies as a RESPONSE, skips its own echo, and shows a colleague’s reply', async () => {
    graph = await startFakeGraphApi({ token: PAGE_TOKEN, me: { id: PAGE_ID, name: 'Threadline Shoes' } });
    graph.addProfile(PSID, profile);
    const e2e = await startE2e({
      slackMode: 'http',
      telegramMode: 'webhook',
      adminUsers: ADMIN,
      env: {
        META_APP_SECRET: APP_SECRET,
        META_VERIFY_TOKEN: 'e2e-verify',
        META_GRAPH_URL: graph.graphUrl,
        MESSENGER_PAGE_TOKEN: PAGE_TOKEN,
      },
    });
    running.push(e2e);
    const health = (await (await fetch(`${e2e.baseUrl}/healthz`)).json()) as { platforms: Record<string, string> };
    expect(health.platforms).toMatchObject({ messenger: 'live' });
    expect(await e2e.inbox(ADMIN, `route en <#${ENGLISH}|support-en>`)).toContain(ENGLISH);

    const text = { mid: 'm_e2e.messenger.0001', text: 'Hello, do you still have the blue running shoes in size 42?' };
    expect(await postMeta(e2e, notification(fromCustomer({ message: text }, Date.now())))).toBe(200);
    const [parent] = await eventually(() => parents(e2e.slack, ENGLISH).length === 1 && parents(e2e.slack, ENGLISH));
    const [post] = await eventually(() => e2e.slack.replies(ENGLISH, parent!.ts).length === 1 && e2e.slack.replies(ENGLISH, parent!.ts));
    expect(post).toMatchObject({ username: 'Peter Chang', text: text.text });

    const replyTs = await e2e.agentReplies({ channel: ENGLISH, ts: parent!.ts }, AGENT, 'Yes, size 42 is in stock.');
    const [sent] = await eventually(() => graph!.callsOf('messages').length === 1 && graph!.callsOf('messages'));
    expect(sent?.body).toEqual({
      recipient: { id: PSID },
      messaging_type: 'RESPONSE',
      message: { text: 'Yes, size 42 is in stock.', metadata: 'threadline' },
    });
    await eventually(() => e2e.slack.message(ENGLISH, replyTs)?.reactions.has('heavy_check_mark'));

    // The echo of that send, a read watermark after it, and a colleague's reply from the Page inbox.
    expect(await postMeta(e2e, notification(echo('m_FAKE0001', 'threadline')))).toBe(200);
    expect(await postMeta(e2e, notification(fromCustomer({ read: { watermark: Date.now() + 5000 } }, Date.now())))).toBe(200);
    await eventually(() => e2e.slack.message(ENGLISH, replyTs)?.reactions.has('eyes'));
    expect(await postMeta(e2e, notification(echo('m_from.page.inbox')))).toBe(200);
    const replies = await eventually(() => e2e.slack.replies(ENGLISH, parent!.ts).length === 3 && e2e.slack.replies(ENGLISH, parent!.ts));
    expect(replies[2]).toMatchObject({ username: 'Messenger: sent by the business outside Threadline', text: 'Yes, it is.' });
    expect(graph.callsOf('profile')).toHaveLength(1);
  });
});
