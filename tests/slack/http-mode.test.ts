/**
 * The real Bolt in HTTP mode, mounted on a plain node server through `httpHandler`, receiving
 * requests signed exactly as Slack signs them. Threadline's receiver answers only after the listeners
 * finished, so the listener has run when the response arrives and no polling is needed.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ACTION_ASSIGN,
  ACTION_ASSIGN_TO,
  ACTION_CLOSE,
  ACTION_DEESCALATE,
  ACTION_ESCALATE,
  ACTION_REOPEN,
  ACTION_UNASSIGN,
} from '../../src/slack/blocks.ts';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-api.ts';
import {
  blockActions,
  eventCallback,
  postEvent,
  postInteraction,
  postSigned,
  SLACK_TEST_IDS,
  userSelected,
} from '../support/slack-signing.ts';
import { deferred, SIGNING_SECRET, startHarness, type Harness } from './harness.ts';

const CHANNEL = 'C0SUPPORTKO';
const PARENT_TS = '1800000000.000100';

/** A human's thread reply. Source: https://docs.slack.dev/reference/events/message/ (thread replies carry thread_ts and parent_user_id) */
function threadReply(fields: Record<string, unknown> = {}) {
  return {
    type: 'message',
    channel: CHANNEL,
    user: 'UAGENT1',
    text: 'Hello! Your order ships today.',
    ts: '1800000000.000200',
    thread_ts: PARENT_TS,
    parent_user_id: SLACK_TEST_IDS.botUserId,
    channel_type: 'channel',
    event_ts: '1800000000.000200',
    client_msg_id: '0e1f2a3b-4c5d-6e7f-8091-a2b3c4d5e6f7',
    team: SLACK_TEST_IDS.teamId,
    ...fields,
  };
}

/** Source: https://docs.slack.dev/reference/events/reaction_added/ */
function reaction(type: 'reaction_added' | 'reaction_removed', name: string, fields: Record<string, unknown> = {}) {
  return {
    type,
    user: 'UAGENT1',
    reaction: name,
    item_user: SLACK_TEST_IDS.botUserId,
    item: { type: 'message', channel: CHANNEL, ts: PARENT_TS },
    event_ts: '1800000001.000100',
    ...fields,
  };
}

describe('Slack HTTP mode (Bolt behind httpHandler)', () => {
  let fake: FakeSlack;
  let h: Harness;
  let url: string;

  beforeAll(async () => {
    fake = await startFakeSlack();
    h = await startHarness(fake, { mode: 'http' });
    url = h.eventsUrl ?? '';
  });
  afterAll(async () => {
    await h.close();
    await fake.close();
  });
  beforeEach(() => {
    h.recorded.replies.length = 0;
    h.recorded.commands.length = 0;
  });

  it('resolves the bot identity with one auth.test at start', () => {
    expect(fake.calls.filter((c) => c.method === 'auth.test')).toHaveLength(1);
    expect(h.slack.identity()).toMatchObject({ botUserId: SLACK_TEST_IDS.botUserId, botId: SLACK_TEST_IDS.botId });
  });

  it("hands an agent's thread reply to the engine with channel, thread, message, agent and plain text", async () => {
    const res = await postEvent(
      url,
      SIGNING_SECRET,
      threadReply({ text: 'Tea &amp; cake &lt;3 see <https://shop.example/t|our shop> <@U0OTHER>' }),
    );
    expect(res.status).toBe(200);
    expect(h.recorded.replies).toEqual([
      {
        slackChannelId: CHANNEL,
        threadTs: PARENT_TS,
        messageTs: '1800000000.000200',
        agentId: 'UAGENT1',
        text: 'Tea & cake <3 see our shop (https://shop.example/t) @U0OTHER',
        files: [],
      },
    ]);
  });

  it('passes the files an agent attached (file_share) with their private URLs', async () => {
    const file = fake.addFile({ name: 'invoice.pdf', data: 'PDF' });
    await postEvent(url, SIGNING_SECRET, threadReply({ subtype: 'file_share', text: 'Here is the invoice', files: [file] }));
    expect(h.recorded.replies).toHaveLength(1);
    expect(h.recorded.replies[0]?.files).toEqual([
      { id: file.id, name: 'invoice.pdf', mimeType: 'application/pdf', urlPrivate: file.url_private, size: 3 },
    ]);
  });

  it('keeps notes internal: a reply starting with the note prefix (any case, leading spaces) is not sent', async () => {
    await postEvent(url, SIGNING_SECRET, threadReply({ text: 'note: customer sounds upset' }));
    await postEvent(url, SIGNING_SECRET, threadReply({ text: '   NOTE: check the refund first', ts: '1800000000.000201' }));
    expect(h.recorded.replies).toEqual([]);
  });

  it('ignores top-level messages, bot posts, edits and deletions', async () => {
    await postEvent(url, SIGNING_SECRET, threadReply({ thread_ts: undefined, parent_user_id: undefined }));
    await postEvent(url, SIGNING_SECRET, threadReply({ ts: PARENT_TS }));
    await postEvent(
      url,
      SIGNING_SECRET,
      threadReply({ subtype: 'bot_message', bot_id: SLACK_TEST_IDS.botId, username: 'Ana (Telegram)', user: undefined }),
    );
    await postEvent(url, SIGNING_SECRET, threadReply({ bot_id: 'B0OTHERBOT' }));
    await postEvent(url, SIGNING_SECRET, threadReply({ user: SLACK_TEST_IDS.botUserId }));
    await postEvent(url, SIGNING_SECRET, {
      type: 'message',
      subtype: 'message_changed',
      channel: CHANNEL,
      hidden: true,
      ts: '1800000000.000300',
      event_ts: '1800000000.000300',
      message: threadReply({ text: 'edited' }),
      previous_message: threadReply(),
    });
    await postEvent(url, SIGNING_SECRET, {
      type: 'message',
      subtype: 'message_deleted',
      channel: CHANNEL,
      hidden: true,
      ts: '1800000000.000301',
      deleted_ts: '1800000000.000200',
      event_ts: '1800000000.000301',
    });
    expect(h.recorded.replies).toEqual([]);
  });

  it('turns ✋/🙋 and ✅ reactions into assign and close, and removing ✅ into reopen', async () => {
    await postEvent(url, SIGNING_SECRET, reaction('reaction_added', 'raising_hand'));
    await postEvent(url, SIGNING_SECRET, reaction('reaction_added', 'hand::skin-tone-3', { user: 'UAGENT2' }));
    await postEvent(url, SIGNING_SECRET, reaction('reaction_added', 'white_check_mark'));
    await postEvent(url, SIGNING_SECRET, reaction('reaction_removed', 'white_check_mark'));
    expect(h.recorded.commands).toEqual([
      { action: 'assign', slackChannelId: CHANNEL, messageTs: PARENT_TS, agentId: 'UAGENT1' },
      { action: 'assign', slackChannelId: CHANNEL, messageTs: PARENT_TS, agentId: 'UAGENT2' },
      { action: 'close', slackChannelId: CHANNEL, messageTs: PARENT_TS, agentId: 'UAGENT1' },
      { action: 'reopen', slackChannelId: CHANNEL, messageTs: PARENT_TS, agentId: 'UAGENT1' },
    ]);
  });

  it("ignores other reactions, the bot's own, removed ✋, and reactions on files", async () => {
    await postEvent(url, SIGNING_SECRET, reaction('reaction_added', '+1'));
    await postEvent(url, SIGNING_SECRET, reaction('reaction_added', 'white_check_mark', { user: SLACK_TEST_IDS.botUserId }));
    await postEvent(url, SIGNING_SECRET, reaction('reaction_removed', 'raising_hand'));
    await postEvent(url, SIGNING_SECRET, reaction('reaction_added', 'white_check_mark', { item: { type: 'file', file: 'F0123' } }));
    expect(h.recorded.commands).toEqual([]);
  });

  it('turns the Assign, Close and Reopen buttons into commands on the clicked message', async () => {
    for (const actionId of [ACTION_ASSIGN, ACTION_CLOSE, ACTION_REOPEN]) {
      const res = await postInteraction(
        url,
        SIGNING_SECRET,
        blockActions({ actionId, userId: 'UAGENT3', channelId: CHANNEL, messageTs: PARENT_TS }),
      );
      expect(res.status).toBe(200);
    }
    expect(h.recorded.commands.map((c) => c.action)).toEqual(['assign', 'close', 'reopen']);
    expect(h.recorded.commands[0]).toEqual({ action: 'assign', slackChannelId: CHANNEL, messageTs: PARENT_TS, agentId: 'UAGENT3' });
  });

  it('turns the user picker into an assignment to the picked user, and Unassign, Escalate, De-escalate into commands', async () => {
    const pick = (selectedUser: string) =>
      postInteraction(
        url,
        SIGNING_SECRET,
        userSelected({ actionId: ACTION_ASSIGN_TO, userId: 'UAGENT3', channelId: CHANNEL, messageTs: PARENT_TS, selectedUser }),
      );
    expect((await pick('UAGENT4')).status).toBe(200);
    // A picked "user" that is not a Slack id is not handed on.
    expect((await pick('<!channel>')).status).toBe(200);
    for (const actionId of [ACTION_UNASSIGN, ACTION_ESCALATE, ACTION_DEESCALATE]) {
      await postInteraction(url, SIGNING_SECRET, blockActions({ actionId, userId: 'UAGENT3', channelId: CHANNEL, messageTs: PARENT_TS }));
    }
    expect(h.recorded.commands).toEqual([
      { action: 'assign', slackChannelId: CHANNEL, messageTs: PARENT_TS, agentId: 'UAGENT3', assignee: 'UAGENT4' },
      { action: 'unassign', slackChannelId: CHANNEL, messageTs: PARENT_TS, agentId: 'UAGENT3' },
      { action: 'escalate', slackChannelId: CHANNEL, messageTs: PARENT_TS, agentId: 'UAGENT3' },
      { action: 'deescalate', slackChannelId: CHANNEL, messageTs: PARENT_TS, agentId: 'UAGENT3' },
    ]);
  });

  it('turns 🚨 into escalate, and removing it into de-escalate', async () => {
    await postEvent(url, SIGNING_SECRET, reaction('reaction_added', 'rotating_light'));
    await postEvent(url, SIGNING_SECRET, reaction('reaction_removed', 'rotating_light'));
    expect(h.recorded.commands.map((c) => c.action)).toEqual(['escalate', 'deescalate']);
  });

  it('answers 401 and hands nothing over when the signature is wrong or the request is stale', async () => {
    const wrong = await postEvent(url, SIGNING_SECRET, threadReply(), {
      signature: 'v0=0000000000000000000000000000000000000000000000000000000000000000',
    });
    const otherSecret = await postEvent(url, 'not-the-signing-secret', threadReply());
    const stale = await postEvent(url, SIGNING_SECRET, threadReply(), { timestamp: Math.floor(Date.now() / 1000) - 10 * 60 });
    expect([wrong.status, otherSecret.status, stale.status]).toEqual([401, 401, 401]);
    expect(h.recorded.replies).toEqual([]);
  });

  it.each([
    // Just past the window: 303 rather than 301, since the second request is checked a moment
    // later than the first was dated, and on a loaded machine that moment can exceed a second.
    ['303 s in the future', 303],
    ['an hour in the future', 3600],
    ['a year in the future', 365 * 24 * 3600],
    ['301 s old', -301],
  ])(
    'answers 401 and hands nothing over to a correctly signed request dated %s (Slack: more than 5 minutes either way)',
    async (_when, offset) => {
      const timestamp = Math.floor(Date.now() / 1000) + offset;
      const reply = await postEvent(url, SIGNING_SECRET, threadReply({ ts: '1800000000.000400' }), { timestamp });
      const click = await postInteraction(
        url,
        SIGNING_SECRET,
        blockActions({ actionId: ACTION_CLOSE, userId: 'UAGENT3', channelId: CHANNEL, messageTs: PARENT_TS }),
        { timestamp },
      );
      expect([reply.status, click.status]).toEqual([401, 401]);
      expect(h.recorded.replies).toEqual([]);
      expect(h.recorded.commands).toEqual([]);
    },
  );

  it('accepts a request dated within the window, a little in the future too (clock skew)', async () => {
    const res = await postEvent(url, SIGNING_SECRET, threadReply({ ts: '1800000000.000401' }), {
      timestamp: Math.floor(Date.now() / 1000) + 240,
    });
    expect(res.status).toBe(200);
    expect(h.recorded.replies.map((r) => r.messageTs)).toEqual(['1800000000.000401']);
  });

  it('answers 401 when the signature headers are missing', async () => {
    const res = await fetch(url, {
      method: 'POST',
      body: JSON.stringify(eventCallback(threadReply())),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(401);
    expect(h.recorded.replies).toEqual([]);
  });

  it('answers 400 to a signed body that is not a Slack payload', async () => {
    expect((await postSigned(url, SIGNING_SECRET, '{"type": "event_callback"', 'application/json')).status).toBe(400);
    expect((await postSigned(url, SIGNING_SECRET, '[1, 2]', 'application/json')).status).toBe(400);
  });

  // Found by the fuzz (tests/e2e/fuzz.test.ts): Bolt threw a TypeError reading the conversation of these, a 500 on every delivery.
  it('answers 400 to a signed event_callback whose event (or event.item, or channel) is not an object', async () => {
    const bodies = [
      { ...eventCallback(threadReply()), event: '</script>' },
      { ...eventCallback(threadReply()), event: null },
      eventCallback({ type: 'reaction_added', user: 'U0AGENT', reaction: 'eyes', item: 42, event_ts: '1800000002.000100' }),
      eventCallback({ ...threadReply(), channel: null }),
      {
        ...blockActions({ actionId: ACTION_ASSIGN, userId: 'U0AGENT', channelId: CHANNEL, messageTs: '1800000000.000100' }),
        channel: null,
      },
      {
        ...blockActions({ actionId: ACTION_ASSIGN, userId: 'U0AGENT', channelId: CHANNEL, messageTs: '1800000000.000100' }),
        user: undefined,
      },
      { ...blockActions({ actionId: ACTION_ASSIGN, userId: 'U0AGENT', channelId: CHANNEL, messageTs: '1800000000.000100' }), actions: 'x' },
      { ...eventCallback(threadReply()), authorizations: [null] },
    ];
    for (const body of bodies) {
      const res =
        body.type === 'block_actions'
          ? await postInteraction(url, SIGNING_SECRET, body)
          : await postSigned(url, SIGNING_SECRET, JSON.stringify(body), 'application/json');
      expect(res.status, JSON.stringify(body).slice(0, 120)).toBe(400);
    }
    const deep = JSON.stringify(eventCallback(threadReply({ text: 'DEEP' }))).replace('"DEEP"', `${'['.repeat(100)}${']'.repeat(100)}`);
    expect((await postSigned(url, SIGNING_SECRET, deep, 'application/json')).status).toBe(400);
    expect(h.recorded.replies).toEqual([]);
    expect(h.recorded.commands).toEqual([]);
  });

  it('ignores (200, nothing handed over) a signed reply, reaction or click whose fields have the wrong type or are not Slack ids', async () => {
    const lone = 'C0\uD83D';
    const requests = [
      postEvent(url, SIGNING_SECRET, threadReply({ text: ['not', 'a', 'string'] })),
      postEvent(url, SIGNING_SECRET, threadReply({ channel: JSON.parse(`"${lone}"`) as string })),
      postEvent(url, SIGNING_SECRET, {
        type: 'reaction_added',
        user: 'U0AGENT',
        reaction: {},
        item: { type: 'message', channel: CHANNEL, ts: '1800000000.000100' },
        event_ts: '1800000002.000100',
      }),
      postEvent(url, SIGNING_SECRET, {
        type: 'reaction_added',
        user: 'U0AGENT',
        reaction: 'white_check_mark',
        event_ts: '1800000002.000100',
      }),
      postInteraction(
        url,
        SIGNING_SECRET,
        blockActions({
          actionId: ACTION_ASSIGN,
          userId: 'U0AGENT',
          channelId: JSON.parse(`"${lone}"`) as string,
          messageTs: '1800000000.000100',
        }),
      ),
    ];
    for (const response of await Promise.all(requests)) expect(response.status).toBe(200);
    expect(h.recorded.replies).toEqual([]);
    expect(h.recorded.commands).toEqual([]);
  });

  it("answers Slack's SSL check with 200 and processes nothing", async () => {
    const res = await fetch(url, {
      method: 'POST',
      body: 'ssl_check=1&token=XXYYZZ',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(200);
    expect(h.recorded.replies).toEqual([]);
  });

  it('answers 200 to an event no listener handles (nothing to deliver again)', async () => {
    const res = await postEvent(url, SIGNING_SECRET, {
      type: 'channel_rename',
      channel: { id: CHANNEL, name: 'support-korean', created: 1800000000 },
      event_ts: '1800000002.000100',
    });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
  });

  // A response sent on Bolt's own ack() (before the listeners run) would arrive while the listener
  // still waits; a whole other request completes meanwhile, so that response would be there by then.
  it('answers only once the listener finished', async () => {
    const handOver = h.recorded.actions.reply;
    const entered = deferred();
    const release = deferred();
    h.recorded.actions.reply = async (reply) => {
      entered.resolve();
      await release.promise;
      return handOver(reply);
    };
    try {
      let answered = false;
      const slow = postEvent(url, SIGNING_SECRET, threadReply({ ts: '1800000000.000777' })).then((res) => {
        answered = true;
        return res;
      });
      await entered.promise;
      expect((await postEvent(url, SIGNING_SECRET, reaction('reaction_added', '+1'))).status).toBe(200);
      expect(answered).toBe(false);
      release.resolve();
      expect((await slow).status).toBe(200);
      expect(h.recorded.replies.map((r) => r.messageTs)).toEqual(['1800000000.000777']);
    } finally {
      h.recorded.actions.reply = handOver;
    }
  });

  it("echoes Slack's url_verification challenge", async () => {
    const res = await postEvent(url, SIGNING_SECRET, {
      type: 'url_verification',
      token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl',
      challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
  });

  it('answers 500 when the engine fails, so Slack delivers the event again', async () => {
    const failing = h.recorded.actions.reply;
    h.recorded.actions.reply = async () => {
      throw new Error('journal unavailable');
    };
    try {
      const res = await postEvent(url, SIGNING_SECRET, eventCallback(threadReply({ ts: '1800000000.000999' })));
      expect(res.status).toBe(500);
    } finally {
      h.recorded.actions.reply = failing;
    }
  });

  it('answers 404 from httpHandler for anything but POST /slack/events', async () => {
    const handler = h.slack.httpHandler;
    const server = createServer((req, res) => handler?.(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      expect((await fetch(`${base}/other`, { method: 'POST', body: '{}' })).status).toBe(404);
      expect((await fetch(`${base}/slack/events`)).status).toBe(404);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('never logs the tokens or the signing secret', () => {
    expect(h.logs.text()).not.toMatch(/xoxb-1111|f0e1d2c3b4a5968778695a4b3c2d1e0f/);
  });
});
