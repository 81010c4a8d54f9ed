/**
 * The embedded store's coordination primitives: named leases (`claim`), counters and sorted
 * indexes, each one SQLite statement or one immediate transaction, so that several processes on
 * one file agree. Names are prefixed with the store's namespace, like data keys.
 */
import type Database from 'better-sqlite3';
import { checkMs, checkScore, type Guard } from './guard.ts';
import { dataKeys } from './keys.ts';
import type { IndexMember, SortedIndex, Store } from './store.ts';

const CLAIMS = 'claims';
const COUNTERS = 'counters';
/** The table of every sorted index (Store.index): name, member, score. */
export const SORTED = 'sorted';

/** Tables of the coordination primitives; created with the store's schema. */
export const COORDINATION_SCHEMA = `
  CREATE TABLE IF NOT EXISTS ${CLAIMS} (name TEXT PRIMARY KEY, owner TEXT NOT NULL, expires INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS ${COUNTERS} (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS ${SORTED} (name TEXT NOT NULL, member TEXT NOT NULL, score REAL NOT NULL, PRIMARY KEY (name, member));
  CREATE INDEX IF NOT EXISTS ${SORTED}_score ON ${SORTED} (name, score, member);
`;

/** claim, unclaim, increment and index over the open database. */
export function sqliteCoordination(
  db: Database.Database,
  namespace: string,
  now: () => number,
  guard: Guard,
): Pick<Store, 'claim' | 'unclaim' | 'increment' | 'index'> {
  const named = (name: string): string => dataKeys.embedded(namespace, name);
  const q = {
    claim: db.prepare<{ name: string; owner: string; expires: number; now: number }>(
      `INSERT INTO ${CLAIMS} (name, owner, expires) VALUES (@name, @owner, @expires)
       ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, expires = excluded.expires
       WHERE ${CLAIMS}.owner = excluded.owner OR ${CLAIMS}.expires <= @now`,
    ),
    unclaim: db.prepare(`DELETE FROM ${CLAIMS} WHERE name = ? AND owner = ?`),
    increment: db.prepare<{ key: string; by: number }, { value: number }>(
      `INSERT INTO ${COUNTERS} (key, value) VALUES (@key, @by)
       ON CONFLICT(key) DO UPDATE SET value = value + @by RETURNING value`,
    ),
    put: db.prepare(
      `INSERT INTO ${SORTED} (name, member, score) VALUES (?, ?, ?) ON CONFLICT(name, member) DO UPDATE SET score = excluded.score`,
    ),
    remove: db.prepare(`DELETE FROM ${SORTED} WHERE name = ? AND member = ?`),
    score: db.prepare<[string, string], { score: number }>(`SELECT score FROM ${SORTED} WHERE name = ? AND member = ?`),
    range: db.prepare<[string, number, number], IndexMember>(
      `SELECT member, score FROM ${SORTED} WHERE name = ? AND score <= ? ORDER BY score, member LIMIT ?`,
    ),
    count: db.prepare<[string], { n: number }>(`SELECT COUNT(*) AS n FROM ${SORTED} WHERE name = ?`),
  };
  const index = (name: string): SortedIndex => {
    const key = named(name);
    return {
      put: (member, score) => guard(`index ${name} put`, () => void q.put.run(key, member, checkScore(score))),
      remove: (member) => guard(`index ${name} remove`, () => q.remove.run(key, member).changes > 0),
      score: (member) => guard(`index ${name} score`, () => q.score.get(key, member)?.score),
      range: (options = {}) =>
        guard(`index ${name} range`, () =>
          // SQLite has no infinity literal for a bound parameter; the largest double stands for it (-1: no LIMIT).
          q.range.all(key, options.maxScore ?? Number.MAX_VALUE, options.limit ?? -1),
        ),
      count: () => guard(`index ${name} count`, () => q.count.get(key)?.n ?? 0),
    };
  };
  return {
    claim: (name, owner, ttlMs) =>
      guard(`claim ${name}`, () => {
        const at = now();
        return q.claim.run({ name: named(name), owner, expires: at + checkMs('ttlMs', ttlMs), now: at }).changes > 0;
      }),
    unclaim: (name, owner) => guard(`unclaim ${name}`, () => void q.unclaim.run(named(name), owner)),
    increment: (key, by = 1) => guard(`increment ${key}`, () => q.increment.get({ key: named(key), by })?.value ?? by),
    index,
  };
}
