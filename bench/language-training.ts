/**
 * The extra training text of the n-gram model: every usable text of the installed gettext
 * catalogs (the same filters as the evaluation set, bench/language-catalogs.ts) that the
 * evaluation set does not hold, so that the report part stays unseen (docs/language.md, "Training
 * data and how the report part is held out"):
 *
 * - no text whose normalised form (case-folded, punctuation, symbols and spaces collapsed) is
 *   that of any text of the evaluation set, either part, in any language;
 * - no text of a held-out catalog file: for each language, every catalog (gettext domain) that
 *   a report-part text of that language was picked from (and, in cross-validation, every catalog
 *   of the fold being scored), so that not even the report texts' neighbours in their own file
 *   are trained on;
 * - at most `perLanguage` texts per language, picked by a hash of the text (deterministic for a
 *   given set of installed catalogs), so that no language outweighs the others.
 */
import { candidates, domainsOf, hash, ROUTING_LOCALES } from './language-catalogs.ts';
import type { EvaluationText } from '../tests/fixtures/language/evaluation-set.ts';

/** One catalog text a model may be trained on. */
export interface CatalogText {
  readonly language: string;
  readonly domain: string;
  readonly text: string;
}

/** Case-folded, with every run of punctuation, symbols and spaces made one space. */
export function normalise(text: string): string {
  return text
    .normalize('NFC')
    .toLowerCase()
    .replace(/[\p{P}\p{S}\s]+/gu, ' ')
    .trim();
}

/** Every usable catalog text of each of `languages` that no text of `evaluation` matches once normalised, in hash order. */
export function catalogPool(languages: readonly string[], evaluation: readonly EvaluationText[]): CatalogText[] {
  const known = new Set(evaluation.map((t) => normalise(t.text)));
  const pool: CatalogText[] = [];
  for (const language of languages) {
    const locales = ROUTING_LOCALES[language] ?? [language];
    for (const { domain, text } of candidates(language, locales, domainsOf(locales))) {
      if (!known.has(normalise(text))) pool.push({ language, domain, text });
    }
  }
  return pool;
}

/** `language\tdomain` of every text of `texts`: the catalog files they were picked from. */
export function catalogFilesOf(texts: readonly EvaluationText[]): Set<string> {
  return new Set(texts.map((t) => `${t.language}\t${t.domain}`));
}

/** The texts of `pool` outside the catalog files `heldOut`, at most `perLanguage` per language (the first in hash order). */
export function pickTraining(pool: readonly CatalogText[], heldOut: ReadonlySet<string>, perLanguage: number): CatalogText[] {
  const taken = new Map<string, number>();
  const picked: CatalogText[] = [];
  const ordered = [...pool].sort(
    (a, b) => a.language.localeCompare(b.language) || hash(`train:${a.text}`) - hash(`train:${b.text}`) || (a.text < b.text ? -1 : 1),
  );
  for (const t of ordered) {
    if (heldOut.has(`${t.language}\t${t.domain}`)) continue;
    const n = taken.get(t.language) ?? 0;
    if (n >= perLanguage) continue;
    taken.set(t.language, n + 1);
    picked.push(t);
  }
  return picked;
}
