/**
 * Moving a conversation to another language: a new parent in that language's Slack channel,
 * linking back to the old thread and carrying its last messages; the old parent marked as moved,
 * with a link; the customer's later messages go to the new thread, and their next conversation
 * starts in this language. Each step is recorded, so a replay after a crash repeats none.
 */
import { keys } from '../store/keys.ts';
import { type ConversationRecord, toView } from './conversations.ts';
import { type EngineContext, saveConversation } from './context.ts';
import { noteAutoAssignment, postParentIn } from './inbound.ts';
import { chooseAssignee } from './assignment.ts';
import { routeFor } from './routing.ts';
import { syncWaiting } from './waiting.ts';

/** How many of the old thread's last messages the new thread shows. */
const CARRIED_MESSAGES = 5;
const RECORD_TTL_MS = 90 * 24 * 3600 * 1000;

/** Moves `record` (the current generation, with its thread) to `language`. */
export async function moveConversation(ctx: EngineContext, record: ConversationRecord, language: string, agentId: string): Promise<void> {
  const from = record.thread;
  if (!from || record.status === 'closed') return;
  const log = ctx.logger.child({ conversationId: record.id, language, agentId });
  await ctx.store.set(keys.contactLanguage(record.id), language);
  const target = routeFor(language, await ctx.settings.routes(), await ctx.settings.defaultChannel());
  if (target === from.slackChannelId) {
    // Same Slack channel (no route of its own): the language changes, the thread stays.
    if (record.language === language) return;
    const next = { ...record, language };
    await saveConversation(ctx, next);
    await syncWaiting(ctx, record, next);
    await ctx.slack.updateParent(from, toView(next));
    log.info('conversation language changed');
    return;
  }
  const { thread: _old, ...rest } = record;
  const moved = await postParentIn(ctx, { ...(await reassigned(ctx, rest, language)), language, slackChannelId: target, movedFrom: from });
  await syncWaiting(ctx, record, moved);
  await finishMove(ctx, moved, record);
  await noteAutoAssignment(ctx, moved, `moved:${target}`);
  log.info({ slackChannelId: target, assignee: moved.assignee ?? null }, 'conversation moved to another language');
}

/**
 * The record assigned as a new conversation in `language` would be (round-robin among its
 * speakers); unchanged when no agents are set up, so a manual assignment survives the move.
 */
async function reassigned<R extends Omit<ConversationRecord, 'thread'>>(ctx: EngineContext, record: R, language: string): Promise<R> {
  const assignment = await chooseAssignee(ctx, language);
  if (Object.keys(assignment).length === 0) return record;
  const { assignee: _assignee, unassigned: _unassigned, assignmentToNote: _note, ...rest } = record;
  return { ...rest, ...assignment, ...('assignee' in assignment ? { assignmentToNote: true as const } : {}) } as R;
}

/**
 * The steps after the new parent: the last messages carried over (once), the old parent marked as
 * moved. Also run when a move was interrupted after the new parent was recorded (a replay finds the
 * conversation already in its new thread).
 */
export async function finishMove(ctx: EngineContext, moved: ConversationRecord, old?: ConversationRecord): Promise<void> {
  const from = moved.movedFrom;
  const to = moved.thread;
  if (!from || !to) return;
  const carried = keys.carried(moved.id, moved.generation, to.slackChannelId);
  if (!(await ctx.store.get(carried))) {
    await ctx.slack.carryOver(from, to, CARRIED_MESSAGES);
    await ctx.store.set(carried, true, RECORD_TTL_MS);
  }
  // On a replay the record before the move is gone: the old parent shows the conversation as it is now.
  const { movedFrom: _from, ...now } = moved;
  await ctx.slack.updateParent(from, { ...toView(old ?? now), movedTo: to });
}
