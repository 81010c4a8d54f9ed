/**
 * WhatsApp end to end: the real app, Meta's signed webhook deliveries to /webhooks/meta, the Graph
 * API fake for sends, and the Slack fake. A batched delivery is routed by language (the text first,
 * the number's country only when the text is too short), an agent's reply reaches the customer, a
 * later `failed` status turns ✔️ into ⚠️ with the reply-window explanation, and a redelivered batch
 * posts nothing twice.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeGraphApi, type FakeGraphApi } from '../fakes/graph-api.ts';
import { failedReengagement, incoming, notification, PHONE_NUMBER_ID, statusChange, WABA_ID } from '../fixtures/whatsapp/webhooks.ts';
import { APP_SECRET, postMeta } from '../support/meta-webhook.ts';
import { eventually, startE2e, type E2e } from './harness.ts';
import { parents, shown } from '../support/slack-messages.ts';

const VERIFY_TOKEN = 'e2e-verify-token';
const WHATSAPP_TOKEN = 'EAAGe2eWhatsAppTokenForThreadlineOnly';
const ADMIN = 'U01ADMIN99';
const AGENT = 'U0AGENT';
const ZH_HANT = 'C0ZHTW';
const ENGLISH = 'C0ENGLISH';
const NORSK = 'C0NORSK';
const KOREAN = 'C0KOREAN';

const TAIWAN = '886912345678';
const NORWAY = '4791234567';
const KOREA = '821012345678';

let graph: FakeGraphApi | undefined;
const running: E2e[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e2e) => e2e.stop()));
  await graph?.close();
});

/** A customer's text message. Shape: https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/text */
function text(waId: string, name: string, id: string, body: string) {
  return incoming({ from: waId, id, timestamp: '1764720000', type: 'text', text: { body } }, { profile: { name }, wa_id: waId });
}

describe('WhatsApp through the shared Meta webhook', () => {
  it('routes a batch by language, delivers the reply, shows a later failed status, and posts a redelivery once', async () => {
    graph = await startFakeGraphApi({ token: WHATSAPP_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
    const e2e = await startE2e({
      slackMode: 'http',
      telegramMode: 'webhook',
      adminUsers: ADMIN,
      env: {
        META_APP_SECRET: APP_SECRET,
        META_VERIFY_TOKEN: VERIFY_TOKEN,
        META_GRAPH_URL: graph.graphUrl,
        WHATSAPP_TOKEN,
        WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
      },
    });
    running.push(e2e);
    const health = (await (await fetch(`${e2e.baseUrl}/healthz`)).json()) as { platforms: Record<string, string> };
    expect(health.platforms).toMatchObject({ telegram: 'live', whatsapp: 'live' });
    for (const [language, channel] of [
      ['zh-Hant', ZH_HANT],
      ['en', ENGLISH],
      ['nb', NORSK],
      ['ko', KOREAN],
    ]) {
      expect(await e2e.inbox(ADMIN, `route ${language} <#${channel}|support-${language}>`)).toContain(channel);
    }

    // The handshake Meta sends when the webhook is set up.
    const challenge = await fetch(
      `${e2e.baseUrl}/webhooks/meta?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=${VERIFY_TOKEN}`,
    );
    expect([challenge.status, await challenge.text()]).toEqual([200, '1158201444']);
    expect((await fetch(`${e2e.baseUrl}/webhooks/meta?hub.mode=subscribe&hub.challenge=1&hub.verify_token=wrong`)).status).toBe(403);

    // One delivery, two entries: Traditional Chinese from Taiwan, English from Norway, "hi" from Korea.
    const batch = {
      object: 'whatsapp_business_account',
      entry: [
        { id: WABA_ID, changes: [text(TAIWAN, '林美玲', 'wamid.E2E-TW-1', '請問這件外套還有其他顏色嗎？')] },
        {
          id: WABA_ID,
          changes: [
            text(NORWAY, 'Ola Nordmann', 'wamid.E2E-NO-1', 'Hello, where is my parcel? It was due on Monday.'),
            text(KOREA, '김민준', 'wamid.E2E-KR-1', 'hi'),
          ],
        },
      ],
    };
    expect(await postMeta(e2e, batch, 'not-the-app-secret')).toBe(401);
    expect(await postMeta(e2e, batch)).toBe(200);

    const [zhParent] = await eventually(() => parents(e2e.slack, ZH_HANT).length === 1 && parents(e2e.slack, ZH_HANT));
    expect(shown(zhParent)).toContain('林美玲');
    expect(shown(zhParent)).toContain('WhatsApp');
    const [customerPost] = await eventually(
      () => e2e.slack.replies(ZH_HANT, zhParent!.ts).length === 1 && e2e.slack.replies(ZH_HANT, zhParent!.ts),
    );
    expect(customerPost).toMatchObject({ username: '林美玲', text: '請問這件外套還有其他顏色嗎？' });
    // A hint never overrides a text that can tell; a text too short to tell follows the number's country.
    await eventually(() => parents(e2e.slack, ENGLISH).length === 1);
    await eventually(() => parents(e2e.slack, KOREAN).length === 1);
    expect(parents(e2e.slack, NORSK)).toHaveLength(0);

    const thread = { channel: ZH_HANT, ts: zhParent!.ts };
    const replyTs = await e2e.agentReplies(thread, AGENT, '有的，還有藍色和黑色。');
    const [sent] = await eventually(() => graph!.callsOf('messages').length === 1 && graph!.callsOf('messages'));
    expect(sent?.body).toMatchObject({ messaging_product: 'whatsapp', to: TAIWAN, type: 'text', text: { body: '有的，還有藍色和黑色。' } });
    await eventually(() => e2e.slack.message(ZH_HANT, replyTs)?.reactions.has('heavy_check_mark'));

    // Read receipts show on the agent's message; a reply quoting it shows the quote.
    expect(
      await postMeta(
        e2e,
        notification(statusChange({ id: 'wamid.FAKE0001', status: 'read', timestamp: '1764720100', recipient_id: TAIWAN })),
      ),
    ).toBe(200);
    await eventually(() => e2e.slack.message(ZH_HANT, replyTs)?.reactions.has('eyes'));
    const quoting = {
      from: TAIWAN,
      id: 'wamid.E2E-TW-Q',
      timestamp: '1764720200',
      type: 'text',
      text: { body: '藍色的有M號嗎？' },
      context: { from: '15550783881', id: 'wamid.FAKE0001' },
    };
    expect(await postMeta(e2e, notification(incoming(quoting, { profile: { name: '林美玲' }, wa_id: TAIWAN })))).toBe(200);
    const quoted = await eventually(() => e2e.slack.replies(ZH_HANT, zhParent!.ts).find((m) => m.text.endsWith('藍色的有M號嗎？')));
    expect(quoted.text).toBe('> 有的，還有藍色和黑色。\n藍色的有M號嗎？');

    // Meta reports later that it could not deliver: outside the 24-hour window (131047).
    expect(await postMeta(e2e, notification(statusChange(failedReengagement('wamid.FAKE0001', TAIWAN))))).toBe(200);
    await eventually(() => {
      const reactions = e2e.slack.message(ZH_HANT, replyTs)?.reactions;
      return reactions?.has('warning') && !reactions.has('heavy_check_mark');
    });
    const notice = await eventually(() => e2e.slack.replies(ZH_HANT, zhParent!.ts).find((m) => m.text.includes('reply window has closed')));
    expect(notice.text).toContain('approved template');

    // Meta delivers the same batch again, then a new message: the new one is posted, nothing twice.
    expect(await postMeta(e2e, batch)).toBe(200);
    expect(
      await postMeta(e2e, {
        object: 'whatsapp_business_account',
        entry: [{ id: WABA_ID, changes: [text(TAIWAN, '林美玲', 'wamid.E2E-TW-2', '謝謝')] }],
      }),
    ).toBe(200);
    await eventually(() => e2e.slack.replies(ZH_HANT, zhParent!.ts).some((m) => m.text === '謝謝'));
    const texts = e2e.slack.replies(ZH_HANT, zhParent!.ts).map((m) => m.text);
    expect(texts.filter((t) => t === '請問這件外套還有其他顏色嗎？')).toHaveLength(1);
    expect(parents(e2e.slack, ENGLISH)).toHaveLength(1);
    expect(parents(e2e.slack, KOREAN)).toHaveLength(1);
    expect(e2e.slack.replies(KOREAN, parents(e2e.slack, KOREAN)[0]!.ts).filter((m) => m.text === 'hi')).toHaveLength(1);

    const all = e2e.logs.join('\n');
    for (const secret of [APP_SECRET, WHATSAPP_TOKEN, VERIFY_TOKEN]) expect(all).not.toContain(secret);
  });
});
