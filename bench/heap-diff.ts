/**
 * What grew between two V8 heap snapshots (`.heapsnapshot`, as `--heapsnapshot-signal` or
 * `v8.writeHeapSnapshot()` write them): the self size and count of the objects of each kind
 * (constructor name for objects, the node type for strings, code, arrays…), the kinds that grew
 * most first. Self sizes, not retained sizes: enough to name what accumulates.
 *
 * Run: npx tsx bench/heap-diff.ts <before.heapsnapshot> <after.heapsnapshot> [top]
 * @see https://v8.dev/docs/memory-leaks (the snapshot format: `snapshot.meta` describes `nodes`)
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface Snapshot {
  readonly snapshot: { readonly meta: { readonly node_fields: string[]; readonly node_types: [string[], ...unknown[]] } };
  readonly nodes: number[];
  readonly strings: string[];
}

/** Kind → [count, self size in bytes]. */
type Totals = Map<string, { count: number; size: number }>;

/** Totals of one snapshot, by kind. */
export function heapTotals(path: string): Totals {
  const data = JSON.parse(readFileSync(path, 'utf8')) as Snapshot;
  const fields = data.snapshot.meta.node_fields;
  const types = data.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const totals: Totals = new Map();
  for (let i = 0; i < data.nodes.length; i += width) {
    const type = types[data.nodes[i + typeAt]!] ?? 'unknown';
    const kind = type === 'object' || type === 'closure' ? `${type} ${data.strings[data.nodes[i + nameAt]!]}` : `(${type})`;
    const entry = totals.get(kind) ?? { count: 0, size: 0 };
    entry.count += 1;
    entry.size += data.nodes[i + sizeAt]!;
    totals.set(kind, entry);
  }
  return totals;
}

/** One kind's growth from `before` to `after`. */
export interface HeapGrowth {
  readonly kind: string;
  readonly countDelta: number;
  readonly sizeDelta: number;
  readonly sizeAfter: number;
}

/** The kinds whose self size changed, the largest growth first, and the totals. */
export function diffHeapSnapshots(before: string, after: string): { growth: HeapGrowth[]; totalBefore: number; totalAfter: number } {
  const a = heapTotals(before);
  const b = heapTotals(after);
  const growth: HeapGrowth[] = [];
  for (const kind of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(kind) ?? { count: 0, size: 0 };
    const y = b.get(kind) ?? { count: 0, size: 0 };
    if (y.size !== x.size) growth.push({ kind, countDelta: y.count - x.count, sizeDelta: y.size - x.size, sizeAfter: y.size });
  }
  growth.sort((p, q) => q.sizeDelta - p.sizeDelta);
  const sum = (t: Totals) => [...t.values()].reduce((s, e) => s + e.size, 0);
  return { growth, totalBefore: sum(a), totalAfter: sum(b) };
}

/** The diff as text: the totals, then the `top` kinds that grew most. */
export function formatHeapDiff(diff: ReturnType<typeof diffHeapSnapshots>, top: number): string {
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} kB`;
  const lines = [
    `heap objects: ${kb(diff.totalBefore)} idle → ${kb(diff.totalAfter)} after the burst (${diff.totalAfter >= diff.totalBefore ? '+' : ''}${kb(diff.totalAfter - diff.totalBefore)})`,
  ];
  for (const g of diff.growth.slice(0, top).filter((g) => g.sizeDelta > 0))
    lines.push(
      `  +${kb(g.sizeDelta).padStart(9)}  ${`${g.countDelta >= 0 ? '+' : ''}${g.countDelta}`.padStart(8)} objects  ${g.kind} (now ${kb(g.sizeAfter)})`,
    );
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [before, after, top = '25'] = process.argv.slice(2);
  if (before === undefined || after === undefined) {
    process.stderr.write('Usage: npx tsx bench/heap-diff.ts <before.heapsnapshot> <after.heapsnapshot> [top]\n');
    process.exitCode = 2;
  } else console.log(formatHeapDiff(diffHeapSnapshots(before, after), Number(top)));
}
