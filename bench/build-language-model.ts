/**
 * Builds src/engine/language-ngram-model.json, the detector's letter n-gram model, from the TUNE
 * part of the evaluation set and the catalog texts that the evaluation set does not hold
 * (bench/language-training.ts: no text equal, once normalised, to any text of either part); the
 * report part stays unseen. Every Latin or Cyrillic text (and those of the Devanagari and Arabic
 * groups) is labelled with its language. Deterministic for a given set of installed catalogs.
 *
 * Run: npx tsx bench/build-language-model.ts [--per-language=N] [--max-bytes=N] [--min-count=N]
 *        [--alpha=X] [--tune-only] [--hold-out-files]
 *   --per-language  catalog texts per language (default PER_LANGUAGE; 0 = none)
 *   --max-bytes     size of the n-gram table, in UTF-8 bytes (default MAX_BYTES: under biome's 1 MiB)
 *   --min-count     drop n-grams counted fewer times (default MIN_COUNT)
 *   --alpha         smoothing (default ALPHA)
 *   --tune-weight   times each tune-part text counts (default TUNE_WEIGHT)
 *   --tune-only     the tune part alone, as in the third round (no catalog texts)
 *   --hold-out-files  also leave out every catalog file a report-part text was picked from
 */
import { writeFileSync } from 'node:fs';
import { classifyScript } from '../src/engine/language-script.ts';
import { type NgramModelData, SCRIPT_GROUPS, trainNgramModel } from '../src/engine/language-ngrams.ts';
import { loadEvaluationSet } from '../tests/fixtures/language/evaluation-set.ts';
import { catalogFilesOf, catalogPool, pickTraining } from './language-training.ts';

/** Smoothing and pruning, chosen by cross-validation on the tune part (bench/language-tune.ts). */
export const ALPHA = 0.1;
export const MIN_COUNT = 2;
/**
 * Catalog texts per language. 0 builds the shipped model (the tune part alone, byte for byte);
 * 3000 builds the catalog-trained model of the fourth round (docs/language.md, "The fourth round").
 */
export const PER_LANGUAGE = 0;
export const MAX_BYTES = 1_040_000;
/** How many times each tune-part text counts against one catalog text (the tune part is tilted to short texts, as customers write). */
export const TUNE_WEIGHT = 1;

export interface ModelSettings {
  readonly alpha: number;
  readonly minCount: number;
  readonly perLanguage: number;
  readonly maxBytes: number;
  readonly tuneWeight: number;
}

export const DEFAULT_SETTINGS: ModelSettings = {
  alpha: ALPHA,
  minCount: MIN_COUNT,
  perLanguage: PER_LANGUAGE,
  maxBytes: MAX_BYTES,
  tuneWeight: TUNE_WEIGHT,
};

/** The settings of the command line (`--alpha=`, …) or the environment (MODEL_ALPHA, …), over the defaults. */
export function settingsFrom(argv: readonly string[], env: NodeJS.ProcessEnv): ModelSettings {
  const flag = (name: string, variable: string, fallback: number): number => {
    const raw = argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? env[variable];
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new Error(`--${name}: not a number: ${raw}`);
    return value;
  };
  return {
    alpha: flag('alpha', 'MODEL_ALPHA', ALPHA),
    minCount: flag('min-count', 'MODEL_MIN_COUNT', MIN_COUNT),
    perLanguage: argv.includes('--tune-only') ? 0 : flag('per-language', 'MODEL_PER_LANGUAGE', PER_LANGUAGE),
    maxBytes: flag('max-bytes', 'MODEL_MAX_BYTES', MAX_BYTES),
    tuneWeight: flag('tune-weight', 'MODEL_TUNE_WEIGHT', TUNE_WEIGHT),
  };
}

/** The texts a model is trained on: Latin or Cyrillic ones as the detector reads them, and those of the script groups (Devanagari, Arabic). */
export function trainingTexts(texts: readonly { language: string; text: string }[]): { language: string; text: string }[] {
  return texts.flatMap((t) => {
    const verdict = classifyScript(t.text);
    if (verdict.kind === 'shared') return [{ language: t.language, text: verdict.text }];
    return verdict.kind === 'script' && SCRIPT_GROUPS.get(verdict.language)?.has(t.language)
      ? [{ language: t.language, text: t.text }]
      : [];
  });
}

/** The languages the model knows: those of the evaluation set that it reads. */
export function modelLanguages(texts: readonly { language: string; text: string }[]): string[] {
  return [...new Set(trainingTexts(texts).map((t) => t.language))].sort();
}

/** A model trained on `labelled` texts and `extra` catalog texts. */
export function buildModel(
  labelled: readonly { language: string; text: string }[],
  extra: readonly { language: string; text: string }[],
  settings: ModelSettings = DEFAULT_SETTINGS,
): NgramModelData {
  const weighted = Array.from({ length: Math.max(1, Math.round(settings.tuneWeight)) }, () => labelled).flat();
  return trainNgramModel(trainingTexts([...weighted, ...extra]), settings.alpha, {
    minCount: settings.minCount,
    maxBytes: settings.maxBytes,
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const settings = settingsFrom(process.argv.slice(2), {});
  const evaluation = loadEvaluationSet();
  const tune = evaluation.filter((t) => t.part === 'tune');
  const heldOut = process.argv.includes('--hold-out-files')
    ? catalogFilesOf(evaluation.filter((t) => t.part === 'report'))
    : new Set<string>();
  const extra =
    settings.perLanguage === 0 ? [] : pickTraining(catalogPool(modelLanguages(tune), evaluation), heldOut, settings.perLanguage);
  const model = buildModel(tune, extra, settings);
  const source = `${JSON.stringify({ languages: model.languages, alpha: model.alpha, grams: model.grams }, null, 2)}\n`;
  writeFileSync(new URL('../src/engine/language-ngram-model.json', import.meta.url), source);
  console.log(
    `${tune.length} tune texts + ${extra.length} catalog texts; ${model.languages.length} languages, ${model.grams.split(';').length} n-grams, ${Buffer.byteLength(source)} bytes`,
  );
}
