/**
 * Customer messages that queued up behind Slack's pace share one post, one section each, and stay
 * each its own message: engine unit tests on the recording SlackPort (which says when a Slack
 * channel is behind its pace). End to end through Bolt and the paced Slack fake: tests/e2e/batching.test.ts.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine/engine.ts';
import { createLanguageDetector, type LanguageDetector } from '../../src/engine/language.ts';
import { createRoutingSettings, createSettingsStore } from '../../src/engine/settings.ts';
import type { InboundMessage, InboundReaction } from '../../src/messages.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import type { Store } from '../../src/store/store.ts';
import { captureLogger } from '../support/capture-logger.ts';
import { createRecordingSlackPort } from '../support/recording-slack-port.ts';
import { createScriptedChannel } from '../support/scripted-channel.ts';

const DEFAULT = 'CDEFAULT';
const EN = 'CENGLISH';

let detector: LanguageDetector;
beforeAll(async () => {
  detector = await createLanguageDetector({ database: 'small' });
});

let counter = 0;
function message(text: string, overrides: Partial<InboundMessage> = {}): InboundMessage {
  counter++;
  return {
    kind: 'message',
    platform: 'telegram',
    account: '777',
    eventId: `42:${counter}`,
    messageId: String(counter),
    contact: { id: '42', name: 'Ann Berg', handle: 'annb' },
    occurredAt: new Date(1_700_000_000_000 + counter * 1000).toISOString(),
    attachments: [],
    text,
    ...overrides,
  };
}

const running: Engine[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((engine) => engine.stop()));
});

async function setup(options: { store?: Store } = {}) {
  const store = options.store ?? createMemoryStore();
  const slack = createRecordingSlackPort();
  const settingsDocument = createSettingsStore(store, { owner: 'test' });
  const settings = createRoutingSettings(settingsDocument, DEFAULT);
  await settings.setRoute('UADMIN', 'en', EN);
  const engine = createEngine({
    store,
    slack: slack.port,
    channels: new Map([['telegram', createScriptedChannel('telegram').channel]]),
    settings,
    settingsDocument,
    language: detector,
    logger: captureLogger({ level: 'info' }).logger,
    worker: { idleMs: 5, leaseMs: 2000, concurrency: 2, maxBackoffMs: 20 },
    outbox: { minTimeoutMs: 1, maxTimeoutMs: 5 },
  });
  running.push(engine);
  const idle = async () => expect.poll(() => store.journal.size(), { timeout: 5000, interval: 10 }).toBe(0);
  /** The customer posts of the one thread, each as its sections (a post of its own is one section). */
  const posts = () => slack.thread(slack.parents()[0]!).map((m) => m.sections ?? [m.text]);
  return { store, slack, engine, idle, posts };
}

const TEXTS = ['Hello, my order has not arrived', 'It was order 1234', 'I paid by card', 'Can you check the tracking?', 'Thank you!'];

describe('engine: a backlog behind Slack’s pace', () => {
  it('posts queued messages as one post, one section each in order, and each stays its own message', async () => {
    const { slack, engine, idle, posts } = await setup();
    slack.setBehindPace(EN);
    const sent = TEXTS.map((text) => message(text));
    await engine.intake.accept(sent);
    engine.start();
    await idle();
    expect(posts()).toEqual([TEXTS]);

    // A reaction on the 3rd message shows on the combined post; an edit of the 2nd rewrites only its section.
    const reaction: InboundReaction = {
      kind: 'reaction',
      platform: 'telegram',
      account: '777',
      eventId: 'r1',
      contact: sent[2]!.contact,
      occurredAt: sent[2]!.occurredAt,
      messageId: sent[2]!.messageId,
      emoji: '👍',
      removed: false,
    };
    await engine.intake.accept([reaction, { ...sent[1]!, eventId: `${sent[1]!.eventId}:edit`, text: 'It was order 1243', edited: true }]);
    await idle();
    const [combined] = slack.thread(slack.parents()[0]!);
    expect(combined?.reactions).toEqual(new Set(['👍']));
    expect(posts()).toEqual([[TEXTS[0], 'It was order 1243 (edited)', ...TEXTS.slice(2)]]);

    // A reply quoting the 4th message quotes its section of the post.
    await engine.intake.accept([message('Any news?', { replyTo: sent[3]!.messageId })]);
    await idle();
    expect(slack.thread(slack.parents()[0]!).at(-1)).toMatchObject({ text: 'Any news?', quoting: combined!.ts });
  });

  it('posts each message on its own when Slack is not holding posts up', async () => {
    const { engine, idle, posts } = await setup();
    await engine.intake.accept(TEXTS.map((text) => message(text)));
    engine.start();
    await idle();
    expect(posts()).toEqual(TEXTS.map((text) => [text]));
  });

  it('keeps a message with files, an edit and an unsend out of a batch, in order', async () => {
    const { slack, engine, idle, posts } = await setup();
    slack.setBehindPace(EN);
    const first = message(TEXTS[0]!);
    await engine.intake.accept([
      first,
      message(TEXTS[1]!),
      message('', { attachments: [{ kind: 'image', media: { platform: 'telegram', id: 'p1' } }] }),
      message(TEXTS[2]!),
      { ...first, eventId: `${first.eventId}:edit`, text: 'Hello, my order has still not arrived', edited: true },
      message(TEXTS[3]!),
    ]);
    engine.start();
    await idle();
    expect(posts()).toEqual([['Hello, my order has still not arrived (edited)', TEXTS[1]], [''], [TEXTS[2]], [TEXTS[3]]]);
  });

  it('posts nothing twice and loses nothing when the process dies between the combined post and recording it', async () => {
    const store = createMemoryStore();
    let crashes = 0;
    const ready: { slack?: ReturnType<typeof createRecordingSlackPort> } = {};
    const crashing = crashOnce(
      store,
      (key) => key.startsWith('posted:msg:'),
      () => {
        crashes += 1;
        // After the restart Slack is no longer holding posts up: the replay still takes the planned batch along.
        ready.slack?.setBehindPace(EN, false);
        throw new Error('simulated crash after the Slack post');
      },
    );
    const { slack, engine, idle, posts } = await setup({ store: crashing });
    ready.slack = slack;
    slack.setBehindPace(EN);
    await engine.intake.accept(TEXTS.map((text) => message(text)));
    engine.start();
    await idle();
    expect(crashes).toBe(1);
    expect(posts()).toEqual([TEXTS]);
  });

  it('posts exactly the planned batch on a replay, even when more messages queued up meanwhile', async () => {
    const { slack, engine, idle, posts } = await setup();
    slack.setBehindPace(EN);
    let late = false;
    // The first attempt fails after it planned its batch (Slack down); a message arrives before the retry.
    slack.refuse(
      'postCustomerBatch',
      () => {
        if (late) return false;
        late = true;
        void engine.intake.accept([message('One more thing')]);
        return true;
      },
      new Error('slack down'),
    );
    await engine.intake.accept(TEXTS.slice(0, 3).map((text) => message(text)));
    engine.start();
    await idle();
    expect(posts()).toEqual([TEXTS.slice(0, 3), ['One more thing']]);
  });

  it('applies nothing twice when the process dies while recording the batch as done', async () => {
    const store = createMemoryStore();
    let crashes = 0;
    const sent = TEXTS.map((text) => message(text));
    // One commit records the batch (all or nothing); where records are written one by one (a Redis
    // Cluster), followers go newest first and the head last: die with the 3rd to 5th recorded.
    const crashing = crashOnce(
      store,
      (key) => key === `done:in:telegram:777:${sent[1]!.eventId}`,
      () => {
        crashes += 1;
        throw new Error('simulated crash while recording the batch');
      },
    );
    const { slack, engine, idle, posts } = await setup({ store: crashing });
    slack.setBehindPace(EN);
    await engine.intake.accept(sent);
    engine.start();
    await idle();
    await engine.intake.accept([message('Still there?')]);
    await idle();
    expect(crashes).toBe(1);
    expect(posts()).toEqual([TEXTS, ['Still there?']]);
  });
});

/**
 * `store`, dying once (`crash` throws) at the first write of a key that `matches`, whether written
 * alone or in a commit; a commit that dies applies nothing, as a transaction cut short.
 */
function crashOnce(store: Store, matches: (key: string) => boolean, crash: () => never): Store {
  let crashed = false;
  const hit = (key: string) => {
    if (crashed || !matches(key)) return;
    crashed = true;
    crash();
  };
  return {
    ...store,
    journal: store.journal,
    async set(key, value, ttl) {
      hit(key);
      return store.set(key, value, ttl);
    },
    async commit(writes) {
      for (const write of writes) if (write.op === 'set' || write.op === 'setIfAbsent') hit(write.key);
      return store.commit(writes);
    },
  };
}
