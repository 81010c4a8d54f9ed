/**
 * Builds src/engine/language-ngram-model.json, the detector's letter n-gram model, from the TUNE
 * part of the evaluation set only (the report part stays unseen): every Latin or Cyrillic text,
 * labelled with its language. Run: npx tsx bench/build-language-model.ts
 */
import { writeFileSync } from 'node:fs';
import { classifyScript } from '../src/engine/language-script.ts';
import { type NgramModelData, SCRIPT_GROUPS, trainNgramModel } from '../src/engine/language-ngrams.ts';
import { type EvaluationText, loadEvaluationSet } from '../tests/fixtures/language/evaluation-set.ts';

/** Smoothing and pruning, chosen by cross-validation on the tune part (bench/language-tune.ts). */
export const MODEL_ALPHA = 0.1;
export const MODEL_MIN_COUNT = 2;

/** The texts a model is trained on: Latin or Cyrillic ones as the detector reads them, and those of the script groups (Devanagari, Arabic). */
export function trainingTexts(texts: readonly EvaluationText[]): { language: string; text: string }[] {
  return texts.flatMap((t) => {
    const verdict = classifyScript(t.text);
    if (verdict.kind === 'shared') return [{ language: t.language, text: verdict.text }];
    return verdict.kind === 'script' && SCRIPT_GROUPS.get(verdict.language)?.has(t.language)
      ? [{ language: t.language, text: t.text }]
      : [];
  });
}

export function buildModel(texts: readonly EvaluationText[], alpha = MODEL_ALPHA, minCount = MODEL_MIN_COUNT): NgramModelData {
  return trainNgramModel(trainingTexts(texts), alpha, minCount);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const model = buildModel(loadEvaluationSet().filter((t) => t.part === 'tune'));
  const source = `${JSON.stringify({ languages: model.languages, alpha: model.alpha, grams: model.grams }, null, 2)}\n`;
  writeFileSync(new URL('../src/engine/language-ngram-model.json', import.meta.url), source);
  console.log(`${model.languages.length} languages, ${model.grams.split(';').length} n-grams, ${(source.length / 1024).toFixed(0)} kB`);
}
