/**
 * Chooses the n-gram model's thresholds on the TUNE part only, by cross-validation: the tune part
 * is split into FOLDS parts (4 unless told) by a hash of the text, a model is trained on all but
 * one (and on the catalog texts that no text of the evaluation set matches, bench/language-training.ts,
 * so never on the fold scored) and the detector scored on that one, and the scores are added. The
 * report part is never scored.
 * Run: [FOLDS=4] [MODEL_ALPHA=0.1] [MODEL_MIN_COUNT=2] [MODEL_PER_LANGUAGE=0] [MODEL_MAX_BYTES=1040000]
 *      npx tsx bench/language-tune.ts '[{calibration}, …]'
 */
import { createHash } from 'node:crypto';
import { type Calibration, createLanguageDetector } from '../src/engine/language.ts';
import { loadEvaluationSet, ROUTING_LANGUAGES } from '../tests/fixtures/language/evaluation-set.ts';
import { buildModel, modelLanguages, settingsFrom } from './build-language-model.ts';
import { type Evaluation, evaluate } from './language-evaluate.ts';
import { catalogPool, pickTraining } from './language-training.ts';

const evaluation = loadEvaluationSet();
const tune = evaluation.filter((t) => t.part === 'tune');
const FOLDS = Number(process.env.FOLDS ?? 4);
const fold = (text: string) => createHash('sha256').update(text).digest()[0]! % FOLDS;
const parts = Array.from({ length: FOLDS }, (_, f) => tune.filter((t) => fold(`${t.language}\t${t.text}`) === f));
const settings = settingsFrom([], process.env);
// The same catalog texts for every fold: none of them matches any text of the set, so none is the fold scored.
const extra =
  settings.perLanguage === 0 ? [] : pickTraining(catalogPool(modelLanguages(tune), evaluation), new Set(), settings.perLanguage);
const models = parts.map((_, f) => buildModel(parts.filter((__, g) => g !== f).flat(), extra, settings));
console.error(`${extra.length} catalog texts; models of ${models.map((m) => Buffer.byteLength(m.grams)).join(', ')} bytes`);

async function score(calibration: Partial<Calibration>): Promise<number[]> {
  const sums = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  for (let f = 0; f < FOLDS; f += 1) {
    const detector = await createLanguageDetector({ database: 'small', calibration, ngrams: models[f]! });
    const e: Evaluation = evaluate(parts[f]!, ROUTING_LANGUAGES, (text) => detector.detect(text, ROUTING_LANGUAGES));
    if (process.env.CONFUSIONS) for (const [pair, n] of e.confusions.slice(0, 12)) console.log(`fold ${f}: ${pair} ${n}`);
    const add = [
      e.all.wrong,
      e.all.total,
      e.short.wrong,
      e.short.total,
      e.all.unsure,
      e.short.unsure,
      e.cjk.wrong,
      e.cjk.total,
      e.unrouted.wrong,
      e.unrouted.total,
    ];
    add.forEach((v, i) => {
      sums[i]! += v;
    });
  }
  const [w, n, ws, ns, u, us, c, nc, r, nr] = sums as [number, number, number, number, number, number, number, number, number, number];
  return [(100 * w) / n, (100 * ws) / ns, (100 * u) / n, (100 * us) / ns, (100 * c) / nc, (100 * r) / nr];
}

const fmt = (xs: number[]) => xs.map((x) => x.toFixed(2).padStart(6)).join(' ');
const grid = JSON.parse(process.argv[2] ?? '[]') as Partial<Calibration>[];
const rows: [string, number[]][] = [];
for (const calibration of [{}, ...grid]) rows.push([JSON.stringify(calibration), await score(calibration)]);
const cost = (m: number[]) => m[0]! * 2 + m[2]! + m[5]! * 0.5;
for (const [name, m] of rows.sort((a, b) => cost(a[1]) - cost(b[1]))) console.log(`${fmt(m)}  cost ${cost(m).toFixed(1)}  ${name}`);
console.log(' wrong w≤15 unsure u≤15  cjk unrouted');
