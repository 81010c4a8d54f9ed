/**
 * Consecutive customer messages of one conversation that queued up behind Slack's pace go out as
 * one Slack post, one section per message (SlackPort.postCustomerBatch). Which messages join is
 * decided here: the message being applied (the leader) and the plain text messages right behind it
 * in its journal queue, up to the Slack side's limits (BatchLimits). The plan (the followers' ids)
 * is the post's intent record (postOncePlanned), so a replay after a crash posts, or finds again,
 * exactly the planned post and links every message to its section.
 */
import type { InboundMessage } from '../messages.ts';
import type { AutomationRule } from './settings.ts';
import { applyRules } from './rules.ts';
import { mediaOf, renderCustomerText } from './render.ts';
import type { Job } from './jobs.ts';
import type { QuotedMessage, SlackPort } from './slack-port.ts';

/** A follower as the plan records it: enough to find its job again and to link its platform message. */
export interface PlannedFollower {
  readonly eventId: string;
  readonly messageId: string;
}

/** A message of the batch with what its section shows. */
export interface BatchMember {
  readonly message: InboundMessage;
  readonly text: string;
  readonly quoting?: QuotedMessage;
}

/** Whether a message can share a post: new text from the customer, with no files (files keep a post of their own beside their upload). */
export function batchable(message: InboundMessage): boolean {
  return !message.unsent && !message.fromBusiness && !message.edited && mediaOf(message).length === 0;
}

/** Whether a stored intent value is a plan (a list of followers). */
export function isPlan(value: unknown): value is PlannedFollower[] {
  return (
    Array.isArray(value) &&
    value.every((v) => typeof v === 'object' && v !== null && typeof v.eventId === 'string' && typeof v.messageId === 'string')
  );
}

/** The customer message a journal job carries, if it is one. */
export function messageOf(job: Job | undefined): InboundMessage | undefined {
  return job?.type === 'inbound' && job.event.kind === 'message' ? job.event : undefined;
}

/**
 * The messages right behind the leader that may join its post, in order: it stops at the first
 * that may not (an edit, a file, a rule other than deliver, another conversation) or would not fit.
 */
export async function gatherFollowers(
  deps: {
    readonly limits: SlackPort['batchLimits'];
    readonly rules: readonly AutomationRule[];
    readonly conversationOf: (message: InboundMessage) => string;
    readonly quoted: (message: InboundMessage) => Promise<QuotedMessage | undefined>;
  },
  leader: BatchMember,
  queued: readonly Job[],
): Promise<BatchMember[]> {
  const conversation = deps.conversationOf(leader.message);
  const members: BatchMember[] = [leader];
  for (const job of queued) {
    if (members.length >= deps.limits.maxSections) break;
    const message = messageOf(job);
    if (message === undefined || !batchable(message) || deps.conversationOf(message) !== conversation) break;
    if (applyRules(message, true, deps.rules).action !== 'deliver') break;
    const text = renderCustomerText(message);
    const quoting = await deps.quoted(message);
    if (!deps.limits.fitsSection(text, quoting !== undefined)) break;
    const texts = [...members.map((m) => m.text), text];
    const quotes = members.filter((m) => m.quoting !== undefined).length + (quoting ? 1 : 0);
    if (!deps.limits.fitsPost(texts, quotes)) break;
    members.push({ message, text, ...(quoting ? { quoting } : {}) });
  }
  return members.slice(1);
}

/** The followers of a plan, found again among the queued jobs (a replay posts what was planned). */
export function plannedMembers(
  plan: readonly PlannedFollower[],
  candidates: readonly BatchMember[],
  queued: readonly Job[],
): BatchMember[] {
  return plan.map((planned) => {
    const ready = candidates.find((c) => c.message.eventId === planned.eventId);
    if (ready) return ready;
    const message = queued.map(messageOf).find((m) => m?.eventId === planned.eventId);
    if (!message) throw new Error(`Batched message ${planned.eventId} is not queued behind its batch: the journal and the plan disagree`);
    return { message, text: renderCustomerText(message) };
  });
}

/** How many of the queued jobs, from the front, belong to the plan (the worker records and acknowledges those with the leader). */
export function takenFrom(plan: readonly PlannedFollower[], queued: readonly Job[]): number {
  let taken = 0;
  while (taken < plan.length && messageOf(queued[taken])?.eventId === plan[taken]?.eventId) taken += 1;
  return taken;
}

/** Room to look ahead in the journal for followers. */
export function lookahead(limits: SlackPort['batchLimits']): number {
  return Math.max(0, limits.maxSections - 1);
}
