/**
 * Conversation identity and lifecycle. A conversation is one customer on one platform account;
 * each time it is closed and the customer writes again, a new generation opens a new Slack thread.
 * The only place conversation ids are built and parsed.
 */
import type { Contact, Platform } from '../messages.ts';
import type { ConversationStatus, ConversationView, ThreadRef, UnassignedReason } from './slack-port.ts';

const PLATFORMS: readonly Platform[] = ['telegram', 'whatsapp', 'instagram', 'messenger', 'x', 'wechat'];

/** The parts a conversation id is made of. */
export interface ConversationKey {
  readonly platform: Platform;
  readonly account: string;
  readonly contactId: string;
}

/** `${platform}:${account}:${contactId}`; the contact id may itself contain colons. */
export function toConversationId(key: ConversationKey): string {
  return `${key.platform}:${key.account}:${key.contactId}`;
}

/** Inverse of toConversationId; undefined for anything it did not build. */
export function parseConversationId(id: string): ConversationKey | undefined {
  const first = id.indexOf(':');
  const second = first < 0 ? -1 : id.indexOf(':', first + 1);
  if (second < 0) return undefined;
  const platform = id.slice(0, first) as Platform;
  const account = id.slice(first + 1, second);
  const contactId = id.slice(second + 1);
  if (!PLATFORMS.includes(platform) || !account || !contactId) return undefined;
  return { platform, account, contactId };
}

/** The stored state of a conversation's current generation. Plain JSON. */
export interface ConversationRecord {
  readonly id: string;
  /** 1 for the first thread with this customer, +1 for each new thread after a close. */
  readonly generation: number;
  readonly platform: Platform;
  readonly account: string;
  readonly contact: Contact;
  readonly language?: string;
  readonly status: ConversationStatus;
  readonly assignee?: string;
  /** Automatic assignment found nobody, and nobody assigned it since: why. */
  readonly unassigned?: UnassignedReason;
  /**
   * Escalated: by whom (absent when it escalated itself by waiting twice its reply time of
   * `overdueMinutes`), and the post in the escalation channel (absent when none was set).
   */
  readonly escalation?: {
    readonly by?: string;
    readonly overdueMinutes?: number;
    readonly post?: { readonly slackChannelId: string; readonly ts: string };
  };
  /** The automatic assignment (or that nobody was found) is still to be noted in the thread. */
  readonly assignmentToNote?: true;
  readonly answeredBy?: string;
  readonly closedBy?: string;
  /** Who spoke last: decides the status a reopened conversation returns to. */
  readonly lastSpeaker: 'customer' | 'agent';
  /** The Slack thread; undefined only between the decision to open and the parent being posted. */
  readonly thread?: ThreadRef;
  /** Where the parent is to be posted (chosen by routing when the generation opened). */
  readonly slackChannelId: string;
  readonly previous?: ThreadRef;
  /** The thread this generation was moved from, to another language's channel. */
  readonly movedFrom?: ThreadRef;
  readonly openedAt: string;
  readonly lastCustomerMessageAt: string;
}

/** What the parent message shows for this record. */
export function toView(record: ConversationRecord): ConversationView {
  return {
    conversationId: record.id,
    platform: record.platform,
    contact: record.contact,
    status: record.status,
    openedAt: record.openedAt,
    ...(record.language ? { language: record.language } : {}),
    ...(record.assignee ? { assignee: record.assignee } : {}),
    ...(record.unassigned ? { unassigned: record.unassigned } : {}),
    ...(record.escalation?.by ? { escalatedBy: record.escalation.by } : {}),
    ...(record.escalation && !record.escalation.by ? { escalatedOverdue: record.escalation.overdueMinutes ?? 0 } : {}),
    ...(record.answeredBy ? { answeredBy: record.answeredBy } : {}),
    ...(record.closedBy ? { closedBy: record.closedBy } : {}),
    ...(record.previous ? { previous: record.previous } : {}),
    ...(record.movedFrom ? { movedFrom: record.movedFrom } : {}),
  };
}

/** A customer wrote: the conversation waits for a reply; the contact's latest name wins. */
export function onCustomerMessage(record: ConversationRecord, contact: Contact, at: string): ConversationRecord {
  return { ...record, contact: { ...record.contact, ...contact }, status: 'waiting', lastSpeaker: 'customer', lastCustomerMessageAt: at };
}

/** An agent's reply reached the customer. Replying in a closed thread reopens it as answered. */
export function onAgentReply(record: ConversationRecord, agentId: string): ConversationRecord {
  const { closedBy: _closedBy, ...rest } = record;
  return { ...rest, status: 'answered', answeredBy: agentId, lastSpeaker: 'agent' };
}

/** Assigns (or reassigns) the conversation to an agent. */
export function onAssign(record: ConversationRecord, agentId: string): ConversationRecord {
  const { unassigned: _unassigned, ...rest } = record;
  return { ...rest, assignee: agentId };
}

/** Takes the assignee off the conversation. */
export function onUnassign(record: ConversationRecord): ConversationRecord {
  const { assignee: _assignee, unassigned: _unassigned, ...rest } = record;
  return rest;
}

/** Closes the conversation; the next customer message opens a new thread. */
export function onClose(record: ConversationRecord, agentId: string): ConversationRecord {
  return { ...record, status: 'closed', closedBy: agentId };
}

/** Reopens a closed conversation in the same thread, back to what it was waiting for. */
export function onReopen(record: ConversationRecord): ConversationRecord {
  if (record.status !== 'closed') return record;
  const { closedBy: _closedBy, ...rest } = record;
  return { ...rest, status: record.lastSpeaker === 'customer' ? 'waiting' : 'answered' };
}

/** Whether two records would show the same parent message. */
export function sameView(a: ConversationRecord, b: ConversationRecord): boolean {
  return JSON.stringify(toView(a)) === JSON.stringify(toView(b));
}
