/**
 * Accuracy, speed and memory of the language detector on the shipped sample set, with every
 * sample language routed (the measurement in docs/language.md, on our own smaller set).
 *
 * Run: npx tsx bench/language.ts [extrasmall|small|medium|large] [samples module] [--mistakes]
 * The optional module must export LANGUAGE_SAMPLES like tests/fixtures/language/samples.ts,
 * e.g. a larger set from `npx tsx bench/build-language-set.ts tmp/language-set.ts 300`.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLanguageDetector, type LanguageDatabase } from '../src/engine/language.ts';
import { formatReport, measureAccuracy } from '../tests/fixtures/language/accuracy.ts';
import type { LanguageSample } from '../tests/fixtures/language/samples.ts';

const DATABASES: readonly LanguageDatabase[] = ['extrasmall', 'small', 'medium', 'large'];

function parseDatabase(arg: string | undefined): LanguageDatabase {
  const database = DATABASES.find((d) => d === (arg ?? 'small'));
  if (database === undefined) throw new Error(`Unknown database ${arg}: use one of ${DATABASES.join(', ')}`);
  return database;
}

async function loadSamples(path: string | undefined): Promise<readonly LanguageSample[]> {
  const url = path === undefined ? new URL('../tests/fixtures/language/samples.ts', import.meta.url) : pathToFileURL(resolve(path));
  const module = (await import(url.href)) as { LANGUAGE_SAMPLES: readonly LanguageSample[] };
  return module.LANGUAGE_SAMPLES;
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const database = parseDatabase(args[0]);
  const samples = await loadSamples(args[1]);
  const routed = [...new Set(samples.map((s) => s.language))];

  const rssBefore = process.memoryUsage().rss;
  const loadStart = performance.now();
  const detector = await createLanguageDetector({ database });
  const loadMs = performance.now() - loadStart;
  const rssAfter = process.memoryUsage().rss;

  const report = measureAccuracy(samples, (text) => detector.detect(text, routed));

  // Warm, then time whole passes over the set for at least a second.
  let detections = 0;
  const start = performance.now();
  while (performance.now() - start < 1000) {
    for (const s of samples) detector.detect(s.text, routed);
    detections += samples.length;
  }
  const perSecond = detections / ((performance.now() - start) / 1000);

  console.log(`eld ${database}, ${samples.length} texts, ${routed.length} routed languages`);
  console.log(formatReport(report));
  console.log(`detections per second: ${Math.round(perSecond).toLocaleString('en')} (one core)`);
  console.log(`database load: ${loadMs.toFixed(0)} ms; RSS ${mb(rssAfter)} (detector adds ${mb(rssAfter - rssBefore)})`);
  if (process.argv.includes('--mistakes')) console.log(report.mistakes.join('\n'));
}

await main();
