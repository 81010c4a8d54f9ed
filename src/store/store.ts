/**
 * The persistence seam. Three backends implement it with the same guarantees:
 * `memory` (tests), `embedded` (SQLite file under DATA_DIR; survives kill -9) and `redis`
 * (several instances share one Redis or one Redis Cluster). Every failure to reach the backend
 * throws StoreError: nothing is ever silently "not found" because the backend was down.
 */

/** Key-value storage plus the atomic operations correctness needs. */
export interface Store {
  readonly kind: 'memory' | 'embedded' | 'redis';
  get<T>(key: string): Promise<T | undefined>;
  /** Stores a JSON-serializable value; with ttlMs it expires after that many milliseconds. */
  set<T>(key: string, value: T, ttlMs?: number): Promise<void>;
  /** true if the key existed. */
  delete(key: string): Promise<boolean>;
  /**
   * Creates the key only if it is absent (or expired), atomically across processes and instances.
   * Exactly one of any number of concurrent callers gets true.
   */
  setIfAbsent<T>(key: string, value: T, ttlMs?: number): Promise<boolean>;
  /**
   * Takes or renews the lease `name` for `owner` for ttlMs, atomically across instances: true when
   * the lease was free, expired or already `owner`'s (it then runs ttlMs from now), false while
   * another owner holds it. Elects one poller, one token refresher, one reminder sender.
   */
  claim(name: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease `name` up if `owner` holds it; otherwise changes nothing. */
  unclaim(name: string, owner: string): Promise<void>;
  /** Adds `by` (default 1) to the counter `key` atomically and returns the new value; a new counter starts at 0. */
  increment(key: string, by?: number): Promise<number>;
  /** The sorted index `name`: members ordered by a numeric score (the waiting list, due timers). */
  index(name: string): SortedIndex;
  /**
   * Applies `writes` in order as one atomic, durable commit: one SQLite transaction (one fsync),
   * one Redis MULTI/EXEC. When it resolves every write took effect; after a crash, either all of
   * them did or none. Resolves to one boolean per write: what the single operation would have
   * returned (`set`, `indexPut` true; `delete`, `indexRemove` whether it was there; `setIfAbsent`
   * whether this commit created the key; `ack` whether the entry was the head and left its queue).
   * A job's links, records, processed marker and journal ack go together this way.
   */
  commit(writes: readonly StoreWrite[]): Promise<boolean[]>;
  /** The durable, ordered work queue shared by every instance on this store. */
  readonly journal: Journal;
  /** Resolves if the backend answers; throws StoreError otherwise. */
  ping(): Promise<void>;
  /** Releases connections and file handles. Safe to call twice. */
  close(): Promise<void>;
}

/** One write of {@link Store.commit}: the operation of the same name, with the same arguments. */
export type StoreWrite =
  | { readonly op: 'set'; readonly key: string; readonly value: unknown; readonly ttlMs?: number }
  | { readonly op: 'delete'; readonly key: string }
  | { readonly op: 'setIfAbsent'; readonly key: string; readonly value: unknown; readonly ttlMs?: number }
  | { readonly op: 'indexPut'; readonly index: string; readonly member: string; readonly score: number }
  | { readonly op: 'indexRemove'; readonly index: string; readonly member: string }
  /** Journal.ack of the head entry `entryId` of `queue`, leased by `owner`. */
  | { readonly op: 'ack'; readonly queue: string; readonly entryId: string; readonly owner: string };

/**
 * A set of members ordered by score, shared by every instance on the store (a Redis sorted set):
 * reading the lowest scores never scans anything else.
 */
export interface SortedIndex {
  /** Adds the member, or moves it to the new score. */
  put(member: string, score: number): Promise<void>;
  /** true if the member was there. */
  remove(member: string): Promise<boolean>;
  /** The member's score, or undefined when it is not in the index. */
  score(member: string): Promise<number | undefined>;
  /** Members with a score up to `maxScore` (all by default), lowest score first (ties by member), at most `limit`. */
  range(options?: { readonly maxScore?: number; readonly limit?: number }): Promise<IndexMember[]>;
  /** How many members the index holds. */
  count(): Promise<number>;
}

/** One member of a SortedIndex. */
export interface IndexMember {
  readonly member: string;
  readonly score: number;
}

/** One journaled item. */
export interface JournalEntry<T = unknown> {
  /** Unique, assigned by the journal at append. */
  readonly id: string;
  readonly queue: string;
  readonly payload: T;
  /** Epoch milliseconds of the append. */
  readonly appendedAt: number;
}

/** A journal entry set aside because processing it kept failing in a way retrying did not fix. */
export interface ParkedEntry<T = unknown> extends JournalEntry<T> {
  /** Epoch milliseconds when it was set aside. */
  readonly parkedAt: number;
  /** Why, in words an operator can act on. */
  readonly reason: string;
}

/**
 * A durable log of work, split into queues (one per conversation). Entries of one queue are
 * processed strictly in append order by one worker at a time (the lease holder); different queues
 * are processed in parallel, by any instance. A worker that dies loses its lease when it expires,
 * and another worker picks the queue up from its first unacknowledged entry.
 */
export interface Journal {
  /** Durably appends items, in order. Resolves only once every item is durable. */
  append(items: readonly { readonly queue: string; readonly payload: unknown }[]): Promise<void>;
  /**
   * Calls `listener` after entries were appended through this store, and, where the backend can
   * tell, by other instances on it (Redis publishes every append; memory stores sharing a state
   * tell each other). Processes on one embedded file are not told of each other's appends. Idle
   * workers wait for this instead of polling. Returns what stops the calls.
   */
  watch(listener: () => void): () => void;
  /**
   * Leases one queue that has entries and no live lease (oldest pending work first).
   * Returns the queue name, or undefined when there is nothing to do.
   */
  lease(owner: string, leaseMs: number): Promise<string | undefined>;
  /**
   * The oldest entry of a queue this owner leases, renewing the lease for leaseMs.
   * When the queue is empty the lease is released and undefined is returned (atomically with
   * respect to append: an item appended concurrently is never stranded).
   * Throws StoreError if the owner no longer holds the lease.
   */
  head(queue: string, owner: string, leaseMs: number): Promise<JournalEntry | undefined>;
  /**
   * The first `limit` entries of a queue this owner leases, oldest first (the head included),
   * without changing anything: for a worker that applies a backlog of consecutive entries
   * together. Empty when the queue is empty. Throws StoreError if the owner does not hold the lease.
   */
  peek(queue: string, owner: string, limit: number): Promise<JournalEntry[]>;
  /** Removes the head entry `entryId` after it was processed. No-op if it is no longer the head. */
  ack(queue: string, entryId: string, owner: string): Promise<void>;
  /** Gives up the lease; with delayMs, no worker may lease the queue again before that delay. */
  release(queue: string, owner: string, delayMs?: number): Promise<void>;
  /** Number of entries not yet acknowledged, across all queues (parked entries not included). */
  size(): Promise<number>;
  /**
   * Sets the head entry `entryId` aside with `reason`: it leaves its queue (the next entry becomes
   * the head) and size(), and stays in the parked list until replayed. No-op if it is no longer
   * the head, like ack.
   */
  park(queue: string, entryId: string, owner: string, reason: string): Promise<void>;
  /** Every parked entry, the oldest parked first. */
  parked(): Promise<ParkedEntry[]>;
  /**
   * Moves a parked entry back to the end of its queue as a new entry (a new id, appended now), to
   * be processed like any other. Returns that entry; undefined when no parked entry has this id.
   */
  replay(entryId: string): Promise<JournalEntry | undefined>;
}
