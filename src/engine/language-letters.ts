/**
 * Letter rules: letters that only one language (or one small group of close languages) writes.
 * They run before any statistics, because a letter settles what a statistical guess often gets
 * wrong on short text (docs/language.md, "Letter rules"): і ї є ґ are Ukrainian, ы э ё Russian,
 * ã õ Portuguese, ß German, ø æ Danish or Norwegian. Each rule was checked on the tune part of
 * the evaluation set; its unit tests hold real examples.
 */

/** Languages that only a letter rule names (eld and the lexicon do not know them). */
export const LETTER_LANGUAGES: readonly string[] = ['tg', 'kk', 'ky', 'mk'];

/** What a text's letters settle: one language, a group of close languages to choose among, or nothing. */
export type LetterVerdict =
  | { readonly kind: 'language'; readonly language: string }
  | { readonly kind: 'among'; readonly languages: readonly string[] }
  | { readonly kind: 'open' };

const OPEN: LetterVerdict = { kind: 'open' };
const language = (tag: string): LetterVerdict => ({ kind: 'language', language: tag });
const among = (...languages: string[]): LetterVerdict => ({ kind: 'among', languages });

const has = (text: string, letters: RegExp): boolean => letters.test(text);

/**
 * Rules for Latin text, in order; the first that matches decides. `text` is lowercased.
 * Sources for the alphabets: the languages' own orthographies as summarized by Unicode CLDR's
 * exemplar characters (https://cldr.unicode.org/translation/core-data/exemplars).
 */
export function latinLetters(text: string): LetterVerdict {
  // Vietnamese: ơ ư and the precomposed tone marks (U+1EA0–U+1EF9) belong to no other language.
  if (has(text, /[ơư\u1ea0-\u1ef9]/u)) return language('vi');
  if (has(text, /ß/u)) return language('de');
  // Turkish dotless ı and ğ; Azerbaijani shares them but writes ə.
  if (has(text, /ə/u)) return language('az');
  // Dotted capital İ lowercases to i + U+0307; ş is Turkish unless Romanian's ă â î come with it.
  if (has(text, /ı|ğ|\u0307/u)) return language('tr');
  if (has(text, /ş/u)) return has(text, /[ăâî]/u) ? language('ro') : language('tr');
  if (has(text, /ő|ű/u)) return language('hu');
  if (has(text, /[řůě]/u)) return language('cs');
  if (has(text, /[ľĺŕ]/u)) return language('sk');
  if (has(text, /[ėįų]/u)) return language('lt');
  if (has(text, /[āēīģķļņ]/u)) return language('lv');
  if (has(text, /[łśźżń]/u)) return language('pl');
  // ć is Polish (with ą ę), or Croatian (and Serbian and Bosnian in Latin letters) with č š ž đ.
  if (has(text, /ć/u)) return has(text, /[ąę]/u) ? language('pl') : has(text, /[čšžđ]/u) ? language('hr') : among('pl', 'hr');
  if (has(text, /[ąę]/u)) return among('pl', 'lt');
  if (has(text, /[șț]/u)) return language('ro');
  if (has(text, /[ðþ]/u)) return language('is');
  if (has(text, /[ĉĝĥĵŝŭ]/u)) return language('eo');
  if (has(text, /[ŵŷ]/u)) return language('cy');
  // Catalan's middle dot (il·lusió); ñ never appears in Catalan.
  if (has(text, /l·l/u)) return language('ca');
  // Estonian õ comes with ä ö ü; Portuguese writes ã, and õ in -ões; õ alone is either.
  if (has(text, /õ/u) && has(text, /[äöü]/u)) return language('et');
  if (has(text, /ã|õe/u)) return language('pt');
  if (has(text, /õ/u)) return among('pt', 'et');
  // ñ is Spanish, or Galician or Asturian, which write it too.
  if (has(text, /ñ/u)) return among('es', 'gl', 'ast');
  // The Nordic letters: ø æ are Danish and Norwegian; å with ä or ö is Swedish.
  if (has(text, /[øæ]/u)) return among('da', 'nb', 'nn');
  if (has(text, /å/u)) return has(text, /[äö]/u) ? language('sv') : among('sv', 'da', 'nb', 'nn');
  // ì is Italian (più, lunedì) or Vietnamese without other tone marks (Phong bì).
  if (has(text, /ì/u)) return among('it', 'vi');
  if (has(text, /œ/u)) return language('fr');
  return OPEN;
}

/** Rules for Cyrillic text, in order; `text` is lowercased. */
export function cyrillicLetters(text: string): LetterVerdict {
  // Tajik ҳ ҷ ӣ ӯ; Kazakh ә ғ қ ұ һ; Kyrgyz shares ң ө ү with Kazakh but none of those.
  if (has(text, /[ҳҷӣӯ]/u)) return language('tg');
  if (has(text, /[әғқұһ]/u)) return language('kk');
  if (has(text, /[ңөү]/u)) return language('ky');
  if (has(text, /ў/u)) return language('be');
  // Macedonian ѓ ќ ѕ; Serbian ћ ђ; both write ј љ њ џ.
  if (has(text, /[ѓќѕ]/u)) return language('mk');
  if (has(text, /[ћђ]/u)) return language('sr');
  if (has(text, /[јљњџ]/u)) return among('sr', 'mk');
  // Belarusian writes і beside ы э ё; Ukrainian і ї є ґ without them; Russian ы э ё without і.
  if (has(text, /[їєґ]/u)) return language('uk');
  if (has(text, /і/u)) return has(text, /[ыэё]/u) ? language('be') : language('uk');
  // ы э ё: Russian, or Kyrgyz (and Kazakh) without their own letters in a short text.
  if (has(text, /[ыэё]/u)) return among('ru', 'ky', 'kk');
  // Russian writes ъ only after a prefix, before е ё ю я (объект, подъезд); Bulgarian everywhere
  // else (път, във, файлът).
  if (has(text, /ъ(?![еёюя])/u)) return language('bg');
  return OPEN;
}

/** Rules for Arabic script: Persian and Urdu letters that Arabic does not use. `text` as written. */
export function arabicLetters(text: string): string {
  // Urdu ٹ ڈ ڑ ں ے (and ھ as the aspiration mark).
  if (/[ٹڈڑںےۓ]/u.test(text)) return 'ur';
  // Persian پ چ ژ گ and its own yeh and kaf (ی ک, where Arabic writes ي ك).
  if (/[پچژگیک]/u.test(text)) return 'fa';
  return 'ar';
}

/**
 * Devanagari: Hindi, unless Marathi or Nepali marks outnumber Hindi's. Marathi writes ळ and ॅ
 * (पॅकेज, टॅब), genitive endings -चा -ची -चे -च्या joined to the word and its own words (आहे,
 * नाही, मध्ये); Nepali joins its case endings to the word (-को, -ले, -लाई, -मा, plural -हरू) and
 * ends verbs in -छ; Hindi writes the nukta (फ़, ड़), its postpositions as separate words (के, की,
 * का, में) and polite imperatives in -ें. A tie, or no mark at all, stays Hindi.
 */
const DEVANAGARI_WORDS: Readonly<Record<'hi' | 'mr' | 'ne', ReadonlySet<string>>> = {
  hi: new Set([
    'है',
    'हैं',
    'नहीं',
    'में',
    'की',
    'का',
    'के',
    'को',
    'से',
    'और',
    'यह',
    'था',
    'गया',
    'किया',
    'लिए',
    'लिये',
    'यदि',
    'चाहिए',
    'कृपया',
    'धन्यवाद',
    'नमस्ते',
    'क्या',
    'कैसे',
    'कहाँ',
    'क्यों',
    'रहा',
    'सकता',
    'सकते',
  ]),
  mr: new Set([
    'आहे',
    'आहेत',
    'नाही',
    'आणि',
    'करा',
    'केले',
    'झाले',
    'झाली',
    'गेले',
    'येथे',
    'किंवा',
    'मध्ये',
    'करीता',
    'साठी',
    'पासून',
    'पर्यंत',
    'म्हणून',
    'दाखवा',
    'निवडा',
    'उघडा',
    'शकत',
    'नका',
    'करायचे',
    'करण्यास',
    'हवे',
    'मधिल',
  ]),
  ne: new Set([
    'छ',
    'छन्',
    'छैन',
    'गर्नुहोस्',
    'हो',
    'र',
    'गर्न',
    'भयो',
    'हुन्छ',
    'सकिएन',
    'गर्दै',
    'यो',
    'सक्नुहुन्छ',
    'गरिएको',
    'भएको',
    'थियो',
    'नै',
    'पनि',
    'लागि',
    'सक्दैन',
    'हुँदैन',
    'वा',
    'एउटा',
    'नयाँ',
    'कुनै',
    'होइन',
    'भने',
    'गर्ने',
    'यसलाई',
  ]),
};
const MARATHI_ENDING = /..(?:चा|ची|चे|च्या|चं)$/u;
const NEPALI_ENDING = /..(?:को|ले|लाई|मा|हरू|न्छ|नु)$/u;
const HINDI_ENDING = /..(?:ें|एँ)$/u;

/** Hindi, Marathi or Nepali for a Devanagari text. */
export function devanagariLanguage(text: string): 'hi' | 'mr' | 'ne' {
  const score = { hi: (text.match(/\u093c/gu) ?? []).length, mr: (text.match(/[ळॅ]/gu) ?? []).length, ne: 0 };
  for (const word of text.split(/[^\p{L}\p{M}]+/u)) {
    if (word === '') continue;
    for (const language of ['hi', 'mr', 'ne'] as const) if (DEVANAGARI_WORDS[language].has(word)) score[language] += 1;
    if (MARATHI_ENDING.test(word)) score.mr += 1;
    else if (NEPALI_ENDING.test(word)) score.ne += 1;
    else if (HINDI_ENDING.test(word)) score.hi += 1;
  }
  if (score.mr > score.hi && score.mr >= score.ne) return 'mr';
  if (score.ne > score.hi && score.ne > score.mr) return 'ne';
  return 'hi';
}
