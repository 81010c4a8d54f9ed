/**
 * The real Bolt in Socket Mode: apps.connections.open on the fake Web API (with the app token),
 * then envelopes over the fake's WebSocket, acked by envelope_id.
 * Source: https://docs.slack.dev/apis/events-api/using-socket-mode
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_CLOSE } from '../../src/slack/blocks.ts';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-api.ts';
import { eventCallback, slashCommand, SLACK_TEST_IDS } from '../support/slack-signing.ts';
import { APP_TOKEN, BOT_TOKEN, deferred, startHarness, type Harness } from './harness.ts';

const CHANNEL = 'C0SUPPORTEN';
const PARENT_TS = '1800000000.000100';

/** An agent's thread reply. Source: https://docs.slack.dev/reference/events/message/ */
const threadReply = (ts: string, text: string) => ({
  type: 'message',
  channel: CHANNEL,
  user: 'UAGENT1',
  text,
  ts,
  thread_ts: PARENT_TS,
  parent_user_id: SLACK_TEST_IDS.botUserId,
  channel_type: 'channel',
  event_ts: ts,
});

/** 🙋 on the parent, by another agent. Source: https://docs.slack.dev/reference/events/reaction_added/ */
const raisedHand = (eventTs: string) => ({
  type: 'reaction_added',
  user: 'UAGENT2',
  reaction: 'raising_hand',
  item: { type: 'message', channel: CHANNEL, ts: PARENT_TS },
  event_ts: eventTs,
});

describe('Slack Socket Mode (Bolt over the fake WebSocket)', () => {
  let fake: FakeSlack;
  let h: Harness;

  beforeAll(async () => {
    fake = await startFakeSlack({ botToken: BOT_TOKEN, appToken: APP_TOKEN });
    fake.setUser('UADMIN', { is_admin: true });
    h = await startHarness(fake, { mode: 'socket', routes: { en: CHANNEL } });
  });
  afterAll(async () => {
    await h.close();
    await fake.close();
  });

  it('connects with the app token and is connected once start() resolves', () => {
    const open = fake.calls.find((c) => c.method === 'apps.connections.open');
    expect(open?.auth).toBe(`Bearer ${APP_TOKEN}`);
    expect(fake.socket.connected()).toBe(true);
    expect(h.slack.httpHandler).toBeUndefined();
  });

  it("acks an event and hands an agent's thread reply to the engine", async () => {
    const ack = await fake.socket.pushEvent({
      type: 'message',
      channel: CHANNEL,
      user: 'UAGENT1',
      text: 'We refunded you.',
      ts: '1800000000.000200',
      thread_ts: PARENT_TS,
      parent_user_id: SLACK_TEST_IDS.botUserId,
      channel_type: 'channel',
      event_ts: '1800000000.000200',
    });
    expect(ack.envelope_id).toMatch(/^env-/);
    await expect
      .poll(() => h.recorded.replies)
      .toEqual([
        {
          slackChannelId: CHANNEL,
          threadTs: PARENT_TS,
          messageTs: '1800000000.000200',
          agentId: 'UAGENT1',
          text: 'We refunded you.',
          files: [],
        },
      ]);
  });

  it('ignores a note and a top-level message', async () => {
    await fake.socket.pushEvent({
      type: 'message',
      channel: CHANNEL,
      user: 'UAGENT1',
      text: 'Note: VIP',
      ts: '1800000000.000300',
      thread_ts: PARENT_TS,
      channel_type: 'channel',
      event_ts: '1800000000.000300',
    });
    await fake.socket.pushEvent({
      type: 'message',
      channel: CHANNEL,
      user: 'UAGENT1',
      text: 'hello channel',
      ts: '1800000000.000301',
      channel_type: 'channel',
      event_ts: '1800000000.000301',
    });
    // A later event proves the two before it were processed (and ignored).
    await fake.socket.pushEvent({
      type: 'reaction_added',
      user: 'UAGENT1',
      reaction: 'raising_hand',
      item: { type: 'message', channel: CHANNEL, ts: PARENT_TS },
      event_ts: '1800000001.000001',
    });
    await expect.poll(() => h.recorded.commands.length).toBe(1);
    expect(h.recorded.replies).toHaveLength(1);
    expect(h.recorded.commands[0]).toEqual({ action: 'assign', slackChannelId: CHANNEL, messageTs: PARENT_TS, agentId: 'UAGENT1' });
  });

  it('turns a button click into a command', async () => {
    await fake.socket.clickButton({ actionId: ACTION_CLOSE, userId: 'UAGENT2', channelId: CHANNEL, messageTs: PARENT_TS });
    await expect
      .poll(() => h.recorded.commands.at(-1))
      .toEqual({ action: 'close', slackChannelId: CHANNEL, messageTs: PARENT_TS, agentId: 'UAGENT2' });
  });

  it('answers /inbox in the envelope ack, ephemeral', async () => {
    const ack = await fake.socket.pushSlashCommand(slashCommand({ text: 'routes', userId: 'UAGENT1', responseUrl: fake.responseUrl() }));
    expect(ack.payload).toMatchObject({ response_type: 'ephemeral' });
    expect(String(ack.payload?.text)).toContain(`English (\`en\`) → <#${CHANNEL}>`);
    const changed = await fake.socket.pushSlashCommand(slashCommand({ text: `route ko <#C0KO|support-ko>`, userId: 'UADMIN' }));
    expect(String(changed.payload?.text)).toContain('Korean (`ko`) now goes to <#C0KO>');
    expect(h.routing.routes.get('ko')).toBe('C0KO');
  });

  it('publishes App Home with the routes in effect when a user opens it', async () => {
    await fake.socket.pushEvent({
      type: 'app_home_opened',
      user: 'UAGENT1',
      channel: 'D0HOME',
      tab: 'home',
      event_ts: '1800000002.000001',
    });
    const [publish] = await fake.waitFor('views.publish');
    expect(publish?.auth).toBe(`Bearer ${BOT_TOKEN}`);
    const view = fake.views.get('UAGENT1')?.at(-1) as { type: string; blocks: { text?: { text: string } }[] };
    expect(view.type).toBe('home');
    const text = view.blocks.map((b) => b.text?.text ?? '').join('\n');
    expect(text).toContain(`<#${CHANNEL}>`);
    expect(JSON.stringify(view.blocks.at(-1))).toContain('/inbox help');
  });

  // The acknowledgement is the only thing that makes Slack deliver a lost reply again, so it must
  // wait for the listener. Envelopes are acked over one WebSocket in order: had the first envelope
  // been acked on arrival (as Bolt's own receiver does), its ack would come before the second's.
  it("acknowledges an envelope only once its listener finished (the agent's reply was handed to the engine)", async () => {
    const handOver = h.recorded.actions.reply;
    const entered = deferred();
    const release = deferred();
    h.recorded.actions.reply = async (reply) => {
      entered.resolve();
      await release.promise;
      return handOver(reply);
    };
    try {
      const before = fake.acks.length;
      const slow = fake.socket.pushEvent(threadReply('1800000003.000100', 'Your parcel left the warehouse.'));
      await entered.promise;
      const other = await fake.socket.pushEvent(raisedHand('1800000003.000200'));
      expect(fake.acks.slice(before).map((a) => a.envelope_id)).toEqual([other.envelope_id]);
      expect(h.recorded.replies.map((r) => r.messageTs)).not.toContain('1800000003.000100');

      release.resolve();
      const acked = await slow;
      expect(fake.acks.slice(before).map((a) => a.envelope_id)).toEqual([other.envelope_id, acked.envelope_id]);
      expect(h.recorded.replies.map((r) => r.messageTs)).toContain('1800000003.000100');
    } finally {
      h.recorded.actions.reply = handOver;
    }
  });

  it('leaves an envelope unacknowledged when its listener failed, so Slack delivers it again', async () => {
    const handOver = h.recorded.actions.reply;
    h.recorded.actions.reply = async () => {
      throw new Error('journal unavailable');
    };
    try {
      const before = fake.acks.length;
      const failed = fake.socket.envelope('events_api', eventCallback(threadReply('1800000004.000100', 'Refund issued.')), false, 1000);
      await expect.poll(() => h.logs.entries().some((e) => e.msg.startsWith('slack request not processed'))).toBe(true);
      const other = await fake.socket.pushEvent(raisedHand('1800000004.000200'));
      expect(fake.acks.slice(before).map((a) => a.envelope_id)).toEqual([other.envelope_id]);
      await expect(failed).rejects.toThrow(/no ack/);
      expect(fake.calls.filter((c) => c.method === 'reactions.add').map((c) => c.args)).toContainEqual(
        expect.objectContaining({ timestamp: '1800000004.000100', name: 'warning' }),
      );
    } finally {
      h.recorded.actions.reply = handOver;
    }
  });

  it('disconnects on stop (and stop is safe to repeat)', async () => {
    await h.slack.stop();
    await h.slack.stop();
    await expect.poll(() => fake.socket.connected()).toBe(false);
  });
});
