/**
 * A Store view that holds a job's writes back and commits them together: `set`, `delete` and the
 * sorted indexes' `put` and `remove` wait in the buffer (reads of this view see them), and go to
 * the store in one Store.commit, with the next `setIfAbsent` or `commit` through this view, or
 * when the owner calls `flush`. The worker gives each job one, and flushes it with the job's
 * processed marker and journal ack: on the embedded store that is one transaction (one fsync)
 * per step of a job instead of one per write.
 *
 * What may wait and what may not: a `setIfAbsent` (postOnce's intent, the outbox's send intent)
 * commits everything before it, so every write made before a Slack post or a send is durable
 * before it happens, as with single writes. A write recording that something irreversible just
 * happened, and that must survive a crash right after it, goes through `commit`. The rest is
 * recovered after a crash by replaying the job (the intents make that safe).
 */
import { checkMs, checkScore } from './guard.ts';
import type { SortedIndex, Store, StoreWrite } from './store.ts';

/** A Store whose writes wait until the next commit; see the module comment. */
export interface BufferedStore extends Store {
  /** Commits the waiting writes, then `extra`, in one Store.commit; resolves to the results of `extra`. */
  flush(extra?: readonly StoreWrite[]): Promise<boolean[]>;
  /** How many writes are waiting. */
  readonly pending: number;
  /** Runs `then` once the writes made so far are committed (at the next flush; at once when none wait). */
  afterCommit(then: () => void): void;
}

type DataWrite = Extract<StoreWrite, { op: 'set' | 'delete' }>;
type IndexWrite = Extract<StoreWrite, { op: 'indexPut' | 'indexRemove' }>;

/** A buffered view of `store`; the store itself is shared, closing the view closes nothing. */
export function bufferWrites(store: Store): BufferedStore {
  // One waiting write per key (or index member): a later write replaces an earlier one, and moves to the end.
  const waiting = new Map<string, DataWrite | IndexWrite>();
  const hold = (slot: string, write: DataWrite | IndexWrite) => {
    waiting.delete(slot);
    waiting.set(slot, write);
  };
  const data = (key: string) => waiting.get(`d\u0000${key}`) as DataWrite | undefined;
  const member = (index: string, name: string) => waiting.get(`i\u0000${index}\u0000${name}`) as IndexWrite | undefined;

  let committed: (() => void)[] = [];

  async function flush(extra: readonly StoreWrite[] = []): Promise<boolean[]> {
    const writes = [...waiting.values(), ...extra];
    const then = committed;
    waiting.clear();
    committed = [];
    const results = writes.length === 0 ? [] : await store.commit(writes);
    for (const run of then) run();
    return results.slice(writes.length - extra.length);
  }

  const index = (name: string): SortedIndex => {
    const shared = store.index(name);
    return {
      async put(m, score) {
        hold(`i\u0000${name}\u0000${m}`, { op: 'indexPut', index: name, member: m, score: checkScore(score) });
      },
      async remove(m) {
        const held = member(name, m);
        const existed = held === undefined ? (await shared.score(m)) !== undefined : held.op === 'indexPut';
        hold(`i\u0000${name}\u0000${m}`, { op: 'indexRemove', index: name, member: m });
        return existed;
      },
      async score(m) {
        const held = member(name, m);
        if (held === undefined) return shared.score(m);
        return held.op === 'indexPut' ? held.score : undefined;
      },
      async range(options) {
        await flush();
        return shared.range(options);
      },
      async count() {
        await flush();
        return shared.count();
      },
    };
  };

  return {
    kind: store.kind,
    journal: store.journal,
    get pending() {
      return waiting.size;
    },
    flush,
    afterCommit(then) {
      if (waiting.size === 0) then();
      else committed.push(then);
    },
    async get<T>(key: string): Promise<T | undefined> {
      const held = data(key);
      if (held === undefined) return store.get<T>(key);
      // A copy, as a store read returns: the caller may change it without changing what is written.
      return held.op === 'set' ? (JSON.parse(JSON.stringify({ value: held.value })) as { value?: T }).value : undefined;
    },
    async set(key, value, ttlMs) {
      hold(`d\u0000${key}`, { op: 'set', key, value, ...(ttlMs === undefined ? {} : { ttlMs: checkMs('ttlMs', ttlMs) }) });
    },
    async delete(key) {
      const held = data(key);
      const existed = held === undefined ? (await store.get(key)) !== undefined : held.op === 'set';
      hold(`d\u0000${key}`, { op: 'delete', key });
      return existed;
    },
    async setIfAbsent(key, value, ttlMs) {
      const [created] = await flush([{ op: 'setIfAbsent', key, value, ...(ttlMs === undefined ? {} : { ttlMs }) }]);
      return created === true;
    },
    commit: (writes) => flush(writes),
    claim: (name, owner, ttlMs) => store.claim(name, owner, ttlMs),
    unclaim: (name, owner) => store.unclaim(name, owner),
    increment: (key, by) => store.increment(key, by),
    index,
    ping: () => store.ping(),
    async close() {},
  };
}
