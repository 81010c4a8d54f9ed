/**
 * Stored conversations for the memory benchmark: what a finished Telegram conversation leaves in
 * the store (its record, the links of its Slack thread, parent and message, of its platform
 * message, and its place in the indexes App Home and the waiting list read), written in large
 * commits so that 100,000 take seconds. A third are waiting, a third answered, a third closed; no
 * reply time is set, so none has a reminder due and the service has nothing to do with them until
 * their customer writes again.
 */
import type { MirrorLink } from '../src/engine/context.ts';
import type { ConversationRecord } from '../src/engine/conversations.ts';
import { indexes, keys } from '../src/store/keys.ts';
import type { Store, StoreWrite } from '../src/store/store.ts';

/** Telegram chat ids of seeded customers start here (the burst's are elsewhere: bench/load.ts). */
export const SEEDED_CHAT_IDS = 700_000_000;
const COMMIT_SIZE = 500;
const IN_FLIGHT = 8;
const LINK_TTL_MS = 180 * 24 * 3600 * 1000;

/** The writes of one seeded conversation. */
function conversationWrites(i: number, account: string, channels: readonly string[], now: number): StoreWrite[] {
  const chatId = String(SEEDED_CHAT_IDS + i);
  const id = `telegram:${account}:${chatId}`;
  const slackChannelId = channels[i % channels.length]!;
  const threadTs = `${Math.floor(now / 1000) - 86_400}.${String(i).padStart(6, '0')}`;
  const messageTs = `${Math.floor(now / 1000) - 86_400}.${String(i + 500_000).padStart(6, '0')}`;
  const status = (['waiting', 'answered', 'closed'] as const)[i % 3]!;
  const openedAt = new Date(now - 86_400_000 - i * 1000).toISOString();
  const thread = { slackChannelId, threadTs };
  const record: ConversationRecord = {
    id,
    generation: 1,
    platform: 'telegram',
    account,
    contact: { id: chatId, name: `Seeded Customer ${i}`, handle: `seeded_${i}`, languageHint: 'en' },
    language: 'en',
    status,
    ...(status === 'waiting' ? {} : { answeredBy: 'UAGENT1' }),
    ...(status === 'closed' ? { closedBy: 'UAGENT1' } : {}),
    lastSpeaker: status === 'waiting' ? 'customer' : 'agent',
    thread,
    slackChannelId,
    openedAt,
    lastCustomerMessageAt: openedAt,
  };
  const mirror: MirrorLink = { thread, ts: messageTs };
  const at = Date.parse(openedAt);
  return [
    { op: 'set', key: keys.conversation(id), value: record },
    { op: 'set', key: keys.thread(slackChannelId, threadTs), value: { conversationId: id, generation: 1 } },
    { op: 'set', key: keys.slackMessage(slackChannelId, threadTs), value: { conversationId: id, thread }, ttlMs: LINK_TTL_MS },
    { op: 'set', key: keys.slackMessage(slackChannelId, messageTs), value: { conversationId: id, thread }, ttlMs: LINK_TTL_MS },
    { op: 'set', key: keys.platformMessage(id, '1000'), value: mirror, ttlMs: LINK_TTL_MS },
    { op: 'indexPut', index: indexes.byStatus(status, 'en'), member: id, score: at },
    ...(status === 'closed' ? [] : [{ op: 'indexPut', index: indexes.open(), member: id, score: at } as const]),
    ...(status === 'waiting' ? [{ op: 'indexPut', index: indexes.waiting(), member: id, score: at } as const] : []),
  ];
}

/** Writes `count` conversations of Telegram bot `account` into the store, spread over `channels`. */
export async function seedConversations(store: Store, count: number, account: string, channels: readonly string[]): Promise<void> {
  const now = Date.now();
  await store.index(indexes.languages()).put('en', 0);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const from = next;
      next = Math.min(count, next + COMMIT_SIZE);
      const writes: StoreWrite[] = [];
      for (let i = from; i < next; i++) writes.push(...conversationWrites(i, account, channels, now));
      await store.commit(writes);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
}
