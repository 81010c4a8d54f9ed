/**
 * Group commit on the embedded store, with its fsync off the event loop. better-sqlite3 is
 * synchronous: a write transaction with synchronous=FULL blocks the event loop for its fsync, and
 * meanwhile webhooks, Slack answers and the other worker lanes queue up behind it, each then asking
 * for a transaction of its own. Instead:
 *
 * - The write transactions asked for in one turn of the event loop (journal appends, leases, heads,
 *   acks, `Store.commit`s) run together in the next turn, in the order they were asked for, as one
 *   immediate transaction, each page they share written once. Each piece of work is a transaction
 *   function of its own (`db.transaction`), which better-sqlite3 runs as a SAVEPOINT inside a
 *   transaction: one that throws is rolled back alone and only its caller sees the error.
 * - The group commits with synchronous=NORMAL: its frames are written to the WAL, not yet synced.
 *   Work that needs no more (the journal's replayable bookkeeping, see syncModes) resolves then.
 *   When the group holds work that must survive an OS crash (an append, an intent), the WAL file is
 *   synced on libuv's thread pool (fdatasync, as SQLite itself syncs the WAL with
 *   synchronous=FULL), and that work resolves only once the sync returned. Until then the event
 *   loop goes on with other work, where it used to wait.
 *
 * What a crash can do is unchanged. kill -9: the WAL frames were written, committed work is there,
 * synced or not. An OS crash or power loss: what resolved as `full` is on disk; work committed
 * after the last completed sync may be lost, always a suffix in commit order (the WAL is replayed
 * up to its first incomplete frame). Committed work is visible to readers before its sync, as with
 * synchronous=NORMAL: another lane may lease an entry whose append is still syncing. Nothing
 * irreversible can come of that before the sync: a post or a send waits for its own intent, a
 * `full` write whose sync covers every frame written before it, the append included.
 * @see https://www.sqlite.org/wal.html
 * @see https://www.sqlite.org/pragma.html#pragma_synchronous
 */
import { closeSync, fdatasync, openSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { syncModes } from './sqlite-sync.ts';

/** How durable a piece of work must be when its promise resolves. */
export type Durability = 'full' | 'relaxed';

/** Runs write transactions of one turn of the event loop as one. */
export interface WriteGroups {
  /**
   * Runs `transaction(...args)` in the next group (a savepoint of its own); resolves to its result
   * once the group committed, and for `full` once the WAL was synced after it.
   */
  run<A extends unknown[], R>(transaction: Database.Transaction<(...args: A) => R>, args: A, durability: Durability): Promise<R>;
  /** After the database was closed: lets go of the WAL file once no sync is running. */
  close(): void;
}

interface Waiting {
  readonly work: () => unknown;
  readonly full: boolean;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/** Write groups over the open database (in WAL mode). */
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
  const wal = walFile(db);
  let next: Waiting[] | undefined;

  function commit(waiting: readonly Waiting[]): void {
    let outcomes: Outcome[];
    try {
      outcomes = relaxed(() => group.immediate(waiting));
    } catch (error) {
      for (const w of waiting) w.reject(error);
      return;
    }
    const settle = (w: Waiting, i: number) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) w.resolve(outcome.value);
      else w.reject(outcome.error);
    };
    waiting.forEach((w, i) => {
      if (!w.full) settle(w, i);
    });
    if (!waiting.some((w) => w.full)) return;
    wal.sync((error) =>
      waiting.forEach((w, i) => {
        if (!w.full) return;
        if (error) w.reject(error);
        else settle(w, i);
      }),
    );
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
    close: () => wal.close(),
  };
}

/**
 * The database's WAL file, synced off the event loop. SQLite keeps that file (the same inode) while
 * any connection is open, resetting it in place after a checkpoint, so one descriptor, opened at the
 * first sync, serves for the connection's life.
 */
function walFile(db: Database.Database): { sync(done: (error?: Error) => void): void; close(): void } {
  let fd: number | undefined;
  let running = 0;
  let closed = false;
  const release = () => {
    if (closed && running === 0 && fd !== undefined) {
      closeSync(fd);
      fd = undefined;
    }
  };
  return {
    sync(done) {
      try {
        fd ??= openSync(`${db.name}-wal`, 'r+');
      } catch (error) {
        done(error as Error);
        return;
      }
      running += 1;
      fdatasync(fd, (error) => {
        running -= 1;
        release();
        done(error ?? undefined);
      });
    },
    close() {
      closed = true;
      release();
    },
  };
}
