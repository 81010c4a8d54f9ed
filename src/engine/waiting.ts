/**
 * The waiting list and its reply-time timers, kept in the store's sorted indexes wherever a
 * conversation's state changes (a customer writes, an agent answers, assigns, closes or reopens).
 * Reading the oldest waiting conversations, one agent's, or the due timers never scans the
 * conversations: each is one range of one index, shared by every instance on the store.
 */
import { indexes } from '../store/keys.ts';
import type { ConversationRecord } from './conversations.ts';
import { type EngineContext, loadConversation, whenCommitted } from './context.ts';
import type { Settings } from './settings.ts';

const MINUTE_MS = 60_000;

/** The reply time in minutes for a conversation in `language`: the language's own, else the overall one. */
export function slaMinutesFor(settings: Settings, language: string | undefined): number | undefined {
  const byLanguage = settings.sla.byLanguage;
  if (language !== undefined) {
    const own = byLanguage[language] ?? byLanguage[language.split('-')[0] ?? language];
    if (own !== undefined) return own;
  }
  return settings.sla.minutes;
}

/**
 * Brings the indexes in line with the conversation's new state. Idempotent: a job replayed after a
 * crash keeps the first "waiting since", so nobody's wait restarts.
 */
export async function syncWaiting(ctx: EngineContext, before: ConversationRecord | undefined, after: ConversationRecord): Promise<void> {
  await syncIndexes(ctx, before, after);
  const changed =
    before === undefined ||
    before.generation !== after.generation ||
    before.status !== after.status ||
    before.assignee !== after.assignee ||
    before.language !== after.language;
  if (changed) whenCommitted(ctx, () => ctx.slack.deskChanged());
}

/**
 * The counts by status and language: the record leaves its old (status, language) and joins the
 * new one. `counted` is the record's score in the new one, read beforehand.
 */
async function syncCounts(
  ctx: EngineContext,
  before: ConversationRecord | undefined,
  after: ConversationRecord,
  counted: number | undefined,
): Promise<void> {
  const now = ctx.now();
  const target = ctx.store.index(indexes.byStatus(after.status, after.language));
  if (before && (before.status !== after.status || before.language !== after.language))
    await ctx.store.index(indexes.byStatus(before.status, before.language)).remove(after.id);
  if (counted === undefined) {
    await target.put(after.id, now);
    await ctx.store.index(indexes.languages()).put(after.language ?? '-', 0);
  }
}

async function syncIndexes(ctx: EngineContext, before: ConversationRecord | undefined, after: ConversationRecord): Promise<void> {
  const waiting = ctx.store.index(indexes.waiting());
  const open = ctx.store.index(indexes.open());
  // The three scores this decides on, read at once (one round trip on Redis). They are of three
  // different indexes, and nothing below writes one of them before its score was read.
  const [counted, opened, waitingSince] = await Promise.all([
    ctx.store.index(indexes.byStatus(after.status, after.language)).score(after.id),
    after.status === 'closed' ? undefined : open.score(after.id),
    after.status === 'waiting' ? waiting.score(after.id) : undefined,
  ]);
  await syncCounts(ctx, before, after, counted);
  const movedFrom = before?.assignee !== undefined && before.assignee !== after.assignee ? before.assignee : undefined;
  if (movedFrom !== undefined) await ctx.store.index(indexes.waitingFor(movedFrom)).remove(after.id);
  if (after.status === 'closed') {
    await Promise.all([
      open.remove(after.id),
      ctx.store.index(indexes.escalated()).remove(after.id),
      ...(after.assignee ? [ctx.store.index(indexes.waitingFor(after.assignee)).remove(after.id)] : []),
    ]);
  } else if (opened === undefined) {
    await open.put(after.id, Date.parse(after.openedAt) || ctx.now());
  }
  if (after.status !== 'waiting') {
    await Promise.all([
      waiting.remove(after.id),
      ctx.store.index(indexes.reminders()).remove(after.id),
      ...(after.assignee ? [ctx.store.index(indexes.waitingFor(after.assignee)).remove(after.id)] : []),
    ]);
    return;
  }
  let since = waitingSince;
  if (since === undefined) {
    since = ctx.now();
    await waiting.put(after.id, since);
    await scheduleReminder(ctx, after, since, await ctx.settingsDocument.read());
  }
  if (after.assignee) await ctx.store.index(indexes.waitingFor(after.assignee)).put(after.id, since);
}

/** Sets (or clears) the conversation's next reply-time timer: the reminder, then the escalation at twice the time. */
export async function scheduleReminder(ctx: EngineContext, record: ConversationRecord, since: number, settings: Settings): Promise<void> {
  const timers = ctx.store.index(indexes.reminders());
  const minutes = slaMinutesFor(settings, record.language);
  if (minutes === undefined) {
    await timers.remove(record.id);
    return;
  }
  const limit = minutes * MINUTE_MS;
  const elapsed = ctx.now() - since;
  await timers.put(record.id, since + (elapsed >= limit ? 2 * limit : limit));
}

/** After an admin changed the reply times: every waiting conversation's timer follows the new ones. */
export async function rescheduleReminders(ctx: EngineContext): Promise<void> {
  const settings = await ctx.settingsDocument.read();
  const waiting = await ctx.store.index(indexes.waiting()).range();
  for (const { member, score } of waiting) {
    const record = await loadConversation(ctx, member);
    if (record) await scheduleReminder(ctx, record, score, settings);
  }
}
