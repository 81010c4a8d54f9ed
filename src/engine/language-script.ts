/**
 * The Unicode-script rule that runs before any statistics: scripts that name their language on
 * their own, and the Simplified/Traditional split of Chinese. Measured in front of eld at 0.6 %
 * CJK wrong, against 3–6 % for detectors that guess CJK statistically (docs/language.md).
 */
import jpShinjitai from 'opencc-js/dict/JPShinjitaiCharacters';
import stCharacters from 'opencc-js/dict/STCharacters';
import tsCharacters from 'opencc-js/dict/TSCharacters';
import twPhrases from 'opencc-js/dict/TWPhrases';
import { arabicLetters, devanagariLanguage } from './language-letters.ts';

/** What the letters of a text say about its language. */
export type ScriptVerdict =
  /** The script names the language (Hangul → `ko`); no statistics needed. */
  | { readonly kind: 'script'; readonly language: string }
  /** Latin or Cyrillic: many languages share the script, so eld must read `text`. */
  | { readonly kind: 'shared'; readonly script: SharedScript; readonly letters: number; readonly text: string }
  /** No letters (emoji, digits, punctuation), or too few of the deciding script. */
  | { readonly kind: 'none' };

/** Scripts that many routing languages share; the statistical detector decides within them. */
export type SharedScript = 'latin' | 'cyrillic';

type SingleScript = keyof typeof SINGLE_LANGUAGE;
type Script = SharedScript | SingleScript | 'hangul' | 'kana' | 'han' | 'other';

/**
 * Scripts written by one language in practice, or by one language and neighbours that letters
 * and words tell apart: Arabic script is `ar` unless Persian or Urdu letters say `fa` or `ur`,
 * Devanagari `hi` unless Marathi or Nepali words say `mr` or `ne` (src/engine/language-letters.ts).
 * The rest name an unrouted language truthfully, so the caller sends it to the default channel
 * instead of treating it as "no language".
 */
const SINGLE_LANGUAGE = {
  thai: { pattern: '\\p{Script=Thai}', language: 'th' },
  hebrew: { pattern: '\\p{Script=Hebrew}', language: 'he' },
  arabic: { pattern: '\\p{Script=Arabic}', language: 'ar' },
  devanagari: { pattern: '\\p{Script=Devanagari}', language: 'hi' },
  greek: { pattern: '\\p{Script=Greek}', language: 'el' },
  armenian: { pattern: '\\p{Script=Armenian}', language: 'hy' },
  georgian: { pattern: '\\p{Script=Georgian}', language: 'ka' },
  bengali: { pattern: '\\p{Script=Bengali}', language: 'bn' },
  gurmukhi: { pattern: '\\p{Script=Gurmukhi}', language: 'pa' },
  gujarati: { pattern: '\\p{Script=Gujarati}', language: 'gu' },
  tamil: { pattern: '\\p{Script=Tamil}', language: 'ta' },
  telugu: { pattern: '\\p{Script=Telugu}', language: 'te' },
  kannada: { pattern: '\\p{Script=Kannada}', language: 'kn' },
  malayalam: { pattern: '\\p{Script=Malayalam}', language: 'ml' },
  sinhala: { pattern: '\\p{Script=Sinhala}', language: 'si' },
  lao: { pattern: '\\p{Script=Lao}', language: 'lo' },
  khmer: { pattern: '\\p{Script=Khmer}', language: 'km' },
  myanmar: { pattern: '\\p{Script=Myanmar}', language: 'my' },
  ethiopic: { pattern: '\\p{Script=Ethiopic}', language: 'am' },
} as const;

/** Every language the script rule can name on its own. */
export const SCRIPT_LANGUAGES: readonly string[] = [
  'ko',
  'ja',
  'zh-Hans',
  'zh-Hant',
  ...Object.values(SINGLE_LANGUAGE).map((rule) => rule.language),
  'fa',
  'ur',
  'mr',
  'ne',
];

const PATTERNS: readonly (readonly [Script, string])[] = [
  ['latin', '\\p{Script=Latin}'],
  ['cyrillic', '\\p{Script=Cyrillic}'],
  ['hangul', '\\p{Script=Hangul}'],
  ['kana', '\\p{Script=Hiragana}\\p{Script=Katakana}'],
  ['han', '\\p{Script=Han}'],
  ...Object.entries(SINGLE_LANGUAGE).map(([script, rule]) => [script as Script, rule.pattern] as const),
  ['other', '\\p{L}'],
];

/**
 * One capture group per script; the first group that matched names the run's script. `other`
 * takes one letter at a time, so a Common-script letter such as the katakana length mark ー
 * cannot swallow the kana after it.
 */
const RUNS = new RegExp(PATTERNS.map(([script, pattern]) => (script === 'other' ? `(${pattern})` : `([${pattern}]+)`)).join('|'), 'gu');

/**
 * One CJK character is a syllable or a whole word, worth about three Latin letters. With this
 * weight "Galaxy S24 주문했는데요" reads as Korean and "My name is 김민수 and I would like to
 * change my order" as English.
 */
const CJK_WEIGHT = 3;

/**
 * Fewest letters of the deciding script. One Hangul syllable (네, "yes") or one kana is already
 * unambiguous; a lone Han character is shared by Chinese and Japanese and cannot show
 * Simplified or Traditional, so Han needs two (请问, 謝謝); one Thai or Arabic letter is noise.
 */
const MIN_LETTERS: Readonly<Record<'hangul' | 'kana' | 'han' | 'single', number>> = { hangul: 1, kana: 1, han: 2, single: 2 };

/**
 * Parts of a message that are letters but not language: links, addresses, handles and codes
 * such as order numbers (`A12B-7`). eld's own `enableTextCleanup` drops the same things; doing
 * it here keeps them out of the letter counts as well. Codes are matched in ASCII only, since
 * Chinese and Japanese write numbers against words without a space (2个订单, 1日単位).
 */
const NOISE = /\b(?:https?:\/\/|www\.)\S+|[\w.+-]+@[\w-]+\.[\w.-]+|@\w+|[A-Za-z_-]*\d[A-Za-z\d_-]*/gu;

/** Removes links, e-mail addresses, @handles and alphanumeric codes; keeps everything else. */
export function stripNoise(text: string): string {
  return text.replace(NOISE, ' ');
}

/**
 * Decides what the script of `text` can tell without statistics. Guarantees: any text whose
 * letters are mostly Hangul is `ko`, mostly kana or kana with Han is `ja`, Han only is `zh-Hans`
 * or `zh-Hant`; Thai, Hebrew, Arabic and Devanagari name `th`, `he`, `ar`, `hi`. This never
 * depends on which languages are routed. Latin and Cyrillic come back as `shared`.
 */
export function classifyScript(text: string): ScriptVerdict {
  const clean = stripNoise(text);
  const counts = countLetters(clean);
  const cjk = (counts.get('hangul') ?? 0) + (counts.get('kana') ?? 0) + (counts.get('han') ?? 0);
  let best: SharedScript | SingleScript | 'other' = 'other';
  let bestWeight = 0;
  for (const [script, n] of counts) {
    if (script === 'hangul' || script === 'kana' || script === 'han') continue;
    if (n > bestWeight) [best, bestWeight] = [script, n];
  }
  if (cjk * CJK_WEIGHT >= bestWeight && cjk > 0) return classifyCjk(counts, clean);
  if (best === 'latin' || best === 'cyrillic') return { kind: 'shared', script: best, letters: bestWeight, text: clean };
  if (best === 'other' || bestWeight < MIN_LETTERS.single) return { kind: 'none' };
  // Persian and Urdu have letters of their own; Marathi and Nepali words of their own.
  if (best === 'arabic') return { kind: 'script', language: arabicLetters(clean) };
  if (best === 'devanagari') return { kind: 'script', language: devanagariLanguage(clean) };
  return { kind: 'script', language: SINGLE_LANGUAGE[best].language };
}

function classifyCjk(counts: ReadonlyMap<Script, number>, text: string): ScriptVerdict {
  const hangul = counts.get('hangul') ?? 0;
  const kana = counts.get('kana') ?? 0;
  const han = counts.get('han') ?? 0;
  // Korean is written in Hangul (Han is rare and never alone); Japanese always has some kana,
  // so kana beside Han means Japanese. Han alone is Chinese (docs/language.md, "The script rule").
  if (hangul >= MIN_LETTERS.hangul && hangul >= kana) return { kind: 'script', language: 'ko' };
  if (kana >= MIN_LETTERS.kana) return { kind: 'script', language: 'ja' };
  if (han >= 1 && hasJapaneseOnlyKanji(text)) return { kind: 'script', language: 'ja' };
  if (han >= MIN_LETTERS.han) return { kind: 'script', language: chineseVariant(text) };
  return { kind: 'none' };
}

function countLetters(text: string): Map<Script, number> {
  const counts = new Map<Script, number>();
  for (const match of text.matchAll(RUNS)) {
    const group = match.findIndex((run, i) => i > 0 && run !== undefined);
    const script = PATTERNS[group - 1]?.[0];
    if (script === undefined) continue;
    counts.set(script, (counts.get(script) ?? 0) + codePoints(match[0]));
  }
  return counts;
}

function codePoints(run: string): number {
  let n = 0;
  for (const _ of run) n += 1;
  return n;
}

/**
 * Characters that only one of the two standards uses, from OpenCC's character tables: about
 * 3,900 Simplified-only and 3,200 Traditional-only (docs/language.md). The handful of characters
 * that appear as keys in both tables (麽, 苧, …) tell nothing and are dropped from both.
 */
const { simplifiedOnly, traditionalOnly } = buildChineseTables(stCharacters, tsCharacters);

function buildChineseTables(st: string, ts: string): { simplifiedOnly: ReadonlySet<string>; traditionalOnly: ReadonlySet<string> } {
  const changing = (table: string): Set<string> => {
    const keys = new Set<string>();
    for (const entry of table.split('|')) {
      const [key, ...values] = entry.split(' ');
      if (key !== undefined && key !== '' && !values.includes(key)) keys.add(key);
    }
    return keys;
  };
  const simplified = changing(st);
  const traditional = changing(ts);
  for (const c of simplified) {
    if (traditional.delete(c)) simplified.delete(c);
  }
  return { simplifiedOnly: simplified, traditionalOnly: traditional };
}

/**
 * Japanese shinjitai: simplified kanji that are neither Simplified nor Traditional Chinese
 * (変, 証, 択, 読, 関), from OpenCC's JPShinjitaiCharacters table (shinjitai → Traditional): its
 * keys that no Chinese table has. A handful of them are also everyday Chinese characters (研 in
 * 研究, 翻 in 翻译, 予, 欠, 概, 郎, 萌, 晃, 瓶, 慎, 褒, 弁, 缶, 糸) and are left out, so 翻译
 * stays Chinese. 曜 is added: Japanese weekdays (水曜日) are written with it, Chinese ones (星期三)
 * are not.
 */
const japaneseOnly = buildJapaneseOnly(jpShinjitai, [stCharacters, tsCharacters], '研翻予欠概郎萌晃瓶慎褒弁缶糸', '曜');

function buildJapaneseOnly(jp: string, chinese: readonly string[], common: string, extra: string): ReadonlySet<string> {
  const zh = new Set(chinese.flatMap((table) => table.split(/[| ]/)));
  const only = new Set<string>(extra);
  for (const entry of jp.split('|')) {
    const [key, ...values] = entry.split(' ');
    if (key !== undefined && key !== '' && !values.includes(key) && !zh.has(key) && !common.includes(key)) only.add(key);
  }
  return only;
}

/** Whether `text` has a kanji that only Japanese writes. */
export function hasJapaneseOnlyKanji(text: string): boolean {
  for (const c of text) if (japaneseOnly.has(c)) return true;
  return false;
}

/**
 * `zh-Hant` when the text has more Traditional-only than Simplified-only characters, otherwise
 * `zh-Hans`: most shared characters are written the same way in both, and a tie (no telling
 * character at all, such as 你好) goes to the larger population of writers.
 */
export function chineseVariant(text: string): 'zh-Hans' | 'zh-Hant' {
  let balance = 0;
  for (const c of text) {
    if (simplifiedOnly.has(c)) balance -= 1;
    else if (traditionalOnly.has(c)) balance += 1;
  }
  if (balance === 0 && hasPhrase(text, taiwanPhrases) && !hasPhrase(text, mainlandPhrases)) return 'zh-Hant';
  return balance > 0 ? 'zh-Hant' : 'zh-Hans';
}

/**
 * Words that Taiwan and the mainland say differently, from OpenCC's TWPhrases table (mainland →
 * Taiwan): 物件 (object) is Taiwanese where the mainland says 对象. They break a tie between
 * texts whose characters are the same in both standards (物件不存在).
 */
const { taiwanPhrases, mainlandPhrases } = buildPhraseTables(twPhrases);

function buildPhraseTables(table: string): { taiwanPhrases: readonly string[]; mainlandPhrases: readonly string[] } {
  const taiwan = new Set<string>();
  const mainland = new Set<string>();
  for (const entry of table.split('|')) {
    const [key, ...values] = entry.split(' ');
    if (key !== undefined && [...key].length >= 2) mainland.add(key);
    for (const value of values) if ([...value].length >= 2) taiwan.add(value);
  }
  for (const phrase of taiwan) if (mainland.delete(phrase)) taiwan.delete(phrase);
  return { taiwanPhrases: [...taiwan], mainlandPhrases: [...mainland] };
}

function hasPhrase(text: string, phrases: readonly string[]): boolean {
  return phrases.some((phrase) => text.includes(phrase));
}
