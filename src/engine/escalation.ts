/**
 * Escalation: a conversation that needs an expert is posted, as a link to its thread, in the
 * escalation channel an admin set (mentioning its user group), and its parent shows it escalated;
 * de-escalating says so in both places. Each step is exactly-once across replays (postOnce).
 */
import { type ConversationRecord, toView } from './conversations.ts';
import { type EngineContext, saveConversation, whenCommitted } from './context.ts';
import { indexes } from '../store/keys.ts';
import { postOnce } from './posting.ts';
import type { AgentCommand, ThreadRef } from './slack-port.ts';

/** Applies `escalate` or `deescalate` to the conversation of `thread`; repeating one changes nothing. */
export async function applyEscalation(
  ctx: EngineContext,
  record: ConversationRecord,
  thread: ThreadRef,
  command: AgentCommand & { readonly action: 'escalate' | 'deescalate' },
  requestId: string,
): Promise<void> {
  const by = command.agentId;
  const log = ctx.logger.child({ conversationId: record.id, agentId: by });
  // Each step is repeatable (postOnce, chat.update), and the record is saved last: a job retried
  // after a crash midway finishes the steps the first attempt did not reach.
  if (command.action === 'escalate') {
    if (record.escalation) {
      await ctx.slack.updateParent(thread, toView(record));
      return;
    }
    const target = (await ctx.settingsDocument.read()).escalation;
    let post: { slackChannelId: string; ts: string } | undefined;
    if (target) {
      const marker = { key: `escalation:${record.id}:${requestId}` };
      const ts = await postOnce(ctx, { slackChannelId: target.slackChannelId }, marker, () =>
        ctx.slack.postEscalation(target, thread, toView(record), by, marker),
      );
      post = { slackChannelId: target.slackChannelId, ts };
    }
    const marker = { key: `escalated:${record.id}:${requestId}` };
    await postOnce(ctx, { slackChannelId: thread.slackChannelId, thread }, marker, () =>
      ctx.slack.noteEscalation(thread, { escalated: true, by, ...(target ? { target } : {}) }, marker),
    );
    const next: ConversationRecord = { ...record, escalation: { by, ...(post ? { post } : {}) } };
    // Counted by /inbox status and App Home until de-escalated or closed.
    await ctx.store.index(indexes.escalated()).put(record.id, ctx.now());
    await saveConversation(ctx, next);
    whenCommitted(ctx, () => ctx.slack.deskChanged());
    await ctx.slack.updateParent(thread, toView(next));
    log.info({ escalationChannel: target?.slackChannelId ?? null }, 'conversation escalated');
    return;
  }
  const escalation = record.escalation;
  if (!escalation) {
    await ctx.slack.updateParent(thread, toView(record));
    return;
  }
  if (escalation.post) await ctx.slack.closeEscalation(escalation.post, thread, by);
  const marker = { key: `deescalated:${record.id}:${requestId}` };
  const target = escalation.post ? { slackChannelId: escalation.post.slackChannelId } : undefined;
  await postOnce(ctx, { slackChannelId: thread.slackChannelId, thread }, marker, () =>
    ctx.slack.noteEscalation(thread, { escalated: false, by, ...(target ? { target } : {}) }, marker),
  );
  const { escalation: _escalation, ...next } = record;
  await ctx.store.index(indexes.escalated()).remove(record.id);
  await saveConversation(ctx, next);
  whenCommitted(ctx, () => ctx.slack.deskChanged());
  await ctx.slack.updateParent(thread, toView(next));
  log.info('conversation de-escalated');
}
