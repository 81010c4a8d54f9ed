/**
 * Instagram end to end: the real app, a Meta-signed Instagram DM in Korean to /webhooks/meta, the
 * Graph fake standing in for graph.instagram.com, and the Slack fake. The DM opens a thread in the
 * ko channel under the customer's profile (fetched once: name and picture on the parent and the
 * posts), the agent's reply reaches `POST /me/messages`, and a story mention opens nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeGraphApi, type FakeGraphApi } from '../fakes/graph-api.ts';
import { fromCustomer, IG_ID, IGSID, notification, profile, storyMention } from '../fixtures/instagram/webhooks.ts';
import { APP_SECRET, postMeta } from '../support/meta-webhook.ts';
import { eventually, startE2e, type E2e } from './harness.ts';
import { parents, shown } from '../support/slack-messages.ts';

const VERIFY_TOKEN = 'e2e-verify-token';
const INSTAGRAM_TOKEN = 'IGAAe2eInstagramTokenForThreadlineOnly';
const ADMIN = 'U01ADMIN99';
const AGENT = 'U0AGENT';
const KOREAN = 'C0KOREAN';
const OTHER_IGSID = '7760012345678901';
const DEFAULT = 'C0DEFAULT';

let graph: FakeGraphApi | undefined;
const running: E2e[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e2e) => e2e.stop()));
  await graph?.close();
});

describe('Instagram through the shared Meta webhook', () => {
  it('routes a Korean DM to the ko channel, delivers the reply, and lets a story mention open nothing', async () => {
    graph = await startFakeGraphApi({ token: INSTAGRAM_TOKEN, me: { user_id: IG_ID, username: 'threadline.shop' } });
    graph.addProfile(IGSID, profile);
    const e2e = await startE2e({
      slackMode: 'http',
      telegramMode: 'webhook',
      adminUsers: ADMIN,
      env: {
        META_APP_SECRET: APP_SECRET,
        META_VERIFY_TOKEN: VERIFY_TOKEN,
        INSTAGRAM_TOKEN,
        INSTAGRAM_GRAPH_URL: graph.graphUrl,
      },
    });
    running.push(e2e);
    const health = (await (await fetch(`${e2e.baseUrl}/healthz`)).json()) as { platforms: Record<string, string> };
    expect(health.platforms).toMatchObject({ instagram: 'live' });
    expect(await e2e.inbox(ADMIN, `route ko <#${KOREAN}|support-ko>`)).toContain(KOREAN);

    // A story mention from someone else opens nothing (the rule), and its media is never fetched.
    expect(await postMeta(e2e, notification(fromCustomer({ message: storyMention }, 1764720000000, OTHER_IGSID)))).toBe(200);
    // …and /metrics counts it, by platform and rule.
    await eventually(async () =>
      /threadline_messages_ignored_total\{platform="instagram",rule="story_mention"\} 1/.test(
        await (await fetch(`${e2e.baseUrl}/metrics`)).text(),
      ),
    );

    const dm = { mid: 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE2E-KO-1', text: '안녕하세요, 부산으로 배송되나요? 내일까지 받을 수 있을까요?' };
    expect(await postMeta(e2e, notification(fromCustomer({ message: dm })))).toBe(200);

    const [parent] = await eventually(() => parents(e2e.slack, KOREAN).length === 1 && parents(e2e.slack, KOREAN));
    expect(shown(parent)).toContain(profile.name);
    expect(shown(parent)).toContain('Instagram');
    expect(shown(parent)).toContain(profile.profile_pic);
    const [post] = await eventually(() => e2e.slack.replies(KOREAN, parent!.ts).length === 1 && e2e.slack.replies(KOREAN, parent!.ts));
    expect(post).toMatchObject({ username: profile.name, text: dm.text });

    const replyTs = await e2e.agentReplies({ channel: KOREAN, ts: parent!.ts }, AGENT, '네, 부산으로 배송됩니다.');
    const [sent] = await eventually(() => graph!.callsOf('messages').length === 1 && graph!.callsOf('messages'));
    expect(sent?.path).toBe('/v26.0/me/messages');
    expect(sent?.body).toEqual({ recipient: { id: IGSID }, message: { text: '네, 부산으로 배송됩니다.' } });
    await eventually(() => e2e.slack.message(KOREAN, replyTs)?.reactions.has('heavy_check_mark'));

    // The mention opened no thread anywhere; the profile was fetched once; story media never downloaded.
    expect(parents(e2e.slack, KOREAN, 'C0DEFAULT')).toHaveLength(1);
    expect(graph.callsOf('profile')).toHaveLength(1);
    expect(graph.callsOf('cdn')).toHaveLength(0);
    expect(e2e.logs.join('\n')).toContain('message ignored by rule');
  });

  it("sends an agent's file as a link Threadline serves itself (PUBLIC_URL), which expires after an hour", async () => {
    graph = await startFakeGraphApi({ token: INSTAGRAM_TOKEN, me: { user_id: IG_ID, username: 'threadline.shop' } });
    graph.addProfile(IGSID, profile);
    let offset = 0;
    const e2e = await startE2e({
      slackMode: 'http',
      telegramMode: 'webhook',
      now: () => Date.now() + offset,
      env: {
        META_APP_SECRET: APP_SECRET,
        META_VERIFY_TOKEN: VERIFY_TOKEN,
        INSTAGRAM_TOKEN,
        INSTAGRAM_GRAPH_URL: graph.graphUrl,
        PUBLIC_URL: 'https://threadline.example.com',
      },
    });
    running.push(e2e);
    const dm = { mid: 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE2E-KO-2', text: 'Can you send me the return label, please?' };
    expect(await postMeta(e2e, notification(fromCustomer({ message: dm }, Date.now())))).toBe(200);
    const [parent] = await eventually(() => parents(e2e.slack, DEFAULT).length === 1 && parents(e2e.slack, DEFAULT));

    const bytes = '%PDF-1.4 return label for order 1042';
    const label = e2e.slack.addFile({ name: 'return-label.pdf', mimetype: 'application/pdf', data: bytes });
    const replyTs = await e2e.agentReplies({ channel: DEFAULT, ts: parent!.ts }, AGENT, 'Here it is', {
      files: [label],
      subtype: 'file_share',
    });
    const sends = await eventually(() => graph!.callsOf('messages').length === 2 && graph!.callsOf('messages'));
    expect(sends[0]?.body).toEqual({ recipient: { id: IGSID }, message: { text: 'Here it is' } });
    const linked = sends[1]?.body.message as { attachment: { type: string; payload: { url: string } } } | undefined;
    const attachment = linked?.attachment ?? { type: '', payload: { url: '' } };
    expect(attachment.type).toBe('file');
    expect(attachment.payload.url).toMatch(/^https:\/\/threadline\.example\.com\/files\/[A-Za-z0-9_-]{43}$/);
    await eventually(() => e2e.slack.message(DEFAULT, replyTs)?.reactions.has('heavy_check_mark'));

    // What Instagram fetches from the link: the same bytes, from the running server.
    const served = `${e2e.baseUrl}${new URL(attachment.payload.url).pathname}`;
    const response = await fetch(served);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-disposition')).toContain('return-label.pdf');
    expect(await response.text()).toBe(bytes);
    expect((await fetch(`${e2e.baseUrl}/files/${'x'.repeat(43)}`)).status).toBe(404);
    offset = 60 * 60 * 1000;
    expect((await fetch(served)).status).toBe(404);
  });

  it('without PUBLIC_URL, tells the agent in the thread that files cannot be sent to Instagram', async () => {
    graph = await startFakeGraphApi({ token: INSTAGRAM_TOKEN, me: { user_id: IG_ID, username: 'threadline.shop' } });
    graph.addProfile(IGSID, profile);
    const e2e = await startE2e({
      slackMode: 'http',
      telegramMode: 'webhook',
      env: { META_APP_SECRET: APP_SECRET, META_VERIFY_TOKEN: VERIFY_TOKEN, INSTAGRAM_TOKEN, INSTAGRAM_GRAPH_URL: graph.graphUrl },
    });
    running.push(e2e);
    const dm = { mid: 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE2E-KO-3', text: 'Can you send me the return label, please?' };
    expect(await postMeta(e2e, notification(fromCustomer({ message: dm }, Date.now())))).toBe(200);
    const [parent] = await eventually(() => parents(e2e.slack, DEFAULT).length === 1 && parents(e2e.slack, DEFAULT));
    const label = e2e.slack.addFile({ name: 'return-label.pdf', mimetype: 'application/pdf', data: '%PDF-1.4' });
    const replyTs = await e2e.agentReplies({ channel: DEFAULT, ts: parent!.ts }, AGENT, 'Here it is', {
      files: [label],
      subtype: 'file_share',
    });
    await eventually(() => e2e.slack.message(DEFAULT, replyTs)?.reactions.has('warning'));
    const notice = await eventually(() => e2e.slack.replies(DEFAULT, parent!.ts).find((m) => m.text.includes('PUBLIC_URL')));
    // Threadline's own refusal, worded as such: Instagram never saw the reply.
    expect(notice?.text).toContain('Not sent: Instagram takes files only as links that Threadline serves itself');
    expect(notice?.text).not.toContain('Instagram refused');
    expect(graph.callsOf('messages')).toEqual([]);
  });
});
