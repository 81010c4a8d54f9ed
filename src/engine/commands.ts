/**
 * Agents' state changes (assign, close, reopen), from reactions or buttons on any message of a
 * thread. Each updates the parent message in place; repeating one changes nothing.
 */
import { onAssign, onClose, onReopen, sameView, toView, type ConversationRecord } from './conversations.ts';
import { type EngineContext, loadConversation, saveConversation } from './context.ts';
import type { AgentCommand, ThreadRef } from './slack-port.ts';
import { finishMove, moveConversation } from './move.ts';
import { syncWaiting } from './waiting.ts';

/** Applies one command to the conversation whose thread `thread` is. */
export async function handleAgentCommand(
  ctx: EngineContext,
  conversationId: string,
  thread: ThreadRef,
  command: AgentCommand,
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
  if (command.action === 'move') {
    if (command.language) await moveConversation(ctx, record, command.language, command.agentId);
    return;
  }
  const next = apply(record, command);
  if (sameView(record, next)) return;
  await saveConversation(ctx, next);
  await syncWaiting(ctx, record, next);
  await ctx.slack.updateParent(record.thread, toView(next));
  log.info({ status: next.status }, LOG_MESSAGES[command.action]);
}

const LOG_MESSAGES = { assign: 'conversation assigned', close: 'conversation closed', reopen: 'conversation reopened' } as const;

function apply(record: ConversationRecord, command: AgentCommand): ConversationRecord {
  switch (command.action) {
    case 'assign':
      return onAssign(record, command.agentId);
    case 'close':
      return record.status === 'closed' ? record : onClose(record, command.agentId);
    case 'reopen':
      return onReopen(record);
    case 'move':
      return record; // handled by moveConversation
  }
}
