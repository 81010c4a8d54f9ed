/**
 * Round-robin assignment as the engine decides it: speakers of a language (a primary tag covers its
 * variants), active agents first, and one rotation shared by every instance on one store (memory
 * and Redis).
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { chooseAssignee, speakersOf } from '../../src/engine/assignment.ts';
import type { EngineContext } from '../../src/engine/context.ts';
import { noMetrics } from '../../src/engine/metrics.ts';
import { createRoutingSettings, createSettingsStore } from '../../src/engine/settings.ts';
import { createMemoryState, createMemoryStore } from '../../src/store/memory-store.ts';
import { createRedisStore } from '../../src/store/redis-store.ts';
import type { Store } from '../../src/store/store.ts';
import { captureLogger } from '../support/capture-logger.ts';
import { createRecordingSlackPort } from '../support/recording-slack-port.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const opened: Store[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

/** One instance of Threadline's engine context on `store`. */
function instance(store: Store, slack = createRecordingSlackPort()): { ctx: EngineContext; slack: typeof slack } {
  const settingsDocument = createSettingsStore(store, { owner: randomUUID() });
  const ctx: EngineContext = {
    store,
    slack: slack.port,
    channels: new Map(),
    settings: createRoutingSettings(settingsDocument, 'CDEFAULT'),
    settingsDocument,
    language: { detect: () => undefined },
    logger: captureLogger().logger,
    metrics: noMetrics,
    now: Date.now,
  };
  return { ctx, slack };
}

const backends: readonly [string, () => Promise<() => Promise<Store>>][] = [
  [
    'memory',
    async () => {
      const state = createMemoryState();
      return async () => createMemoryStore({ state });
    },
  ],
  [
    'redis',
    async () => {
      const namespace = `tl-test:assign:${randomUUID()}`;
      return () => createRedisStore({ url: redisUrl, namespace });
    },
  ],
];

describe('speakersOf', () => {
  it('finds the agents of a language, a primary tag covering its variants, sorted by id', () => {
    const agents = { UMINA: ['ko'], UJOON: ['ko', 'zh-Hant'], ULI: ['zh'], UANN: ['en'] };
    expect(speakersOf(agents, 'ko')).toEqual(['UJOON', 'UMINA']);
    expect(speakersOf(agents, 'zh-Hant')).toEqual(['UJOON', 'ULI']);
    expect(speakersOf(agents, 'zh-Hans')).toEqual(['ULI']);
    expect(speakersOf(agents, 'ja')).toEqual([]);
  });
});

describe.each(backends)('chooseAssignee on the %s store', (_name, backend) => {
  it('takes turns across two instances, prefers active agents, and says why nobody was found', async () => {
    const open = await backend();
    const [storeA, storeB] = [await open(), await open()];
    opened.push(storeA, storeB);
    const a = instance(storeA);
    const b = instance(storeB);
    expect(await chooseAssignee(a.ctx, 'ko')).toEqual({});
    await a.ctx.settingsDocument.update('UADMIN', 'agents', (s) => ({ ...s, agents: { UMINA: ['ko'], UJOON: ['ko'], UANN: ['en'] } }));
    const turns = [
      await chooseAssignee(a.ctx, 'ko'),
      await chooseAssignee(b.ctx, 'ko'),
      await chooseAssignee(a.ctx, 'ko'),
      await chooseAssignee(b.ctx, 'ko'),
    ];
    expect(turns).toEqual([{ assignee: 'UJOON' }, { assignee: 'UMINA' }, { assignee: 'UJOON' }, { assignee: 'UMINA' }]);
    a.slack.setAway('UJOON');
    expect(await chooseAssignee(a.ctx, 'ko')).toEqual({ assignee: 'UMINA' });
    expect(await chooseAssignee(a.ctx, 'ko')).toEqual({ assignee: 'UMINA' });
    expect(await chooseAssignee(a.ctx, 'ja')).toEqual({ unassigned: 'no_agent' });
    expect(await chooseAssignee(a.ctx, undefined)).toEqual({ unassigned: 'no_language' });
  });
});
