/**
 * Reply-time reminders: a small loop that takes the due timers from the store's `reminders` index
 * and reminds (at the reply time) or escalates (at twice the time) the conversations still waiting.
 * One instance sweeps at a time (a named lease), and each reminder is claimed in the store before
 * it is posted, so several instances, restarts and a sweeper that lost its lease midway never post
 * one twice. An answer or a close removes the timer (src/engine/waiting.ts).
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { displayName } from './render.ts';
import { indexes, keys } from '../store/keys.ts';
import type { ConversationRecord } from './conversations.ts';
import { type EngineContext, loadConversation } from './context.ts';
import type { Settings } from './settings.ts';
import { slaMinutesFor } from './waiting.ts';

/** How often the sweeper looks for due timers. */
export interface ReminderOptions {
  readonly intervalMs: number;
}

export const DEFAULT_REMINDER_OPTIONS: ReminderOptions = { intervalMs: 15_000 };

const MINUTE_MS = 60_000;
const CLAIM_TTL_MS = 90 * 24 * 3600 * 1000;
/** Due timers handled per sweep; the rest wait for the next one. */
const BATCH = 50;

/** The running sweeper. */
export interface ReminderSweeper {
  start(): void;
  stop(): Promise<void>;
  /** One sweep now (what the loop runs each interval). */
  sweep(): Promise<void>;
}

/** Creates the sweeper; nothing runs until start(). */
export function createReminderSweeper(ctx: EngineContext, options: ReminderOptions = DEFAULT_REMINDER_OPTIONS): ReminderSweeper {
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const leaseMs = Math.max(3 * options.intervalMs, 30_000);
  const log = ctx.logger.child({ component: 'reminders' });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  async function sweep(): Promise<void> {
    if (!(await ctx.store.claim(keys.reminderSweeper(), owner, leaseMs))) return;
    const due = await ctx.store.index(indexes.reminders()).range({ maxScore: ctx.now(), limit: BATCH });
    if (due.length === 0) return;
    const settings = await ctx.settingsDocument.read();
    for (const { member } of due) await handleDue(ctx, member, settings);
  }

  const tick = () => {
    running = sweep()
      .catch((error: unknown) => log.error({ err: error }, 'reminder sweep failed, trying again'))
      .finally(() => {
        running = undefined;
        if (timer !== undefined) timer = setTimeout(tick, options.intervalMs);
      });
  };

  return {
    sweep,
    start() {
      if (timer !== undefined) return;
      timer = setTimeout(tick, options.intervalMs);
    },
    async stop() {
      const wasRunning = timer !== undefined;
      clearTimeout(timer);
      timer = undefined;
      await running;
      if (wasRunning) await ctx.store.unclaim(keys.reminderSweeper(), owner).catch(() => undefined);
    },
  };
}

/** One due timer: remind, escalate, or drop it when the conversation no longer waits. */
async function handleDue(ctx: EngineContext, conversationId: string, settings: Settings): Promise<void> {
  const timers = ctx.store.index(indexes.reminders());
  const [record, since] = await Promise.all([
    loadConversation(ctx, conversationId),
    ctx.store.index(indexes.waiting()).score(conversationId),
  ]);
  const minutes = record === undefined ? undefined : slaMinutesFor(settings, record.language);
  if (!record?.thread || record.status !== 'waiting' || since === undefined || minutes === undefined) {
    await timers.remove(conversationId);
    return;
  }
  const limit = minutes * MINUTE_MS;
  const waited = ctx.now() - since;
  if (waited >= 2 * limit) {
    await escalateWaiting(ctx, record, since, minutes, settings);
    await timers.remove(conversationId);
  } else if (waited >= limit) {
    await remindWaiting(ctx, record, since, minutes);
    await timers.put(conversationId, since + 2 * limit);
  } else {
    await timers.put(conversationId, since + limit);
  }
}

/** The reminder in the thread, once per waiting stretch. */
export async function remindWaiting(ctx: EngineContext, record: ConversationRecord, since: number, minutes: number): Promise<void> {
  if (!record.thread) return;
  if (!(await ctx.store.setIfAbsent(keys.reminded(record.id, record.generation, since), ctx.now(), CLAIM_TTL_MS))) return;
  await ctx.slack.alertWaiting(record.thread, { stage: 'reminder', ...alertOf(ctx, record, since, minutes) });
  ctx.logger.info({ conversationId: record.id, minutes }, 'waiting reminder posted');
}

/**
 * The escalation at twice the reply time, once per waiting stretch: a notice in the thread, a link
 * in the escalation channel when one is set, and the conversation counted as escalated. The full
 * escalation feature (reaction, button, de-escalation) can call this, or this can call into it.
 */
export async function escalateWaiting(
  ctx: EngineContext,
  record: ConversationRecord,
  since: number,
  minutes: number,
  settings: Settings,
): Promise<void> {
  if (!record.thread) return;
  // A sweeper that was down past both times escalates without a reminder first; the reminder is then not sent later.
  await ctx.store.setIfAbsent(keys.reminded(record.id, record.generation, since), ctx.now(), CLAIM_TTL_MS);
  if (!(await ctx.store.setIfAbsent(keys.slaEscalated(record.id, record.generation, since), ctx.now(), CLAIM_TTL_MS))) return;
  const escalationChannelId = settings.escalation?.slackChannelId;
  await ctx.store.index(indexes.escalated()).put(record.id, ctx.now());
  await ctx.slack.alertWaiting(record.thread, {
    stage: 'escalation',
    ...alertOf(ctx, record, since, minutes),
    ...(escalationChannelId ? { escalationChannelId } : {}),
  });
  ctx.logger.info({ conversationId: record.id, minutes }, 'waiting conversation escalated');
}

function alertOf(ctx: EngineContext, record: ConversationRecord, since: number, minutes: number) {
  return {
    customer: displayName(record.contact),
    waitedMinutes: Math.floor((ctx.now() - since) / MINUTE_MS),
    limitMinutes: minutes,
    ...(record.assignee ? { assignee: record.assignee } : {}),
  };
}
