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
  if (command.action === 'escalate') {
    if (record.escalation) return;
    const target = (await ctx.settingsDocument.read()).escalation;
    let post: { slackChannelId: string; ts: string } | undefined;
    if (target) {
      const marker = { key: `escalation:${record.id}:${requestId}` };
      const ts = await postOnce(ctx, { slackChannelId: target.slackChannelId }, marker, () =>
        ctx.slack.postEscalation(target, thread, toView(record), by, marker),
      );
      post = { slackChannelId: target.slackChannelId, ts };
    }
    const next: ConversationRecord = { ...record, escalation: { by, ...(post ? { post } : {}) } };
    await saveConversation(ctx, next);
    // Counted by /inbox status and App Home until de-escalated or closed.
    await ctx.store.index(indexes.escalated()).put(record.id, ctx.now());
    whenCommitted(ctx, () => ctx.slack.deskChanged());
    await ctx.slack.updateParent(thread, toView(next));
    const marker = { key: `escalated:${record.id}:${requestId}` };
    await postOnce(ctx, { slackChannelId: thread.slackChannelId, thread }, marker, () =>
      ctx.slack.noteEscalation(thread, { escalated: true, by, ...(target ? { target } : {}) }, marker),
    );
    log.info({ escalationChannel: target?.slackChannelId ?? null }, 'conversation escalated');
    return;
  }
  const escalation = record.escalation;
  if (!escalation) return;
  if (escalation.post) await ctx.slack.closeEscalation(escalation.post, thread, by);
  const { escalation: _escalation, ...next } = record;
  await saveConversation(ctx, next);
  await ctx.store.index(indexes.escalated()).remove(record.id);
  whenCommitted(ctx, () => ctx.slack.deskChanged());
  await ctx.slack.updateParent(thread, toView(next));
  const marker = { key: `deescalated:${record.id}:${requestId}` };
  const target = escalation.post ? { slackChannelId: escalation.post.slackChannelId } : undefined;
  await postOnce(ctx, { slackChannelId: thread.slackChannelId, thread }, marker, () =>
    ctx.slack.noteEscalation(thread, { escalated: false, by, ...(target ? { target } : {}) }, marker),
  );
  log.info('conversation de-escalated');
}
