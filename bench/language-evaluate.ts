/**
 * Scores a detector on the evaluation set the way docs/language.md reports it. For a text in a
 * routing language: right, wrong (a language answered, and not the right one) or unsure (no
 * answer: hints, then the default channel). For a text in an unrouted neighbour: whether it was
 * sent to a routed team's channel (answered with a routed language), the one outcome that is a
 * mistake for it.
 */
import type { EvaluationText } from '../tests/fixtures/language/evaluation-set.ts';

export const SHORT = 15;
const CJK: ReadonlySet<string> = new Set(['ko', 'ja', 'zh-Hans', 'zh-Hant']);

/** Right, wrong and unsure answers over `total` texts. */
export interface Tally {
  total: number;
  right: number;
  wrong: number;
  unsure: number;
}

export interface Evaluation {
  /** Texts in routing languages. */
  readonly all: Tally;
  /** Of those, texts of 15 characters or fewer. */
  readonly short: Tally;
  /** Korean, Japanese and Chinese texts. */
  readonly cjk: Tally;
  readonly byLanguage: ReadonlyMap<string, Tally>;
  /** Texts in unrouted neighbours: `wrong` counts those sent to a routed team's channel. */
  readonly unrouted: Tally;
  readonly byNeighbour: ReadonlyMap<string, Tally>;
  /** `expected → got` with how often, most frequent first. */
  readonly confusions: readonly (readonly [string, number])[];
  readonly mistakes: readonly string[];
}

const empty = (): Tally => ({ total: 0, right: 0, wrong: 0, unsure: 0 });

function add(tally: Tally, outcome: 'right' | 'wrong' | 'unsure'): void {
  tally.total += 1;
  tally[outcome] += 1;
}

function tallyOf(map: Map<string, Tally>, key: string): Tally {
  let tally = map.get(key);
  if (tally === undefined) {
    tally = empty();
    map.set(key, tally);
  }
  return tally;
}

/**
 * How a text that several languages' catalogs hold word for word is scored: `shared` (the
 * default) counts an answer naming any of them as right, `strict` only the catalog it was
 * picked from (docs/language.md, "Texts that several languages write").
 */
export type Scoring = 'shared' | 'strict';

/** Runs `detect` over `texts` with `routed` routed. */
export function evaluate(
  texts: readonly EvaluationText[],
  routed: readonly string[],
  detect: (text: string) => string | undefined,
  scoring: Scoring = 'shared',
): Evaluation {
  const routedSet = new Set(routed);
  const all = empty();
  const short = empty();
  const cjk = empty();
  const unrouted = empty();
  const byLanguage = new Map<string, Tally>();
  const byNeighbour = new Map<string, Tally>();
  const confusions = new Map<string, number>();
  const mistakes: string[] = [];
  for (const sample of texts) {
    const got = detect(sample.text);
    const alsoRight = got !== undefined && scoring === 'shared' && sample.also.includes(got);
    if (routedSet.has(sample.language)) {
      const outcome = got === undefined ? 'unsure' : got === sample.language || alsoRight ? 'right' : 'wrong';
      add(all, outcome);
      if ([...sample.text].length <= SHORT) add(short, outcome);
      if (CJK.has(sample.language)) add(cjk, outcome);
      add(tallyOf(byLanguage, sample.language), outcome);
      if (outcome !== 'wrong') continue;
    } else {
      const outcome = got === undefined ? 'unsure' : routedSet.has(got) && !alsoRight ? 'wrong' : 'right';
      add(unrouted, outcome);
      add(tallyOf(byNeighbour, sample.language), outcome);
      if (outcome !== 'wrong') continue;
    }
    const pair = `${sample.language} → ${got}`;
    confusions.set(pair, (confusions.get(pair) ?? 0) + 1);
    mistakes.push(`${pair}: ${sample.text}`);
  }
  const sorted = [...confusions.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return { all, short, cjk, byLanguage, unrouted, byNeighbour, confusions: sorted, mistakes };
}

/** `part / total` as a percentage with one decimal. */
export function percent(part: number, total: number): string {
  return total === 0 ? '–' : `${((100 * part) / total).toFixed(1)} %`;
}

/** The headline lines: wrong, unsure and right overall and ≤ 15 characters, CJK, unrouted. */
export function formatSummary(e: Evaluation): string[] {
  const line = (name: string, t: Tally) =>
    `${name}: wrong ${percent(t.wrong, t.total)}, unsure ${percent(t.unsure, t.total)}, right ${percent(t.right, t.total)} (${t.total} texts)`;
  return [
    line('all', e.all),
    line(`≤ ${SHORT} chars`, e.short),
    `CJK given another language: ${percent(e.cjk.wrong, e.cjk.total)} (${e.cjk.total} texts)`,
    `unrouted sent to a routed channel: ${percent(e.unrouted.wrong, e.unrouted.total)} (${e.unrouted.total} texts)`,
  ];
}

/** Per-language rows and the top confusions. */
export function formatDetails(e: Evaluation, topConfusions = 15): string[] {
  const row = (language: string, t: Tally) =>
    `${language.padEnd(8)} ${percent(t.right, t.total).padStart(7)} ${percent(t.wrong, t.total).padStart(7)} ${percent(t.unsure, t.total).padStart(7)}`;
  return [
    'language   right   wrong  unsure',
    ...[...e.byLanguage].map(([language, t]) => row(language, t)),
    'neighbour  named/unsure  sent to a routed channel',
    ...[...e.byNeighbour].map(
      ([language, t]) =>
        `${language.padEnd(8)} ${percent(t.right + t.unsure, t.total).padStart(12)} ${percent(t.wrong, t.total).padStart(9)}`,
    ),
    'top confusions:',
    ...e.confusions.slice(0, topConfusions).map(([pair, n]) => `  ${pair}: ${n}`),
  ];
}
