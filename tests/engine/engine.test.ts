import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine/engine.ts';
import { createLanguageDetector, type LanguageDetector } from '../../src/engine/language.ts';
import { createRoutingSettings, createSettingsStore } from '../../src/engine/settings.ts';
import type { EngineMetrics } from '../../src/engine/metrics.ts';
import type { ConversationView, CustomerPost } from '../../src/engine/slack-port.ts';
import { SlackApiError } from '../../src/errors.ts';
import type { InboundMessage, InboundReaction } from '../../src/messages.ts';
import { keys } from '../../src/store/keys.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import type { Store } from '../../src/store/store.ts';
import { captureLogger } from '../support/capture-logger.ts';
import { createRecordingSlackPort } from '../support/recording-slack-port.ts';
import { createScriptedChannel } from '../support/scripted-channel.ts';

const DEFAULT = 'CDEFAULT';
const KO = 'CKOREAN';
const EN = 'CENGLISH';

let detector: LanguageDetector;
beforeAll(async () => {
  detector = await createLanguageDetector({ database: 'small' });
});

let counter = 0;
function message(text: string | undefined, overrides: Partial<InboundMessage> = {}): InboundMessage {
  counter++;
  return {
    kind: 'message',
    platform: 'telegram',
    account: '777',
    eventId: `42:${counter}`,
    messageId: String(counter),
    contact: { id: '42', name: 'Min-jun Kim', handle: 'minjun' },
    occurredAt: new Date(1_700_000_000_000 + counter * 1000).toISOString(),
    attachments: [],
    ...(text === undefined ? {} : { text }),
    ...overrides,
  };
}

async function setup(options: { store?: Store; metrics?: EngineMetrics } = {}) {
  const store = options.store ?? createMemoryStore();
  const slack = createRecordingSlackPort();
  const telegram = createScriptedChannel('telegram');
  const settingsDocument = createSettingsStore(store, { owner: 'test' });
  const settings = createRoutingSettings(settingsDocument, DEFAULT);
  await settings.setRoute('UADMIN', 'ko', KO);
  await settings.setRoute('UADMIN', 'en', EN);
  const log = captureLogger({ level: 'info' });
  const engine = createEngine({
    store,
    slack: slack.port,
    channels: new Map([['telegram', telegram.channel]]),
    settings,
    settingsDocument,
    language: detector,
    logger: log.logger,
    worker: { idleMs: 5, leaseMs: 2000, concurrency: 2, maxBackoffMs: 20 },
    ...(options.metrics ? { metrics: options.metrics } : {}),
    outbox: { minTimeoutMs: 1, maxTimeoutMs: 5 },
  });
  engine.start();
  running.push(engine);
  const idle = async () => expect.poll(() => store.journal.size(), { timeout: 5000, interval: 10 }).toBe(0);
  return { store, slack, telegram, settings, engine, log, idle };
}

const running: Engine[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((engine) => engine.stop()));
});

describe('engine: a new customer opens a conversation', () => {
  it('posts one parent in the channel of the detected language, with the message in its thread under the customer name', async () => {
    const { slack, engine, idle } = await setup();
    await engine.intake.accept([message('안녕하세요, 주문한 물건이 아직 도착하지 않았어요')]);
    await idle();
    const [parent, ...others] = slack.parents();
    expect(others).toHaveLength(0);
    expect(parent?.slackChannelId).toBe(KO);
    expect(parent?.view).toMatchObject({ status: 'waiting', language: 'ko', contact: { name: 'Min-jun Kim', handle: 'minjun' } });
    expect(parent?.view?.assignee).toBeUndefined();
    const thread = slack.thread(parent!);
    expect(thread.map((m) => [m.author, m.text])).toEqual([['Min-jun Kim', '안녕하세요, 주문한 물건이 아직 도착하지 않았어요']]);
  });

  it('routes a too-short first message by the app language hint, never by a guess', async () => {
    const { slack, engine, idle } = await setup();
    await engine.intake.accept([message('hi', { contact: { id: '42', name: 'Min-jun Kim', languageHint: 'ko' } })]);
    await idle();
    expect(slack.parents()[0]?.slackChannelId).toBe(KO);
  });

  it('sends a too-short first message without any hint to the default channel', async () => {
    const { slack, engine, idle } = await setup();
    await engine.intake.accept([message('👍')]);
    await idle();
    expect(slack.parents()[0]?.slackChannelId).toBe(DEFAULT);
    expect(slack.parents()[0]?.view?.language).toBeUndefined();
  });

  it('opens the conversation in the default channel, saying why, when the routed channel cannot be used', async () => {
    const { slack, engine, idle } = await setup();
    slack.makeUnusable(KO);
    await engine.intake.accept([message('안녕하세요, 환불 문의드립니다')]);
    await idle();
    const [parent, ...others] = slack.parents();
    expect(others).toHaveLength(0);
    expect(parent?.slackChannelId).toBe(DEFAULT);
    expect(parent?.view?.language).toBe('ko');
    expect(slack.thread(parent!).map((m) => m.text)).toEqual(['rerouted from CKOREAN (not_in_channel)', '안녕하세요, 환불 문의드립니다']);
  });

  it('opens exactly one thread when two first messages arrive at once', async () => {
    const { slack, engine, idle } = await setup();
    await Promise.all([
      engine.intake.accept([message('Hello, where is my order?')]),
      engine.intake.accept([message('It was due on Monday')]),
    ]);
    await idle();
    expect(slack.parents()).toHaveLength(1);
    expect(slack.thread(slack.parents()[0]!).map((m) => m.text)).toEqual(['Hello, where is my order?', 'It was due on Monday']);
  });

  it('uploads files and writes places as a readable line with a map link', async () => {
    const { slack, engine, idle } = await setup();
    await engine.intake.accept([
      message('here', {
        attachments: [
          { kind: 'image', media: { platform: 'telegram', id: 'photo-1' }, caption: 'the box' },
          { kind: 'location', latitude: 37.5665, longitude: 126.978 },
        ],
      }),
    ]);
    await idle();
    const [mirrored] = slack.thread(slack.parents()[0]!);
    expect(mirrored?.files).toEqual(['image-1.jpg']);
    expect(mirrored?.text).toContain('37.5665, 126.978');
    expect(mirrored?.text).toContain('https://www.openstreetmap.org/?mlat=37.5665&mlon=126.978');
  });
});

describe('engine: the conversation continues', () => {
  it('puts later messages in the same thread and posts a redelivered message once', async () => {
    const { slack, engine, idle } = await setup();
    const first = message('Hello, I need help with my order');
    await engine.intake.accept([first]);
    await engine.intake.accept([message('Order 1234'), first]);
    await idle();
    expect(slack.parents()).toHaveLength(1);
    expect(slack.thread(slack.parents()[0]!).map((m) => m.text)).toEqual(['Hello, I need help with my order', 'Order 1234']);
  });

  it('shows an edit on the mirrored message instead of a new one', async () => {
    const { slack, engine, idle } = await setup();
    const original = message('Order 1243');
    await engine.intake.accept([original]);
    await engine.intake.accept([{ ...original, eventId: `${original.eventId}:edit`, text: 'Order 1234', edited: true }]);
    await idle();
    expect(slack.thread(slack.parents()[0]!).map((m) => m.text)).toEqual(['Order 1234 (edited)']);
  });

  it('marks an unsent message with a reply quoting it, keeps the mirror, and opens nothing for an unsend it never mirrored', async () => {
    const { slack, engine, idle } = await setup();
    const original = message('Order 1243');
    await engine.intake.accept([original]);
    const { text: _, ...withoutText } = original;
    await engine.intake.accept([{ ...withoutText, eventId: `unsend:${original.messageId}`, unsent: true }]);
    await engine.intake.accept([{ ...withoutText, contact: { id: '43' }, eventId: 'unsend:x', messageId: 'x', unsent: true }]);
    await idle();
    expect(slack.parents()).toHaveLength(1);
    const [mirror, note] = slack.thread(slack.parents()[0]!);
    expect(mirror?.text).toBe('Order 1243');
    expect(note).toMatchObject({ text: '🚫 The customer unsent this message.', quoting: mirror?.ts });
  });

  it("shows the business's message from the platform's own inbox in the open thread, and opens nothing for one without a thread", async () => {
    const { slack, engine, idle } = await setup();
    await engine.intake.accept([message('Is the blue one in stock?')]);
    await engine.intake.accept([message('Yes, it is.', { fromBusiness: true })]);
    await engine.intake.accept([message('Hello from the inbox', { fromBusiness: true, contact: { id: '77' } })]);
    await idle();
    expect(slack.parents()).toHaveLength(1);
    expect(slack.thread(slack.parents()[0]!).map((m) => [m.author, m.text])).toEqual([
      ['Min-jun Kim', 'Is the blue one in stock?'],
      ['Telegram: sent by the business outside Threadline', 'Yes, it is.'],
    ]);
  });

  it('shows a message the adapter could not read as a notice under the customer name, routed by the hints', async () => {
    const { slack, engine, idle, log } = await setup();
    const unreadable = message(undefined, {
      unreadable: { kind: 'message', reason: 'text is a number, not a string' },
      contact: { id: '42', name: 'Min-jun Kim', languageHint: 'ko' },
    });
    await engine.intake.accept([unreadable]);
    await idle();
    const [parent] = slack.parents();
    expect(parent?.slackChannelId).toBe(KO);
    expect(slack.thread(parent!).map((m) => [m.author, m.text])).toEqual([
      [
        'Min-jun Kim',
        '⚠️ A message Threadline could not read (Telegram message: text is a number, not a string). Ask the customer to send it again, as text if they can.',
      ],
    ]);
    expect(log.entries().filter((e) => e.level >= 50)).toEqual([]);
  });

  it('posts an edit that could not be read as its own reply, keeping the version the agent could read', async () => {
    const { slack, engine, idle } = await setup();
    const original = message('Order 1243');
    await engine.intake.accept([original]);
    const { text: _, ...withoutText } = original;
    await engine.intake.accept([
      {
        ...withoutText,
        eventId: `${original.eventId}:edit`,
        edited: true,
        unreadable: { kind: 'edited_message', reason: 'text is an array, not a string' },
      },
    ]);
    await idle();
    expect(slack.thread(slack.parents()[0]!).map((m) => m.text)).toEqual([
      'Order 1243',
      '⚠️ A message Threadline could not read (Telegram edited message: text is an array, not a string). Ask the customer to send it again, as text if they can.',
    ]);
  });

  it('shows a customer reaction on the mirrored message and opens nothing', async () => {
    const { slack, engine, idle } = await setup();
    const original = message('Thanks for the help');
    await engine.intake.accept([original]);
    const reaction: InboundReaction = {
      kind: 'reaction',
      platform: 'telegram',
      account: '777',
      eventId: 'r1',
      messageId: original.messageId,
      contact: original.contact,
      occurredAt: original.occurredAt,
      emoji: '👍',
      removed: false,
    };
    await engine.intake.accept([reaction, { ...reaction, eventId: 'r2', messageId: 'unknown-message' }]);
    await idle();
    expect(slack.parents()).toHaveLength(1);
    expect([...slack.thread(slack.parents()[0]!)[0]!.reactions]).toEqual(['👍']);
  });

  it('does not post a customer message twice when the process dies between posting and recording it', async () => {
    const store = createMemoryStore();
    let crashOnce = true;
    const crashing: Store = {
      ...store,
      journal: store.journal,
      async set(key, value, ttl) {
        if (crashOnce && key.startsWith('posted:msg:')) {
          crashOnce = false;
          throw new Error('simulated crash after the Slack post');
        }
        return store.set(key, value, ttl);
      },
      // The job's records are committed together (src/store/write-buffer.ts): the crash can come there too.
      async commit(writes) {
        if (crashOnce && writes.some((write) => write.op === 'set' && write.key.startsWith('posted:msg:'))) {
          crashOnce = false;
          throw new Error('simulated crash after the Slack post');
        }
        return store.commit(writes);
      },
    };
    const { slack, engine, idle } = await setup({ store: crashing });
    await engine.intake.accept([message('Where is my parcel?')]);
    await idle();
    expect(slack.thread(slack.parents()[0]!).map((m) => m.text)).toEqual(['Where is my parcel?']);
  });

  it("still uploads a message's files when the upload failed after its text was posted, and posts the text once", async () => {
    const { slack, engine, idle } = await setup();
    slack.failNext('uploadFiles');
    await engine.intake.accept([message('', { attachments: [{ kind: 'image', media: { platform: 'telegram', id: 'p1' } }] })]);
    await idle();
    const thread = slack.thread(slack.parents()[0]!);
    expect(thread).toHaveLength(1);
    expect(thread[0]?.files).toEqual(['image-1.jpg']);
  });

  it('retries when Slack is down and loses nothing', async () => {
    const { slack, engine, idle } = await setup();
    slack.failNext('postParent');
    slack.failNext('postCustomerMessage');
    await engine.intake.accept([message('Hello, is anyone there?'), message('Hello?')]);
    await idle();
    expect(slack.parents()).toHaveLength(1);
    expect(slack.thread(slack.parents()[0]!).map((m) => m.text)).toEqual(['Hello, is anyone there?', 'Hello?']);
  });
});

describe('engine: agents answer, assign and close', () => {
  async function opened() {
    const env = await setup();
    await env.engine.intake.accept([message('Hello, I have a question about my invoice')]);
    await env.idle();
    const parent = env.slack.parents()[0]!;
    const thread = { slackChannelId: parent.slackChannelId, threadTs: parent.ts };
    return { ...env, parent, thread };
  }

  it('sends a thread reply to the customer, marks it delivered and shows who answered', async () => {
    const { slack, telegram, engine, idle, parent, thread } = await opened();
    const ts = slack.addHumanMessage(thread, 'Sure, what is the invoice number?');
    expect(
      await engine.actions.reply({ ...thread, messageTs: ts, agentId: 'UAGENT', text: 'Sure, what is the invoice number?', files: [] }),
    ).toBe(true);
    await idle();
    expect(telegram.sent).toMatchObject([
      { platform: 'telegram', account: '777', contactId: '42', text: 'Sure, what is the invoice number?' },
    ]);
    expect(slack.messages.find((m) => m.ts === ts)?.reactions.has(':heavy_check_mark:')).toBe(true);
    expect(parent.view).toMatchObject({ status: 'answered', answeredBy: 'UAGENT' });
  });

  it("shows the platform's later word on a reply: read adds 👀, failed turns ✔️ into ⚠️ with the reason, once", async () => {
    const { slack, engine, idle, thread } = await opened();
    const ts = slack.addHumanMessage(thread, 'Sure, what is the invoice number?');
    await engine.actions.reply({ ...thread, messageTs: ts, agentId: 'UAGENT', text: 'Sure, what is the invoice number?', files: [] });
    await idle();
    const base = {
      platform: 'telegram' as const,
      account: '777',
      contact: { id: '42' },
      occurredAt: new Date(0).toISOString(),
      messageId: '501',
    };
    await engine.intake.accept([{ ...base, kind: 'delivery', eventId: 'status:1:read', status: 'read' }]);
    await idle();
    expect(slack.messages.find((m) => m.ts === ts)?.reactions.has(':eyes:')).toBe(true);
    const failed = {
      ...base,
      kind: 'delivery' as const,
      status: 'failed' as const,
      failure: { code: '131047', title: 'more than 24 hours have passed', kind: 'window_closed' as const },
    };
    await engine.intake.accept([
      { ...failed, eventId: 'status:1:failed' },
      { ...failed, eventId: 'status:1:failed-again' },
    ]);
    await idle();
    const reactions = slack.messages.find((m) => m.ts === ts)?.reactions;
    expect(reactions?.has(':warning:')).toBe(true);
    const notices = slack.messages.filter((m) => m.threadTs === thread.threadTs && m.text.startsWith('not delivered'));
    expect(notices.map((m) => m.text)).toEqual(['not delivered (window_closed): 131047: more than 24 hours have passed']);
    // A status for a message Threadline never sent changes nothing.
    await engine.intake.accept([{ ...failed, eventId: 'status:x:failed', messageId: 'unknown' }]);
    await idle();
    expect(slack.messages.filter((m) => m.text.startsWith('not delivered'))).toHaveLength(1);
  });

  it('posts a customer reply to a mirrored message with a quote of it', async () => {
    const { slack, engine, idle, thread } = await opened();
    const first = slack.thread(slack.parents()[0]!)[0]!;
    await engine.intake.accept([message('Any news on this?', { replyTo: String(counter) })]);
    await idle();
    const posts = slack.thread(slack.parents()[0]!);
    expect(posts.at(-1)).toMatchObject({ text: 'Any news on this?', quoting: first.ts });
    expect(thread.threadTs).toBe(slack.parents()[0]!.ts);
  });

  it('ignores replies in threads that are not conversations', async () => {
    const { engine } = await opened();
    expect(await engine.actions.reply({ slackChannelId: EN, threadTs: '1.1', messageTs: '1.2', agentId: 'U', text: 'x', files: [] })).toBe(
      false,
    );
  });

  it('retries transient failures and rate limits, then delivers once', async () => {
    const { slack, telegram, engine, idle, thread } = await opened();
    telegram.failWith(telegram.error('transient'), telegram.error('rate_limited', 'slow down', 5));
    const ts = slack.addHumanMessage(thread, 'On it');
    await engine.actions.reply({ ...thread, messageTs: ts, agentId: 'UAGENT', text: 'On it', files: [] });
    await idle();
    expect(telegram.sent).toHaveLength(1);
    expect(slack.messages.find((m) => m.ts === ts)?.reactions.has(':heavy_check_mark:')).toBe(true);
  });

  it('explains a permanent failure in the thread and keeps the conversation waiting', async () => {
    const { slack, telegram, engine, idle, parent, thread } = await opened();
    telegram.failWith(telegram.error('unreachable', 'Forbidden: bot was blocked by the user'));
    const ts = slack.addHumanMessage(thread, 'Hello?');
    await engine.actions.reply({ ...thread, messageTs: ts, agentId: 'UAGENT', text: 'Hello?', files: [] });
    await idle();
    expect(slack.messages.find((m) => m.ts === ts)?.reactions.has(':warning:')).toBe(true);
    expect(slack.thread(parent).at(-1)?.text).toContain('blocked');
    expect(parent.view?.status).toBe('waiting');
  });

  it('assigns by reaction on any message of the thread, closes, reopens, and opens a new linked thread after close', async () => {
    const { slack, engine, idle, parent, thread } = await opened();
    const customerTs = slack.thread(parent)[0]!.ts;
    await engine.actions.command({ action: 'assign', slackChannelId: thread.slackChannelId, messageTs: customerTs, agentId: 'UANNA' });
    await idle();
    expect(parent.view?.assignee).toBe('UANNA');
    const note = slack.addHumanMessage(thread, 'note: checking with billing');
    await engine.actions.command({ action: 'close', slackChannelId: thread.slackChannelId, messageTs: note, agentId: 'UANNA' });
    await idle();
    expect(parent.view).toMatchObject({ status: 'closed', closedBy: 'UANNA' });
    await engine.actions.command({ action: 'reopen', slackChannelId: thread.slackChannelId, messageTs: parent.ts, agentId: 'UANNA' });
    await idle();
    expect(parent.view?.status).toBe('waiting');
    await engine.actions.command({ action: 'close', slackChannelId: thread.slackChannelId, messageTs: parent.ts, agentId: 'UANNA' });
    await idle();
    await engine.intake.accept([message('ok')]);
    await idle();
    const parents = slack.parents();
    expect(parents).toHaveLength(2);
    // "ok" alone cannot tell a language: the earlier conversation's language decides.
    expect(parents[1]?.slackChannelId).toBe(parent.slackChannelId);
    expect(parents[1]?.view?.previous).toEqual(thread);
    expect(parents[1]?.view?.status).toBe('waiting');
  });
});

describe('engine: a message that cannot be shown', () => {
  const refused = () =>
    new SlackApiError('rejected', 'Slack chat.postMessage failed for channel CENGLISH: msg_too_long', { code: 'msg_too_long' });
  /** Counts the job metrics. */
  function counting() {
    const counts = { retried: 0, parked: 0 };
    const metrics: EngineMetrics = {
      eventsAccepted: () => undefined,
      conversationOpened: () => undefined,
      replyOutcome: () => undefined,
      jobRetried: () => void counts.retried++,
      jobParked: () => void counts.parked++,
      messageIgnored: () => undefined,
    };
    return { counts, metrics };
  }
  /** Refuses every post of a customer message containing POISON, counting the tries. */
  function poison(slack: ReturnType<typeof createRecordingSlackPort>, error: Error = refused()) {
    const tries = { count: 0 };
    const lift = slack.refuse('postCustomerMessage', (post) => (post as CustomerPost).text.includes('POISON') && ++tries.count > 0, error);
    return { tries, lift };
  }

  it('is tried a bounded number of times, then set aside with a notice in its thread, and the conversation goes on', async () => {
    const { counts, metrics } = counting();
    const { slack, store, engine, idle } = await setup({ metrics });
    const { tries } = poison(slack);
    await engine.intake.accept([message('Hello, I need help with my order'), message('POISON in my order'), message('Are you there?')]);
    await idle();
    expect(tries.count).toBe(5);
    const [entry, ...others] = await store.journal.parked();
    expect(others).toEqual([]);
    expect(entry).toMatchObject({
      queue: 'telegram:777:42',
      payload: { type: 'inbound', event: { text: 'POISON in my order' } },
      reason: 'Slack chat.postMessage failed for channel CENGLISH: msg_too_long',
    });
    const [parent, ...parents] = slack.parents();
    expect(parents).toEqual([]);
    expect(slack.thread(parent!).map((m) => m.text)).toEqual([
      'Hello, I need help with my order',
      `parked ${entry!.id}: customer_message from Min-jun Kim (Slack chat.postMessage failed for channel CENGLISH: msg_too_long)`,
      'Are you there?',
    ]);
    expect(counts).toEqual({ retried: 4, parked: 1 });
  });

  it('is processed again once replayed: the de-duplication does not swallow it', async () => {
    const { slack, store, engine, idle } = await setup();
    const { lift } = poison(slack);
    await engine.intake.accept([message('Hello, I need help with my order'), message('POISON in my order')]);
    await idle();
    const [entry] = await store.journal.parked();
    lift();
    expect(await store.journal.replay(entry!.id)).toMatchObject({ queue: 'telegram:777:42' });
    await idle();
    expect(await store.journal.parked()).toEqual([]);
    expect(slack.thread(slack.parents()[0]!).map((m) => m.text)).toEqual([
      'Hello, I need help with my order',
      expect.stringMatching(/^parked /),
      'POISON in my order',
    ]);
  });

  it('never sets aside a job that fails on an outage, however often', async () => {
    const { slack, store, engine, idle } = await setup();
    let outages = 8;
    slack.refuse(
      'postCustomerMessage',
      () => outages-- > 0,
      new SlackApiError('transient', 'Slack chat.postMessage failed for channel CENGLISH: fetch failed'),
    );
    await engine.intake.accept([message('Hello, is anyone there at all?')]);
    await idle();
    expect(outages).toBeLessThan(0);
    expect(await store.journal.parked()).toEqual([]);
    expect(slack.thread(slack.parents()[0]!).map((m) => m.text)).toEqual(['Hello, is anyone there at all?']);
  });

  it('says so in the default channel when the conversation has no thread', async () => {
    const { slack, store, engine, idle } = await setup();
    slack.refuse('postParent', (view) => (view as ConversationView).contact.name === 'Nobody Known', refused());
    await engine.intake.accept([message('Hello there, I have a question', { contact: { id: '43', name: 'Nobody Known' } })]);
    await idle();
    const [entry] = await store.journal.parked();
    expect(slack.parents().map((m) => [m.slackChannelId, m.text])).toEqual([
      [
        DEFAULT,
        `parked ${entry!.id}: customer_message from Nobody Known (Slack chat.postMessage failed for channel CENGLISH: msg_too_long)`,
      ],
    ]);
  });

  it('says so in the default channel when the thread refuses the notice too', async () => {
    const { slack, store, engine, idle } = await setup();
    poison(slack);
    slack.refuse('noteParked', (where) => (where as { threadTs?: string }).threadTs !== undefined, refused());
    await engine.intake.accept([message('Hello, I need help with my order'), message('POISON in my order')]);
    await idle();
    const [entry] = await store.journal.parked();
    expect(
      slack
        .parents()
        .filter((m) => m.slackChannelId === DEFAULT)
        .map((m) => m.text),
    ).toEqual([expect.stringContaining(`parked ${entry!.id}: customer_message`)]);
  });
});

describe('engine: moving a conversation to another language', () => {
  it('finishes a move interrupted after the new parent: one new parent, the last messages carried once, the old parent marked', async () => {
    const { slack, engine, idle, store, log } = await setup();
    await engine.intake.accept([message('Hello, where is my order? It was due on Monday.')]);
    await idle();
    const [old] = slack.parents();
    expect(old?.slackChannelId).toBe(EN);
    slack.failNext('updateParent', new Error('slack down'));
    await engine.actions.command({ action: 'move', language: 'ko', slackChannelId: EN, messageTs: old!.ts, agentId: 'UANNA' });
    await idle();
    expect(log.entries().some((e) => e.msg === 'job failed, will retry')).toBe(true);
    const moved = slack.parents().filter((p) => p.slackChannelId === KO);
    expect(moved).toHaveLength(1);
    expect(moved[0]?.view).toMatchObject({ language: 'ko', movedFrom: { slackChannelId: EN, threadTs: old!.ts } });
    expect(slack.thread(moved[0]!).filter((m) => m.text.startsWith('carried:'))).toHaveLength(1);
    expect(slack.parents().find((p) => p.ts === old!.ts)?.view?.movedTo).toEqual({ slackChannelId: KO, threadTs: moved[0]!.ts });
    // The customer's language is remembered for their next conversation (the e2e test opens one).
    expect(await store.get(keys.contactLanguage('telegram:777:42'))).toBe('ko');
  });
});
