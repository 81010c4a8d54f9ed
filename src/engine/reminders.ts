/**
 * Reply-time reminders: a small loop that takes the due timers from the store's `reminders` index
 * and, for each conversation still waiting, journals an `overdue` job in the conversation's own
 * queue: the reminder at the reply time, the escalation at twice the time. The job then applies in
 * order with the conversation's other changes, like an agent's action: the reminder in the thread,
 * or the escalation (the notice, the link in the escalation channel, the parent marked escalated).
 * One instance sweeps at a time (a named lease); a job journaled twice (a sweeper that lost its
 * lease midway) applies once (its job id), and each post carries a marker (postOnce), so several
 * instances, restarts and crashes never post one twice. An answer or a close removes the timer
 * (src/engine/waiting.ts), and a job that finds the stretch over does nothing.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { displayName } from './render.ts';
import { indexes, keys } from '../store/keys.ts';
import { type ConversationRecord, toView } from './conversations.ts';
import { type EngineContext, loadConversation, saveConversation, whenCommitted } from './context.ts';
import type { Job } from './jobs.ts';
import { postOnce } from './posting.ts';
import type { Settings } from './settings.ts';
import type { WaitingAlert } from './slack-port.ts';
import { slaMinutesFor } from './waiting.ts';

/** The reminder or escalation job of one waiting stretch. */
export type OverdueJob = Extract<Job, { type: 'overdue' }>;

/** Journals a job in a conversation's queue (and wakes a worker). */
export type Enqueue = (queue: string, job: Job) => Promise<void>;

/** How often the sweeper looks for due timers. */
export interface ReminderOptions {
  readonly intervalMs: number;
}

export const DEFAULT_REMINDER_OPTIONS: ReminderOptions = { intervalMs: 15_000 };

const MINUTE_MS = 60_000;
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
export function createReminderSweeper(
  ctx: EngineContext,
  enqueue: Enqueue,
  options: ReminderOptions = DEFAULT_REMINDER_OPTIONS,
): ReminderSweeper {
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const leaseMs = Math.max(3 * options.intervalMs, 30_000);
  const log = ctx.logger.child({ component: 'reminders' });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const dueTimers = () => ctx.store.index(indexes.reminders()).range({ maxScore: ctx.now(), limit: BATCH });

  async function sweep(): Promise<void> {
    // A read first: a sweep that finds nothing due writes nothing (no lease renewal, so no fsync on
    // the embedded store every interval). Only with timers due is the lease taken and the index read again.
    if ((await dueTimers()).length === 0) return;
    if (!(await ctx.store.claim(keys.reminderSweeper(), owner, leaseMs))) return;
    const due = await dueTimers();
    if (due.length === 0) return;
    const settings = await ctx.settingsDocument.read();
    for (const { member } of due) await handleDue(ctx, member, settings, enqueue);
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

/** One due timer: journal the reminder or the escalation, or drop the timer when the conversation no longer waits. */
async function handleDue(ctx: EngineContext, conversationId: string, settings: Settings, enqueue: Enqueue): Promise<void> {
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
  const job = (stage: OverdueJob['stage']): OverdueJob => ({
    type: 'overdue',
    conversationId,
    stage,
    generation: record.generation,
    since,
  });
  if (waited >= 2 * limit) {
    // A sweeper that was down past both times escalates without a reminder first.
    await enqueue(conversationId, job('escalation'));
    await timers.remove(conversationId);
  } else if (waited >= limit) {
    await enqueue(conversationId, job('reminder'));
    await timers.put(conversationId, since + 2 * limit);
  } else {
    await timers.put(conversationId, since + limit);
  }
}

/**
 * Applies an `overdue` job in the conversation's queue: nothing when the stretch it is about is
 * over (answered, closed, a new generation); else the reminder, or the escalation.
 */
export async function handleOverdue(ctx: EngineContext, job: OverdueJob): Promise<void> {
  const log = ctx.logger.child({ conversationId: job.conversationId, stage: job.stage });
  const [record, since] = await Promise.all([
    loadConversation(ctx, job.conversationId),
    ctx.store.index(indexes.waiting()).score(job.conversationId),
  ]);
  if (!record?.thread || record.status !== 'waiting' || record.generation !== job.generation || since !== job.since) {
    log.info('no longer waiting: no reminder');
    return;
  }
  const settings = await ctx.settingsDocument.read();
  const minutes = slaMinutesFor(settings, record.language);
  if (minutes === undefined) return;
  const thread = record.thread;
  const alert: WaitingAlert = { stage: job.stage, ...alertOf(ctx, record, since, minutes) };
  const note = { key: `${job.stage}:${record.id}:${record.generation}:${since}` };
  if (job.stage === 'reminder') {
    await postOnce(ctx, { slackChannelId: thread.slackChannelId, thread }, note, () => ctx.slack.alertWaiting(thread, alert, note));
    log.info({ minutes }, 'waiting reminder posted');
    return;
  }
  if (record.escalation) {
    log.info('already escalated by an agent: no reply-time escalation');
    return;
  }
  const target = settings.escalation;
  let post: { slackChannelId: string; ts: string } | undefined;
  if (target) {
    const marker = { key: `overdue:${record.id}:${record.generation}:${since}` };
    const ts = await postOnce(ctx, { slackChannelId: target.slackChannelId }, marker, () =>
      ctx.slack.postOverdue(target, thread, alert, marker),
    );
    post = { slackChannelId: target.slackChannelId, ts };
  }
  await postOnce(ctx, { slackChannelId: thread.slackChannelId, thread }, note, () => ctx.slack.alertWaiting(thread, alert, note));
  const next: ConversationRecord = { ...record, escalation: { overdueMinutes: minutes, ...(post ? { post } : {}) } };
  await saveConversation(ctx, next);
  // Counted by /inbox status and App Home until de-escalated or closed.
  await ctx.store.index(indexes.escalated()).put(record.id, ctx.now());
  whenCommitted(ctx, () => ctx.slack.deskChanged());
  await ctx.slack.updateParent(thread, toView(next));
  log.info({ minutes, escalationChannel: target?.slackChannelId ?? null }, 'waiting conversation escalated');
}

function alertOf(ctx: EngineContext, record: ConversationRecord, since: number, minutes: number) {
  return {
    customer: displayName(record.contact),
    waitedMinutes: Math.floor((ctx.now() - since) / MINUTE_MS),
    limitMinutes: minutes,
    ...(record.assignee ? { assignee: record.assignee } : {}),
  };
}
