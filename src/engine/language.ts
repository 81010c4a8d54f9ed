/**
 * Language detection for routing: the Unicode-script rule first, then letter and word rules,
 * then eld with a calibrated margin; hints when the text cannot tell; and "unsure" rather than a
 * guess, so the caller sends the conversation to the default channel. The measurements behind
 * each choice are in docs/language.md.
 */
import { cyrillicLetters, LETTER_LANGUAGES, latinLetters } from './language-letters.ts';
import { classifyScript, SCRIPT_LANGUAGES, type SharedScript } from './language-script.ts';
import NGRAM_MODEL from './language-ngram-model.json' with { type: 'json' };
import { loadNgramModel, type NgramModel, type NgramModelData, SCRIPT_GROUPS } from './language-ngrams.ts';
import { normalizeLanguageTag } from './language-tags.ts';
import { CYRILLIC_WORD_LANGUAGES, LATIN_WORD_LANGUAGES, leaders, onlyNeutralWords, unanimous, wordVotes } from './language-words.ts';

export { languageName, normalizeLanguageTag } from './language-tags.ts';

/** Size of eld's n-gram database; docs/language.md, "The other databases", measures each. */
export type LanguageDatabase = 'extrasmall' | 'small' | 'medium' | 'large';

/** Detects the routing language of one customer message. */
export interface LanguageDetector {
  /**
   * The routing tag of `text` (`ko`, `zh-Hant`, `nb`, `id`, …), or undefined when the text is
   * too short to tell or carries no language ("hi", "ok", "👍", "?", "123").
   *
   * Scripts that name their language (Hangul, kana, Han, Thai, Hebrew, Arabic, Devanagari, …)
   * decide regardless of `routed`, so a Korean message is `ko` even without a `ko` route and the
   * caller can send it to the default channel. Latin and Cyrillic text is read by letter and
   * word rules, then eld, among every language of the script, routed or not (`ca`, `nn`, `bg`
   * name unrouted languages, which go to the default channel); `routed` weighs the statistics
   * toward the routed languages and names Malay (see {@link createLanguageDetector}).
   */
  detect(text: string, routed: readonly string[]): string | undefined;
}

type Eld = typeof import('eld')['eld'];

/** Static imports per size, so each database is loaded at most once per process. */
const DATABASES: Readonly<Record<LanguageDatabase, () => Promise<{ readonly eld: Eld }>>> = {
  extrasmall: () => import('eld/extrasmall'),
  small: () => import('eld/small'),
  medium: () => import('eld/medium'),
  large: () => import('eld/large'),
};

/** eld's codes for the languages written in each shared script (eld 2.1 README, "Languages"). */
const ELD_LANGUAGES: Readonly<Record<SharedScript, readonly string[]>> = {
  latin: [
    'az',
    'ca',
    'cs',
    'da',
    'de',
    'en',
    'es',
    'et',
    'eu',
    'fi',
    'fr',
    'hr',
    'hu',
    'is',
    'it',
    'lt',
    'lv',
    'ms',
    'nl',
    'no',
    'pl',
    'pt',
    'ro',
    'sk',
    'sl',
    'sq',
    'sv',
    'tl',
    'tr',
    'vi',
    'yo',
  ],
  cyrillic: ['be', 'bg', 'ru', 'sr', 'uk'],
};

/**
 * Every routing tag the detector can answer: the script rule's languages, eld's (as routing
 * tags), the letter rules' and the lexicon's. The `detect` command's default for `--routed`.
 */
export const DETECTABLE_LANGUAGES: readonly string[] = [
  ...new Set([
    ...SCRIPT_LANGUAGES,
    ...[...ELD_LANGUAGES.latin, ...ELD_LANGUAGES.cyrillic].map((code) => (code === 'no' ? 'nb' : code === 'ms' ? 'id' : code)),
    'ms',
    ...LETTER_LANGUAGES,
    ...LATIN_WORD_LANGUAGES,
    ...CYRILLIC_WORD_LANGUAGES,
  ]),
].sort();

/**
 * Routing tags eld knows under another code: it has Norwegian as `no`, and no Indonesian at all,
 * so Indonesian is detected as Malay (docs/language.md: without this every Indonesian message is
 * misrouted).
 */
const TO_ELD: Readonly<Record<string, string>> = { nb: 'no', id: 'ms' };

/**
 * How the statistics decide; the defaults were chosen on the tune part of the evaluation set
 * (docs/language.md, "eld and the margin"). Margins compare eld's two best raw scores: a margin of 0.1
 * means the best scored 10 % more than the runner-up.
 */
export interface Calibration {
  /** Fewest Latin or Cyrillic letters (not bytes) for eld to answer at all. */
  readonly minLetters: number;
  /**
   * Least lead of the best language over the runner-up, by length: `[letters, margin]` pairs in
   * increasing letters; a text uses the first pair whose letters it does not exceed (the last
   * pair for anything longer). eld reads long text well and short text poorly.
   */
  readonly margins: readonly (readonly [number, number])[];
  /**
   * Weight of an unrouted language's score (at most 1): below 1 it must beat the routed ones
   * clearly to be named, since a deployment's customers mostly write the languages it routes.
   */
  readonly unroutedWeight: number;
  /**
   * Factor on the margin between two close neighbours (Danish, Norwegian and Swedish; Spanish,
   * Portuguese, Catalan and Italian; Russian, Ukrainian, Belarusian and Bulgarian; Dutch and
   * German), the pairs that make most wrong answers.
   */
  readonly closeFactor: number;
  /**
   * Factor on the margin for naming an unrouted language. Such an answer goes to the default
   * channel like "unsure" does; the factor keeps a routed text from being named as a neighbour.
   */
  readonly nameFactor: number;
  /** Longest text, in words, that the word rule decides or narrows. */
  readonly maxWordRuleWords: number;
  /**
   * The n-gram model's lead (log-likelihood of its best language over its runner-up, in nats)
   * at which it decides alone for a routed language, names an unrouted one, and overrules eld
   * (a disagreeing eld answer becomes "unsure"). Each is `[base, per letter]`: the lead needed is
   * `base + perLetter · letters`, since a longer text's log-likelihoods grow with it.
   */
  readonly ngramDecide: readonly [number, number];
  readonly ngramName: readonly [number, number];
  readonly ngramVeto: readonly [number, number];
  /** The n-gram model's lead at which it confirms eld's leader that lacked eld's own margin. */
  readonly ngramAgree: readonly [number, number];
  /** The n-gram model's lead at which it overrules the script rule within a script group (Hindi, Marathi, Nepali; Arabic, Persian). */
  readonly ngramScript: readonly [number, number];
}

export const DEFAULT_CALIBRATION: Calibration = {
  minLetters: 3,
  margins: [
    [5, 0.5],
    [8, 0.06],
    [20, 0.04],
    [Number.POSITIVE_INFINITY, 0.01],
  ],
  unroutedWeight: 0.8,
  closeFactor: 2.5,
  nameFactor: 4,
  maxWordRuleWords: 3,
  ngramDecide: [8, 1.2],
  ngramName: [12, 1.2],
  ngramVeto: [9, 0],
  ngramScript: [8, 0],
  ngramAgree: [3, 0.5],
};

/** Close neighbours in eld's codes: a lead between two routed ones of one group needs `closeFactor` times the margin. */
const CLOSE_GROUPS: readonly ReadonlySet<string>[] = [
  new Set(['da', 'no', 'sv']),
  new Set(['es', 'pt', 'ca', 'it']),
  new Set(['ru', 'uk', 'be', 'bg']),
  new Set(['nl', 'de']),
];
const close = (a: string, b: string): boolean => CLOSE_GROUPS.some((group) => group.has(a) && group.has(b));

/** Distinct candidate sets remembered; bounded so that odd `routed` lists cannot grow it. */
const MAX_INSTANCES = 256;

/** How the detector is built. */
export interface LanguageDetectorOptions {
  /** eld database size; `small` is the default (docs/language.md, "The other databases"). */
  readonly database: LanguageDatabase;
  /** Thresholds; {@link DEFAULT_CALIBRATION} unless a measurement overrides them. */
  readonly calibration?: Partial<Calibration>;
  /** The n-gram model; the shipped one (src/engine/language-ngram-model.json) unless given (cross-validation). */
  readonly ngrams?: NgramModelData;
}

/**
 * Loads eld's `database` (once per process per size) and returns a detector.
 *
 * Latin and Cyrillic text goes through four steps, the rules each only when the one before cannot
 * tell, eld and the model together (docs/language.md, "The pipeline"):
 *
 * 1. **Letter rules** (src/engine/language-letters.ts): ß is German, і ї є ґ Ukrainian, ã
 *    Portuguese; ø æ narrow the choice to Danish or Norwegian.
 * 2. **Word rules** (src/engine/language-words.ts): "hei" is Norwegian, "ikkje" Nynorsk, "unha"
 *    Galician; "ikke" narrows to Danish or Norwegian.
 * 3. **eld** among every language of the script it knows (narrowed by the steps above), answering
 *    only with at least `minLetters` letters and a clear lead over the runner-up (`margins`).
 * 4. **The n-gram model** (src/engine/language-ngrams.ts) among the same candidates and the
 *    neighbours eld does not know: a clear lead decides (`ngramDecide`, `ngramName`), a lead
 *    against eld's answer makes it unsure (`ngramVeto`), agreement confirms eld's leader
 *    (`ngramAgree`).
 *
 * Every language of the script is a candidate, routed or not: a Catalan message is `ca`, which
 * no team routes, so it goes to the default channel instead of reaching the Spanish team. The
 * routed languages only decide how Malay is named (eld's `ms` is `id` unless only Malay is routed).
 *
 * Each distinct candidate set gets its own eld instance (`newInstance()` shares the loaded
 * n-grams), so no call sees another's subset.
 */
export async function createLanguageDetector(options: LanguageDetectorOptions): Promise<LanguageDetector> {
  const { eld: base } = await DATABASES[options.database]();
  const calibration: Calibration = { ...DEFAULT_CALIBRATION, ...options.calibration };
  const ngrams = loadNgramModel(options.ngrams ?? NGRAM_MODEL);
  const instances = new Map<string, Eld>();

  const restricted = (codes: readonly string[]): Eld => {
    const key = [...codes].sort().join(',');
    let eld = instances.get(key);
    if (eld === undefined) {
      if (instances.size >= MAX_INSTANCES) instances.clear();
      eld = base.newInstance();
      eld.setLanguageSubset([...codes]);
      instances.set(key, eld);
    }
    return eld;
  };

  const routes = new Map<string, Route>();
  const routeFor = (routed: readonly string[]): Route => {
    const key = routed.join(',');
    let route = routes.get(key);
    if (route === undefined) {
      if (routes.size >= MAX_INSTANCES) routes.clear();
      route = buildRoute(routed);
      routes.set(key, route);
    }
    return route;
  };

  return {
    detect(text, routed) {
      const verdict = classifyScript(text);
      if (verdict.kind === 'script') {
        const group = SCRIPT_GROUPS.get(verdict.language);
        return group === undefined ? verdict.language : readScriptGroup(text, verdict.language, group, calibration, ngrams);
      }
      if (verdict.kind === 'none' || onlyNeutralWords(verdict.text)) return undefined;
      return readShared(verdict.script, verdict.text, verdict.letters, routeFor(routed), calibration, restricted, ngrams);
    },
  };
}

/**
 * Within a script group, the script rule's answer stands unless the n-gram model leads for
 * another language of the group by `ngramScript`. Still the script rule's semantics: the answer
 * never depends on what is routed.
 */
function readScriptGroup(text: string, marked: string, group: ReadonlySet<string>, calibration: Calibration, ngrams: NgramModel): string {
  const [best, runnerUp] = [...ngrams.score(text.toLowerCase(), group)].sort((x, y) => y[1] - x[1]);
  if (best === undefined || runnerUp === undefined || best[0] === marked) return marked;
  const letters = text.match(/\p{L}/gu)?.length ?? 0;
  const [base, perLetter] = calibration.ngramScript;
  return best[1] - runnerUp[1] >= base + perLetter * letters ? best[0] : marked;
}

/** What the routed languages change: which eld codes count as routed, and how Malay is named. */
interface Route {
  /** Routed languages in eld's codes (`no`, `ms`). */
  readonly codes: ReadonlySet<string>;
  /** Routed languages as routing tags. */
  readonly tags: ReadonlySet<string>;
  /** eld's code → routing tag: `no` → `nb`, `ms` → `id` unless only Malay is routed. */
  readonly toTag: (code: string) => string;
}

function buildRoute(routed: readonly string[]): Route {
  const tags = new Set(routed.flatMap((tag) => normalizeLanguageTag(tag) ?? []));
  const malay = tags.has('ms') && !tags.has('id') ? 'ms' : 'id';
  return {
    tags,
    codes: new Set([...tags].map((tag) => TO_ELD[tag] ?? tag)),
    toTag: (code) => (code === 'no' ? 'nb' : code === 'ms' ? malay : code),
  };
}

/**
 * The routing tag of a Latin or Cyrillic text (routed or not), or undefined when nothing settles it.
 */
function readShared(
  script: SharedScript,
  text: string,
  letters: number,
  route: Route,
  calibration: Calibration,
  restricted: (codes: readonly string[]) => Eld,
  ngrams: NgramModel,
): string | undefined {
  const lower = text.toLowerCase();
  const rule = script === 'latin' ? latinLetters(lower) : cyrillicLetters(lower);
  if (rule.kind === 'language') return rule.language;
  let allowed: ReadonlySet<string> | undefined = rule.kind === 'among' ? new Set(rule.languages) : undefined;

  // Words decide a short text by the most hits. A longer one only when every hit agrees and
  // there are at least two: a single shared word ("die" in German and Afrikaans) must not
  // outvote the statistics, which read long text well.
  const votes = wordVotes(lower);
  const top = leaders(votes, allowed ?? (script === 'cyrillic' ? CYRILLIC_WORD_LANGUAGES : LATIN_WORD_LANGUAGES));
  const [only] = top;
  if (votes.words <= calibration.maxWordRuleWords) {
    if (top.length === 1 && only !== undefined) return only;
    if (top.length > 1) allowed = new Set(top);
  } else if (top.length === 1 && only !== undefined && (votes.votes.get(only) ?? 0) >= 2 && unanimous(votes, only)) return only;

  const eld = readEld(script, text, letters, route, calibration, restricted, allowed);
  // eld's leader without its margin, when it has one: the n-gram model agreeing settles it.
  const statistical = typeof eld === 'object' ? undefined : eld;
  const leader = typeof eld === 'object' ? eld.leader : undefined;
  if (letters < calibration.minLetters) return undefined;
  // The n-gram model among the same candidates (and the neighbours eld does not know).
  const ranked = [...ngrams.score(lower, allowed)].sort((x, y) => y[1] - x[1]);
  const [best, runnerUp] = ranked;
  if (best === undefined || runnerUp === undefined) return statistical;
  const lead = best[1] - runnerUp[1];
  const needs = ([base, perLetter]: readonly [number, number]) => base + perLetter * letters;
  // The model tells Malay from Indonesian, which eld cannot; its Indonesian follows the routes
  // as eld's Malay does (a Malay-only deployment reads it as Malay).
  const tag = best[0] === 'id' ? route.toTag('ms') : best[0];
  const routedTag = route.tags.has(tag);
  if (lead >= needs(routedTag ? calibration.ngramDecide : calibration.ngramName)) return tag;
  if (statistical !== undefined && statistical !== tag && lead >= needs(calibration.ngramVeto)) return undefined;
  if (leader === tag && routedTag && lead >= needs(calibration.ngramAgree)) return tag;
  return statistical;
}

/** eld's answer among the script's languages it knows (narrowed to `allowed`), with the calibrated margin. */
function readEld(
  script: SharedScript,
  text: string,
  letters: number,
  route: Route,
  calibration: Calibration,
  restricted: (codes: readonly string[]) => Eld,
  allowed: ReadonlySet<string> | undefined,
): string | undefined | { readonly leader: string } {
  if (letters < calibration.minLetters) return undefined;
  const known = ELD_LANGUAGES[script];
  const codes = allowed === undefined ? known : known.filter((code) => allowed.has(code) || allowed.has(FROM_ELD[code] ?? code));
  if (codes.length === 0) return undefined;
  if (codes.length === 1) return route.toTag(codes[0] ?? '');
  const routed = route.codes;
  const result = restricted(codes).detect(text);
  if (result.language === '') return undefined;
  // Our own near-tie check (eld's isReliable() compares with the runner-up's index, not score).
  // Unrouted languages are weighed down: a deployment's customers mostly write what it routes.
  const ranked = Object.entries(result.getScores())
    .map(([code, score]) => [code, raw(score) * (routed.has(code) ? 1 : calibration.unroutedWeight)] as const)
    .sort((x, y) => y[1] - x[1]);
  const [best, runnerUp] = ranked;
  if (best === undefined) return undefined;
  if (runnerUp === undefined) return route.toTag(best[0]);
  const base = calibration.margins.find(([most]) => letters <= most)?.[1] ?? calibration.margins.at(-1)?.[1] ?? 0;
  const closePair = routed.has(best[0]) && routed.has(runnerUp[0]) && close(best[0], runnerUp[0]);
  const needed = base * (closePair ? calibration.closeFactor : 1) * (routed.has(best[0]) ? 1 : calibration.nameFactor);
  return best[1] / runnerUp[1] - 1 >= needed ? route.toTag(best[0]) : { leader: route.toTag(best[0]) };
}

/** eld's 0–1 score back to its raw per-n-gram score (eld scales it as s / (s + 25)). */
const raw = (score: number): number => score / (1 - score);

/** eld's codes back to routing tags, for matching the rules' groups. */
const FROM_ELD: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(TO_ELD).map(([tag, code]) => [code, tag]));

/** Where a conversation's language came from. */
export type LanguageSource = 'text' | 'hint' | 'none';

/**
 * Picks the conversation's language: the detected one wins; otherwise the first hint that
 * normalizes to a language (the platform's `language_code`, the customer's earlier
 * conversation, …); otherwise none, and the caller routes to the default channel rather than
 * guess (docs/language.md, "What 'unsure' does").
 */
export function chooseLanguage(input: { detected: string | undefined; hints: readonly (string | undefined)[] }): {
  language?: string;
  source: LanguageSource;
} {
  if (input.detected !== undefined) return { language: input.detected, source: 'text' };
  for (const hint of input.hints) {
    const language = hint === undefined ? undefined : normalizeLanguageTag(hint);
    if (language !== undefined) return { language, source: 'hint' };
  }
  return { source: 'none' };
}
