import { eld } from 'eld/small';
import NG from './src/engine/language-ngram-model.json' with { type: 'json' };
import { loadNgramModel } from './src/engine/language-ngrams.ts';
import { createLanguageDetector } from './src/engine/language.ts';
import { ROUTING_LANGUAGES } from './tests/fixtures/language/evaluation-set.ts';
const m = loadNgramModel(NG as any);
const d = await createLanguageDetector({ database: 'small' });
for (const t of process.argv.slice(2)) {
  const r = eld.detect(t); const s = Object.entries(r.getScores()).sort((a,b)=>b[1]-a[1]).slice(0,3).map(([k,v])=>`${k}:${(v/(1-v)).toFixed(3)}`);
  const n = [...m.score(t.toLowerCase(), undefined)].sort((a,b)=>b[1]-a[1]).slice(0,3).map(([k,v])=>`${k}:${v.toFixed(1)}`);
  console.log(JSON.stringify(t), '=>', d.detect(t, ROUTING_LANGUAGES), '| eld', s.join(' '), '| ng', n.join(' '));
}
