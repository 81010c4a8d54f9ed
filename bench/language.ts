/**
 * Language detection on the evaluation set (tests/fixtures/language/evaluation-set.tsv, the
 * `report` part unless told otherwise), with all 25 routing languages routed: wrong, unsure and
 * right overall and for texts of 15 characters or fewer, per language, the top confusions, how
 * often an unrouted neighbour reached a routed channel, and the memory and speed of the
 * detector. franc restricted to the routed languages runs on the same texts as the baseline.
 *
 * Run: npx tsx bench/language.ts [extrasmall|small|medium|large] [--part=report|tune|all]
 *      [--shipped] [--baseline] [--details] [--mistakes]
 * --shipped scores the shipped sample set (tests/fixtures/language/samples.ts) instead.
 * Prints a readable report and, for bench/run.ts, one result line (bench/report.ts).
 */
import { createLanguageDetector, type LanguageDatabase } from '../src/engine/language.ts';
import { type EvaluationText, loadEvaluationSet, ROUTING_LANGUAGES } from '../tests/fixtures/language/evaluation-set.ts';
import { LANGUAGE_SAMPLES } from '../tests/fixtures/language/samples.ts';
import { type Evaluation, evaluate, formatDetails, formatSummary, percent } from './language-evaluate.ts';
import { francAmong } from './language-franc.ts';
import { emitResult, type Section } from './report.ts';

const DATABASES: readonly LanguageDatabase[] = ['extrasmall', 'small', 'medium', 'large'];

function parseDatabase(arg: string | undefined): LanguageDatabase {
  const database = DATABASES.find((d) => d === (arg ?? 'small'));
  if (database === undefined) throw new Error(`Unknown database ${arg}: use one of ${DATABASES.join(', ')}`);
  return database;
}

function loadTexts(): { texts: readonly EvaluationText[]; name: string } {
  if (process.argv.includes('--shipped')) {
    return { texts: LANGUAGE_SAMPLES.map((s) => ({ ...s, part: 'report' as const, also: [] })), name: 'shipped sample set' };
  }
  const part = process.argv.find((a) => a.startsWith('--part='))?.slice('--part='.length) ?? 'report';
  if (!['report', 'tune', 'all'].includes(part)) throw new Error(`Unknown part ${part}: use report, tune or all`);
  const texts = loadEvaluationSet().filter((t) => part === 'all' || t.part === part);
  return { texts, name: `evaluation set, ${part} part` };
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

function summaryRow(name: string, e: Evaluation, extra: readonly string[]): string[] {
  return [
    name,
    percent(e.all.wrong, e.all.total),
    percent(e.short.wrong, e.short.total),
    percent(e.all.unsure, e.all.total),
    percent(e.short.unsure, e.short.total),
    percent(e.all.right, e.all.total),
    percent(e.short.right, e.short.total),
    percent(e.cjk.wrong, e.cjk.total),
    percent(e.unrouted.wrong, e.unrouted.total),
    ...extra,
  ];
}

async function main(): Promise<void> {
  const database = parseDatabase(process.argv.slice(2).find((a) => !a.startsWith('--')));
  const { texts, name } = loadTexts();
  const routed = ROUTING_LANGUAGES;

  const rssBefore = process.memoryUsage().rss;
  const loadStart = performance.now();
  const detector = await createLanguageDetector({ database });
  const loadMs = performance.now() - loadStart;
  const added = process.memoryUsage().rss - rssBefore;

  const ours = evaluate(texts, routed, (text) => detector.detect(text, routed));
  const strict = evaluate(texts, routed, (text) => detector.detect(text, routed), 'strict');

  let detections = 0;
  const start = performance.now();
  while (performance.now() - start < 1000) {
    for (const t of texts) detector.detect(t.text, routed);
    detections += texts.length;
  }
  const perSecond = Math.round(detections / ((performance.now() - start) / 1000));

  console.log(`script rule + letter and word rules + eld ${database}, ${name}: ${texts.length} texts, ${routed.length} routed languages`);
  console.log(formatSummary(ours).join('\n'));
  console.log('strict scoring (a text several languages write is right only as the language it was picked for):');
  console.log(
    formatSummary(strict)
      .map((line) => `  ${line}`)
      .join('\n'),
  );
  console.log(`detections per second: ${perSecond.toLocaleString('en')} (one core)`);
  console.log(`database load: ${loadMs.toFixed(0)} ms; RSS ${mb(process.memoryUsage().rss)} (detector adds ${mb(added)})`);

  const rows = [
    summaryRow(`eld ${database}${database === 'small' ? ' (default)' : ''}`, ours, [perSecond.toLocaleString('en'), mb(added)]),
    summaryRow('same, strict scoring', strict, ['', '']),
  ];
  const sections: Section[] = [];
  if (process.argv.includes('--baseline')) {
    const baseline = evaluate(texts, routed, francAmong(routed));
    console.log('\nbaseline: franc 6.2, `only` the routed languages, minLength 1');
    console.log(formatSummary(baseline).join('\n'));
    rows.push(summaryRow('franc 6.2, only the routed (baseline)', baseline, ['', '']));
  }
  if (process.argv.includes('--details')) {
    console.log(`\n${formatDetails(ours).join('\n')}`);
    sections.push({
      title: `Language detection per language (eld ${database}, ${name})`,
      columns: ['language', 'right', 'wrong', 'unsure', 'texts'],
      rows: [...ours.byLanguage].map(([language, t]) => [
        language,
        percent(t.right, t.total),
        percent(t.wrong, t.total),
        percent(t.unsure, t.total),
        String(t.total),
      ]),
    });
    sections.push({
      title: 'Language detection: unrouted neighbours sent to a routed channel, and the top confusions',
      columns: ['neighbour', 'sent to a routed channel', 'texts'],
      rows: [...ours.byNeighbour].map(([language, t]) => [language, percent(t.wrong, t.total), String(t.total)]),
      notes: [
        `Top confusions (expected → answered: texts): ${ours.confusions
          .slice(0, 12)
          .map(([pair, n]) => `${pair}: ${n}`)
          .join('; ')}`,
      ],
    });
  }
  if (process.argv.includes('--mistakes')) console.log(ours.mistakes.join('\n'));
  emitResult([
    {
      title: `Language detection (bench/language.ts, ${name}: ${texts.length} texts, all ${routed.length} routing languages routed)`,
      columns: [
        'detector',
        'wrong',
        'wrong ≤ 15 chars',
        'unsure',
        'unsure ≤ 15 chars',
        'right',
        'right ≤ 15 chars',
        'CJK given another',
        'unrouted → routed channel',
        'detections/s (1 core)',
        'detector adds',
      ],
      rows,
      notes: [
        '"wrong": a language answered, and not the right one (strict: not the language of the catalog the text was picked from; otherwise an answer naming another language whose catalogs hold the same text counts as right). "unsure": no answer (the hints, then the default channel). "unrouted → routed channel": texts in 30 languages nobody routes that were answered with a routed language. Method and targets: docs/language.md.',
      ],
    },
    ...sections,
  ]);
}

await main();
