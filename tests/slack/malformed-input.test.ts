/**
 * Signed but malformed Slack input, through the real Bolt in HTTP mode and in Socket Mode: each is
 * answered at once, 400 (HTTP: the payload lacks what Bolt needs) or 200 / acknowledged (a listener
 * found a field it reads missing or of the wrong type), with a warning. Never a 500, never a hang,
 * never an unhandled rejection (tests/setup.ts fails the test on one), never an engine call.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ACTION_ASSIGN } from '../../src/slack/blocks.ts';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-api.ts';
import {
  blockActions,
  eventCallback,
  postEvent,
  postInteraction,
  postSigned,
  postSlashCommand,
  slashCommand,
  SLACK_TEST_IDS,
} from '../support/slack-signing.ts';
import { APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, startHarness, type Harness } from './harness.ts';

const CHANNEL = 'C0SUPPORTKO';
const PARENT_TS = '1800000000.000100';
const WARN = 40;

/** Inner events a listener reads, each with one field missing or of the wrong type. */
const badEvents: readonly (readonly [string, Record<string, unknown>])[] = [
  [
    'reaction_added without item',
    {
      type: 'reaction_added',
      user: 'UAGENT1',
      reaction: 'raising_hand',
      item_user: SLACK_TEST_IDS.botUserId,
      event_ts: '1800000001.000100',
    },
  ],
  [
    'reaction_removed with a numeric reaction',
    {
      type: 'reaction_removed',
      user: 'UAGENT1',
      reaction: 7,
      item: { type: 'message', channel: CHANNEL, ts: PARENT_TS },
      event_ts: '1800000001.000101',
    },
  ],
  [
    'a thread reply whose text is a number',
    {
      type: 'message',
      channel: CHANNEL,
      user: 'UAGENT1',
      text: 42,
      ts: '1800000000.000200',
      thread_ts: PARENT_TS,
      event_ts: '1800000000.000200',
    },
  ],
  [
    'a thread reply whose text is an object',
    {
      type: 'message',
      channel: CHANNEL,
      user: 'UAGENT1',
      text: { a: 1 },
      ts: '1800000000.000201',
      thread_ts: PARENT_TS,
      event_ts: '1800000000.000201',
    },
  ],
  [
    'a thread reply whose files are not a list',
    {
      type: 'message',
      channel: CHANNEL,
      user: 'UAGENT1',
      text: 'see file',
      files: 'F1',
      ts: '1800000000.000202',
      thread_ts: PARENT_TS,
      event_ts: '1800000000.000202',
    },
  ],
  ['app_home_opened without user', { type: 'app_home_opened', tab: 'home', channel: 'D0HOME', event_ts: '1800000001.000102' }],
];

/** Whole payloads Bolt itself cannot process. */
const badPayloads: readonly (readonly [string, Record<string, unknown>])[] = [
  ['an event_callback whose event is null', { ...eventCallback({ type: 'message' }), event: null }],
  [
    'reaction_added with item null',
    eventCallback({ type: 'reaction_added', user: 'UAGENT1', reaction: 'raising_hand', item: null, event_ts: '1800000001.000103' }),
  ],
  [
    'block_actions with actions: {}',
    { ...blockActions({ actionId: ACTION_ASSIGN, userId: 'UAGENT1', channelId: CHANNEL, messageTs: PARENT_TS }), actions: {} },
  ],
  [
    'block_actions without user',
    { ...blockActions({ actionId: ACTION_ASSIGN, userId: 'UAGENT1', channelId: CHANNEL, messageTs: PARENT_TS }), user: undefined },
  ],
  ['view_submission without view', { type: 'view_submission', team: { id: SLACK_TEST_IDS.teamId }, user: { id: 'UAGENT1' } }],
];

function expectNothingHandedOver(h: Harness): void {
  expect(h.recorded.replies).toEqual([]);
  expect(h.recorded.commands).toEqual([]);
}

describe('malformed Slack input in HTTP mode', () => {
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
    h.logs.lines.length = 0;
  });

  it.each(badEvents)('acknowledges %s with 200, warns, and hands nothing over', async (_name, event) => {
    const res = await postEvent(url, SIGNING_SECRET, event);
    expect(res.status).toBe(200);
    expectNothingHandedOver(h);
    expect(h.logs.entries().some((entry) => entry.level === WARN && /without the documented fields/.test(entry.msg))).toBe(true);
  });

  it.each(badPayloads)('answers %s with 400 and a warning, processing nothing', async (_name, payload) => {
    const event = payload.type === 'event_callback';
    const res = event ? await postEvent(url, SIGNING_SECRET, payload) : await postInteraction(url, SIGNING_SECRET, payload);
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/^malformed Slack payload: /);
    expectNothingHandedOver(h);
    expect(h.logs.entries().some((entry) => entry.level === WARN && /lacks fields Slack documents/.test(entry.msg))).toBe(true);
  });

  it.each(['null', '[]', '"text"', '42'])('answers the JSON body %s with 400', async (body) => {
    expect((await postSigned(url, SIGNING_SECRET, body, 'application/json')).status).toBe(400);
    expect(
      (await postSigned(url, SIGNING_SECRET, new URLSearchParams({ payload: body }).toString(), 'application/x-www-form-urlencoded'))
        .status,
    ).toBe(400);
  });

  it('answers a command Threadline does not serve with 200 at once, and warns which one', async () => {
    const res = await postSlashCommand(url, SIGNING_SECRET, slashCommand({ command: '/weather', text: 'tomorrow', userId: 'UAGENT1' }));
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    const warning = h.logs.entries().find((entry) => entry.level === WARN && entry.command === '/weather');
    expect(warning?.msg).toMatch(/does not serve.*remove it/);
  });

  it('answers /inbox without a user id with an ephemeral explanation, changing nothing', async () => {
    const res = await postSlashCommand(url, SIGNING_SECRET, {
      ...slashCommand({ text: 'route ko C0NEWKO', userId: 'UADMIN' }),
      user_id: '',
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringContaining('could not read this command'),
    });
    expect(h.routing.routes.get('ko')).toBeUndefined();
  });

  it('never logs what the malformed payloads said', () => {
    expect(h.logs.text()).not.toContain('see file');
  });
});

describe('malformed Slack input in Socket Mode', () => {
  let fake: FakeSlack;
  let h: Harness;

  beforeAll(async () => {
    fake = await startFakeSlack({ botToken: BOT_TOKEN, appToken: APP_TOKEN });
    h = await startHarness(fake, { mode: 'socket' });
  });
  afterAll(async () => {
    await h.close();
    await fake.close();
  });

  it.each(badEvents)('acknowledges %s and hands nothing over', async (_name, event) => {
    const ack = await fake.socket.pushEvent(event);
    expect(ack.envelope_id).toMatch(/^env-/);
    expectNothingHandedOver(h);
  });

  it.each(badPayloads)('acknowledges %s, processing nothing', async (_name, payload) => {
    const ack = payload.type === 'event_callback' ? await fake.socket.pushEvent(payload) : await fake.socket.pushInteractive(payload);
    expect(ack.envelope_id).toMatch(/^env-/);
    expectNothingHandedOver(h);
  });

  it.each([[null], [[]], ['text']])('acknowledges an envelope whose payload is %j', async (payload) => {
    for (const type of ['events_api', 'interactive', 'slash_commands'] as const) {
      const ack = await fake.socket.envelope(type, payload as unknown as Record<string, unknown>, false);
      expect(ack.envelope_id, type).toMatch(/^env-/);
    }
    expectNothingHandedOver(h);
  });

  it('acknowledges a command Threadline does not serve at once', async () => {
    const ack = await fake.socket.pushSlashCommand(slashCommand({ command: '/weather', text: 'tomorrow', userId: 'UAGENT1' }));
    expect(ack.envelope_id).toMatch(/^env-/);
    expect(h.logs.entries().some((entry) => entry.level === WARN && entry.command === '/weather')).toBe(true);
  });

  it('still handles a good event after all of that', async () => {
    await fake.socket.pushEvent({
      type: 'reaction_added',
      user: 'UAGENT1',
      reaction: 'raising_hand',
      item: { type: 'message', channel: CHANNEL, ts: PARENT_TS },
      event_ts: '1800000002.000001',
    });
    await expect
      .poll(() => h.recorded.commands)
      .toEqual([{ action: 'assign', slackChannelId: CHANNEL, messageTs: PARENT_TS, agentId: 'UAGENT1' }]);
  });
});
