import type Database from 'better-sqlite3';

/**
 * The two durabilities of the embedded store's transactions. The connection runs with
 * synchronous=FULL: a commit returns after an fsync, so it survives an OS crash or power loss, as
 * every append (the journal before the 200), every setIfAbsent (the intents that keep a replayed
 * job from posting or sending twice) and every plain write must. (The grouped write transactions
 * of src/store/sqlite-groups.ts commit relaxed and sync the WAL off the event loop before what
 * needs that resolves: the same durability, without the wait.) `relaxed` runs one transaction
 * with synchronous=NORMAL: in WAL mode it survives a crash of the process (kill -9) all the same,
 * and an OS crash can only lose a suffix of such commits, never one without those before it (the
 * WAL is replayed up to its first incomplete frame), so what it rolls back is a state that already
 * existed. It is used where such a roll-back only has a journal entry processed again: the
 * journal's leases and acks, and a job's last commit, which acknowledges its entry together with
 * the job's records (all of them, or none). The next FULL commit makes everything before it durable.
 * @see https://www.sqlite.org/pragma.html#pragma_synchronous
 * @see https://www.sqlite.org/wal.html
 */
export function syncModes(db: Database.Database): { relaxed<R>(transaction: () => R): R } {
  const normal = db.prepare('PRAGMA synchronous = NORMAL');
  const full = db.prepare('PRAGMA synchronous = FULL');
  return {
    relaxed(transaction) {
      normal.run();
      try {
        return transaction();
      } finally {
        full.run();
      }
    },
  };
}
