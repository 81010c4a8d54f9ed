/**
 * Helpers shared by the benchmarks: latency statistics, number formatting, and the one-line protocol
 * a benchmark child process uses to hand its results to bench/run.ts.
 *
 * A child prints whatever it likes for humans, and, last, one line `@@bench-result <JSON>` holding
 * its sections (titled markdown tables). run.ts strips that line from what it shows and prints
 * every section again in the summary.
 */

/** One markdown table of the summary. */
export interface Section {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Lines printed under the table. */
  readonly notes?: readonly string[];
}

export const RESULT_PREFIX = '@@bench-result ';

/** Prints the sections for run.ts (and for a human running the file alone, as tables first). */
export function emitResult(sections: readonly Section[]): void {
  for (const section of sections) console.log(`\n${formatSection(section)}`);
  console.log(`${RESULT_PREFIX}${JSON.stringify(sections)}`);
}

/** A section as markdown: `### title`, the table, then its notes. */
export function formatSection(section: Section): string {
  // Columns after the first whose cells all start with a number (or are "–") are right-aligned.
  const numeric = section.columns.map((_, i) => i > 0 && section.rows.every((row) => /^[~<>≤]?\s*[\d–]/.test(row[i] ?? '')));
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [
    `### ${section.title}`,
    '',
    line(section.columns),
    line(section.columns.map((_, i) => (numeric[i] ? '---:' : '---'))),
    ...section.rows.map(line),
    ...(section.notes && section.notes.length > 0 ? ['', ...section.notes.map((n) => `- ${n}`)] : []),
  ].join('\n');
}

/** The q-quantile (0..1) of a sample, nearest-rank; NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** Milliseconds for a table: µs below 1 ms, 2 significant decimals below 10 ms. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return '–';
  if (value < 1) return `${(value * 1000).toFixed(0)} µs`;
  if (value < 10) return `${value.toFixed(2)} ms`;
  if (value < 1000) return `${value.toFixed(0)} ms`;
  return `${(value / 1000).toFixed(2)} s`;
}

/** A rate with thousands separators. */
export function rate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return '–';
  return perSecond >= 100 ? Math.round(perSecond).toLocaleString('en') : perSecond.toFixed(1);
}

/** Resident set size in MB. */
export function rssMb(bytes = process.memoryUsage().rss): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

/** Whether `--quick` was passed (smaller sizes, for a smoke run). */
export const quick = process.argv.includes('--quick');

/** Runs `count` async operations with at most `inFlight` at once; returns each one's latency in ms. */
export async function timed(
  count: number,
  inFlight: number,
  op: (i: number) => Promise<unknown>,
): Promise<{ latencies: number[]; seconds: number }> {
  const latencies = new Array<number>(count);
  let next = 0;
  const start = performance.now();
  const lane = async () => {
    for (let i = next++; i < count; i = next++) {
      const t0 = performance.now();
      await op(i);
      latencies[i] = performance.now() - t0;
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, lane));
  return { latencies, seconds: (performance.now() - start) / 1000 };
}
