import { createHash } from 'node:crypto';
import { createLanguageDetector } from './src/engine/language.ts';
import { loadEvaluationSet, ROUTING_LANGUAGES } from './tests/fixtures/language/evaluation-set.ts';
import { buildModel } from './bench/build-language-model.ts';
const tune = loadEvaluationSet().filter((t) => t.part === 'tune');
const fold = (text: string) => createHash('sha256').update(text).digest()[0]! % 4;
const parts = Array.from({ length: 4 }, (_, f) => tune.filter((t) => fold(`${t.language}\t${t.text}`) === f));
const R = new Set(ROUTING_LANGUAGES);
const per = new Map<string, number[]>();
const out: string[] = [];
for (let f = 0; f < 4; f++) {
  const d = await createLanguageDetector({ database: 'small', ngrams: buildModel(parts.filter((_, g) => g !== f).flat()) });
  for (const t of parts[f]!) {
    if (!R.has(t.language)) continue;
    const got = d.detect(t.text, ROUTING_LANGUAGES);
    const o = got === undefined ? 2 : got === t.language || t.also.includes(got) ? 0 : 1;
    const row = per.get(t.language) ?? [0, 0, 0]; row[o]!++; per.set(t.language, row);
    if (o) out.push(`${o === 1 ? 'W' : 'U'} ${t.language} → ${got}: ${t.text}`);
  }
}
for (const [l, r] of per) console.log(l, r.join(' '));
console.log(out.join('\n'));
