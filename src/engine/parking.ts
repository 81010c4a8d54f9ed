/**
 * What follows when the worker sets a job aside: the metric counts it, and Slack says which
 * message could not be shown, why, and how an operator replays it: in the conversation's thread,
 * or in the default channel when there is no thread (or the thread's channel refuses posts), so
 * that nobody waits for a message that will not come.
 */
import { toConversationId } from './conversations.ts';
import { type EngineContext, loadConversation } from './context.ts';
import type { Job } from './jobs.ts';
import { displayName } from './render.ts';
import type { NoticePlace, ParkedNotice } from './slack-port.ts';
import type { ParkedJob } from './worker.ts';

/** Counts a parked job and posts its notice; throws only when not even the default channel takes it. */
export async function announceParked(ctx: EngineContext, parked: ParkedJob): Promise<void> {
  ctx.metrics.jobParked();
  const notice = noticeOf(parked);
  const fallback: NoticePlace = { slackChannelId: await ctx.settings.defaultChannel() };
  const where = (await placeOf(ctx, parked.job)) ?? fallback;
  try {
    await ctx.slack.noteParked(where, notice);
  } catch (error) {
    if (where === fallback) throw error;
    ctx.logger.warn(
      { err: error, slackChannelId: where.slackChannelId, entryId: parked.entryId },
      'notice of a parked job refused in its thread, posting it in the default channel',
    );
    await ctx.slack.noteParked(fallback, notice);
  }
}

function noticeOf({ job, entryId, reason }: ParkedJob): ParkedNotice {
  switch (job.type) {
    case 'inbound':
      return {
        what: job.event.kind === 'message' ? 'customer_message' : 'customer_event',
        customer: displayName(job.event.contact),
        reason,
        entryId,
      };
    case 'agent_reply':
      return { what: 'agent_reply', agentId: job.reply.agentId, reason, entryId };
    case 'agent_command':
      return { what: 'agent_command', agentId: job.command.agentId, reason, entryId };
    case 'overdue':
      return { what: 'waiting_alert', reason, entryId };
  }
}

/** The thread the job belongs to, when there is one. */
async function placeOf(ctx: EngineContext, job: Job): Promise<NoticePlace | undefined> {
  switch (job.type) {
    case 'inbound': {
      const { platform, account, contact } = job.event;
      return (await loadConversation(ctx, toConversationId({ platform, account, contactId: contact.id })))?.thread;
    }
    case 'agent_reply':
      return { slackChannelId: job.reply.slackChannelId, threadTs: job.reply.threadTs };
    case 'agent_command':
      return job.thread;
    case 'overdue':
      return (await loadConversation(ctx, job.conversationId))?.thread;
  }
}
