/**
 * Reply-time reminders and escalations as jobs in the conversation's own queue: applied in order
 * with the conversation's other changes, nothing for a waiting stretch that is over, one post
 * each across a failed attempt, and the escalation marking the record and its parent.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toConversationId } from '../../src/engine/conversations.ts';
import { createEngine, type Engine } from '../../src/engine/engine.ts';
import type { Job } from '../../src/engine/jobs.ts';
import { createLanguageDetector, type LanguageDetector } from '../../src/engine/language.ts';
import { createRoutingSettings, createSettingsStore } from '../../src/engine/settings.ts';
import type { InboundMessage } from '../../src/messages.ts';
import { indexes } from '../../src/store/keys.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import { captureLogger } from '../support/capture-logger.ts';
import { createRecordingSlackPort } from '../support/recording-slack-port.ts';
import { createScriptedChannel } from '../support/scripted-channel.ts';

const DEFAULT = 'CDEFAULT';
const LEADS = 'CLEADS';
const MINUTE = 60_000;
const CONVERSATION = toConversationId({ platform: 'telegram', account: '777', contactId: '42' });

let detector: LanguageDetector;
beforeAll(async () => {
  detector = await createLanguageDetector({ database: 'small' });
});

const running: Engine[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((engine) => engine.stop()));
});

let counter = 0;
function message(text: string, at: number): InboundMessage {
  counter++;
  return {
    kind: 'message',
    platform: 'telegram',
    account: '777',
    eventId: `42:${counter}`,
    messageId: String(counter),
    contact: { id: '42', name: 'Ann Berg' },
    occurredAt: new Date(at).toISOString(),
    attachments: [],
    text,
  };
}

/** An engine on a test clock with a 10-minute reply time; its sweeper only runs when a test calls sweep. */
async function setup(options: { escalationChannel?: string } = {}) {
  let now = Date.parse('2026-12-03T09:00:00Z');
  const store = createMemoryStore();
  const slack = createRecordingSlackPort();
  const telegram = createScriptedChannel('telegram');
  const settingsDocument = createSettingsStore(store, { owner: 'test' });
  const settings = createRoutingSettings(settingsDocument, DEFAULT);
  await settingsDocument.update('UADMIN', 'sla', (s) => ({
    ...s,
    sla: { ...s.sla, minutes: 10 },
    ...(options.escalationChannel ? { escalation: { slackChannelId: options.escalationChannel, usergroupId: 'S0LEADS' } } : {}),
  }));
  const log = captureLogger({ level: 'info' });
  const engine = createEngine({
    store,
    slack: slack.port,
    channels: new Map([['telegram', telegram.channel]]),
    settings,
    settingsDocument,
    language: detector,
    logger: log.logger,
    now: () => now,
    worker: { idleMs: 5, leaseMs: 2000, concurrency: 2, maxBackoffMs: 20 },
    reminders: { intervalMs: 10 },
    outbox: { minTimeoutMs: 1, maxTimeoutMs: 5 },
  });
  engine.start();
  running.push(engine);
  const idle = async () => expect.poll(() => store.journal.size(), { timeout: 5000, interval: 10 }).toBe(0);
  const advance = (ms: number) => {
    now += ms;
  };
  await engine.intake.accept([message('Hello, my parcel has not arrived yet, can you check it please?', now)]);
  await idle();
  const parent = slack.parents()[0]!;
  const thread = { slackChannelId: parent.slackChannelId, threadTs: parent.ts };
  const notices = (mark: string) => slack.messages.filter((m) => m.threadTs === thread.threadTs && m.text.includes(mark));
  return { store, slack, engine, idle, advance, parent, thread, notices };
}

describe('reply-time reminders in the conversation queue', () => {
  it('reminds once at the reply time, even when the first attempt to post fails', async () => {
    const { slack, idle, advance, notices } = await setup();
    slack.failNext('alertWaiting');
    advance(11 * MINUTE);
    await expect.poll(() => notices('reminder for the channel').length, { timeout: 5000, interval: 10 }).toBe(1);
    await idle();
    advance(MINUTE);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(notices('reminder')).toHaveLength(1);
  });

  it('does nothing for a waiting stretch that an answer ended before the job applied', async () => {
    const { store, slack, engine, idle, advance, thread, notices } = await setup();
    advance(5 * MINUTE);
    const ts = slack.addHumanMessage(thread, 'Let me check that for you.');
    await engine.actions.reply({ ...thread, messageTs: ts, agentId: 'UAGENT', text: 'Let me check that for you.', files: [] });
    await idle();
    const since = Date.parse('2026-12-03T09:00:00Z');
    // A sweeper that read the timer before the answer journals the reminder after it.
    const late: Job = { type: 'overdue', conversationId: CONVERSATION, stage: 'reminder', generation: 1, since };
    await store.journal.append([{ queue: CONVERSATION, payload: late }]);
    await idle();
    advance(30 * MINUTE);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(notices('reminder')).toHaveLength(0);
    expect(notices('escalation')).toHaveLength(0);
  });

  it('escalates at twice the time: the link in the escalation channel, the notice, the parent marked, counted', async () => {
    const { store, slack, idle, advance, parent, notices } = await setup({ escalationChannel: LEADS });
    advance(11 * MINUTE);
    await expect.poll(() => notices('reminder').length, { timeout: 5000, interval: 10 }).toBe(1);
    advance(10 * MINUTE);
    await expect.poll(() => notices('escalation').length, { timeout: 5000, interval: 10 }).toBe(1);
    await idle();
    expect(slack.messages.filter((m) => m.slackChannelId === LEADS).map((m) => m.text)).toEqual([`overdue ${parent.ts} after 21 min`]);
    expect(parent.view).toMatchObject({ status: 'waiting', escalatedOverdue: 10 });
    expect(await store.index(indexes.escalated()).count()).toBe(1);
  });
});
