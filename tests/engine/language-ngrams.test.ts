/**
 * The letter n-gram model (src/engine/language-ngrams.ts): how texts are cut into n-grams, that
 * counts become a model that prefers the language whose n-grams a text shares, and that the
 * shipped model (trained on the evaluation set's tune part) tells apart close neighbours that eld
 * does not know, on everyday sentences that are not in the evaluation set.
 */
import { describe, expect, it } from 'vitest';
import NGRAM_MODEL from '../../src/engine/language-ngram-model.json' with { type: 'json' };
import { loadNgramModel, ngramsOf, trainNgramModel, WORD_WEIGHT } from '../../src/engine/language-ngrams.ts';

const best = (scores: ReadonlyMap<string, number>) => [...scores].sort((a, b) => b[1] - a[1])[0]?.[0];

describe('ngramsOf', () => {
  it('cuts each word, padded with spaces, into n-grams of 1 to 4', () => {
    expect(ngramsOf('Ok')).toEqual([' o', ' ok', ' ok ', 'o', 'ok', 'ok ', 'k', 'k ']);
  });

  it(`counts a word that no n-gram holds whole ${WORD_WEIGHT} times`, () => {
    expect(ngramsOf('Takk').filter((gram) => gram === ' takk ')).toHaveLength(WORD_WEIGHT);
    expect(ngramsOf('Ok').filter((gram) => gram === ' ok ')).toHaveLength(1);
  });

  it('ignores digits and punctuation, and lowercases', () => {
    expect(ngramsOf('A1!')).toEqual(ngramsOf('a'));
  });
});

describe('trainNgramModel and loadNgramModel', () => {
  const model = loadNgramModel(
    trainNgramModel(
      [
        { language: 'aa', text: 'xxyx xyxx' },
        { language: 'bb', text: 'zzwz zwzz' },
      ],
      0.1,
    ),
  );

  it('scores a text highest for the language whose n-grams it shares', () => {
    expect(best(model.score('xyx', undefined))).toBe('aa');
    expect(best(model.score('wzz', undefined))).toBe('bb');
  });

  it('lets a word that one language writes whole outweigh the letters it shares with a neighbour', () => {
    // Norwegian "Forfatter" and Danish "Forfattere" (author, authors) from the evaluation set.
    const nordic = loadNgramModel(
      trainNgramModel(
        [
          { language: 'nb', text: 'Forfatter Kommentar' },
          { language: 'da', text: 'Forfattere Kommentarer' },
        ],
        0.1,
      ),
    );
    expect(best(nordic.score('forfatter', undefined))).toBe('nb');
    expect(best(nordic.score('kommentarer', undefined))).toBe('da');
  });

  it('keeps, within a size budget, the n-grams that tell the languages apart and drops those both write alike', () => {
    const texts = [
      { language: 'nb', text: 'Forfatter Kommentar ikke' },
      { language: 'da', text: 'Forfattere Kommentar ikke' },
    ];
    const full = trainNgramModel(texts, 0.1);
    const pruned = trainNgramModel(texts, 0.1, { minCount: 1, maxBytes: 60 });
    expect(Buffer.byteLength(pruned.grams)).toBeLessThanOrEqual(60);
    expect(pruned.grams.length).toBeLessThan(full.grams.length);
    // "forfattere" is Danish only; " ik" both write once each.
    expect(pruned.grams).toContain('forfattere =');
    expect(pruned.grams).not.toContain(' ik=');
  });

  it('scores only the candidates asked for', () => {
    expect([...model.score('xyx', new Set(['bb'])).keys()]).toEqual(['bb']);
  });
});

describe('the shipped model', () => {
  const model = loadNgramModel(NGRAM_MODEL);
  const among = (text: string, ...languages: string[]) => best(model.score(text.toLowerCase(), new Set(languages)));

  it('knows the neighbours eld does not', () => {
    for (const language of ['nn', 'gl', 'ast', 'oc', 'af', 'cy', 'ga', 'eo', 'mk', 'kk', 'ky', 'ms']) {
      expect(model.languages, language).toContain(language);
    }
  });

  it('tells close neighbours apart on everyday sentences', () => {
    expect(among('Eg veit ikkje kva du meiner', 'nb', 'nn', 'da')).toBe('nn');
    expect(among('Jeg vet ikke hva du mener', 'nb', 'nn', 'da', 'sv')).toBe('nb');
    expect(among('Jag vet inte vad du menar', 'nb', 'da', 'sv')).toBe('sv');
    expect(among('Non sei se o pedido chegou', 'gl', 'pt', 'es')).toBe('gl');
    expect(among('No sé si el pedido ha llegado', 'gl', 'pt', 'es')).toBe('es');
    expect(among('Ek weet nie waar my pakkie is nie', 'af', 'nl', 'de')).toBe('af');
    expect(among('Ik weet niet waar mijn pakket is', 'af', 'nl', 'de')).toBe('nl');
    expect(among('Я не знаю, де моє замовлення', 'ru', 'uk', 'bg')).toBe('uk');
  });
});
