/**
 * Group commit on the embedded store. better-sqlite3 is synchronous: a write transaction with
 * synchronous=FULL blocks the event loop for its fsync, and meanwhile webhooks, Slack answers and
 * the other worker lanes queue up behind it. Each of those then asks for a transaction of its own.
 * Instead, the write transactions asked for in one turn of the event loop (journal appends, leases,
 * heads, acks, `Store.commit`s) run together in the next turn, in the order they were asked for,
 * as one immediate transaction: one fsync, and each page they share written once.
 *
 * Each piece of work is a transaction function of its own (`db.transaction`), which better-sqlite3
 * runs as a SAVEPOINT when it is called inside a transaction: one that throws is rolled back alone
 * and only its caller sees the error; the others commit. Each resolves once the group's COMMIT returned: it is
 * then exactly as durable as it was on its own. The group runs with synchronous=FULL when any of
 * its work needs that (an append, an intent); when all of it is the journal's replayable
 * bookkeeping it runs relaxed, as each of those did alone (see syncModes). Work is atomic on its
 * own as before; a group is atomic too, which only ever keeps more together.
 */
import type Database from 'better-sqlite3';
import { syncModes } from './sqlite-sync.ts';

/** How durable a piece of work must be when its promise resolves. */
export type Durability = 'full' | 'relaxed';

/** Runs write transactions of one turn of the event loop as one. */
export interface WriteGroups {
  /**
   * Runs `transaction(...args)` in the next group (a savepoint of its own); resolves to its result
   * once the group committed.
   */
  run<A extends unknown[], R>(transaction: Database.Transaction<(...args: A) => R>, args: A, durability: Durability): Promise<R>;
}

interface Waiting {
  readonly work: () => unknown;
  readonly full: boolean;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/** Write groups over the open database. */
export function writeGroups(db: Database.Database): WriteGroups {
  const { relaxed } = syncModes(db);
  const group = db.transaction((waiting: readonly Waiting[]): Outcome[] =>
    waiting.map((w): Outcome => {
      try {
        return { ok: true, value: w.work() };
      } catch (error) {
        // Some errors (a full disk, I/O) roll the whole transaction back: then nothing of the group stands.
        if (!db.inTransaction) throw error;
        return { ok: false, error };
      }
    }),
  );
  let next: Waiting[] | undefined;

  function commit(waiting: readonly Waiting[]): void {
    let outcomes: Outcome[];
    try {
      outcomes = waiting.some((w) => w.full) ? group.immediate(waiting) : relaxed(() => group.immediate(waiting));
    } catch (error) {
      for (const w of waiting) w.reject(error);
      return;
    }
    outcomes.forEach((outcome, i) => {
      const w = waiting[i]!;
      if (outcome.ok) w.resolve(outcome.value);
      else w.reject(outcome.error);
    });
  }

  return {
    run(transaction, args, durability) {
      return new Promise((resolve, reject) => {
        if (next === undefined) {
          const waiting: Waiting[] = [];
          next = waiting;
          setImmediate(() => {
            next = undefined;
            commit(waiting);
          });
        }
        next.push({ work: () => transaction(...args), full: durability === 'full', resolve: resolve as (value: unknown) => void, reject });
      });
    },
  };
}
