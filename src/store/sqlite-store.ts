import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Keyv, type KeyvStoreAdapter, type StoredData } from 'keyv';
import { StoreError } from '../errors.ts';
import { checkMs, createGuard, type Guard } from './guard.ts';
import { keyvData } from './keyv-data.ts';
import { sqliteCommit } from './sqlite-commit.ts';
import { type WriteGroups, writeGroups } from './sqlite-groups.ts';
import { COORDINATION_SCHEMA, sqliteCoordination } from './sqlite-coordination.ts';
import { dataKeys, defaultNamespace, journalKeys } from './keys.ts';
import type { Journal, JournalEntry, Store } from './store.ts';

const KV = dataKeys.table;
const ENTRIES = journalKeys.entriesTable;
const LEASES = journalKeys.leasesTable;
const PARKED = journalKeys.parkedTable;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS ${KV} (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires INTEGER);
  CREATE INDEX IF NOT EXISTS ${KV}_expires ON ${KV} (expires) WHERE expires IS NOT NULL;
  CREATE TABLE IF NOT EXISTS ${ENTRIES} (
    id INTEGER PRIMARY KEY AUTOINCREMENT, queue TEXT NOT NULL, payload TEXT NOT NULL, appended_at INTEGER NOT NULL);
  CREATE INDEX IF NOT EXISTS ${ENTRIES}_queue ON ${ENTRIES} (queue, id);
  CREATE TABLE IF NOT EXISTS ${LEASES} (queue TEXT PRIMARY KEY, owner TEXT, expires INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS ${PARKED} (
    id INTEGER PRIMARY KEY, queue TEXT NOT NULL, payload TEXT NOT NULL, appended_at INTEGER NOT NULL,
    parked_at INTEGER NOT NULL, reason TEXT NOT NULL);
`;

/** Options of {@link createSqliteStore}. */
export interface SqliteStoreOptions {
  /** Directory of `threadline.db`; created if missing. */
  readonly dataDir: string;
  /** Clock for the journal (appendedAt, leases, delays); defaults to Date.now. TTLs use keyv's Date.now. */
  readonly now?: () => number;
  /** Key namespace inside the file; defaults to {@link defaultNamespace}. */
  readonly namespace?: string;
}

/**
 * The embedded durable Store: one SQLite file `${dataDir}/threadline.db` in WAL mode with
 * synchronous=FULL, so every resolved write survives kill -9 of the process (and an OS crash).
 * Several processes may open the same file: claims, leases and acks are single SQLite write
 * transactions (BEGIN IMMEDIATE), which serialize across processes.
 */
export function createSqliteStore(options: SqliteStoreOptions): Store {
  const file = join(options.dataDir, 'threadline.db');
  const fail = (what: string, cause: unknown): StoreError =>
    cause instanceof StoreError ? cause : new StoreError(`Embedded store ${file}: ${what} failed: ${messageOf(cause)}`, { cause });
  const db = openDatabase(options.dataDir, file, fail);
  const adapter = new SqliteKeyvAdapter(db);
  const keyv = new Keyv({
    store: adapter,
    namespace: options.namespace ?? defaultNamespace,
    useKeyPrefix: false, // the adapter prefixes, with dataKeys.embedded
    throwOnErrors: true,
    serialize: JSON.stringify,
    deserialize: JSON.parse,
  });
  keyv.on('error', () => {}); // throwOnErrors rethrows every error; it is wrapped below
  const storeGuard = createGuard(`Embedded store ${file} is closed`, fail);
  const guard = storeGuard.run;
  const groups = writeGroups(db);

  return {
    kind: 'embedded',
    journal: createSqliteJournal(db, options.now ?? Date.now, guard, groups),
    ...keyvData(keyv, guard),
    ...sqliteCoordination(db, options.namespace ?? defaultNamespace, options.now ?? Date.now, guard),
    ...sqliteCommit(db, options.namespace ?? defaultNamespace, guard, groups),
    setIfAbsent: (key, value, ttlMs) =>
      guard(`setIfAbsent ${key}`, () => {
        const expires = ttlMs === undefined ? undefined : Date.now() + checkMs('ttlMs', ttlMs);
        return adapter.setIfAbsent(key, JSON.stringify({ value, expires }), expires);
      }),
    ping: () => guard('ping', () => void db.prepare('SELECT 1').get()),
    async close() {
      if (!storeGuard.close()) return;
      db.close();
      groups.close();
    },
  };
}

function openDatabase(dataDir: string, file: string, fail: (what: string, cause: unknown) => StoreError): Database.Database {
  let db: Database.Database | undefined;
  try {
    mkdirSync(dataDir, { recursive: true });
    db = new Database(file, { timeout: 5000 }); // wait up to 5 s for another process's write
    db.pragma('journal_mode = WAL');
    // NORMAL would survive kill -9 too; FULL also keeps a resolved append through an OS crash or power loss.
    db.pragma('synchronous = FULL');
    db.exec(SCHEMA);
    db.exec(COORDINATION_SCHEMA);
    return db;
  } catch (cause) {
    db?.close();
    // SQLite reads the file only here: garbage (or a truncated copy) is SQLITE_NOTADB, a damaged one SQLITE_CORRUPT.
    // @see https://www.sqlite.org/rescode.html#notadb
    const code = (cause as { code?: unknown }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new StoreError(
        `${file} is not a valid Threadline database (${messageOf(cause)}): move it aside and start again, or restore it from a backup`,
        { cause },
      );
    }
    throw fail('opening (check that DATA_DIR is writable)', cause);
  }
}

interface EntryRow {
  readonly id: number;
  readonly payload: string;
  readonly appended_at: number;
}

interface ParkedRow extends EntryRow {
  readonly queue: string;
  readonly parked_at: number;
  readonly reason: string;
}

interface LeaseRow {
  readonly owner: string | null;
  readonly expires: number;
}

function createSqliteJournal(db: Database.Database, now: () => number, guard: Guard, groups: WriteGroups): Journal {
  const q = {
    insert: db.prepare(`INSERT INTO ${ENTRIES} (queue, payload, appended_at) VALUES (?, ?, ?)`),
    nextQueue: db.prepare<[number], { queue: string }>(
      // The first entry, in append order, whose queue nobody leases: the same answer as "the unleased
      // queue with the oldest entry", but it stops at the first hit instead of grouping the whole backlog.
      `SELECT e.queue FROM ${ENTRIES} e WHERE NOT EXISTS
         (SELECT 1 FROM ${LEASES} l WHERE l.queue = e.queue AND l.expires > ?)
       ORDER BY e.id LIMIT 1`,
    ),
    upsertLease: db.prepare(
      `INSERT INTO ${LEASES} (queue, owner, expires) VALUES (?, ?, ?)
       ON CONFLICT(queue) DO UPDATE SET owner = excluded.owner, expires = excluded.expires`,
    ),
    lease: db.prepare<[string], LeaseRow>(`SELECT owner, expires FROM ${LEASES} WHERE queue = ?`),
    dropLease: db.prepare(`DELETE FROM ${LEASES} WHERE queue = ?`),
    dropExpired: db.prepare(`DELETE FROM ${LEASES} WHERE expires <= ?`),
    first: db.prepare<[string], EntryRow>(`SELECT id, payload, appended_at FROM ${ENTRIES} WHERE queue = ? ORDER BY id LIMIT 1`),
    firstFew: db.prepare<[string, number], EntryRow>(`SELECT id, payload, appended_at FROM ${ENTRIES} WHERE queue = ? ORDER BY id LIMIT ?`),
    ackHead: db.prepare(
      `DELETE FROM ${ENTRIES} WHERE queue = @queue AND id = @id
         AND id = (SELECT MIN(id) FROM ${ENTRIES} WHERE queue = @queue)`,
    ),
    size: db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM ${ENTRIES}`),
    insertParked: db.prepare(
      `INSERT INTO ${PARKED} (id, queue, payload, appended_at, parked_at, reason) VALUES (@id, @queue, @payload, @appended_at, @parked_at, @reason)`,
    ),
    parked: db.prepare<[], ParkedRow>(`SELECT id, queue, payload, appended_at, parked_at, reason FROM ${PARKED} ORDER BY parked_at, id`),
    parkedOne: db.prepare<[number], ParkedRow>(`SELECT id, queue, payload, appended_at, parked_at, reason FROM ${PARKED} WHERE id = ?`),
    dropParked: db.prepare(`DELETE FROM ${PARKED} WHERE id = ?`),
  };
  const holds = (queue: string, owner: string, at: number): boolean => {
    const row = q.lease.get(queue);
    return row !== undefined && row.owner === owner && row.expires > at;
  };

  type Items = readonly { readonly queue: string; readonly payload: unknown }[];
  const append = db.transaction((items: Items) => {
    const at = now();
    for (const { queue, payload } of items) q.insert.run(queue, JSON.stringify(payload ?? null), at);
  });
  const lease = db.transaction((owner: string, leaseMs: number): string | undefined => {
    const at = now();
    q.dropExpired.run(at); // an expired lease or delay blocks nothing; dropping it keeps the table small
    const next = q.nextQueue.get(at);
    if (next !== undefined) q.upsertLease.run(next.queue, owner, at + leaseMs);
    return next?.queue;
  });
  const head = db.transaction((queue: string, owner: string, leaseMs: number): JournalEntry | undefined => {
    const at = now();
    if (!holds(queue, owner, at)) throw lostLease(queue, owner);
    const row = q.first.get(queue);
    if (row === undefined) {
      q.dropLease.run(queue);
      return undefined;
    }
    q.upsertLease.run(queue, owner, at + leaseMs);
    return { id: String(row.id), queue, payload: JSON.parse(row.payload) as unknown, appendedAt: row.appended_at };
  });
  const peek = db.transaction((queue: string, owner: string, limit: number): JournalEntry[] => {
    if (!holds(queue, owner, now())) throw lostLease(queue, owner);
    return q.firstFew
      .all(queue, Math.max(0, Math.floor(limit)))
      .map((row) => ({ id: String(row.id), queue, payload: JSON.parse(row.payload) as unknown, appendedAt: row.appended_at }));
  });
  const ack = db.transaction((queue: string, id: number) => void q.ackHead.run({ queue, id }));
  const park = db.transaction((queue: string, id: number, reason: string) => {
    const row = q.first.get(queue);
    if (row === undefined || row.id !== id) return;
    q.insertParked.run({ id, queue, payload: row.payload, appended_at: row.appended_at, parked_at: now(), reason });
    q.ackHead.run({ queue, id });
  });
  const replay = db.transaction((id: number): JournalEntry | undefined => {
    const row = q.parkedOne.get(id);
    if (row === undefined) return undefined;
    const at = now();
    const inserted = q.insert.run(row.queue, row.payload, at);
    q.dropParked.run(id);
    return { id: String(inserted.lastInsertRowid), queue: row.queue, payload: JSON.parse(row.payload) as unknown, appendedAt: at };
  });
  const release = db.transaction((queue: string, owner: string, delayMs: number | undefined) => {
    const at = now();
    if (!holds(queue, owner, at)) return;
    if (delayMs === undefined || delayMs === 0) q.dropLease.run(queue);
    else q.upsertLease.run(queue, null, at + checkMs('delayMs', delayMs));
  });

  // Only this store's own appends: other processes on the file are found by the workers' slow look.
  const watchers = new Set<() => void>();
  return {
    append: (items) =>
      guard('journal append', async () => {
        if (items.length === 0) return;
        // Group commit: appends that arrive while the event loop is busy (webhooks queue up behind a
        // synchronous fsync) share one transaction and one fsync with this turn's other writes.
        await groups.run(append, [items], 'full');
        for (const listener of watchers) queueMicrotask(listener);
      }),
    watch(listener) {
      const own = () => listener();
      watchers.add(own);
      return () => void watchers.delete(own);
    },
    // Leases and acks are the journal's bookkeeping: an OS crash that rolls them back only has an
    // entry processed again (see syncModes), so they do not wait for an fsync.
    lease: (owner, leaseMs) =>
      guard('journal lease', () => {
        const ms = checkMs('leaseMs', leaseMs);
        return groups.run(lease, [owner, ms], 'relaxed');
      }),
    head: (queue, owner, leaseMs) =>
      guard(`journal head of ${queue}`, () => {
        const ms = checkMs('leaseMs', leaseMs);
        return groups.run(head, [queue, owner, ms], 'relaxed');
      }),
    peek: (queue, owner, limit) => guard(`journal peek of ${queue}`, () => peek(queue, owner, limit)),
    ack: (queue, entryId) =>
      guard(`journal ack of ${queue}`, () => {
        const id = Number(entryId);
        if (Number.isSafeInteger(id)) return groups.run(ack, [queue, id], 'relaxed');
      }),
    release: (queue, owner, delayMs) => guard(`journal release of ${queue}`, () => groups.run(release, [queue, owner, delayMs], 'relaxed')),
    size: () => guard('journal size', () => q.size.get()?.n ?? 0),
    park: (queue, entryId, _owner, reason) =>
      guard(`journal park in ${queue}`, () => {
        const id = Number(entryId);
        if (Number.isSafeInteger(id)) park.immediate(queue, id, reason);
      }),
    parked: () =>
      guard('journal parked', () =>
        q.parked.all().map((row) => ({
          id: String(row.id),
          queue: row.queue,
          payload: JSON.parse(row.payload) as unknown,
          appendedAt: row.appended_at,
          parkedAt: row.parked_at,
          reason: row.reason,
        })),
      ),
    replay: (entryId) =>
      guard(`journal replay of ${entryId}`, () => {
        const id = Number(entryId);
        return Number.isSafeInteger(id) ? replay.immediate(id) : undefined;
      }),
  };
}

/**
 * A keyv 5 store adapter over the `kv` table. Keyv hands it serialized strings and sets its
 * `namespace`; rows are keyed `dataKeys.embedded(namespace, key)`. Expired rows read as absent.
 */
class SqliteKeyvAdapter extends EventEmitter implements KeyvStoreAdapter {
  namespace: string | undefined;
  readonly opts = { dialect: 'sqlite' };
  readonly #q;
  #sweptAt = 0;

  constructor(db: Database.Database) {
    super();
    this.#q = {
      get: db.prepare<[string], { value: string; expires: number | null }>(`SELECT value, expires FROM ${KV} WHERE key = ?`),
      set: db.prepare(
        `INSERT INTO ${KV} (key, value, expires) VALUES (?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires = excluded.expires`,
      ),
      setIfAbsent: db.prepare(
        `INSERT INTO ${KV} (key, value, expires) VALUES (@key, @value, @expires)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires = excluded.expires
         WHERE ${KV}.expires IS NOT NULL AND ${KV}.expires <= @now`,
      ),
      delete: db.prepare<[string], { expires: number | null }>(`DELETE FROM ${KV} WHERE key = ? RETURNING expires`),
      clear: db.prepare(`DELETE FROM ${KV} WHERE substr(key, 1, length(@prefix)) = @prefix`),
      sweep: db.prepare(`DELETE FROM ${KV} WHERE expires IS NOT NULL AND expires <= ?`),
    };
  }

  // keyv types the raw read as the value; an adapter really returns the serialized string.
  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    const row = this.#q.get.get(this.#key(key));
    return row === undefined || isExpired(row.expires) ? undefined : (row.value as Value);
  }

  async set(key: string, value: string, ttl?: number): Promise<boolean> {
    this.#sweep();
    this.#q.set.run(this.#key(key), value, ttl === undefined ? null : Date.now() + ttl);
    return true;
  }

  async delete(key: string): Promise<boolean> {
    const row = this.#q.delete.get(this.#key(key));
    return row !== undefined && !isExpired(row.expires);
  }

  async clear(): Promise<void> {
    this.#q.clear.run({ prefix: this.#key('') });
  }

  /** true if this call created the row or replaced an expired one; one statement, so atomic. */
  setIfAbsent(key: string, value: string, expires: number | undefined): boolean {
    this.#sweep();
    const row = { key: this.#key(key), value, expires: expires ?? null, now: Date.now() };
    return this.#q.setIfAbsent.run(row).changes === 1;
  }

  /** Expired rows read as absent; at most once a minute, writes also delete them so the file stays small. */
  #sweep(): void {
    const now = Date.now();
    if (now - this.#sweptAt < 60_000) return;
    this.#sweptAt = now;
    this.#q.sweep.run(now);
  }

  #key(key: string): string {
    return dataKeys.embedded(this.namespace ?? defaultNamespace, key);
  }
}

function isExpired(expires: number | null): boolean {
  return expires !== null && expires <= Date.now();
}

function lostLease(queue: string, owner: string): StoreError {
  return new StoreError(`Journal lease on queue ${queue} is not held by ${owner}: it expired or was never taken`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
