import { Converter } from 'opencc-js';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  chooseLanguage,
  createLanguageDetector,
  languageName,
  normalizeLanguageTag,
  type LanguageDetector,
} from '../../src/engine/language.ts';
import { formatReport, measureAccuracy, percent } from '../fixtures/language/accuracy.ts';
import { LANGUAGE_SAMPLES, type LanguageSample } from '../fixtures/language/samples.ts';

const ALL_ROUTED = [...new Set(LANGUAGE_SAMPLES.map((s) => s.language))];
const samplesOf = (language: string): readonly LanguageSample[] => LANGUAGE_SAMPLES.filter((s) => s.language === language);

/**
 * Floors and ceilings with every sample language routed, eld `small`, on the shipped 500 texts.
 * Measured with the letter and word rules, the calibrated margin and the n-gram model (a word
 * counting as four n-grams): right 91.8 %, wrong 3.4 %, unsure 4.8 %; texts of 15 characters
 * or fewer right 82.0 %, wrong 7.0 % (with the first n-gram model: right 89.4 %, wrong 3.8 %,
 * unsure 6.8 %, short 77.0 % and 8.0 %; without the n-gram model: right 87.4 %, wrong 5.4 %, unsure 7.2 %, short 73.5 % and 10.5 %;
 * before issue 15: right 85.8 %, wrong 6.6 %, unsure 7.6 %; short right 70.0 %, wrong 12.5 %). The margins leave room
 * for a text or two, not for a broken pipeline. The evaluation set's own guard is in
 * tests/engine/language-evaluation.test.ts.
 */
const ACCURACY_FLOOR = 0.905;
const WRONG_CEILING = 0.04;
const UNSURE_CEILING = 0.06;
const SHORT_ACCURACY_FLOOR = 0.8;
const SHORT_WRONG_CEILING = 0.08;

let detector: LanguageDetector;

beforeAll(async () => {
  detector = await createLanguageDetector({ database: 'small' });
});

describe('createLanguageDetector', () => {
  it('keeps every Korean and Japanese text in its language even when only English is routed', () => {
    for (const language of ['ko', 'ja']) {
      const wrong = samplesOf(language).filter((s) => detector.detect(s.text, ['en']) !== language);
      expect(wrong.map((s) => s.text)).toEqual([]);
    }
  });

  it('reads Simplified Chinese as zh-Hans and Traditional as zh-Hant, with only English routed', () => {
    expect(samplesOf('zh-Hans').filter((s) => detector.detect(s.text, ['en']) !== 'zh-Hans')).toEqual([]);
    // A zh_TW text written the same in both scripts (星期三) has nothing to tell it by and goes
    // to zh-Hans by the tie rule; every text that OpenCC would change must be zh-Hant.
    const toSimplified = Converter({ from: 'tw', to: 'cn' });
    const distinct = samplesOf('zh-Hant').filter((s) => toSimplified(s.text) !== s.text);
    expect(distinct.length).toBeGreaterThanOrEqual(15);
    expect(distinct.filter((s) => detector.detect(s.text, ['en']) !== 'zh-Hant')).toEqual([]);
  });

  it('never gives a Korean, Japanese or Chinese text a non-CJK language', () => {
    const cjk = new Set(['ko', 'ja', 'zh-Hans', 'zh-Hant']);
    const texts = LANGUAGE_SAMPLES.filter((s) => cjk.has(s.language));
    for (const routed of [['en'], ALL_ROUTED]) {
      const left = texts.filter((s) => !cjk.has(detector.detect(s.text, routed) ?? 'none'));
      expect(left).toEqual([]);
    }
  });

  it('names Thai, Hebrew, Arabic and Hindi texts by their script whatever is routed', () => {
    for (const language of ['th', 'he', 'ar', 'hi']) {
      const wrong = samplesOf(language).filter((s) => detector.detect(s.text, ['en', 'de']) !== language);
      expect(wrong.map((s) => s.text)).toEqual([]);
    }
  });

  it.each(['hi', '?', '👍', 'ok', '123', '', '   ', '!!!', '👍🏽🙏', 'hello', 'https://example.com/order/55123', 'A1x3'])(
    'answers undefined for %j, which carries no language or too little to tell',
    (text) => {
      expect(detector.detect(text, ALL_ROUTED)).toBeUndefined();
      expect(detector.detect(text, ['en'])).toBeUndefined();
    },
  );

  it('answers id, never ms, for Indonesian texts when id is routed', () => {
    for (const routed of [ALL_ROUTED, ['en', 'id'], ['en', 'de', 'id']]) {
      const answers = samplesOf('id').map((s) => detector.detect(s.text, routed));
      expect(answers).not.toContain('ms');
      expect(answers.filter((a) => a === 'id').length).toBeGreaterThanOrEqual(12);
    }
  });

  it('answers nb, not eld’s no, for Norwegian texts', () => {
    const answers = samplesOf('nb').map((s) => detector.detect(s.text, ['en', 'nb']));
    expect(answers).not.toContain('no');
    expect(answers.filter((a) => a === 'nb').length).toBeGreaterThanOrEqual(14);
  });

  it('names an unrouted language as what it is, so it goes to the default channel, not to a routed team', () => {
    // Before issue 15 eld was restricted to the routed languages and this became `en` or `de`.
    const french = 'Bonjour, je voudrais annuler ma commande de chaussures';
    expect(detector.detect(french, ['en', 'fr'])).toBe('fr');
    expect(detector.detect(french, ['en', 'de'])).toBe('fr');
    expect(detector.detect('Hei, hvor er pakken min? Takk', ['en', 'da'])).toBe('nb');
    expect(detector.detect('Vull cancel·lar la meva comanda, gràcies', ALL_ROUTED)).toBe('ca');
  });

  it('keeps what the routed lists change apart when calls interleave', async () => {
    // Which languages are routed names Malay: `id` when Indonesian is routed, `ms` when only Malay is.
    const malay = 'Saya ingin membatalkan pesanan saya';
    const routes = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? ['en', 'id'] : ['en', 'ms']));
    // detect() is synchronous, so "concurrent" callers are interleaved calls on one detector.
    const answers = await Promise.all(routes.map(async (routed) => detector.detect(malay, routed)));
    expect(answers).toEqual(routes.map((_, i) => (i % 2 === 0 ? 'id' : 'ms')));
  });

  it('names an unrouted Latin language instead of calling it English when only en is routed', () => {
    expect(detector.detect('Bonjour, je voudrais annuler ma commande de chaussures', ['en'])).toBe('fr');
    expect(detector.detect('Hello, I would like to cancel my order of shoes', ['en'])).toBe('en');
  });

  it('reads mixed text by its main script', () => {
    expect(detector.detect('Galaxy S24 주문했는데요', ['en'])).toBe('ko');
    expect(detector.detect('My name is 김민수 and I would like to change my order', ['en', 'ko'])).toBe('en');
  });

  it(`is right on at least ${ACCURACY_FLOOR * 100} % of the shipped texts and wrong on at most ${WRONG_CEILING * 100} %, every language routed`, () => {
    const report = measureAccuracy(LANGUAGE_SAMPLES, (text) => detector.detect(text, ALL_ROUTED));
    console.log(`language detection, eld small, shipped set\n${formatReport(report)}`);
    const share = (n: number, total: number) => [n / total, percent(n, total)] as const;
    const [right, rightText] = share(report.all.right, report.all.total);
    const [wrong, wrongText] = share(report.all.wrong, report.all.total);
    const [unsure, unsureText] = share(report.all.unsure, report.all.total);
    const [shortRight, shortRightText] = share(report.short.right, report.short.total);
    const [shortWrong, shortWrongText] = share(report.short.wrong, report.short.total);
    expect(right, rightText).toBeGreaterThanOrEqual(ACCURACY_FLOOR);
    expect(wrong, wrongText).toBeLessThanOrEqual(WRONG_CEILING);
    expect(unsure, unsureText).toBeLessThanOrEqual(UNSURE_CEILING);
    expect(shortRight, shortRightText).toBeGreaterThanOrEqual(SHORT_ACCURACY_FLOOR);
    expect(shortWrong, shortWrongText).toBeLessThanOrEqual(SHORT_WRONG_CEILING);
    expect(report.cjk.wrong / report.cjk.total).toBeLessThanOrEqual(0.02);
  });

  it('names Persian and Urdu by their letters, Marathi and Nepali by their words, whatever is routed', () => {
    expect(detector.detect('ذخیره در پوشه‌ی', ALL_ROUTED)).toBe('fa');
    expect(detector.detect('فائل نہیں ملی', ALL_ROUTED)).toBe('ur');
    expect(detector.detect('أين طلبي؟', ALL_ROUTED)).toBe('ar');
    expect(detector.detect('स्थापना झाली आहे', ALL_ROUTED)).toBe('mr');
    expect(detector.detect('HTTP सर्भरले अवैध जवाफ हेडर पठायो', ALL_ROUTED)).toBe('ne');
    expect(detector.detect('मेरा ऑर्डर कहाँ है?', ALL_ROUTED)).toBe('hi');
  });

  it('reads kanji-only text with a Japanese-only character as Japanese, and a Taiwanese word as Traditional', () => {
    expect(detector.detect('変更', ['en'])).toBe('ja'); // 変: Chinese writes 变 or 變
    expect(detector.detect('出力選択', ['en'])).toBe('ja'); // 択: Chinese writes 择 or 擇
    expect(detector.detect('水曜日', ['en'])).toBe('ja');
    expect(detector.detect('翻译', ['en'])).toBe('zh-Hans'); // 翻 is everyday Chinese too
    expect(detector.detect('物件不存在', ['en'])).toBe('zh-Hant'); // 物件: Taiwan's word for "object"
    expect(detector.detect('你好', ['en'])).toBe('zh-Hans');
  });

  it('settles close pairs by a letter where statistics guessed', () => {
    expect(detector.detect('Підписати', ALL_ROUTED)).toBe('uk');
    expect(detector.detect('Документы', ALL_ROUTED)).toBe('ru');
    expect(detector.detect('Archivo dañado', ALL_ROUTED)).toBe('es');
    expect(detector.detect('Não utilizar', ALL_ROUTED)).toBe('pt');
    expect(detector.detect('Sökväg nedåt', ALL_ROUTED)).toBe('sv');
    expect(detector.detect('Fußzeile', ALL_ROUTED)).toBe('de');
  });
});

describe('chooseLanguage', () => {
  it('prefers the language detected in the text over any hint', () => {
    expect(chooseLanguage({ detected: 'fr', hints: ['ko'] })).toEqual({ language: 'fr', source: 'text' });
  });

  it('falls back to the platform hint when the text cannot tell', () => {
    expect(chooseLanguage({ detected: undefined, hints: ['ko'] })).toEqual({ language: 'ko', source: 'hint' });
  });

  it('normalizes the hint and skips missing or malformed ones', () => {
    expect(chooseLanguage({ detected: undefined, hints: [undefined, '??', 'zh-TW'] })).toEqual({ language: 'zh-Hant', source: 'hint' });
  });

  it('reports no language, rather than a guess, when there is neither text nor hint', () => {
    const choice = chooseLanguage({ detected: undefined, hints: [undefined, 'und'] });
    expect(choice).toEqual({ source: 'none' });
    expect('language' in choice).toBe(false);
  });
});

describe('normalizeLanguageTag', () => {
  it.each([
    ['en', 'en'],
    ['en-US', 'en'],
    ['en_GB', 'en'],
    ['pt-br', 'pt'],
    ['zh', 'zh-Hans'],
    ['zh-hans', 'zh-Hans'],
    ['zh-cn', 'zh-Hans'],
    ['zh-sg', 'zh-Hans'],
    ['zh-Hans-HK', 'zh-Hans'],
    ['zh-hant', 'zh-Hant'],
    ['zh-tw', 'zh-Hant'],
    ['zh-hk', 'zh-Hant'],
    ['zh-mo', 'zh-Hant'],
    ['no', 'nb'],
    ['nb-no', 'nb'],
    ['in', 'id'],
    ['iw', 'he'],
    ['KO', 'ko'],
    [' uk ', 'uk'],
  ])('maps %j to %j', (tag, expected) => {
    expect(normalizeLanguageTag(tag)).toBe(expected);
  });

  it.each(['', 'x', '123', 'english please', 'en--us', 'und', 'zxx', 'e1', '🇬🇧'])('rejects %j', (tag) => {
    expect(normalizeLanguageTag(tag)).toBeUndefined();
  });
});

describe('languageName', () => {
  it.each([
    ['en', 'English'],
    ['ko', 'Korean'],
    ['ja', 'Japanese'],
    ['zh-Hans', 'Chinese (Simplified)'],
    ['zh-Hant', 'Chinese (Traditional)'],
    ['th', 'Thai'],
    ['he', 'Hebrew'],
    ['ar', 'Arabic'],
    ['hi', 'Hindi'],
    ['ru', 'Russian'],
    ['uk', 'Ukrainian'],
    ['de', 'German'],
    ['fr', 'French'],
    ['es', 'Spanish'],
    ['pt', 'Portuguese'],
    ['it', 'Italian'],
    ['nl', 'Dutch'],
    ['nb', 'Norwegian'],
    ['sv', 'Swedish'],
    ['da', 'Danish'],
    ['fi', 'Finnish'],
    ['pl', 'Polish'],
    ['tr', 'Turkish'],
    ['vi', 'Vietnamese'],
    ['id', 'Indonesian'],
    ['el', 'Greek'],
  ])('names %s %s', (tag, name) => {
    expect(languageName(tag)).toBe(name);
  });

  it('shows an unknown or malformed tag as it came', () => {
    expect(languageName('qqq')).toBe('qqq');
    expect(languageName('not a tag')).toBe('not a tag');
  });
});
