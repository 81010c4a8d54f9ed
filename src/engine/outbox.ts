/**
 * An agent's thread reply, delivered to the customer: files downloaded from Slack, sent through
 * the platform's channel with retries on transient errors and rate limits, then confirmed on the
 * agent's message (delivered mark) or explained in the thread. Never silent, never sent twice.
 */
import { ChannelError } from '../errors.ts';
import type { Delivery, OutboundFile, OutboundMessage } from '../messages.ts';
import { exponentialBackoff, retry } from '../retry.ts';
import { keys } from '../store/keys.ts';
import { onAgentReply, sameView, toView, type ConversationRecord } from './conversations.ts';
import { type EngineContext, linkPlatformMessage, linkSlackMessage, loadConversation, platformFacts, saveConversation } from './context.ts';
import type { AgentReply, DeliveryFailure } from './slack-port.ts';
import { syncWaiting } from './waiting.ts';

/** How often a send is tried before the agent is told it failed (about a minute of backoff). */
export const SEND_ATTEMPTS = 5;
/** A platform asking to wait longer than this is not waited out: the agent is told, with the wait asked for. */
const MAX_RETRY_AFTER_MS = 60_000;
const RECORD_TTL_MS = 90 * 24 * 3600 * 1000;

/** Options for tests: the backoff between attempts after a transient failure (doubling from min to max). */
export interface OutboxTiming {
  readonly minTimeoutMs: number;
  readonly maxTimeoutMs: number;
}

const DEFAULT_TIMING: OutboxTiming = { minTimeoutMs: 1000, maxTimeoutMs: 30_000 };

/** A failure as recorded: the platform's facts are added when it is shown, from the running channel. */
type FailureRecord = Omit<DeliveryFailure, 'facts'>;

/** What became of a reply; recorded before it is shown in Slack, so a replay shows it again rather than resending. */
type SendOutcome =
  | { readonly outcome: 'delivered'; readonly delivery: Delivery }
  | { readonly outcome: 'failed'; readonly failure: FailureRecord };

/** Sends one agent reply to the customer of `conversationId`, then shows the outcome on the agent's message. */
export async function handleAgentReply(
  ctx: EngineContext,
  conversationId: string,
  reply: AgentReply,
  signal: AbortSignal,
  timing: OutboxTiming = DEFAULT_TIMING,
): Promise<void> {
  const record = await loadConversation(ctx, conversationId);
  if (!record) return;
  const idempotencyKey = `${reply.slackChannelId}:${reply.messageTs}`;
  const log = ctx.logger.child({ conversationId, slackTs: reply.messageTs });
  const outcome =
    (await ctx.store.get<SendOutcome>(keys.sent(idempotencyKey))) ??
    (await attemptSend(ctx, record, reply, idempotencyKey, signal, timing));
  ctx.metrics.replyOutcome(record.platform, outcome.outcome);
  if (outcome.outcome === 'delivered') {
    await recordDelivery(ctx, record, reply, outcome.delivery);
    log.info({ platform: record.platform, messages: outcome.delivery.messageIds.length }, 'reply delivered');
    return;
  }
  if (await ctx.store.get(keys.failureShown(idempotencyKey))) return;
  log.error({ kind: outcome.failure.kind, attempts: outcome.failure.attempts }, 'reply not delivered');
  await ctx.slack.reportDeliveryFailure({ slackChannelId: reply.slackChannelId, threadTs: reply.threadTs }, reply.messageTs, {
    ...outcome.failure,
    facts: platformFacts(ctx, record.platform),
  });
  await ctx.store.set(keys.failureShown(idempotencyKey), true, RECORD_TTL_MS);
}

async function attemptSend(
  ctx: EngineContext,
  record: ConversationRecord,
  reply: AgentReply,
  idempotencyKey: string,
  signal: AbortSignal,
  timing: OutboxTiming,
): Promise<SendOutcome> {
  const log = ctx.logger.child({ conversationId: record.id, slackTs: reply.messageTs });
  let attempts = 0;
  let outcome: SendOutcome;
  // A previous attempt began sending and the process died before recording the outcome: the
  // platform may or may not have the message. Tell the agent rather than risk sending it twice.
  if (!(await ctx.store.setIfAbsent(keys.sendIntent(idempotencyKey), true, RECORD_TTL_MS))) {
    outcome = {
      outcome: 'failed',
      failure: { platform: record.platform, kind: 'unknown', message: 'Threadline restarted while sending this reply', attempts: 1 },
    };
    await ctx.store.set(keys.sent(idempotencyKey), outcome, RECORD_TTL_MS);
    return outcome;
  }
  try {
    const channel = ctx.channels.get(record.platform);
    if (!channel)
      throw new ChannelError(
        record.platform,
        'auth',
        `the ${record.platform} channel is not running: check its settings and the start-up log`,
      );
    const files = await downloadFiles(ctx, reply);
    const message: OutboundMessage = {
      idempotencyKey,
      platform: record.platform,
      account: record.account,
      contactId: record.contact.id,
      lastCustomerMessageAt: record.lastCustomerMessageAt,
      ...(reply.text.trim() ? { text: reply.text } : {}),
      ...(files.length > 0 ? { files } : {}),
    };
    const delivery = await retry(
      () => {
        attempts++;
        return channel.send(message);
      },
      {
        attempts: SEND_ATTEMPTS,
        backoff: exponentialBackoff(timing.minTimeoutMs, timing.maxTimeoutMs),
        maxRetryAfterMs: MAX_RETRY_AFTER_MS,
        signal,
        onRetry: ({ error, attempt, waitMs }) => log.warn({ err: error, attempt, retryInMs: waitMs }, 'send failed, retrying'),
      },
    );
    outcome = { outcome: 'delivered', delivery };
  } catch (error) {
    log.warn({ err: error }, 'send gave up');
    outcome = { outcome: 'failed', failure: toFailure(record, error, attempts) };
  }
  // Committed at once: after a crash from here on, the reply is known to be sent (or refused), not in doubt.
  await ctx.store.commit([{ op: 'set', key: keys.sent(idempotencyKey), value: outcome, ttlMs: RECORD_TTL_MS }]);
  return outcome;
}

async function recordDelivery(ctx: EngineContext, record: ConversationRecord, reply: AgentReply, delivery: Delivery): Promise<void> {
  const thread = { slackChannelId: reply.slackChannelId, threadTs: reply.threadTs };
  for (const messageId of delivery.messageIds) {
    await linkPlatformMessage(ctx, record.id, messageId, { thread, ts: reply.messageTs });
  }
  await linkSlackMessage(ctx, reply.slackChannelId, reply.messageTs, { conversationId: record.id, thread });
  await ctx.slack.markDelivered(reply.slackChannelId, reply.messageTs);
  // Only the current thread's state changes; a reply in an older, closed thread still reaches the customer.
  if (record.thread?.threadTs !== reply.threadTs || record.thread.slackChannelId !== reply.slackChannelId) return;
  const next = onAgentReply(record, reply.agentId);
  await saveConversation(ctx, next);
  await syncWaiting(ctx, record, next);
  if (!sameView(record, next)) await ctx.slack.updateParent(record.thread, toView(next));
}

async function downloadFiles(ctx: EngineContext, reply: AgentReply): Promise<OutboundFile[]> {
  const files: OutboundFile[] = [];
  for (const file of reply.files) {
    const data = await ctx.slack.downloadFile(file);
    files.push({ kind: kindOf(file.mimeType), fileName: file.name, data, ...(file.mimeType ? { mimeType: file.mimeType } : {}) });
  }
  return files;
}

function kindOf(mimeType: string | undefined): OutboundFile['kind'] {
  if (mimeType?.startsWith('image/') && !mimeType.includes('svg')) return 'image';
  if (mimeType?.startsWith('audio/')) return 'audio';
  if (mimeType?.startsWith('video/')) return 'video';
  return 'file';
}

function toFailure(record: ConversationRecord, error: unknown, attempts: number): FailureRecord {
  if (error instanceof ChannelError) {
    return {
      platform: record.platform,
      kind: error.kind,
      message: error.message,
      attempts: Math.max(attempts, 1),
      ...(error.detail.retryAfterMs !== undefined ? { retryAfterMs: error.detail.retryAfterMs } : {}),
      ...(error.detail.local ? { local: true as const } : {}),
    };
  }
  return {
    platform: record.platform,
    kind: 'transient',
    message: error instanceof Error ? error.message : String(error),
    attempts: Math.max(attempts, 1),
  };
}
