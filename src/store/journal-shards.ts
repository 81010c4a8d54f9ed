/**
 * How the Redis journal is split so that every script touches one hash slot. A shard holds the
 * lists, leases, ready set, counters and parked entries of the queues hashed to it, all under one
 * hash tag, so each journal step stays one atomic script on one node. A single Redis has one
 * shard with the key names of earlier versions (existing data keeps working); a Redis Cluster has
 * {@link clusterShards}, whose tags are chosen so that their hash slots are spread evenly over the
 * 16384 slots, and so over the masters.
 */
import keySlot from 'cluster-key-slot';

/** Shards of the journal on a Redis Cluster. Fixed: every instance on one cluster must agree. */
export const clusterShards = 16;

/** Hash slots in a Redis Cluster. */
const SLOTS = 16384;

/** The journal's split: how many shards, and the hash tag of each ('' on a single Redis). */
export interface JournalSharding {
  readonly shards: number;
  /** The hash tag (the text between braces) of shard `index`, or '' when keys carry none. */
  tag(index: number): string;
  /** The shard of a queue. */
  shardOf(queue: string): number;
  /** The shard whose sequence numbered this entry id; undefined for an id the journal never gave. */
  shardOfEntry(id: string): number | undefined;
}

/** One shard with no hash tag: the layout of a single Redis. */
export const singleShard: JournalSharding = Object.freeze({
  shards: 1,
  tag: () => '',
  shardOf: () => 0,
  shardOfEntry: (id: string) => (/^\d+$/.test(id) ? 0 : undefined),
});

/**
 * `shards` shards with hash tags `j<index>.<n>`, n the smallest number that puts the tag's slot in
 * the index-th equal part of the slot range. A queue's shard is the FNV-1a hash of its name (UTF-8)
 * modulo `shards`: fixed forever, since instances must agree on it. An
 * entry id is `sequence × shards + shard`, so the id alone finds the shard (replay needs that).
 */
export function clusterSharding(shards = clusterShards): JournalSharding {
  const tags = Array.from({ length: shards }, (_, index) => evenTag(index, shards));
  return Object.freeze({
    shards,
    tag: (index: number) => tags[index] ?? '',
    shardOf: (queue: string) => fnv1a(queue) % shards,
    shardOfEntry: (id: string) => (/^\d+$/.test(id) ? Number(BigInt(id) % BigInt(shards)) : undefined),
  });
}

function evenTag(index: number, shards: number): string {
  const low = Math.floor((index * SLOTS) / shards);
  const high = Math.floor(((index + 1) * SLOTS) / shards);
  for (let n = 0; ; n++) {
    const tag = `j${index}.${n}`;
    const slot = keySlot(tag);
    if (slot >= low && slot < high) return tag;
  }
}

/** 32-bit FNV-1a of the UTF-8 bytes of `text`. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}
