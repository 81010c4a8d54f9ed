/**
 * Every key shape the store layer writes, in one place, so that no two parts of Threadline can
 * build the same key two ways. Plain functions and frozen objects only: other parts add their own
 * export here (the engine's `keys`) next to these.
 *
 * Layout on Redis, for namespace `ns`:
 * - `ns::<key>`                 a data value (built by @keyv/redis as `namespace::key`)
 * - `ns:journal:queue:<queue>`  list of one queue's entries, oldest first
 * - `ns:journal:lease:<queue>`  the lease on a queue: its owner, with a PX expiry
 * - `ns:journal:ready`          sorted set: queue → earliest time it may be leased
 * - `ns:journal:seq`            counter that numbers entries
 * - `ns:journal:size`           counter of unacknowledged entries
 * - `ns:journal:parked`         hash: entry id → a parked entry (JSON: queue, parkedAt, reason, entry)
 * - `ns:journal:appended`       pub/sub channel: a message after every append (wakes idle workers)
 * - `ns:claim:<name>`           a named lease (Store.claim): its owner, with a PX expiry
 * - `ns:counter:<key>`          a counter (Store.increment)
 * - `ns:index:<name>`           a sorted set (Store.index)
 *
 * Layout in the embedded SQLite file: table `kv` (data values, keys `ns:<key>`), tables
 * `journal_entries`, `journal_leases` and `journal_parked`, and `claims`, `counters` and `sorted`
 * (names `ns:<name>`).
 */

/** The namespace every backend uses unless a caller (a test) asks for its own. */
export const defaultNamespace = 'threadline';

/** Where data values (get/set/delete/setIfAbsent) live. */
export const dataKeys = Object.freeze({
  /** SQLite table of the embedded key-value store. */
  table: 'kv',
  /** Row key of a data value in the embedded store's `kv` table. */
  embedded: (namespace: string, key: string): string => `${namespace}:${key}`,
});

/** Redis keys of the coordination primitives (claim, increment, index). */
export const coordinationKeys = Object.freeze({
  claim: (namespace: string, name: string): string => `${namespace}:claim:${name}`,
  counter: (namespace: string, key: string): string => `${namespace}:counter:${key}`,
  index: (namespace: string, name: string): string => `${namespace}:index:${name}`,
});

/** The journal's internal names: Redis keys and SQLite tables. */
export const journalKeys = Object.freeze({
  /** Redis list of one queue's entries, oldest first. `queue(ns, '')` is the prefix Lua appends names to. */
  queue: (namespace: string, queue: string): string => `${namespace}:journal:queue:${queue}`,
  /** Redis string holding the owner of a queue's lease, expiring with it. */
  lease: (namespace: string, queue: string): string => `${namespace}:journal:lease:${queue}`,
  /** Redis sorted set of queues that may have work; the score is when the queue may next be leased. */
  ready: (namespace: string): string => `${namespace}:journal:ready`,
  /** Redis counter that assigns entry ids. */
  sequence: (namespace: string): string => `${namespace}:journal:seq`,
  /** Redis counter of entries appended and not yet acknowledged. */
  size: (namespace: string): string => `${namespace}:journal:size`,
  /** Redis hash of parked entries by id. */
  parked: (namespace: string): string => `${namespace}:journal:parked`,
  /** Redis pub/sub channel the append script publishes to, so that idle workers of every instance wake. */
  appended: (namespace: string): string => `${namespace}:journal:appended`,
  /** SQLite table of entries (AUTOINCREMENT id gives the global append order). */
  entriesTable: 'journal_entries',
  /** SQLite table of leases and release delays, one row per queue. */
  leasesTable: 'journal_leases',
  /** SQLite table of parked entries (they keep their id). */
  parkedTable: 'journal_parked',
});

/**
 * The engine's data keys (conversations, links between Slack and platform messages, exactly-once
 * records, settings). Values are JSON; the store adds its namespace.
 */
export const keys = Object.freeze({
  /** The current generation's record of a conversation. */
  conversation: (conversationId: string): string => `conv:${conversationId}`,
  /** A Slack thread → its conversation. */
  thread: (slackChannelId: string, threadTs: string): string => `thread:${slackChannelId}:${threadTs}`,
  /** Any Slack message Threadline posted or delivered → its conversation and thread. */
  slackMessage: (slackChannelId: string, ts: string): string => `slackmsg:${slackChannelId}:${ts}`,
  /** A platform message id → where it shows in Slack. */
  platformMessage: (conversationId: string, platformMessageId: string): string => `pmsg:${conversationId}:${platformMessageId}`,
  /** A journal job that took effect (de-duplication of redeliveries). */
  processed: (jobId: string): string => `done:${jobId}`,
  /** Failed attempts of a journal entry. */
  attempts: (entryId: string): string => `attempts:${entryId}`,
  /** A Slack post was begun with this marker. */
  postIntent: (marker: string): string => `intent:${marker}`,
  /** The ts of the Slack post that carries this marker. */
  posted: (marker: string): string => `posted:${marker}`,
  /** The files of the customer message with this marker were uploaded. */
  uploaded: (marker: string): string => `uploaded:${marker}`,
  /** A send of this agent reply was begun. */
  sendIntent: (idempotencyKey: string): string => `sending:${idempotencyKey}`,
  /** The outcome of sending this agent reply. */
  sent: (idempotencyKey: string): string => `sent:${idempotencyKey}`,
  /** The failure of this agent reply was shown in the thread. */
  failureShown: (idempotencyKey: string): string => `failshown:${idempotencyKey}`,
  /** Routing settings as /inbox kept them before the settings document (read once, to migrate). */
  routing: (): string => 'settings:routing',
  /** Round-robin position among the agents who speak `language` (a Store.increment counter, shared by instances). */
  roundRobin: (language: string): string => `assign:rr:${language}`,
  /** The settings document (src/engine/settings.ts). */
  settings: (): string => 'settings:document',
  /** An outgoing file served at `/files/<id>` (src/http/public-files.ts); expires with its link. */
  publicFile: (id: string): string => `pubfile:${id}`,
  /** A channel adapter's own state (tokens, cursors), namespaced by platform. */
  adapterState: (platform: string, key: string): string => `adapter:${platform}:${key}`,
  /** A channel adapter's named lease (Store.claim), namespaced by platform. */
  adapterLease: (platform: string, name: string): string => `adapter:${platform}:${name}`,
  /** `threadline doctor`'s write-read-delete probe; unique per run, and expiring should the run die midway. */
  doctorProbe: (runId: string): string => `doctor:probe:${runId}`,
  /** The waiting reminder of one waiting stretch of a conversation was posted (or is being posted). */
  reminded: (conversationId: string, generation: number, waitingSince: number): string =>
    `reminded:${conversationId}:${generation}:${waitingSince}`,
  /** The reply-time escalation of one waiting stretch of a conversation was posted (or is being posted). */
  slaEscalated: (conversationId: string, generation: number, waitingSince: number): string =>
    `sla-escalated:${conversationId}:${generation}:${waitingSince}`,
  /** The language an agent moved this customer's conversation to: their next conversation starts in it. */
  contactLanguage: (conversationId: string): string => `contact-language:${conversationId}`,
  /** The last messages of a moved conversation were carried over to its new thread. */
  carried: (conversationId: string, generation: number, slackChannelId: string): string =>
    `carried:${conversationId}:${generation}:${slackChannelId}`,
  /** The lease of the one reminder sweeper running at a time. */
  reminderSweeper: (): string => 'reminders:sweeper',
});

/**
 * The engine's sorted indexes (Store.index): read by the waiting list, App Home and `/inbox status`
 * without scanning every conversation.
 */
export const indexes = Object.freeze({
  /** Conversations waiting for a reply; score: epoch ms since when. */
  waiting: (): string => 'waiting',
  /** The waiting conversations assigned to one agent; score: epoch ms waiting since. */
  waitingFor: (agentId: string): string => `waiting:agent:${agentId}`,
  /** Conversations not closed; score: epoch ms opened. */
  open: (): string => 'open',
  /** Escalated conversations; score: epoch ms escalated. */
  escalated: (): string => 'escalated',
  /** Due reply-time reminders; member: conversation id, score: epoch ms due. */
  reminders: (): string => 'reminders',
  /** Conversations by status and language (`-`: none told); score: epoch ms of the change. Counted by App Home. */
  byStatus: (status: string, language: string | undefined): string => `status:${status}:${language ?? '-'}`,
  /** Every language a conversation had (`-`: none told); score 0. */
  languages: (): string => 'languages',
  /** Who opened App Home lately; score: epoch ms last opened. Their Home is refreshed after changes. */
  homeViewers: (): string => 'home:viewers',
});
