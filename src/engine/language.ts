/**
 * Language detection for routing: the Unicode-script rule first, then eld restricted to the
 * routed languages of the text's script; hints when the text cannot tell; and "unsure" rather
 * than a guess, so the caller sends the conversation to the default channel. The measurements
 * behind each choice are in docs/language.md.
 */
import { classifyScript, type SharedScript } from './language-script.ts';
import { normalizeLanguageTag } from './language-tags.ts';

export { languageName, normalizeLanguageTag } from './language-tags.ts';

/** Size of eld's n-gram database. docs/language.md: small 92.4 % at ~150 MB RSS, large 93.5 % at ~390 MB. */
export type LanguageDatabase = 'extrasmall' | 'small' | 'medium' | 'large';

/** Detects the routing language of one customer message. */
export interface LanguageDetector {
  /**
   * The routing tag of `text` (`ko`, `zh-Hant`, `nb`, `id`, …), or undefined when the text is
   * too short to tell or carries no language ("hi", "ok", "👍", "?", "123").
   *
   * Scripts that name their language (Hangul, kana, Han, Thai, Hebrew, Arabic, Devanagari, …)
   * decide regardless of `routed`, so a Korean message is `ko` even without a `ko` route and the
   * caller can send it to the default channel. Latin and Cyrillic text is read by eld among the
   * `routed` languages of that script (plus `en` for Latin); see {@link createLanguageDetector}
   * for what happens when a script has only one candidate.
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
 * Routing tags eld knows under another code: it has Norwegian as `no`, and no Indonesian at all,
 * so Indonesian is detected as Malay (docs/language.md: without this every Indonesian message is
 * misrouted).
 */
const TO_ELD: Readonly<Record<string, string>> = { nb: 'no', id: 'ms' };

/**
 * Fewest Latin or Cyrillic letters worth asking eld about. `isReliable()` already refuses fewer
 * than three n-grams (one word under eight letters), so this floor only catches runs of tiny
 * words ("ok ok", "a b c"). Measured on a 7,500-text set built like the shipped one
 * (`bench/build-language-set.ts tmp/set.ts 300`): the answers eld called reliable were right
 * 4 times in 7 at four letters and 6 in 7 at five or more; the floor costs no accuracy there.
 */
const MIN_SHARED_LETTERS = 5;

/** Distinct `routed` lists remembered; a deployment has one or a few, so this only bounds abuse. */
const MAX_PLANS = 64;

interface ScriptPlan {
  readonly eld: Eld;
  /** Turns eld's answer into a routing tag. */
  readonly toTag: (code: string) => string;
}

type Plan = Readonly<Record<SharedScript, ScriptPlan>>;

/** How the detector is built. */
export interface LanguageDetectorOptions {
  /** eld database size; `small` is the default (docs/language.md, "Memory and database size"). */
  readonly database: LanguageDatabase;
  /**
   * Also let eld answer with unrouted languages of the script, so a Catalan message is `ca`
   * (default channel) instead of `es`. docs/language.md: cuts such misroutes from 83 % to 23 % and
   * costs about 2 points on routed languages. Off by default.
   */
  readonly detectUnrouted?: boolean;
}

/**
 * Loads eld's `database` (once per process per size) and returns a detector.
 *
 * Candidates: Latin text is read among the routed Latin languages plus `en` (the language
 * customers fall back on); Cyrillic among the routed Cyrillic ones. With two or more candidates
 * eld is restricted to them, the pipeline measured in docs/language.md; an unrouted neighbour
 * then goes to the nearest routed language (Catalan → `es`) unless `detectUnrouted` is set.
 *
 * With one candidate (only `en` among Latin routes, or only `ru` among Cyrillic) a restriction
 * cannot tell anything, so eld reads among all its languages of that script and its answer is
 * returned even when unrouted (`fr`, `uk`), which sends the message to the default channel. On
 * a 7,500-text set with only `en` routed, restricting to `en` called 12 % of the other Latin
 * texts English; reading among all Latin languages called 1 % English, at a cost of 6 points of
 * English texts answered (81 % instead of 87 %; most of the rest come back undefined and fall
 * to the hints). With only `ru`, restricting sent 99.7 % of Ukrainian texts to `ru`, widening 7 %.
 *
 * Each distinct candidate set gets its own eld instance (`newInstance()` shares the loaded
 * n-grams), so concurrent calls with different `routed` lists never see each other's subset.
 * Setting the subset on one shared instance per call would also be safe (eld is synchronous)
 * but measured 11 µs per call against 31 µs for the detection itself.
 */
export async function createLanguageDetector(options: LanguageDetectorOptions): Promise<LanguageDetector> {
  const { eld: base } = await DATABASES[options.database]();
  const instances = new Map<string, Eld>();
  const plans = new Map<string, Plan>();

  const restricted = (codes: readonly string[]): Eld => {
    const key = [...codes].sort().join(',');
    let eld = instances.get(key);
    if (eld === undefined) {
      eld = base.newInstance();
      eld.setLanguageSubset([...codes]);
      instances.set(key, eld);
    }
    return eld;
  };

  const planFor = (routed: readonly string[]): Plan => {
    const key = routed.join('\u0000');
    let plan = plans.get(key);
    if (plan === undefined) {
      if (plans.size >= MAX_PLANS) {
        plans.clear();
        instances.clear();
      }
      plan = buildPlan(routed, options.detectUnrouted === true, restricted);
      plans.set(key, plan);
    }
    return plan;
  };

  return {
    detect(text, routed) {
      const verdict = classifyScript(text);
      if (verdict.kind === 'script') return verdict.language;
      if (verdict.kind === 'none' || verdict.letters < MIN_SHARED_LETTERS) return undefined;
      const { eld, toTag } = planFor(routed)[verdict.script];
      const result = eld.detect(verdict.text);
      // isReliable() is false for fewer than three n-grams or a near tie: too short to tell.
      if (result.language === '' || !result.isReliable()) return undefined;
      return toTag(result.language);
    },
  };
}

function buildPlan(routed: readonly string[], detectUnrouted: boolean, restricted: (codes: readonly string[]) => Eld): Plan {
  const tags = new Set(routed.flatMap((tag) => normalizeLanguageTag(tag) ?? []));
  const codes = new Set([...tags].map((tag) => TO_ELD[tag] ?? tag));
  // Malay and Indonesian are one language to eld; its `ms` is `id` unless only Malay is routed.
  const malay = tags.has('ms') && !tags.has('id') ? 'ms' : 'id';
  const toTag = (code: string): string => (code === 'no' ? 'nb' : code === 'ms' ? malay : code);
  const scriptPlan = (script: SharedScript, always: readonly string[]): ScriptPlan => {
    const all = ELD_LANGUAGES[script];
    const candidates = new Set([...always, ...all.filter((code) => codes.has(code))]);
    return { eld: restricted(candidates.size >= 2 && !detectUnrouted ? [...candidates] : all), toTag };
  };
  return { latin: scriptPlan('latin', ['en']), cyrillic: scriptPlan('cyrillic', []) };
}

/** Where a conversation's language came from. */
export type LanguageSource = 'text' | 'hint' | 'none';

/**
 * Picks the conversation's language: the detected one wins; otherwise the first hint that
 * normalizes to a language (the platform's `language_code`, the customer's earlier
 * conversation, …); otherwise none, and the caller routes to the default channel rather than
 * guess (docs/language.md: on one-word greetings the best pipeline was right about half the time).
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
