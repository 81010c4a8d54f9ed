/**
 * Agents' state changes (assign, unassign, close, reopen), from reactions, buttons and the user
 * picker on any message of a thread. Each updates the parent message in place; a change of
 * assignee is also noted in the thread ("assigned to @b by @a"). Repeating one changes nothing.
 */
import { onAssign, onClose, onReopen, onUnassign, sameView, toView, type ConversationRecord } from './conversations.ts';
import { type EngineContext, loadConversation, saveConversation } from './context.ts';
import { applyEscalation } from './escalation.ts';
import { postOnce } from './posting.ts';
import type { AgentCommand, ThreadRef } from './slack-port.ts';
import { finishMove, moveConversation } from './move.ts';
import { syncWaiting } from './waiting.ts';

/** Applies one command to the conversation whose thread `thread` is; `requestId` makes its thread note exactly-once. */
export async function handleAgentCommand(
  ctx: EngineContext,
  conversationId: string,
  thread: ThreadRef,
  command: AgentCommand,
  requestId: string = `${command.slackChannelId}:${command.messageTs}:${command.action}`,
): Promise<void> {
  const record = await loadConversation(ctx, conversationId);
  const log = ctx.logger.child({ conversationId, action: command.action, agentId: command.agentId });
  if (!record?.thread) return;
  const moved = record.movedFrom;
  if (command.action === 'move' && moved?.threadTs === thread.threadTs && moved.slackChannelId === thread.slackChannelId) {
    // A move of this thread was already under way (or done): finish it rather than move again.
    await finishMove(ctx, record);
    return;
  }
  if (record.thread.threadTs !== thread.threadTs || record.thread.slackChannelId !== thread.slackChannelId) {
    // The command is on an older thread of this customer: its state is final; say where the current one is.
    log.info('command on a superseded thread ignored');
    await ctx.slack.postNotice(
      thread,
      'This conversation was followed by a newer one with the same customer; act on the newer thread instead.',
    );
    return;
  }
  if (command.action === 'escalate' || command.action === 'deescalate') {
    await applyEscalation(ctx, record, record.thread, { ...command, action: command.action }, requestId);
    return;
  }
  if (command.action === 'move') {
    if (command.language) await moveConversation(ctx, record, command.language, command.agentId);
    return;
  }
  const next = apply(record, { ...command, action: command.action });
  if (sameView(record, next)) return;
  await saveConversation(ctx, next);
  await syncWaiting(ctx, record, next);
  await ctx.slack.updateParent(record.thread, toView(next));
  if (next.assignee !== record.assignee) {
    const marker = { key: `assign:${record.id}:${requestId}` };
    const note = { ...(next.assignee ? { assignee: next.assignee } : {}), by: command.agentId };
    await postOnce(ctx, { slackChannelId: thread.slackChannelId, thread }, marker, () => ctx.slack.noteAssignment(thread, note, marker));
  }
  log.info({ status: next.status, assignee: next.assignee ?? null }, LOG_MESSAGES[command.action]);
}

const LOG_MESSAGES = {
  assign: 'conversation assigned',
  unassign: 'conversation unassigned',
  close: 'conversation closed',
  reopen: 'conversation reopened',
} as const;

function apply(record: ConversationRecord, command: AgentCommand & { action: keyof typeof LOG_MESSAGES }): ConversationRecord {
  switch (command.action) {
    case 'assign':
      return onAssign(record, command.assignee ?? command.agentId);
    case 'unassign':
      return record.assignee ? onUnassign(record) : record;
    case 'close':
      return record.status === 'closed' ? record : onClose(record, command.agentId);
    case 'reopen':
      return onReopen(record);
  }
}
