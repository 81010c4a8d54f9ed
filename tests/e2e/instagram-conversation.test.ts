/**
 * Instagram end to end: the real app, a Meta-signed Instagram DM in Korean to /webhooks/meta, the
 * Graph fake standing in for graph.instagram.com, and the Slack fake. The DM opens a thread in the
 * ko channel under the customer's profile (fetched once: name and picture on the parent and the
 * posts), the agent's reply reaches `POST /me/messages`, and a story mention opens nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeGraphApi, type FakeGraphApi } from '../fakes/graph-api.ts';
import type { FakeMessage } from '../fakes/slack-state.ts';
import { fromCustomer, IG_ID, IGSID, notification, profile, storyMention } from '../fixtures/instagram/webhooks.ts';
import { APP_SECRET, postMeta } from '../support/meta-webhook.ts';
import { eventually, startE2e, type E2e } from './harness.ts';

const VERIFY_TOKEN = 'e2e-verify-token';
const INSTAGRAM_TOKEN = 'IGAAe2eInstagramTokenForThreadlineOnly';
const ADMIN = 'U01ADMIN99';
const AGENT = 'U0AGENT';
const KOREAN = 'C0KOREAN';
const OTHER_IGSID = '7760012345678901';

let graph: FakeGraphApi | undefined;
const running: E2e[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e2e) => e2e.stop()));
  await graph?.close();
});

const allParents = (e2e: E2e, channels: readonly string[]): FakeMessage[] =>
  channels.flatMap((channel) => e2e.slack.messages(channel).filter((m) => m.bot_id && (!m.thread_ts || m.thread_ts === m.ts)));
const shown = (message: FakeMessage | undefined) => JSON.stringify(message?.blocks ?? []) + (message?.text ?? '');

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

    const [parent] = await eventually(() => allParents(e2e, [KOREAN]).length === 1 && allParents(e2e, [KOREAN]));
    expect(shown(parent)).toContain(profile.name);
    expect(shown(parent)).toContain('Instagram');
    expect(shown(parent)).toContain(profile.profile_pic);
    const [post] = await eventually(() => e2e.slack.replies(KOREAN, parent!.ts).length === 1 && e2e.slack.replies(KOREAN, parent!.ts));
    expect(post).toMatchObject({ username: profile.name, text: dm.text });

    const replyTs = await e2e.agentReplies({ channel: KOREAN, ts: parent!.ts }, AGENT, '네, 부산으로 배송됩니다.');
    const [sent] = await eventually(() => graph!.callsOf('messages').length === 1 && graph!.callsOf('messages'));
    expect(sent?.path).toBe('/v24.0/me/messages');
    expect(sent?.body).toEqual({ recipient: { id: IGSID }, message: { text: '네, 부산으로 배송됩니다.' } });
    await eventually(() => e2e.slack.message(KOREAN, replyTs)?.reactions.has('heavy_check_mark'));

    // The mention opened no thread anywhere; the profile was fetched once; story media never downloaded.
    expect(allParents(e2e, [KOREAN, 'C0DEFAULT'])).toHaveLength(1);
    expect(graph.callsOf('profile')).toHaveLength(1);
    expect(graph.callsOf('cdn')).toHaveLength(0);
    expect(e2e.logs.join('\n')).toContain('message ignored by rule');
  });
});
