/**
 * The Slack seam, both ways: the interfaces only. `SlackPort` is everything the engine asks of Slack
 * (implemented in src/slack/web-api-slack-port.ts); `AgentActions` is everything the Slack side asks
 * of the engine. Neither holds a Slack API type: the engine knows no Block Kit and no Web API method.
 */
import type { PlatformFacts } from '../channel.ts';
import type { ChannelErrorKind, SlackChannelUnavailableError } from '../errors.ts';
import type { Contact, Platform } from '../messages.ts';

/** Where a conversation lives in Slack. */
export interface ThreadRef {
  readonly slackChannelId: string;
  readonly threadTs: string;
}

/** Conversation state as shown on the parent message. */
export type ConversationStatus = 'waiting' | 'answered' | 'closed';

/** Why automatic assignment found nobody. */
export type UnassignedReason = 'no_language' | 'no_agent';

/** A change of assignee, as the thread notes it (the Slack side words it). Plain JSON. */
export interface AssignmentNote {
  /** The new assignee; undefined when the conversation was unassigned or nobody was found. */
  readonly assignee?: string;
  /** Slack user id of who made the change; undefined for an automatic assignment. */
  readonly by?: string;
  /** For an automatic assignment: the conversation's language, which the assignee speaks. */
  readonly language?: string;
  /** For an automatic assignment that found nobody: why. */
  readonly unassigned?: UnassignedReason;
}

/** Where escalations are posted: a Slack channel, and the user group to mention there. */
export interface EscalationTarget {
  readonly slackChannelId: string;
  readonly usergroupId?: string;
}

/** A change of escalation, as the conversation's thread notes it. Plain JSON. */
export interface EscalationNote {
  readonly escalated: boolean;
  /** Slack user id of who escalated or de-escalated. */
  readonly by: string;
  /** Where the escalation was posted; undefined when no escalation channel is set. */
  readonly target?: EscalationTarget;
}

/** Everything the parent message shows. Plain JSON. */
export interface ConversationView {
  readonly conversationId: string;
  readonly platform: Platform;
  readonly contact: Contact;
  /** Routing language (e.g. `ko`, `zh-Hant`), or undefined when it could not be told. */
  readonly language?: string;
  readonly status: ConversationStatus;
  /** Slack user id of the assignee. */
  readonly assignee?: string;
  /** Why nobody was assigned automatically: no language detected, or no agent speaks it. */
  readonly unassigned?: UnassignedReason;
  /** Escalated, and by whom (Slack user id), until de-escalated. */
  readonly escalatedBy?: string;
  /** Escalated because it waited twice its reply time (of this many minutes), until de-escalated. */
  readonly escalatedOverdue?: number;
  /** Slack user id of the last agent who replied to the customer. */
  readonly answeredBy?: string;
  /** Slack user id of who closed it. */
  readonly closedBy?: string;
  /** The thread of the customer's previous (closed) conversation. */
  readonly previous?: ThreadRef;
  /** The thread this conversation was moved from (another language's channel). */
  readonly movedFrom?: ThreadRef;
  /** Set on the old parent only: the thread the conversation was moved to. */
  readonly movedTo?: ThreadRef;
  /** ISO 8601. */
  readonly openedAt: string;
}

/**
 * Tags a message Threadline posts, so that after a crash between posting and recording the post
 * can be found again by reading the thread back (Slack has no idempotency key).
 */
export interface PostMarker {
  readonly key: string;
}

/** A file to show in the thread. */
export interface SlackUpload {
  readonly fileName: string;
  readonly mimeType?: string;
  readonly data: Uint8Array;
  /** Shown with the file (the customer's caption). */
  readonly title?: string;
}

/** A customer's message as posted in the thread under the customer's name and picture. */
export interface CustomerPost {
  readonly thread: ThreadRef;
  readonly author: { readonly name: string; readonly avatarUrl?: string };
  /** Plain text (already includes location/contact renderings); may be empty when there are files. */
  readonly text: string;
  /** The files that follow (uploadFiles): a files-only message names them in its text. */
  readonly files: readonly SlackUpload[];
  readonly marker: PostMarker;
  /** The message of this thread it answers (the customer replied to it): shown as a quote above the text. */
  readonly quoting?: QuotedMessage;
}

/** A mirrored message a customer's message answers: a Slack message, and its section when it was posted in a batch. */
export interface QuotedMessage {
  readonly ts: string;
  /** Index of the section in a combined post (see CustomerBatch); undefined for a post of its own. */
  readonly section?: number;
}

/**
 * Consecutive customer messages of one conversation posted as one Slack message (they queued up
 * behind Slack's pace): one section per message, in order, each still its own message for later
 * edits, reactions and quotes (section index = position in `sections`). Text only: a message with
 * files keeps a post of its own.
 */
export interface CustomerBatch {
  readonly thread: ThreadRef;
  readonly author: CustomerPost['author'];
  readonly sections: readonly { readonly text: string; readonly quoting?: QuotedMessage }[];
  readonly marker: PostMarker;
}

/** What one combined post may hold (the Slack side's limits, in the engine's terms). */
export interface BatchLimits {
  /** Sections in one post, at least 1. */
  readonly maxSections: number;
  /** Whether a message's text (with a quote above it or not) fits in one section. */
  fitsSection(text: string, quoting: boolean): boolean;
  /** Whether these texts together fit in one post (with `quotes` of them quoting). */
  fitsPost(texts: readonly string[], quotes: number): boolean;
}

/** A file an agent attached to a thread reply, as Slack describes it. */
export interface SlackFileRef {
  readonly id: string;
  readonly name: string;
  readonly mimeType?: string;
  /** Slack's private download URL (needs the bot token). */
  readonly urlPrivate: string;
  readonly size?: number;
}

/** What the engine needs from Slack. Every method throws on failure (after its own retries). */
export interface SlackPort {
  /** Posts a conversation's parent message; returns its ts. */
  postParent(slackChannelId: string, view: ConversationView, marker: PostMarker): Promise<string>;
  /** Rewrites the parent in place (chat.update). */
  updateParent(thread: ThreadRef, view: ConversationView): Promise<void>;
  /** Posts a customer message's text in the thread under the customer's name; returns its ts. Files follow with uploadFiles. */
  postCustomerMessage(post: CustomerPost): Promise<string>;
  /** Posts consecutive customer messages as one message of sections, under the customer's name, carrying the marker; returns its ts. */
  postCustomerBatch(batch: CustomerBatch): Promise<string>;
  /** What postCustomerBatch can take in one post. */
  readonly batchLimits: BatchLimits;
  /**
   * Whether a post in this Slack channel would wait for Slack's pace now (earlier posts are queued,
   * or the channel's allowance is spent): only then are queued customer messages posted together.
   */
  behindPace(slackChannelId: string): boolean;
  /** Uploads files into the thread (a separate step, so that a crash between the two loses no file). */
  uploadFiles(thread: ThreadRef, files: readonly SlackUpload[]): Promise<void>;
  /**
   * Shows a customer's edit on the mirrored message; with `section`, only that section of a
   * combined post changes (the others stay as they are in Slack).
   */
  updateCustomerMessage(thread: ThreadRef, ts: string, text: string, author: CustomerPost['author'], section?: number): Promise<void>;
  /**
   * Finds a message Threadline posted with this marker: in the thread when `thread` is given,
   * else among the Slack channel's recent top-level messages. Returns its ts.
   */
  findPosted(slackChannelId: string, thread: ThreadRef | undefined, marker: PostMarker): Promise<string | undefined>;
  /** Adds a reaction; the emoji is Unicode (a customer's reaction) or a Slack name in colons (`:heavy_check_mark:`). Already present is fine. */
  addReaction(slackChannelId: string, ts: string, emoji: string): Promise<void>;
  /** Removes a reaction added by Threadline. Already absent is fine. */
  removeReaction(slackChannelId: string, ts: string, emoji: string): Promise<void>;
  /** Explains in a thread that it was opened here because its routed Slack channel could not be used. */
  noteRerouted(
    thread: ThreadRef,
    routed: { readonly slackChannelId: string; readonly reason: SlackChannelUnavailableError['reason'] },
  ): Promise<void>;
  /** Tells the thread that the customer blocked (or unblocked) our account on the platform. */
  noteContactStatus(thread: ThreadRef, platform: Platform, status: 'blocked' | 'unblocked'): Promise<void>;
  /**
   * Whether the Slack user is active now (presence), for preferring present agents when assigning.
   * May be cached briefly; a failure to tell counts as not active.
   */
  isActive(userId: string): Promise<boolean>;
  /** Notes a change of assignee in the thread, mentioning the new assignee; carries `marker` (see postOnce). Returns its ts. */
  noteAssignment(thread: ThreadRef, note: AssignmentNote, marker: PostMarker): Promise<string>;
  /**
   * Posts an escalation in the escalation channel: a link to the conversation's thread, mentioning
   * the target's user group; carries `marker`. Returns its ts.
   */
  postEscalation(target: EscalationTarget, thread: ThreadRef, view: ConversationView, by: string, marker: PostMarker): Promise<string>;
  /** Rewrites an escalation post to say it was de-escalated, and by whom. */
  closeEscalation(post: { readonly slackChannelId: string; readonly ts: string }, thread: ThreadRef, by: string): Promise<void>;
  /** Notes an escalation or de-escalation in the conversation's thread; carries `marker`. Returns its ts. */
  noteEscalation(thread: ThreadRef, note: EscalationNote, marker: PostMarker): Promise<string>;
  /** Posts Threadline's own note in the thread (e.g. a delivery failure explained). */
  postNotice(thread: ThreadRef, text: string): Promise<string>;
  /**
   * Says that a journaled event was set aside (it kept failing), why, and how an operator replays
   * it: in the thread when `where.threadTs` is given, else as a message in the Slack channel.
   */
  noteParked(where: NoticePlace, notice: ParkedNotice): Promise<void>;
  /** The thread ts of any message (its own ts when it is top-level); undefined if it does not exist. */
  threadOf(slackChannelId: string, ts: string): Promise<string | undefined>;
  /** Downloads a file an agent attached. */
  downloadFile(file: SlackFileRef): Promise<Uint8Array>;
  /** Marks an agent's message as delivered to the customer (a reaction on it). */
  markDelivered(slackChannelId: string, messageTs: string): Promise<void>;
  /** Marks an agent's message as read by the customer, when the platform says so (a reaction on it). */
  markRead(slackChannelId: string, messageTs: string): Promise<void>;
  /**
   * Marks an agent's message as not delivered and explains why in the thread, in words an agent
   * can act on (the Slack side owns the wording: src/slack/failure-text.ts).
   */
  reportDeliveryFailure(thread: ThreadRef, messageTs: string, failure: DeliveryFailure): Promise<void>;
  /**
   * A conversation waited longer than its reply time: a reminder in its thread mentioning the
   * assignee (the Slack channel when unassigned), or at twice the time an escalation notice there.
   * Carries `marker` (see postOnce). Returns its ts.
   */
  alertWaiting(thread: ThreadRef, alert: WaitingAlert, marker: PostMarker): Promise<string>;
  /**
   * The link to a conversation that waited twice its reply time, in the escalation channel,
   * mentioning the target's user group; carries `marker`. Returns its ts.
   */
  postOverdue(target: EscalationTarget, thread: ThreadRef, alert: WaitingAlert, marker: PostMarker): Promise<string>;
  /** Something App Home shows changed (a conversation opened, was answered, assigned, closed): refresh it soon. Never throws, never waits. */
  deskChanged(): void;
  /** Posts the last `count` messages of `from` in `to`, as one message (a moved conversation carries them along). */
  carryOver(from: ThreadRef, to: ThreadRef, count: number): Promise<void>;
}

/** What a reply-time reminder or escalation says. Plain data; the Slack side words it. */
export interface WaitingAlert {
  readonly stage: 'reminder' | 'escalation';
  /** The customer's display name. */
  readonly customer: string;
  /** Slack user id of the assignee; undefined when nobody is assigned. */
  readonly assignee?: string;
  /** Whole minutes the conversation has waited. */
  readonly waitedMinutes: number;
  /** The reply time in effect, in minutes. */
  readonly limitMinutes: number;
}

/** Where a notice goes: a thread, or the Slack channel itself when there is no thread. */
export interface NoticePlace {
  readonly slackChannelId: string;
  readonly threadTs?: string;
}

/** A journaled event Threadline set aside. Plain data; the Slack side words it (src/slack/parked-text.ts). */
export interface ParkedNotice {
  /** What could not be shown or done. */
  readonly what: 'customer_message' | 'customer_event' | 'agent_reply' | 'agent_command' | 'waiting_alert';
  /** The customer's display name, for the customer's events. */
  readonly customer?: string;
  /** The agent's Slack user id, for agents' replies and actions. */
  readonly agentId?: string;
  /** Why, from the error (free of secrets and of the customer's words). */
  readonly reason: string;
  /** The journal entry id an operator replays it by. */
  readonly entryId: string;
}

/** Why a reply did not reach the customer. Plain data; the Slack side turns it into words. */
export interface DeliveryFailure {
  readonly platform: Platform;
  /** A ChannelErrorKind, or `unknown` when a restart interrupted the send and the outcome is not known. */
  readonly kind: ChannelErrorKind | 'unknown';
  /** The adapter's message (already free of secrets). */
  readonly message: string;
  readonly attempts: number;
  readonly retryAfterMs?: number;
  /** Threadline refused it before asking the platform (ChannelError `detail.local`): nothing reached the platform. */
  readonly local?: true;
  /** The platform's facts, from its channel (`Channel.facts`), for the words the Slack side shows. */
  readonly facts: PlatformFacts;
}

/** An agent's thread reply, as the Slack side hands it over. */
export interface AgentReply {
  readonly slackChannelId: string;
  readonly threadTs: string;
  readonly messageTs: string;
  readonly agentId: string;
  readonly text: string;
  readonly files: readonly SlackFileRef[];
}

/** A state change an agent asked for, by reaction or button, on any message of a thread. */
export interface AgentCommand {
  /** `assign`: to `assignee`, else to the agent who asked; `unassign`: nobody; `move`: to `language`. */
  readonly action: 'assign' | 'unassign' | 'close' | 'reopen' | 'escalate' | 'deescalate' | 'move';
  /** For `move`: the language tag to move the conversation to. */
  readonly language?: string;
  readonly slackChannelId: string;
  /** ts of the message acted on: the parent or any message in the thread. */
  readonly messageTs: string;
  readonly agentId: string;
  /** For `assign` from the user picker: the Slack user id chosen (default: `agentId`). */
  readonly assignee?: string;
}

/** What the Slack side asks of the engine. Each resolves once the request is durably accepted. */
export interface AgentActions {
  /** An agent replied in a thread. Returns false when the thread is not a Threadline conversation. */
  reply(reply: AgentReply): Promise<boolean>;
  /** Returns false when the message is not part of a Threadline conversation. */
  command(command: AgentCommand): Promise<boolean>;
}

/** Routing settings, persisted and effective at once. */
export interface RoutingSettings {
  /** Language tag → Slack channel id. */
  routes(): Promise<Readonly<Record<string, string>>>;
  /** The channel for languages without a route (set by /inbox, else DEFAULT_CHANNEL). */
  defaultChannel(): Promise<string>;
  /** `actor`: the Slack user id of the admin, for the audit log. */
  setRoute(actor: string, language: string, slackChannelId: string): Promise<void>;
  removeRoute(actor: string, language: string): Promise<boolean>;
  setDefaultChannel(actor: string, slackChannelId: string): Promise<void>;
}

/** One conversation waiting for a reply, as the waiting list shows it. */
export interface WaitingConversation {
  readonly conversationId: string;
  readonly platform: Platform;
  /** The customer's display name. */
  readonly customer: string;
  readonly language?: string;
  readonly assignee?: string;
  /** How long it has waited, in milliseconds. */
  readonly waitedMs: number;
  readonly thread: ThreadRef;
}

/** What `/inbox status` reports from the engine's side. */
export interface DeskStatus {
  readonly store: { readonly kind: string; readonly ok: boolean };
  /** Journal entries not yet processed; undefined when the store did not answer. */
  readonly journalBacklog?: number;
  /** How long the oldest waiting conversation has waited, in milliseconds; undefined when none waits. */
  readonly oldestWaitingMs?: number;
  /** Conversations not closed, waiting for a reply, and escalated. */
  readonly open: number;
  readonly waiting: number;
  readonly escalated: number;
}

/** Which language a text is detected as, and where it would be routed. */
export interface LanguageVerdict {
  /** undefined: too short, or no language to tell. */
  readonly language?: string;
  readonly slackChannelId: string;
  /** Whether that Slack channel is the language's own route (false: the default channel). */
  readonly routed: boolean;
}

/** What the Slack side reads from the engine for the team's commands and App Home. */
export interface DeskQueries {
  /** Waiting conversations, the oldest first (only `assignee`'s when given), at most `limit`, and how many wait in all. */
  waiting(options: { readonly limit: number; readonly assignee?: string }): Promise<{
    readonly conversations: readonly WaitingConversation[];
    readonly total: number;
  }>;
  status(): Promise<DeskStatus>;
  detect(text: string): Promise<LanguageVerdict>;
  /** The reply times changed: every waiting conversation's timer follows the new ones. */
  remindersChanged(): Promise<void>;
  /** Conversations per language (undefined: none told) and status, the languages sorted. */
  counts(): Promise<readonly LanguageCounts[]>;
  /** Remembers that `userId` opened App Home, so that it is refreshed after changes. */
  noteViewer(userId: string): Promise<void>;
  /** Who opened App Home within `withinMs`, the most recent first, at most `limit`. */
  recentViewers(withinMs: number, limit: number): Promise<readonly string[]>;
}

/** How many conversations of one language are in each status. */
export interface LanguageCounts {
  readonly language?: string;
  readonly waiting: number;
  readonly answered: number;
  readonly closed: number;
}
