/**
 * The word rules (src/engine/language-words.ts) and how the detector uses them, with greetings
 * and everyday words customers write and real translations from the evaluation set.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createLanguageDetector, type LanguageDetector } from '../../src/engine/language.ts';
import { leaders, onlyNeutralWords, unanimous, wordLanguages, wordsOf, wordVotes } from '../../src/engine/language-words.ts';
import { ROUTING_LANGUAGES } from '../fixtures/language/evaluation-set.ts';

let detector: LanguageDetector;

beforeAll(async () => {
  detector = await createLanguageDetector({ database: 'small' });
});

describe('the lexicon', () => {
  it.each([
    ['hei', ['nb']],
    ['takk', ['nb']],
    ['ikkje', ['nn']],
    ['eg', ['nn']],
    ['hvad', ['da']],
    ['venligst', ['da']],
    ['tack', ['sv']],
    ['och', ['sv']],
    ['kiitos', ['fi']],
    ['olá', ['pt']],
    ['obrigado', ['pt']],
    ['gracias', ['es']],
    ['unha', ['gl']],
    ['gràcies', ['ca']],
    ['bonjour', ['fr']],
    ['merci', ['fr']],
    ['grazie', ['it']],
    ['danke', ['de']],
    ['bedankt', ['nl']],
    ['dankie', ['af']],
    ['dziękuję', ['pl']],
    ['teşekkürler', ['tr']],
    ['silakan', ['id']],
    ['sila', ['ms']],
    ['спасибо', ['ru']],
    ['дякую', ['uk']],
    ['благодаря', ['bg']],
    ['ikke', ['da', 'nb']],
    ['hej', ['da', 'sv']],
    ['tak', ['da', 'pl']],
    ['terima', ['id', 'ms']],
    ['wedi', ['cy']],
    ['féidir', ['ga']],
    ['obxecto', ['gl']],
    ['tiempu', ['ast']],
    ['ikkje', ['nn']],
    ['synleg', ['nn']],
    ['dipaparkan', ['ms']],
    ['стойността', ['bg']],
    ['жок', ['ky']],
  ])('knows %j as %j', (word, languages) => {
    expect(wordLanguages(word)).toEqual(languages);
  });

  it('drops a word that two entries list, so the lists cannot contradict each other', () => {
    // "nie" is Afrikaans and Polish, "die" German and Afrikaans, "da" Russian and Bulgarian (да).
    expect(wordLanguages('nie')).toBeUndefined();
    expect(wordLanguages('да')).toBeUndefined();
  });

  it('splits words on anything but letters and inner apostrophes', () => {
    expect(wordsOf("Hei! Hvor er pakken min? l'arxiu, ім'я")).toEqual(['hei', 'hvor', 'er', 'pakken', 'min', "l'arxiu", "ім'я"]);
  });

  it('counts the votes of each hit, a group word for each of its languages', () => {
    const votes = wordVotes('Jeg kan ikke finne pakken, takk');
    expect(votes.votes.get('nb')).toBe(3); // jeg, ikke (da|nb) and takk
    expect(votes.votes.get('da')).toBe(2); // jeg, ikke
    expect(leaders(votes)).toEqual(['nb']);
    expect(unanimous(votes, 'nb')).toBe(true);
    expect(unanimous(votes, 'da')).toBe(false);
  });

  it.each(['hello', 'Hi', 'ok', 'OK 👍', 'okay thx', 'bye'])('calls %j neutral: customers of every language write it', (text) => {
    expect(onlyNeutralWords(text)).toBe(true);
  });

  it.each(['hello, I need help', 'ok takk', '👍', ''])('does not call %j neutral', (text) => {
    expect(onlyNeutralWords(text)).toBe(false);
  });
});

describe('word rules in the detector (all 25 routing languages routed)', () => {
  it.each([
    ['hei', 'nb'],
    ['Hei, takk', 'nb'],
    ['takk', 'nb'],
    ['kiitos', 'fi'],
    ['olá', 'pt'],
    ['obrigado', 'pt'],
    ['gracias', 'es'],
    ['bonjour', 'fr'],
    ['grazie', 'it'],
    ['danke', 'de'],
    ['bedankt', 'nl'],
    ['tack', 'sv'],
    ['venligst', 'da'],
    ['dziękuję', 'pl'],
    ['silakan', 'id'],
    ['спасибо', 'ru'],
    ['дякую', 'uk'],
  ])('reads %j as %s', (text, language) => {
    expect(detector.detect(text, ROUTING_LANGUAGES)).toBe(language);
  });

  it.each([
    ['ikkje', 'nn'],
    ['Eg veit ikkje', 'nn'],
    ['unha', 'gl'],
    ['gràcies', 'ca'],
    ['dankie', 'af'],
    ['благодаря', 'bg'],
    ['Sila hantar semula kata laluan', 'ms'],
  ])('names the unrouted neighbour in %j (%s), which then goes to the default channel', (text, language) => {
    expect(detector.detect(text, ROUTING_LANGUAGES)).toBe(language);
  });

  it.each(['hello', 'Hello', 'ok', 'okay', 'bye'])('answers nothing for %j, which every language writes', (text) => {
    expect(detector.detect(text, ROUTING_LANGUAGES)).toBeUndefined();
  });

  it('does not let one shared word outvote the statistics in a longer text', () => {
    // "die" is German and Afrikaans: this Afrikaans sentence must not become German on its account.
    const afrikaans = 'Die bladsygrootte van die aanpassing';
    expect(detector.detect(afrikaans, ROUTING_LANGUAGES)).not.toBe('de');
  });
});
