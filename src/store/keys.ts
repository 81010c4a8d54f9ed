/**
 * Every key shape the store layer writes, in one place, so that no two parts of Threadline can
 * build the same key two ways. Plain functions and frozen objects only: other parts add their own
 * export here (the engine's `keys`) next to these.
 *
 * Layout on Redis, for namespace `ns`:
 * - `ns::<key>`                 a data value (built by @keyv/redis as `namespace::key`)
 * - `ns:journal<T>:queue:<queue>`  list of one queue's entries, oldest first
 * - `ns:journal<T>:lease:<queue>`  the lease on a queue: its owner, with a PX expiry
 * - `ns:journal<T>:ready`       sorted set: queue → earliest time it may be leased
 * - `ns:journal<T>:seq`         counter that numbers entries
 * - `ns:journal<T>:size`        counter of unacknowledged entries
 * - `ns:journal<T>:parked`      hash: entry id → a parked entry (JSON: queue, parkedAt, reason, entry)
 * - `ns:journal:wake`           on a cluster: counter bumped after each append, release, replay
 * - `ns:journal:appended`       pub/sub channel on one Redis: a message after every append (wakes idle workers)
 * - `ns:claim:<name>`           a named lease (Store.claim): its owner, with a PX expiry
 * - `ns:counter:<key>`          a counter (Store.increment)
 * - `ns:index:<name>`           a sorted set (Store.index)
 *
 * `<T>` is the journal shard's hash tag (src/store/journal-shards.ts): empty on a single Redis (the
 * names of earlier versions), `:{j<i>.<n>}` for shard i on a Redis Cluster. Every journal script
 * touches the keys of one shard only, so of one hash slot; every other operation touches one key.
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
  /** The Redis keys of one journal shard; `tag` is its hash tag, '' on a single Redis. */
  shard: (namespace: string, tag: string): JournalShardKeys => {
    const scope = tag === '' ? `${namespace}:journal` : `${namespace}:journal:{${tag}}`;
    return Object.freeze({
      queuePrefix: `${scope}:queue:`,
      leasePrefix: `${scope}:lease:`,
      queue: (queue: string) => `${scope}:queue:${queue}`,
      lease: (queue: string) => `${scope}:lease:${queue}`,
      ready: `${scope}:ready`,
      sequence: `${scope}:seq`,
      size: `${scope}:size`,
      parked: `${scope}:parked`,
    });
  },
  /** Redis counter that append, release and replay increment on a cluster, so idle leases know to look again. */
  wake: (namespace: string): string => `${namespace}:journal:wake`,
  /** Redis pub/sub channel published after every append on one Redis, so that idle workers of every instance wake. */
  appended: (namespace: string): string => `${namespace}:journal:appended`,
  /** SQLite table of entries (AUTOINCREMENT id gives the global append order). */
  entriesTable: 'journal_entries',
  /** SQLite table of leases and release delays, one row per queue. */
  leasesTable: 'journal_leases',
  /** SQLite table of parked entries (they keep their id). */
  parkedTable: 'journal_parked',
});

/** The Redis keys of one journal shard (all in one hash slot). */
export interface JournalShardKeys {
  /** What Lua appends a queue name to, to get its list. */
  readonly queuePrefix: string;
  /** What Lua appends a queue name to, to get its lease. */
  readonly leasePrefix: string;
  /** List of one queue's entries, oldest first. */
  queue(queue: string): string;
  /** String holding the owner of a queue's lease, expiring with it. */
  lease(queue: string): string;
  /** Sorted set of queues that may have work; the score is when the queue may next be leased. */
  readonly ready: string;
  /** Counter that numbers entries. */
  readonly sequence: string;
  /** Counter of entries appended and not yet acknowledged. */
  readonly size: string;
  /** Hash of parked entries by id. */
  readonly parked: string;
}

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
