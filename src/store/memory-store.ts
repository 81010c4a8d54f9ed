import { StoreError } from '../errors.ts';
import { checkMs, checkScore } from './guard.ts';
import type { IndexMember, Journal, JournalEntry, SortedIndex, Store, StoreWrite } from './store.ts';

interface Item {
  readonly json: string;
  readonly expiresAt: number | undefined;
}

interface StoredEntry {
  readonly id: number;
  readonly payloadJson: string;
  readonly appendedAt: number;
}

interface StoredParked extends StoredEntry {
  readonly queue: string;
  readonly parkedAt: number;
  readonly reason: string;
}

/** A lease (owner set) or a release delay (owner undefined); either blocks leasing until expiresAt. */
interface Lease {
  readonly owner: string | undefined;
  readonly expiresAt: number;
}

/**
 * The data behind one or more memory stores: what a Redis server is to Redis stores. Two stores
 * built on the same state behave like two Threadline instances sharing one backend.
 */
export interface MemoryState {
  readonly items: Map<string, Item>;
  readonly queues: Map<string, StoredEntry[]>;
  readonly leases: Map<string, Lease>;
  /** Parked entries by id, in the order they were parked. */
  readonly parked: Map<string, StoredParked>;
  /** Named leases of Store.claim. */
  readonly claims: Map<string, Lease>;
  readonly counters: Map<string, number>;
  /** Sorted indexes by name: member → score. */
  readonly indexes: Map<string, Map<string, number>>;
  nextId: number;
  /** Journal.watch listeners of every store on this state. */
  readonly watchers: Set<() => void>;
}

/** Fresh, empty shared state for {@link createMemoryStore}. */
export function createMemoryState(): MemoryState {
  return {
    items: new Map(),
    queues: new Map(),
    leases: new Map(),
    parked: new Map(),
    claims: new Map(),
    counters: new Map(),
    indexes: new Map(),
    nextId: 1,
    watchers: new Set(),
  };
}

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /** Clock for TTLs, leases and delays; defaults to Date.now. */
  readonly now?: () => number;
  /** Share state with other memory stores; a private one by default. */
  readonly state?: MemoryState;
}

/**
 * An in-process Store with the same semantics as the durable backends (JSON values, TTL, atomic
 * setIfAbsent, leased ordered journal), for unit tests. Nothing survives the process.
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): Store {
  const now = options.now ?? Date.now;
  const state = options.state ?? createMemoryState();
  let closed = false;
  const open = (): void => {
    if (closed) throw new StoreError('The memory store is closed: create a new one');
  };
  const live = (key: string): Item | undefined => {
    const item = state.items.get(key);
    if (item?.expiresAt !== undefined && item.expiresAt <= now()) {
      state.items.delete(key);
      return undefined;
    }
    return item;
  };
  const toItem = (value: unknown, ttlMs: number | undefined): Item => ({
    json: JSON.stringify({ value }),
    expiresAt: ttlMs === undefined ? undefined : now() + checkMs('ttlMs', ttlMs),
  });

  const remove = (key: string): boolean => {
    const existed = live(key) !== undefined;
    state.items.delete(key);
    return existed;
  };
  const createIfAbsent = (key: string, value: unknown, ttlMs: number | undefined): boolean => {
    if (live(key) !== undefined) return false;
    state.items.set(key, toItem(value, ttlMs));
    return true;
  };
  const members = (name: string): Map<string, number> => indexMembers(state, name);
  const apply = (write: StoreWrite): boolean => {
    switch (write.op) {
      case 'set':
        state.items.set(write.key, toItem(write.value, write.ttlMs));
        return true;
      case 'delete':
        return remove(write.key);
      case 'setIfAbsent':
        return createIfAbsent(write.key, write.value, write.ttlMs);
      case 'indexPut':
        members(write.index).set(write.member, write.score);
        return true;
      case 'indexRemove':
        return members(write.index).delete(write.member);
      case 'ack':
        return ackHead(state, write.queue, write.entryId);
    }
  };

  return {
    kind: 'memory',
    journal: createMemoryJournal(state, now, open),
    async get<T>(key: string): Promise<T | undefined> {
      open();
      const item = live(key);
      return item === undefined ? undefined : (JSON.parse(item.json) as { value?: T }).value;
    },
    async set<T>(key: string, value: T, ttlMs?: number): Promise<void> {
      open();
      state.items.set(key, toItem(value, ttlMs));
    },
    async delete(key: string): Promise<boolean> {
      open();
      return remove(key);
    },
    async setIfAbsent<T>(key: string, value: T, ttlMs?: number): Promise<boolean> {
      open();
      return createIfAbsent(key, value, ttlMs);
    },
    async commit(writes) {
      open();
      // Every argument is checked before anything is applied: all or nothing, as on the durable backends.
      for (const write of writes) {
        if ((write.op === 'set' || write.op === 'setIfAbsent') && write.ttlMs !== undefined) checkMs('ttlMs', write.ttlMs);
        if (write.op === 'indexPut') checkScore(write.score);
      }
      return writes.map(apply);
    },
    async claim(name, owner, ttlMs) {
      open();
      const ttl = checkMs('ttlMs', ttlMs);
      const lease = state.claims.get(name);
      if (lease !== undefined && lease.expiresAt > now() && lease.owner !== owner) return false;
      state.claims.set(name, { owner, expiresAt: now() + ttl });
      return true;
    },
    async unclaim(name, owner) {
      open();
      if (state.claims.get(name)?.owner === owner) state.claims.delete(name);
    },
    async increment(key, by = 1) {
      open();
      const next = (state.counters.get(key) ?? 0) + by;
      state.counters.set(key, next);
      return next;
    },
    index: (name) => createMemoryIndex(state, name, open),
    async ping(): Promise<void> {
      open();
    },
    async close(): Promise<void> {
      closed = true;
    },
  };
}

function indexMembers(state: MemoryState, name: string): Map<string, number> {
  const existing = state.indexes.get(name);
  if (existing !== undefined) return existing;
  const index = new Map<string, number>();
  state.indexes.set(name, index);
  return index;
}

/** Removes the head of `queue` if it is `entryId`; true when it did. */
function ackHead(state: MemoryState, queue: string, entryId: string): boolean {
  const entries = state.queues.get(queue);
  if (entries?.[0] === undefined || String(entries[0].id) !== entryId) return false;
  entries.shift();
  return true;
}

function createMemoryIndex(state: MemoryState, name: string, open: () => void): SortedIndex {
  const members = (): Map<string, number> => indexMembers(state, name);
  return {
    async put(member, score) {
      open();
      members().set(member, checkScore(score));
    },
    async remove(member) {
      open();
      return members().delete(member);
    },
    async score(member) {
      open();
      return members().get(member);
    },
    async range(options = {}) {
      open();
      const max = options.maxScore === undefined ? Number.POSITIVE_INFINITY : checkScore(options.maxScore);
      const sorted: IndexMember[] = [...members()]
        .filter(([, score]) => score <= max)
        .map(([member, score]) => ({ member, score }))
        .sort((a, b) => a.score - b.score || (a.member < b.member ? -1 : a.member > b.member ? 1 : 0));
      return options.limit === undefined ? sorted : sorted.slice(0, options.limit);
    },
    async count() {
      open();
      return members().size;
    },
  };
}

function createMemoryJournal(state: MemoryState, now: () => number, open: () => void): Journal {
  const blocked = (queue: string): Lease | undefined => {
    const lease = state.leases.get(queue);
    return lease !== undefined && lease.expiresAt > now() ? lease : undefined;
  };
  const holds = (queue: string, owner: string): boolean => blocked(queue)?.owner === owner;

  return {
    async append(items) {
      open();
      for (const { queue, payload } of items) {
        const entries = state.queues.get(queue) ?? [];
        entries.push({ id: state.nextId++, payloadJson: JSON.stringify(payload ?? null), appendedAt: now() });
        state.queues.set(queue, entries);
      }
      if (items.length > 0) for (const listener of state.watchers) queueMicrotask(listener);
    },
    watch(listener) {
      const own = () => listener();
      state.watchers.add(own);
      return () => void state.watchers.delete(own);
    },
    async lease(owner, leaseMs) {
      open();
      checkMs('leaseMs', leaseMs);
      for (const [queue, lease] of state.leases) if (lease.expiresAt <= now()) state.leases.delete(queue);
      let best: { queue: string; firstId: number } | undefined;
      for (const [queue, entries] of state.queues) {
        const first = entries[0];
        if (first === undefined || blocked(queue) !== undefined) continue;
        if (best === undefined || first.id < best.firstId) best = { queue, firstId: first.id };
      }
      if (best === undefined) return undefined;
      state.leases.set(best.queue, { owner, expiresAt: now() + leaseMs });
      return best.queue;
    },
    async head(queue, owner, leaseMs) {
      open();
      checkMs('leaseMs', leaseMs);
      if (!holds(queue, owner)) throw lostLease(queue, owner);
      const first = state.queues.get(queue)?.[0];
      if (first === undefined) {
        state.leases.delete(queue);
        state.queues.delete(queue);
        return undefined;
      }
      state.leases.set(queue, { owner, expiresAt: now() + leaseMs });
      return toEntry(queue, first);
    },
    async peek(queue, owner, limit) {
      open();
      if (!holds(queue, owner)) throw lostLease(queue, owner);
      return (state.queues.get(queue) ?? []).slice(0, Math.max(0, limit)).map((entry) => toEntry(queue, entry));
    },
    async ack(queue, entryId) {
      open();
      ackHead(state, queue, entryId);
    },
    async release(queue, owner, delayMs) {
      open();
      if (!holds(queue, owner)) return;
      if (delayMs === undefined || delayMs === 0) state.leases.delete(queue);
      else state.leases.set(queue, { owner: undefined, expiresAt: now() + checkMs('delayMs', delayMs) });
    },
    async size() {
      open();
      let total = 0;
      for (const entries of state.queues.values()) total += entries.length;
      return total;
    },
    async park(queue, entryId, _owner, reason) {
      open();
      const entries = state.queues.get(queue);
      const first = entries?.[0];
      if (entries === undefined || first === undefined || String(first.id) !== entryId) return;
      entries.shift();
      state.parked.set(entryId, { ...first, queue, parkedAt: now(), reason });
    },
    async parked() {
      open();
      return [...state.parked.values()].map((p) => ({
        ...toEntry(p.queue, p),
        parkedAt: p.parkedAt,
        reason: p.reason,
      }));
    },
    async replay(entryId) {
      open();
      const parked = state.parked.get(entryId);
      if (parked === undefined) return undefined;
      state.parked.delete(entryId);
      const entry: StoredEntry = { id: state.nextId++, payloadJson: parked.payloadJson, appendedAt: now() };
      state.queues.set(parked.queue, [...(state.queues.get(parked.queue) ?? []), entry]);
      return toEntry(parked.queue, entry);
    },
  };
}

function toEntry(queue: string, stored: StoredEntry): JournalEntry {
  return { id: String(stored.id), queue, payload: JSON.parse(stored.payloadJson) as unknown, appendedAt: stored.appendedAt };
}

function lostLease(queue: string, owner: string): StoreError {
  return new StoreError(`Journal lease on queue ${queue} is not held by ${owner}: it expired or was never taken`);
}
