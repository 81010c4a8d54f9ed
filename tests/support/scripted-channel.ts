import { genericFacts, type Channel } from '../../src/channel.ts';
import { platformName } from '../../src/messages.ts';
import { ChannelError } from '../../src/errors.ts';
import type { Delivery, MediaRef, OutboundMessage, Platform } from '../../src/messages.ts';

/**
 * A Channel for engine unit tests: records what it was asked to send and fails on cue. Adapter
 * behaviour itself is covered by each adapter's tests and the channel contract suite.
 */
export function createScriptedChannel(platform: Platform = 'telegram') {
  const sent: OutboundMessage[] = [];
  const failures: ChannelError[] = [];
  let counter = 500;
  const channel: Channel = {
    platform,
    limits: { maxTextLength: 4096, maxFileBytes: 50 * 1024 * 1024 },
    facts: genericFacts(platformName(platform)),
    routes: [],
    async start() {},
    async stop() {},
    async send(message: OutboundMessage): Promise<Delivery> {
      const failure = failures.shift();
      if (failure) throw failure;
      sent.push(message);
      return { messageIds: [String(++counter)], sentAt: new Date(0).toISOString() };
    },
    async fetchMedia(ref: MediaRef) {
      return { data: new TextEncoder().encode(`media ${ref.id}`), mimeType: 'image/jpeg' };
    },
  };
  return {
    channel,
    sent,
    /** The next sends throw these errors, in order. */
    failWith(...errors: ChannelError[]) {
      failures.push(...errors);
    },
    error: (kind: ChannelError['kind'], message: string = kind, retryAfterMs?: number) =>
      new ChannelError(platform, kind, message, retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
}
