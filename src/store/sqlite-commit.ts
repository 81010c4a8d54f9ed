/**
 * Store.commit on the embedded store: every write of the list in one SQLite transaction (a savepoint
 * of the turn's write group, src/store/sqlite-groups.ts), so one fsync makes them all durable, and a
 * crash keeps all or none. Rows are written exactly as
 * the single operations write them (the keyv row format `{ value, expires }` in `kv`, the `sorted`
 * table, the journal's head-only delete), so that every other operation reads them back.
 */
import type Database from 'better-sqlite3';
import { checkMs, checkScore, type Guard } from './guard.ts';
import { dataKeys, journalKeys } from './keys.ts';
import { SORTED } from './sqlite-coordination.ts';
import type { WriteGroups } from './sqlite-groups.ts';
import type { Store, StoreWrite } from './store.ts';

const KV = dataKeys.table;
const ENTRIES = journalKeys.entriesTable;

/** commit over the open database, for keys of `namespace`. */
export function sqliteCommit(db: Database.Database, namespace: string, guard: Guard, groups: WriteGroups): Pick<Store, 'commit'> {
  const named = (key: string): string => dataKeys.embedded(namespace, key);
  const q = {
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
    put: db.prepare(
      `INSERT INTO ${SORTED} (name, member, score) VALUES (?, ?, ?) ON CONFLICT(name, member) DO UPDATE SET score = excluded.score`,
    ),
    remove: db.prepare(`DELETE FROM ${SORTED} WHERE name = ? AND member = ?`),
    ackHead: db.prepare(
      `DELETE FROM ${ENTRIES} WHERE queue = @queue AND id = @id
         AND id = (SELECT MIN(id) FROM ${ENTRIES} WHERE queue = @queue)`,
    ),
  };
  /** The row of a data value, as keyv stores it: `{ value, expires }` and the expiry column. */
  const row = (value: unknown, ttlMs: number | undefined, at: number) => {
    const expires = ttlMs === undefined ? undefined : at + ttlMs;
    return { value: JSON.stringify({ value, expires }), expires: expires ?? null };
  };
  const apply = (write: StoreWrite, at: number): boolean => {
    switch (write.op) {
      case 'set': {
        const { value, expires } = row(write.value, write.ttlMs, at);
        q.set.run(named(write.key), value, expires);
        return true;
      }
      case 'delete': {
        const deleted = q.delete.get(named(write.key));
        return deleted !== undefined && (deleted.expires === null || deleted.expires > at);
      }
      case 'setIfAbsent':
        return q.setIfAbsent.run({ key: named(write.key), ...row(write.value, write.ttlMs, at), now: at }).changes === 1;
      case 'indexPut':
        q.put.run(named(write.index), write.member, write.score);
        return true;
      case 'indexRemove':
        return q.remove.run(named(write.index), write.member).changes > 0;
      case 'ack': {
        const id = Number(write.entryId);
        return Number.isSafeInteger(id) && q.ackHead.run({ queue: write.queue, id }).changes > 0;
      }
    }
  };
  const commit = db.transaction((writes: readonly StoreWrite[]): boolean[] => {
    const at = Date.now(); // TTLs use Date.now, as keyv does for the single operations
    return writes.map((write) => apply(write, at));
  });
  return {
    commit: (writes) =>
      guard(`commit of ${writes.length} writes`, () => {
        for (const write of writes) {
          if ((write.op === 'set' || write.op === 'setIfAbsent') && write.ttlMs !== undefined) checkMs('ttlMs', write.ttlMs);
          if (write.op === 'indexPut') checkScore(write.score);
        }
        if (writes.length === 0) return [];
        // A job's last step (its records with the ack of its entry, no intent): see syncModes.
        const replayable = writes.some((w) => w.op === 'ack') && !writes.some((w) => w.op === 'setIfAbsent');
        // With the other write transactions of this turn of the event loop: see sqlite-groups.ts.
        return groups.run(commit, [writes], replayable ? 'relaxed' : 'full');
      }),
  };
}
