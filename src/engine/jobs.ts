/**
 * What the journal carries. Every change to a conversation is one job in that conversation's
 * queue, so a conversation's customer messages, agent replies and state changes apply strictly in
 * order, by one worker at a time, on whichever instance holds the queue.
 */
import type { InboundEvent } from '../messages.ts';
import type { AgentCommand, AgentReply, ThreadRef } from './slack-port.ts';

/** One unit of journaled work. Plain JSON. */
export type Job =
  | { readonly type: 'inbound'; readonly event: InboundEvent }
  | { readonly type: 'agent_reply'; readonly conversationId: string; readonly reply: AgentReply }
  | {
      readonly type: 'agent_command';
      /** Unique per request: the same action repeated later (close, reopen, close) is a new command. */
      readonly requestId: string;
      readonly conversationId: string;
      readonly thread: ThreadRef;
      readonly command: AgentCommand;
    }
  | {
      /**
       * The conversation has waited past its reply time (the reminder) or twice it (the escalation),
       * as the reminder sweeper found; applied in the conversation's queue like any other change.
       */
      readonly type: 'overdue';
      readonly conversationId: string;
      readonly stage: 'reminder' | 'escalation';
      /** The generation and the start of the waiting stretch it is about: a later stretch is not affected. */
      readonly generation: number;
      readonly since: number;
    };

/** The de-duplication id of a job: a platform redelivery or a Slack retry maps to the same id. */
export function jobId(job: Job): string {
  switch (job.type) {
    case 'inbound':
      return `in:${job.event.platform}:${job.event.account}:${job.event.eventId}`;
    case 'agent_reply':
      return `reply:${job.reply.slackChannelId}:${job.reply.messageTs}`;
    case 'agent_command':
      return `cmd:${job.requestId}`;
    case 'overdue':
      return `overdue:${job.conversationId}:${job.generation}:${job.since}:${job.stage}`;
  }
}
