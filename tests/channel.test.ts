import { describe, expect, it } from 'vitest';
import { asGroupFactory, genericFacts, type Channel, type ChannelFactory, type ChannelGroupFactory } from '../src/channel.ts';
import { memoryState } from './contract/channel-contract.ts';
import { captureLogger } from './support/capture-logger.ts';

const channel = (platform: Channel['platform']): Channel => ({
  platform,
  limits: { maxTextLength: 10, maxFileBytes: 10 },
  facts: genericFacts(platform),
  routes: [],
  start: async () => undefined,
  stop: async () => undefined,
  send: async () => ({ messageIds: [], sentAt: new Date(0).toISOString() }),
  fetchMedia: async () => ({ data: new Uint8Array() }),
});
const deps = () => ({ logger: captureLogger().logger, state: memoryState(), now: () => 0 });

describe('asGroupFactory', () => {
  it('makes a single-platform factory a group of one with no shared routes', () => {
    const single: ChannelFactory<string> = {
      platform: 'telegram',
      readConfig: (env) => env.X,
      secretsOf: (c) => [c],
      create: () => channel('telegram'),
    };
    const group = asGroupFactory(single);
    expect(group.platforms).toEqual(['telegram']);
    expect(group.readConfig({ X: 'x' })).toBe('x');
    expect(group.secretsOf('x')).toEqual(['x']);
    expect(group.enabled('x')).toEqual(['telegram']);
    const asked: string[] = [];
    const built = group.create('x', (platform) => {
      asked.push(platform);
      return deps();
    });
    expect(built.channels.map((c) => c.platform)).toEqual(['telegram']);
    expect(built.routes).toEqual([]);
    expect(asked).toEqual(['telegram']);
  });

  it('passes a group factory through unchanged', () => {
    const group: ChannelGroupFactory<string> = {
      platforms: ['whatsapp', 'instagram'],
      readConfig: () => 'c',
      secretsOf: () => [],
      enabled: () => ['whatsapp'],
      create: () => ({ channels: [channel('whatsapp')], routes: [] }),
    };
    expect(asGroupFactory(group)).toBe(group);
  });
});
